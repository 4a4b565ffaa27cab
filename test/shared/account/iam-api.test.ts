/**
 * ApiIamFacts with the real IAM client against a local fake of AWS (test/support/fake-aws.ts): the calls each
 * read costs, the cache and its bounds (on sinon's fake clock), pagination, and documents returned
 * URL-encoded as IAM delivers them. The XML below
 * has the shapes of the IAM API reference: `<member>` list items, `true`/`false`, ISO 8601 timestamps,
 * URL-encoded policy documents, empty lists as empty elements.
 */
import { IAMClient } from "@aws-sdk/client-iam";
import { expect } from "chai";
import sinon, { type SinonFakeTimers } from "sinon";
import { AccountReadError } from "../../../shared/account/ecr.js";
import {
  ApiIamFacts,
  DEFAULT_AWS_POLICY_TTL_MS,
  DEFAULT_CUSTOMER_POLICY_TTL_MS,
} from "../../../shared/account/iam-api.js";
import { ClientFactory } from "../../../shared/aws/clients.js";
import { rejection } from "../../support/failure.js";
import {
  accessDenied,
  awsError,
  escapeXml,
  FakeAws,
  type RecordedRequest,
  xmlResult,
} from "../../support/fake-aws.js";
import {
  ACCOUNT,
  type Attached,
  attachedPolicy,
  CREATED,
  el,
  encoded,
  type GaadPage,
  gaadPage,
  groupArn,
  groupId,
  type Inline,
  members,
  type PolicySpec,
  policyId,
  servePages,
  servePolicy,
  userId,
  userXml,
} from "../../support/iam-xml.js";

const TTL = 60_000;

const PUSH_TEAM_A = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "PushTeamA",
      Effect: "Allow",
      Action: ["ecr:PutImage", "ecr:InitiateLayerUpload"],
      Resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/team-a/*`,
    },
  ],
};
const PULL_ALL = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "ecr:BatchGetImage", Resource: "*" }],
};

/** Decodes a delivered document back to JSON. */
function decoded(document: unknown): unknown {
  if (typeof document !== "string") throw new Error(`expected a URL-encoded string, got ${typeof document}`);
  return JSON.parse(decodeURIComponent(document));
}

/** The form parameters a request carried, without the protocol's own. */
function params(request: RecordedRequest | undefined): Record<string, unknown> {
  const { Action: _action, Version: _version, ...rest } = request?.input ?? {};
  return rest;
}

const CUSTOMER_POLICY: PolicySpec = {
  arn: `arn:aws:iam::${ACCOUNT}:policy/ecr-push-team-a`,
  name: "ecr-push-team-a",
  document: PUSH_TEAM_A,
  defaultVersionId: "v3",
  attachmentCount: 2,
  boundaryUsageCount: 1,
};
const AWS_POLICY: PolicySpec = {
  arn: "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
  name: "AmazonEC2ContainerRegistryReadOnly",
  document: PULL_ALL,
  defaultVersionId: "v2",
};

