/**
 * ecr-iam-principal-write-authorized through its real handler, with the real SDK clients against a local
 * fake of IAM and Config: the API calls one evaluation costs (asserted, not timed), the warm cache, a
 * group's members in one batch, the periodic sweep, and read failures.
 */

import { expect } from "chai";
import { rule } from "../../../rules/ecr-iam-principal-write-authorized/rule.js";
import { ALL_READERS } from "../../../shared/account/readers.js";
import { ClientFactory } from "../../../shared/aws/clients.js";
import { PutEvaluationsReporter } from "../../../shared/config/reporter.js";
import { createConfigRuleHandler } from "../../../shared/runtime/handler.js";
import type { RuleLogger } from "../../../shared/runtime/logger.js";
import { changeEvent, notificationItem, scheduledEvent } from "../../support/events.js";
import { failureOf } from "../../support/failure.js";
import { accessDenied, awsError, escapeXml, FakeAws, ok, xmlResult } from "../../support/fake-aws.js";
import {
  ACCOUNT,
  CREATED,
  el,
  encoded,
  groupArn,
  groupId,
  members,
  type PolicySpec,
  servePages,
  servePolicy,
  userXml,
} from "../../support/iam-xml.js";

const POWER_USER: PolicySpec = {
  arn: "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser",
  name: "AmazonEC2ContainerRegistryPowerUser",
  document: {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["ecr:GetAuthorizationToken", "ecr:PutImage", "ecr:InitiateLayerUpload"],
        Resource: "*",
      },
    ],
  },
};
const TEAM_PUSH: PolicySpec = {
  arn: `arn:aws:iam::${ACCOUNT}:policy/team-a-push`,
  name: "team-a-push",
  document: {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: "ecr:PutImage", Resource: `arn:aws:ecr:*:${ACCOUNT}:repository/team-a/*` },
    ],
  },
};

function roleItem(
  name: string,
  attached: readonly PolicySpec[],
  id = `AROA${name.toUpperCase().padEnd(17, "X")}`,
) {
  return notificationItem({
    resourceType: "AWS::IAM::Role",
    resourceId: id,
    accountId: ACCOUNT,
    region: "global",
    arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    configuration: {
      path: "/",
      roleName: name,
      roleId: id,
      arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
      rolePolicyList: [],
      attachedManagedPolicies: attached.map((p) => ({ policyName: p.name, policyArn: p.arn })),
      permissionsBoundary: null,
    },
  });
}

describe("ecr-iam-principal-write-authorized handler (real SDK, fake IAM and Config)", () => {
  let fake: FakeAws;
  let logs: Array<Record<string, unknown>>;
  const logger: RuleLogger = {
    info: (_message, fields) => logs.push(fields),
    error: (_message, fields) => logs.push(fields),
  };

  before(async () => {
    fake = await FakeAws.start();
  });
  after(async () => fake.stop());
  beforeEach(() => {
    logs = [];
    fake.on("config", "PutEvaluations", () => ok({ FailedEvaluations: [] }));
    // The account around the changed principal, read once per container for reach: empty unless a test says.
    servePages(fake, [{}]);
  });
  afterEach(() => fake.reset());

  function handler() {
    return createConfigRuleHandler(rule, ALL_READERS, {
      clients: new ClientFactory({
        endpoint: fake.endpoint,
        credentials: { accessKeyId: "AKID", secretAccessKey: "secret" },
        maxAttempts: 1,
      }),
      logger,
      assumeRoleName: undefined,
      reporter: (factory, target) => new PutEvaluationsReporter(factory.config(target)),
    });
  }

  const put = () =>
    fake
      .calls("PutEvaluations")
      .flatMap((c) => (Array.isArray(c.input.Evaluations) ? c.input.Evaluations : []))
      .map((e: Record<string, unknown>) => ({
        id: e.ComplianceResourceId,
        type: e.ComplianceType,
        annotation: e.Annotation,
      }));

  it("costs one GetPolicy and one GetPolicyVersion per managed policy, then nothing on a warm cache", async () => {
    // Two managed policies answered by one fake each call: serve both.
    fake.on("iam", "GetPolicy", ({ input }) => {
      const p = [POWER_USER, TEAM_PUSH].find((x) => x.arn === input.PolicyArn);
      return p === undefined
        ? awsError(404, "NoSuchEntity", "no such policy")
        : xmlResult(
            `<Policy>${el("PolicyName", p.name)}${el("PolicyId", "ANPAEXAMPLE000000001")}${el("Arn", p.arn)}${el("Path", "/")}${el("DefaultVersionId", "v1")}${el("AttachmentCount", "1")}${el("PermissionsBoundaryUsageCount", "0")}${el("IsAttachable", "true")}${el("CreateDate", CREATED)}${el("UpdateDate", CREATED)}</Policy>`,
          );
    });
    fake.on("iam", "GetPolicyVersion", ({ input }) => {
      const p = [POWER_USER, TEAM_PUSH].find((x) => x.arn === input.PolicyArn);
      return xmlResult(
        `<PolicyVersion>${el("Document", encoded(p?.document))}${el("VersionId", "v1")}${el("IsDefaultVersion", "true")}${el("CreateDate", CREATED)}</PolicyVersion>`,
      );
    });
    const invoke = handler();
    await invoke(changeEvent(roleItem("ci", [POWER_USER, TEAM_PUSH]), { accountId: ACCOUNT }));
    expect(fake.calls("GetPolicy")).to.have.length(2);
    expect(fake.calls("GetPolicyVersion")).to.have.length(2);
    expect(logs[0]?.apiCalls).to.deep.equal({
      "IAM.GetPolicy": 2,
      "IAM.GetPolicyVersion": 2,
      // The account's reach, read once per container.
      "IAM.GetAccountAuthorizationDetails": 1,
      "Config.PutEvaluations": 1,
    });
    expect(put()[0]).to.include({ type: "NON_COMPLIANT" });
    expect(String(put()[0]?.annotation)).to.include("managed policy AmazonEC2ContainerRegistryPowerUser");

    await invoke(changeEvent(roleItem("ci", [POWER_USER, TEAM_PUSH]), { accountId: ACCOUNT }));
    expect(fake.calls("GetPolicy")).to.have.length(2);
    expect(fake.calls("GetPolicyVersion")).to.have.length(2);
    expect(logs[1]?.apiCalls).to.deep.equal({ "Config.PutEvaluations": 1 });
  });

  it("costs one authorization-details walk (the account's reach) for a role with inline policies only", async () => {
    const item = roleItem("inline-only", []);
    const configuration = item.configuration as Record<string, unknown>;
    configuration.rolePolicyList = [{ policyName: "push", policyDocument: encoded(TEAM_PUSH.document) }];
    await handler()(changeEvent(item, { accountId: ACCOUNT }));
    expect(fake.requests.filter((r) => r.service === "iam").map((r) => r.operation)).to.deep.equal([
      "GetAccountAuthorizationDetails",
    ]);
    expect(put()[0]).to.include({ type: "COMPLIANT" });
  });

  it("reads a user's group once: GetGroup, its inline policies and its attached policies", async () => {
    servePolicy(fake, TEAM_PUSH);
    fake.on("iam", "GetGroup", () =>
      xmlResult(
        `<Group>${el("Path", "/")}${el("GroupName", "developers")}${el("GroupId", groupId("developers"))}${el("Arn", groupArn("developers"))}${el("CreateDate", CREATED)}</Group>` +
          members("Users", [userXml("alice")]) +
          el("IsTruncated", "false"),
      ),
    );
    fake.on("iam", "ListGroupPolicies", () =>
      xmlResult(members("PolicyNames", [escapeXml("pull")]) + el("IsTruncated", "false")),
    );
    fake.on("iam", "GetGroupPolicy", () =>
      xmlResult(
        el("GroupName", "developers") +
          el("PolicyName", "pull") +
          el(
            "PolicyDocument",
            encoded({
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Action: "ecr:BatchGetImage", Resource: "*" }],
            }),
          ),
      ),
    );
    fake.on("iam", "ListAttachedGroupPolicies", () =>
      xmlResult(
        members("AttachedPolicies", [
          `${el("PolicyName", TEAM_PUSH.name)}${el("PolicyArn", TEAM_PUSH.arn)}`,
        ]) + el("IsTruncated", "false"),
      ),
    );
    const user = notificationItem({
      resourceType: "AWS::IAM::User",
      resourceId: "AIDAALICEXXXXXXXXXXXX",
      accountId: ACCOUNT,
      region: "global",
      configuration: {
        path: "/",
        userName: "alice",
        userId: "AIDAALICEXXXXXXXXXXXX",
        arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
        userPolicyList: [],
        groupList: ["developers"],
        attachedManagedPolicies: [],
        permissionsBoundary: null,
      },
    });
    await handler()(changeEvent(user, { accountId: ACCOUNT }));
    expect(logs[0]?.apiCalls).to.deep.equal({
      "IAM.GetAccountAuthorizationDetails": 1,
      "IAM.GetGroup": 1,
      "IAM.ListGroupPolicies": 1,
      "IAM.GetGroupPolicy": 1,
      "IAM.ListAttachedGroupPolicies": 1,
      "IAM.GetPolicy": 1,
      "IAM.GetPolicyVersion": 1,
      "Config.PutEvaluations": 1,
    });
    // Push on team-a/* inherited from the group: scoped, but users are never authorized without the parameter.
    expect(put()[0]).to.include({ type: "NON_COMPLIANT" });
    expect(String(put()[0]?.annotation)).to.include("group developers managed policy team-a-push");
  });

  it("re-evaluates a group's member users in the same PutEvaluations batch", async () => {
    servePages(fake, [
      {
        users: [
          { name: "alice", groups: ["admins"] },
          { name: "bob", groups: ["admins", "other"] },
          { name: "carol", groups: ["other"] },
        ],
      },
    ]);
    const group = notificationItem({
      resourceType: "AWS::IAM::Group",
      resourceId: groupId("admins"),
      accountId: ACCOUNT,
      region: "global",
      configuration: {
        path: "/",
        groupName: "admins",
        groupId: groupId("admins"),
        arn: groupArn("admins"),
        groupPolicyList: [
          {
            policyName: "all",
            policyDocument: encoded({
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Action: "ecr:*", Resource: "*" }],
            }),
          },
        ],
        attachedManagedPolicies: [],
      },
    });
    // The members' own groups are read too: answer "admins" from the walk's data and "other" as empty.
    fake.on("iam", "GetGroup", ({ input }) =>
      xmlResult(
        `<Group>${el("Path", "/")}${el("GroupName", String(input.GroupName))}${el("GroupId", groupId(String(input.GroupName)))}${el("Arn", groupArn(String(input.GroupName)))}${el("CreateDate", CREATED)}</Group><Users/>${el("IsTruncated", "false")}`,
      ),
    );
    fake.on("iam", "ListGroupPolicies", ({ input }) =>
      xmlResult(
        members("PolicyNames", input.GroupName === "admins" ? ["all"] : []) + el("IsTruncated", "false"),
      ),
    );
    fake.on("iam", "GetGroupPolicy", () =>
      xmlResult(
        el("GroupName", "admins") +
          el("PolicyName", "all") +
          el(
            "PolicyDocument",
            encoded({
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Action: "ecr:*", Resource: "*" }],
            }),
          ),
      ),
    );
    fake.on("iam", "ListAttachedGroupPolicies", () =>
      xmlResult(`<AttachedPolicies/>${el("IsTruncated", "false")}`),
    );
    await handler()(changeEvent(group, { accountId: ACCOUNT }));
    expect(fake.calls("PutEvaluations")).to.have.length(1);
    const sent = put();
    expect(sent.map((e) => e.id)).to.deep.equal([
      groupId("admins"),
      "AIDAALICEXXXXXXXXXXXX",
      "AIDABOBXXXXXXXXXXXXXX",
    ]);
    expect(sent.every((e) => e.type === "NON_COMPLIANT")).to.equal(true);
    expect(fake.calls("GetAccountAuthorizationDetails")[0]?.input).to.include({ "Filter.member.1": "User" });
  });

  it("sweeps every principal from GetAccountAuthorizationDetails and marks vanished ones NOT_APPLICABLE", async () => {
    servePages(fake, [
      {
        users: [{ name: "dana" }],
        roles: [{ name: "ci", attached: [{ name: TEAM_PUSH.name, arn: TEAM_PUSH.arn }] }],
        next: "p2",
      },
      { groups: [{ name: "ops" }], policies: [TEAM_PUSH] },
    ]);
    fake.on("config", "GetComplianceDetailsByConfigRule", () =>
      ok({
        EvaluationResults: [
          {
            EvaluationResultIdentifier: {
              EvaluationResultQualifier: {
                ResourceType: "AWS::IAM::Role",
                ResourceId: "AROAGONEXXXXXXXXXXXXX",
              },
            },
          },
          {
            EvaluationResultIdentifier: {
              EvaluationResultQualifier: {
                ResourceType: "AWS::IAM::User",
                ResourceId: "AIDADANAXXXXXXXXXXXXX",
              },
            },
          },
        ],
      }),
    );
    await handler()(scheduledEvent({ accountId: ACCOUNT, ruleName: "ecr-iam-principal-write-authorized" }));
    const sent = put();
    expect(sent.map((e) => `${e.id}:${e.type}`).sort()).to.deep.equal(
      [
        "AIDADANAXXXXXXXXXXXXX:COMPLIANT",
        "AROACIXXXXXXXXXXXXXXX:COMPLIANT",
        `${groupId("ops")}:COMPLIANT`,
        "AROAGONEXXXXXXXXXXXXX:NOT_APPLICABLE",
      ].sort(),
    );
    expect(fake.calls("GetComplianceDetailsByConfigRule")[0]?.input).to.include({
      ConfigRuleName: "ecr-iam-principal-write-authorized",
    });
    // The walk held the customer policy: no GetPolicy for it.
    expect(fake.calls("GetPolicy")).to.have.length(0);
  });

  it("fails the invocation, naming the call and the denial, when IAM refuses a read", async () => {
    fake.on("iam", "GetPolicy", () =>
      accessDenied(
        "User: arn:aws:sts::123456789012:assumed-role/x is not authorized to perform: iam:GetPolicy",
      ),
    );
    const failure = await failureOf(
      handler()(changeEvent(roleItem("ci", [POWER_USER]), { accountId: ACCOUNT })),
    );
    expect(String(failure)).to.match(/iam:GetPolicy failed: AccessDenied/);
    expect(fake.calls("PutEvaluations")).to.have.length(0);
  });

  it("reports a role whose attached policy no longer exists NON_COMPLIANT, naming it", async () => {
    fake.on("iam", "GetPolicy", () => awsError(404, "NoSuchEntity", "Policy does not exist"));
    await handler()(changeEvent(roleItem("ci", [TEAM_PUSH]), { accountId: ACCOUNT }));
    expect(put()[0]).to.include({ type: "NON_COMPLIANT" });
    expect(String(put()[0]?.annotation)).to.include("managed policy team-a-push");
  });
});