describe("ApiIamFacts (real IAM client, fake AWS endpoint)", () => {
  let fake: FakeAws;
  let iam: IAMClient;
  let clock: SinonFakeTimers;

  /** Facts with a fresh cache and a short customer policy TTL. */
  function facts(): ApiIamFacts {
    return new ApiIamFacts(iam, { customerPolicyTtlMs: TTL });
  }

  before(async () => {
    fake = await FakeAws.start();
    const factory = new ClientFactory({
      endpoint: fake.endpoint,
      credentials: { accessKeyId: "AKIDFUNCTION", secretAccessKey: "secret" },
      maxAttempts: 1,
    });
    iam = factory.client(IAMClient, "IAM", { accountId: ACCOUNT, region: "us-east-1", partition: "aws" });
  });
  after(async () => {
    iam.destroy();
    await fake.stop();
  });
  beforeEach(() => {
    // Only the clock the caches read: requests to the fake travel in real time.
    clock = sinon.useFakeTimers({ now: Date.parse("2026-11-20T10:00:00Z"), toFake: ["Date"] });
  });
  afterEach(() => {
    clock.restore();
    fake.reset();
  });

  describe("managedPolicy", () => {
    it("reads a policy with one GetPolicy and one GetPolicyVersion of its default version", async () => {
      // Prepare
      servePolicy(fake, CUSTOMER_POLICY);

      // Act
      const policy = await facts().managedPolicy(CUSTOMER_POLICY.arn);

      // Assess
      expect(fake.calls("GetPolicy")).to.have.length(1);
      expect(fake.calls("GetPolicyVersion")).to.have.length(1);
      expect(params(fake.calls("GetPolicyVersion")[0])).to.deep.equal({
        PolicyArn: CUSTOMER_POLICY.arn,
        VersionId: "v3",
      });
      expect(policy).to.deep.include({
        arn: CUSTOMER_POLICY.arn,
        name: "ecr-push-team-a",
        id: policyId("ecr-push-team-a"),
        path: "/",
        defaultVersionId: "v3",
        attachmentCount: 2,
        permissionsBoundaryUsageCount: 1,
      });
      expect(policy?.document).to.equal(encoded(PUSH_TEAM_A));
      expect(decoded(policy?.document)).to.deep.equal(PUSH_TEAM_A);
    });

    it("answers a second call for the same ARN from the cache", async () => {
      // Prepare
      servePolicy(fake, CUSTOMER_POLICY);
      const iamFacts = facts();
      const first = await iamFacts.managedPolicy(CUSTOMER_POLICY.arn);
      const before = fake.requests.length;

      // Act
      const second = await iamFacts.managedPolicy(CUSTOMER_POLICY.arn);

      // Assess
      expect(fake.requests.length - before).to.equal(0);
      expect(second).to.equal(first);
    });

    it("reads a customer managed policy again once the TTL has passed", async () => {
      // Prepare
      servePolicy(fake, CUSTOMER_POLICY);
      const iamFacts = facts();
      await iamFacts.managedPolicy(CUSTOMER_POLICY.arn);
      clock.tick(TTL - 1);
      await iamFacts.managedPolicy(CUSTOMER_POLICY.arn);
      expect(fake.calls("GetPolicy")).to.have.length(1);

      // Act
      clock.tick(2);
      await iamFacts.managedPolicy(CUSTOMER_POLICY.arn);

      // Assess
      expect(fake.calls("GetPolicy")).to.have.length(2);
      expect(fake.calls("GetPolicyVersion")).to.have.length(2);
    });

    it("keeps an AWS managed policy for an hour, then reads it again", async () => {
      // Prepare
      servePolicy(fake, AWS_POLICY);
      const iamFacts = facts();
      await iamFacts.managedPolicy(AWS_POLICY.arn);
      clock.tick(DEFAULT_AWS_POLICY_TTL_MS - 1);
      await iamFacts.managedPolicy(AWS_POLICY.arn);
      const callsWithinTheHour = fake.calls("GetPolicy").length;

      // Act
      clock.tick(2);
      const policy = await iamFacts.managedPolicy(AWS_POLICY.arn);

      // Assess
      expect(callsWithinTheHour).to.equal(1);
      expect(policy?.defaultVersionId).to.equal("v2");
      expect(fake.calls("GetPolicy")).to.have.length(2);
      expect(fake.calls("GetPolicyVersion")).to.have.length(2);
    });

    it("keeps a customer managed policy for five minutes by default", async () => {
      // Prepare
      servePolicy(fake, CUSTOMER_POLICY);
      const iamFacts = new ApiIamFacts(iam);
      await iamFacts.managedPolicy(CUSTOMER_POLICY.arn);
      clock.tick(DEFAULT_CUSTOMER_POLICY_TTL_MS - 1);
      await iamFacts.managedPolicy(CUSTOMER_POLICY.arn);
      const callsWithinTtl = fake.calls("GetPolicy").length;

      // Act
      clock.tick(2);
      await iamFacts.managedPolicy(CUSTOMER_POLICY.arn);

      // Assess
      expect(DEFAULT_CUSTOMER_POLICY_TTL_MS).to.equal(5 * 60_000);
      expect(callsWithinTtl).to.equal(1);
      expect(fake.calls("GetPolicy")).to.have.length(2);
    });

    it("sees an AWS managed policy that gained ecr:* at once after invalidate()", async () => {
      // Prepare
      servePolicy(fake, AWS_POLICY);
      const iamFacts = facts();
      const before = await iamFacts.managedPolicy(AWS_POLICY.arn);
      const widened = {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "ecr:*", Resource: "*" }],
      };
      servePolicy(fake, { ...AWS_POLICY, document: widened });

      // Act
      iamFacts.invalidate();
      const after = await iamFacts.managedPolicy(AWS_POLICY.arn);

      // Assess
      expect(decoded(before?.document)).to.deep.equal(PULL_ALL);
      expect(decoded(after?.document)).to.deep.equal(widened);
      expect(fake.calls("GetPolicy")).to.have.length(2);
    });

    it("returns undefined for NoSuchEntity and remembers that for the TTL", async () => {
      // Prepare
      servePolicy(fake, CUSTOMER_POLICY);
      const missing = `arn:aws:iam::${ACCOUNT}:policy/deleted`;
      const iamFacts = facts();

      // Act
      const first = await iamFacts.managedPolicy(missing);
      const cached = await iamFacts.managedPolicy(missing);
      const callsWithinTtl = fake.calls("GetPolicy").length;
      clock.tick(TTL + 1);
      await iamFacts.managedPolicy(missing);

      // Assess
      expect(first).to.equal(undefined);
      expect(cached).to.equal(undefined);
      expect(callsWithinTtl).to.equal(1);
      expect(fake.calls("GetPolicy")).to.have.length(2);
      expect(fake.calls("GetPolicyVersion")).to.have.length(0);
    });

    it("fails with an AccountReadError naming iam:GetPolicy and AccessDenied, and caches no failure", async () => {
      // Prepare
      fake.once("iam", "GetPolicy", () =>
        accessDenied(
          `User: arn:aws:sts::${ACCOUNT}:assumed-role/rule/x is not authorized to perform: iam:GetPolicy`,
        ),
      );
      servePolicy(fake, CUSTOMER_POLICY);
      const iamFacts = facts();

      // Act
      const error = await iamFacts.managedPolicy(CUSTOMER_POLICY.arn).then(
        () => undefined,
        (e: unknown) => e,
      );
      const retried = await iamFacts.managedPolicy(CUSTOMER_POLICY.arn);

      // Assess
      expect(error).to.be.instanceOf(AccountReadError);
      expect(String(error)).to.match(
        /iam:GetPolicy failed: AccessDenied: .*not authorized to perform: iam:GetPolicy/u,
      );
      expect(retried?.defaultVersionId).to.equal("v3");
      expect(fake.calls("GetPolicy")).to.have.length(2);
    });

    it("fails rather than answering undefined when the default version vanishes between the two reads", async () => {
      // Prepare
      servePolicy(fake, CUSTOMER_POLICY);
      fake.once("iam", "GetPolicyVersion", () =>
        awsError(404, "NoSuchEntity", `Policy ${CUSTOMER_POLICY.arn} version v3 does not exist.`),
      );

      // Act
      const error = await facts()
        .managedPolicy(CUSTOMER_POLICY.arn)
        .then(
          () => undefined,
          (e: unknown) => e,
        );

      // Assess
      expect(error).to.be.instanceOf(AccountReadError);
      expect(String(error)).to.contain("iam:GetPolicyVersion failed: NoSuchEntityException");
    });

    it("shares one request between concurrent calls for the same ARN", async () => {
      // Prepare
      servePolicy(fake, CUSTOMER_POLICY);
      const iamFacts = facts();

      // Act
      const [a, b] = await Promise.all([
        iamFacts.managedPolicy(CUSTOMER_POLICY.arn),
        iamFacts.managedPolicy(CUSTOMER_POLICY.arn),
      ]);

      // Assess
      expect(fake.calls("GetPolicy")).to.have.length(1);
      expect(fake.calls("GetPolicyVersion")).to.have.length(1);
      expect(a).to.not.equal(undefined);
      expect(a).to.equal(b);
    });
  });

  describe("group", () => {
    const INLINE: readonly Inline[] = [
      { name: "push-team-a", document: PUSH_TEAM_A },
      { name: "pull-all", document: PULL_ALL },
    ];

    function serveGroup(attachedPages: readonly (readonly Attached[])[]): void {
      fake.on("iam", "GetGroup", ({ input }) =>
        input.GroupName === "developers"
          ? xmlResult(
              `<Group>${el("Path", "/")}${el("GroupName", "developers")}${el("GroupId", groupId("developers"))}` +
                `${el("Arn", groupArn("developers"))}${el("CreateDate", CREATED)}</Group>` +
                members("Users", [userXml("alice")]) +
                el("IsTruncated", "true") +
                el("Marker", "users-2"),
            )
          : awsError(404, "NoSuchEntity", `The group with name ${String(input.GroupName)} cannot be found.`),
      );
      fake.on("iam", "ListGroupPolicies", () =>
        xmlResult(
          members(
            "PolicyNames",
            INLINE.map((p) => escapeXml(p.name)),
          ) + el("IsTruncated", "false"),
        ),
      );
      fake.on("iam", "GetGroupPolicy", ({ input }) => {
        const policy = INLINE.find((p) => p.name === input.PolicyName);
        return policy === undefined
          ? awsError(
              404,
              "NoSuchEntity",
              `The group policy with name ${String(input.PolicyName)} cannot be found.`,
            )
          : xmlResult(
              el("GroupName", "developers") +
                el("PolicyName", policy.name) +
                el("PolicyDocument", encoded(policy.document)),
            );
      });
      fake.on("iam", "ListAttachedGroupPolicies", ({ input }) => {
        const index = input.Marker === undefined ? 0 : Number(String(input.Marker).replace("attached-", ""));
        const page = attachedPages[index] ?? [];
        const last = index === attachedPages.length - 1;
        return xmlResult(
          members("AttachedPolicies", page.map(attachedPolicy)) +
            el("IsTruncated", last ? "false" : "true") +
            (last ? "" : el("Marker", `attached-${index + 1}`)),
        );
      });
    }

    it("returns the inline documents URL-encoded as IAM delivers them", async () => {
      // Prepare
      serveGroup([[{ name: AWS_POLICY.name, arn: AWS_POLICY.arn }]]);

      // Act
      const group = await facts().group("developers");

      // Assess
      expect(group).to.deep.include({
        type: "group",
        name: "developers",
        id: groupId("developers"),
        arn: groupArn("developers"),
        path: "/",
        groups: [],
      });
      expect(group?.inline.map((p) => p.name)).to.deep.equal(["push-team-a", "pull-all"]);
      expect(group?.inline[0]?.document).to.equal(encoded(PUSH_TEAM_A));
      expect(group?.inline.map((p) => decoded(p.document))).to.deep.equal([PUSH_TEAM_A, PULL_ALL]);
      expect(group?.attached).to.deep.equal([{ name: AWS_POLICY.name, arn: AWS_POLICY.arn }]);
      expect(fake.calls("GetGroup")).to.have.length(1);
      expect(fake.calls("ListGroupPolicies")).to.have.length(1);
      expect(fake.calls("GetGroupPolicy").map((c) => c.input.PolicyName)).to.have.members([
        "push-team-a",
        "pull-all",
      ]);
      expect(fake.calls("ListAttachedGroupPolicies")).to.have.length(1);
    });

    it("collects attached policies across two pages", async () => {
      // Prepare
      serveGroup([
        [{ name: CUSTOMER_POLICY.name, arn: CUSTOMER_POLICY.arn }],
        [{ name: AWS_POLICY.name, arn: AWS_POLICY.arn }],
      ]);

      // Act
      const group = await facts().group("developers");

      // Assess
      expect(group?.attached.map((p) => p.arn)).to.deep.equal([CUSTOMER_POLICY.arn, AWS_POLICY.arn]);
      expect(fake.calls("ListAttachedGroupPolicies").map(params)).to.deep.equal([
        { GroupName: "developers" },
        { GroupName: "developers", Marker: "attached-1" },
      ]);
    });

    it("returns undefined for a group that does not exist, with no further calls", async () => {
      // Prepare
      serveGroup([[]]);

      // Act
      const group = await facts().group("gone");

      // Assess
      expect(group).to.equal(undefined);
      expect(fake.calls("GetGroup")).to.have.length(1);
      expect(fake.requests.map((r) => r.operation)).to.deep.equal(["GetGroup"]);
    });

    it("answers from the cache until the TTL passes", async () => {
      // Prepare
      serveGroup([[]]);
      const iamFacts = facts();
      const first = await iamFacts.group("developers");
      const before = fake.requests.length;

      // Act
      const cached = await iamFacts.group("developers");
      const callsWithinTtl = fake.requests.length - before;
      clock.tick(TTL + 1);
      await iamFacts.group("developers");

      // Assess
      expect(cached).to.equal(first);
      expect(callsWithinTtl).to.equal(0);
      expect(fake.calls("GetGroup")).to.have.length(2);
    });

    it("fails naming iam:ListAttachedGroupPolicies when a page hands back a marker it gave before", async () => {
      // Prepare
      serveGroup([[]]);
      fake.on("iam", "ListAttachedGroupPolicies", () =>
        xmlResult(members("AttachedPolicies", []) + el("IsTruncated", "true") + el("Marker", "same-again")),
      );

      // Act
      const error = await rejection(facts().group("developers"), AccountReadError);

      // Assess
      expect(error.message).to.equal(
        'iam:ListAttachedGroupPolicies returned the page token "same-again" a second time (page 2): following it would never end',
      );
      expect(fake.calls("ListAttachedGroupPolicies")).to.have.length(2);
    });

    it("fails naming iam:ListGroupPolicies when a truncated page carries no Marker", async () => {
      // Prepare
      serveGroup([[]]);
      fake.on("iam", "ListGroupPolicies", () =>
        xmlResult(members("PolicyNames", ["push-team-a"]) + el("IsTruncated", "true")),
      );

      // Act
      const error = await rejection(facts().group("developers"), AccountReadError);

      // Assess
      expect(error.message).to.equal("iam:ListGroupPolicies returned IsTruncated without a Marker");
    });

    it("returns undefined for a group deleted between GetGroup and its policy lists", async () => {
      // Prepare
      serveGroup([[]]);
      fake.on("iam", "ListGroupPolicies", () =>
        awsError(404, "NoSuchEntity", "The group with name developers cannot be found."),
      );

      // Act
      const group = await facts().group("developers");

      // Assess
      expect(group).to.equal(undefined);
    });

    it("reads a group again after invalidate()", async () => {
      // Prepare
      serveGroup([[]]);
      const iamFacts = facts();
      await iamFacts.group("developers");

      // Act
      iamFacts.invalidate();
      await iamFacts.group("developers");

      // Assess
      expect(fake.calls("GetGroup")).to.have.length(2);
    });

    it("leaves out an inline policy deleted between the list and its read", async () => {
      // Prepare
      serveGroup([[]]);
      fake.once("iam", "GetGroupPolicy", ({ input }) =>
        awsError(
          404,
          "NoSuchEntity",
          `The group policy with name ${String(input.PolicyName)} cannot be found.`,
        ),
      );

      // Act
      const group = await facts().group("developers");

      // Assess
      expect(group?.inline).to.have.length(1);
      expect(fake.calls("GetGroupPolicy")).to.have.length(2);
    });
  });

  describe("groupMembers", () => {
    it("returns the members of a group from one GetAccountAuthorizationDetails walk over two pages", async () => {
      // Prepare
      servePages(fake, [
        {
          users: [
            { name: "alice", groups: ["developers", "ops"] },
            { name: "bob", groups: ["ops"] },
          ],
          next: "users-page-2",
        },
        {
          users: [
            {
              name: "carol",
              groups: ["developers"],
              inline: [{ name: "push", document: PUSH_TEAM_A }],
              attached: [{ name: AWS_POLICY.name, arn: AWS_POLICY.arn }],
              boundary: CUSTOMER_POLICY.arn,
            },
            { name: "dave" },
          ],
        },
      ]);

      // Act
      const users = await facts().groupMembers("developers");

      // Assess
      expect(users.map((u) => u.name)).to.deep.equal(["alice", "carol"]);
      expect(users[1]).to.deep.equal({
        type: "user",
        name: "carol",
        id: userId("carol"),
        arn: `arn:aws:iam::${ACCOUNT}:user/carol`,
        path: "/",
        inline: [{ name: "push", document: encoded(PUSH_TEAM_A) }],
        attached: [{ name: AWS_POLICY.name, arn: AWS_POLICY.arn }],
        groups: ["developers"],
        boundaryArn: CUSTOMER_POLICY.arn,
      });
      expect(fake.calls("GetAccountAuthorizationDetails").map(params)).to.deep.equal([
        { "Filter.member.1": "User", MaxItems: "1000" },
        { "Filter.member.1": "User", MaxItems: "1000", Marker: "users-page-2" },
      ]);
      expect(fake.requests).to.have.length(2);
    });
  });

  describe("everything", () => {
    const PAGES: readonly GaadPage[] = [
      {
        users: [{ name: "alice", groups: ["developers"], inline: [{ name: "pull", document: PULL_ALL }] }],
        roles: [{ name: "builder", attached: [{ name: CUSTOMER_POLICY.name, arn: CUSTOMER_POLICY.arn }] }],
        policies: [CUSTOMER_POLICY],
        next: "everything-2",
      },
      {
        groups: [{ name: "developers", inline: [{ name: "push", document: PUSH_TEAM_A }] }],
        roles: [{ name: "AWSServiceRoleForECR", path: "/aws-service-role/ecr.amazonaws.com/" }],
        policies: [
          {
            arn: `arn:aws:iam::${ACCOUNT}:policy/pull-all`,
            name: "pull-all",
            document: PULL_ALL,
            defaultVersionId: "v1",
          },
        ],
      },
    ];

    it("merges two pages of users, roles, groups and customer managed policies", async () => {
      // Prepare
      servePages(fake, PAGES);

      // Act
      const details = await facts().everything();

      // Assess
      expect(details.principals.map((p) => `${p.type}:${p.name}`)).to.have.members([
        "user:alice",
        "role:builder",
        "group:developers",
        "role:AWSServiceRoleForECR",
      ]);
      expect(details.policies.map((p) => p.name)).to.deep.equal(["ecr-push-team-a", "pull-all"]);
      const group = details.principals.find((p) => p.type === "group");
      expect(group?.inline[0]?.document).to.equal(encoded(PUSH_TEAM_A));
      expect(details.policies[0]?.document).to.equal(encoded(PUSH_TEAM_A));
      expect(details.policies[0]).to.deep.include({ defaultVersionId: "v3", attachmentCount: 2 });
      const serviceRole = details.principals.find((p) => p.name === "AWSServiceRoleForECR");
      expect(serviceRole?.path).to.equal("/aws-service-role/ecr.amazonaws.com/");
      expect(fake.calls("GetAccountAuthorizationDetails").map(params)).to.deep.equal([
        {
          "Filter.member.1": "User",
          "Filter.member.2": "Role",
          "Filter.member.3": "Group",
          "Filter.member.4": "LocalManagedPolicy",
          MaxItems: "1000",
        },
        {
          "Filter.member.1": "User",
          "Filter.member.2": "Role",
          "Filter.member.3": "Group",
          "Filter.member.4": "LocalManagedPolicy",
          MaxItems: "1000",
          Marker: "everything-2",
        },
      ]);
    });

    it("leaves a later managedPolicy or group call for something it walked at no call", async () => {
      // Prepare
      servePages(fake, PAGES);
      servePolicy(fake, CUSTOMER_POLICY);
      const iamFacts = facts();
      const details = await iamFacts.everything();
      const before = fake.requests.length;

      // Act
      const policy = await iamFacts.managedPolicy(CUSTOMER_POLICY.arn);
      const group = await iamFacts.group("developers");

      // Assess
      expect(fake.requests.length - before).to.equal(0);
      expect(policy).to.deep.equal(details.policies[0]);
      expect(group?.inline.map((p) => p.name)).to.deep.equal(["push"]);
    });

    it("fails naming iam:GetAccountAuthorizationDetails when the markers run in a circle", async () => {
      // Prepare: page 3 hands back the marker of page 2.
      servePages(fake, [
        { users: [{ name: "alice" }], next: "m-1" },
        { users: [{ name: "bob" }], next: "m-2" },
        { users: [{ name: "carol" }], next: "m-1" },
      ]);

      // Act
      const error = await rejection(facts().everything(), AccountReadError);

      // Assess
      expect(error.message).to.match(
        /^iam:GetAccountAuthorizationDetails returned the page token "m-1" a second time/u,
      );
      expect(fake.calls("GetAccountAuthorizationDetails").map((c) => c.input.Marker)).to.deep.equal([
        undefined,
        "m-1",
        "m-2",
      ]);
    });

    it("fails with an AccountReadError naming GetAccountAuthorizationDetails when a page is refused", async () => {
      // Prepare
      servePages(fake, PAGES);
      fake.once("iam", "GetAccountAuthorizationDetails", () => gaadPage(PAGES[0] ?? {}));
      fake.once("iam", "GetAccountAuthorizationDetails", () => accessDenied("not authorized"));

      // Act
      const error = await facts()
        .everything()
        .then(
          () => undefined,
          (e: unknown) => e,
        );

      // Assess
      expect(error).to.be.instanceOf(AccountReadError);
      expect(String(error)).to.contain(
        "iam:GetAccountAuthorizationDetails failed: AccessDenied: not authorized",
      );
    });
  });
});
