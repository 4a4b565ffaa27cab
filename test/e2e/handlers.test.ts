/**
 * End to end: every rule's handler (the real `createConfigRuleHandler`, real SDK clients) against moto
 * serving a realistic account seeded through the SDK. Config events are built from the seeded resources as
 * Config records them; `resultToken: TESTMODE`, so `PutEvaluations` reaches moto. What moto lacks
 * (`GetResourceConfigHistory` that SDK v3 can parse, `GetComplianceDetailsByConfigRule`) is answered by a
 * loopback stand-in in front of it (`startConfigGap`); everything else goes to moto.
 *
 * Skips, visibly, when moto is not installed (`scripts/install-emulator.sh`).
 */
import {
  CreateRoleCommand,
  DeleteGroupCommand,
  DeleteGroupPolicyCommand,
  DeletePolicyCommand,
  DetachRolePolicyCommand,
  IAMClient,
  RemoveUserFromGroupCommand,
} from "@aws-sdk/client-iam";
import { expect } from "chai";
import { main } from "../../cli/main.js";
import { rule as policyRule } from "../../rules/ecr-iam-policy-no-unscoped-write/rule.js";
import { rule as principalRule } from "../../rules/ecr-iam-principal-write-authorized/rule.js";
import { rule as integrityRule } from "../../rules/ecr-repository-image-integrity/rule.js";
import { rule as trustRule } from "../../rules/ecr-repository-policy-trusted/rule.js";
import { RULES } from "../../rules/index.js";
import { accountItems } from "../../shared/account/items.js";
import { ALL_READERS } from "../../shared/account/readers.js";
import { ApiAccountFacts } from "../../shared/account/sources.js";
import { ClientFactory } from "../../shared/aws/clients.js";
import type { Evaluation } from "../../shared/config/evaluation.js";
import { createConfigRuleHandler, type HandlerResult } from "../../shared/runtime/handler.js";
import { silentLogger } from "../../shared/runtime/logger.js";
import type { Rule } from "../../shared/runtime/rule.js";
import { changeEvent, notificationItem, oversizedEvent, scheduledEvent } from "../support/events.js";
import {
  ACCOUNT_SPEC,
  DOCUMENTS,
  MOTO_ACCOUNT,
  MOTO_CREDENTIALS,
  MOTO_MISSING,
  MOTO_REGION,
  type Moto,
  ORGANIZATION_ID,
  OTHER_ACCOUNT,
  type RecordedResource,
  recordResources,
  seedAccount,
  startConfigGap,
  startMoto,
} from "../support/moto.js";
import { deployedPackRows, type PackRow, sortedRows } from "../support/pack-run.js";

const CAPTURE_TIME = "2026-11-20T10:00:00.000Z";
const BULK_USERS = 120;
const BULK_ROLES = 12;

/** A handler wired to `endpoint`, and its clients (whose counter tells the calls made). */
function handlerFor(
  rule: Rule,
  endpoint: string,
  assumeRoleName?: string,
): { readonly handler: (event: unknown) => Promise<HandlerResult>; readonly clients: ClientFactory } {
  const clients = new ClientFactory({ endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 2 });
  const handler = createConfigRuleHandler(rule, ALL_READERS, {
    clients,
    logger: silentLogger,
    assumeRoleName,
  });
  return { handler, clients };
}

function item(resource: RecordedResource): Record<string, unknown> {
  return notificationItem({ ...resource, accountId: MOTO_ACCOUNT, captureTime: CAPTURE_TIME });
}

function eventOptions(rule: Rule, ruleParameters: Record<string, unknown> = {}) {
  return { accountId: MOTO_ACCOUNT, ruleName: rule.name, ruleParameters, resultToken: "TESTMODE" };
}

function calls(clients: ClientFactory, operation: string): number {
  return clients.counter.snapshot().get(operation) ?? 0;
}

function verdictOf(evaluations: readonly Evaluation[], resourceId: string): Evaluation {
  const found = evaluations.find((e) => e.ComplianceResourceId === resourceId);
  if (found === undefined) throw new Error(`no evaluation of ${resourceId}`);
  return found;
}

describe("e2e: rule handlers against moto", function () {
  this.timeout(120_000);
  let moto: Moto | undefined;
  let resources: RecordedResource[] = [];

  /** The running emulator (the suite skipped when there is none). */
  const emulator = (): Moto => {
    if (moto === undefined) throw new Error("moto is not running");
    return moto;
  };
  const iamClient = () =>
    new IAMClient({ region: MOTO_REGION, endpoint: emulator().endpoint, credentials: MOTO_CREDENTIALS });
  const resource = (resourceType: string, name: string): RecordedResource => {
    const found = resources.find((r) => r.resourceType === resourceType && r.resourceName === name);
    if (found === undefined) throw new Error(`${resourceType} ${name} was not recorded`);
    return found;
  };
  /** Resets moto, seeds the account and records it as Config would. */
  const freshAccount = async () => {
    await emulator().reset();
    await seedAccount(emulator().endpoint, { bulkUsers: BULK_USERS, bulkRoles: BULK_ROLES });
    resources = await recordResources(emulator().endpoint);
  };
  /** One change notification for `name` through `rule`'s handler; the evaluations it put. */
  const change = async (
    rule: Rule,
    resourceType: string,
    name: string,
    ruleParameters: Record<string, unknown> = {},
  ) => {
    const { handler, clients } = handlerFor(rule, emulator().endpoint);
    const target = resource(resourceType, name);
    const { evaluations } = await handler(changeEvent(item(target), eventOptions(rule, ruleParameters)));
    expect(calls(clients, "Config.PutEvaluations"), "PutEvaluations sent to moto").to.be.greaterThan(0);
    return { evaluations, own: verdictOf(evaluations, target.resourceId), clients };
  };
  /** An oversized notification for `name`: the item comes from GetResourceConfigHistory (the stand-in). */
  const oversized = async (rule: Rule, resourceType: string, name: string) => {
    const target = resource(resourceType, name);
    const full = item(target);
    const gap = await startConfigGap(emulator().endpoint, {
      history: (type, id) => (type === target.resourceType && id === target.resourceId ? full : undefined),
    });
    try {
      const { handler } = handlerFor(rule, gap.endpoint);
      const { evaluations } = await handler(oversizedEvent(full, eventOptions(rule)));
      const answered = (operation: string) =>
        gap.requests.filter((r) => r.operation === operation).map((r) => r.answeredBy);
      expect(answered("Config.GetResourceConfigHistory")).to.deep.equal(["gap"]);
      expect(answered("Config.PutEvaluations")).to.deep.equal(["moto"]);
      return verdictOf(evaluations, target.resourceId);
    } finally {
      await gap.stop();
    }
  };

  before(async function () {
    moto = await startMoto();
    if (moto === undefined) {
      console.log(`      ${MOTO_MISSING}`);
      this.skip();
    }
  });
  after(async () => {
    await moto?.stop();
  });

  describe("the whole pack", () => {
    it("scan --live gives exactly what the deployed pack holds after a periodic run and one change per resource", async () => {
      // Prepare: the account, and a stand-in for the Config calls moto lacks (no earlier evaluations).
      await freshAccount();
      const gap = await startConfigGap(emulator().endpoint, { evaluated: () => [] });
      try {
        const target = { accountId: MOTO_ACCOUNT, region: MOTO_REGION, partition: "aws" };
        const live = new ApiAccountFacts(
          new ClientFactory({ endpoint: emulator().endpoint, credentials: MOTO_CREDENTIALS }),
          target,
          ALL_READERS,
        );
        const items = await accountItems(live, {
          ...target,
          captureTime: new Date(CAPTURE_TIME),
          resourceTypes: new Set(RULES.flatMap((rule) => rule.resourceTypes)),
        });
        // Act
        const fromPack = await deployedPackRows(
          RULES,
          items,
          (rule) => handlerFor(rule, gap.endpoint).handler,
          {
            region: MOTO_REGION,
            accountId: MOTO_ACCOUNT,
          },
        );
        let printed = "";
        const status = await main(
          ["scan", "--live", "--region", MOTO_REGION, "--json"],
          {
            stdout: { write: (text: string) => (printed += text) },
            stderr: { write: () => true },
          },
          { clientConfig: { endpoint: emulator().endpoint, credentials: MOTO_CREDENTIALS } },
        );
        // Assess
        expect(status).to.equal(1);
        const scanned: PackRow[] = JSON.parse(printed).evaluations;
        expect(scanned.length).to.be.greaterThan(BULK_USERS);
        expect(sortedRows(scanned)).to.deep.equal(fromPack);
      } finally {
        await gap.stop();
      }
    });
  });

  describe("ecr-iam-policy-no-unscoped-write", () => {
    before(freshAccount);

    const expected: readonly [string, "COMPLIANT" | "NON_COMPLIANT"][] = [
      ["ecr-push-all", "NON_COMPLIANT"],
      ["ecr-push-team-a", "COMPLIANT"],
      ["ecr-pull-boundary", "COMPLIANT"],
      ["ecr-rotated", "COMPLIANT"],
    ];
    for (const [name, compliance] of expected) {
      it(`${name}: ${compliance}`, async () => {
        const { own, evaluations } = await change(policyRule, "AWS::IAM::Policy", name);
        expect(evaluations).to.have.length(1);
        expect(own.ComplianceType, own.Annotation).to.equal(compliance);
        expect(own.ComplianceResourceType).to.equal("AWS::IAM::Policy");
      });
    }

    it("names the unscoped actions and the default version of ecr-push-all", async () => {
      const { own } = await change(policyRule, "AWS::IAM::Policy", "ecr-push-all");
      expect(own.Annotation).to.include("v1").and.to.include("PutImage");
    });

    it("judges only the default version (ecr-rotated's v1 pushed everywhere, its default v2 pulls)", async () => {
      const rotated = resource("AWS::IAM::Policy", "ecr-rotated");
      expect(rotated.configuration.defaultVersionId).to.equal("v2");
      const { own } = await change(policyRule, "AWS::IAM::Policy", "ecr-rotated");
      expect(own.ComplianceType).to.equal("COMPLIANT");
    });

    it("exemptPolicyArns makes ecr-push-all NOT_APPLICABLE", async () => {
      const { own } = await change(policyRule, "AWS::IAM::Policy", "ecr-push-all", {
        exemptPolicyArns: `arn:aws:iam::${MOTO_ACCOUNT}:policy/ecr-push-*`,
      });
      expect(own.ComplianceType).to.equal("NOT_APPLICABLE");
      expect(own.Annotation).to.include("exemptPolicyArns");
    });

    it("an oversized item is fetched with GetResourceConfigHistory and judged the same", async () => {
      const verdict = await oversized(policyRule, "AWS::IAM::Policy", "ecr-push-all");
      expect(verdict.ComplianceType).to.equal("NON_COMPLIANT");
    });
  });

  describe("ecr-iam-principal-write-authorized", () => {
    before(freshAccount);

    const expected: readonly [string, string, "COMPLIANT" | "NON_COMPLIANT", string][] = [
      ["AWS::IAM::Role", "ecr-power-user", "NON_COMPLIANT", "AmazonEC2ContainerRegistryPowerUser"],
      ["AWS::IAM::Role", "ecr-full-access", "NON_COMPLIANT", "AmazonEC2ContainerRegistryFullAccess"],
      ["AWS::IAM::Role", "ecr-read-only", "COMPLIANT", "no sensitive ECR action"],
      ["AWS::IAM::Role", "break-glass-admin", "NON_COMPLIANT", "AdministratorAccess"],
      // AdministratorAccess within a pull-only permissions boundary.
      ["AWS::IAM::Role", "bounded-admin", "COMPLIANT", "no sensitive ECR action"],
      ["AWS::IAM::Role", "ci-team-a", "COMPLIANT", "some repositories only"],
      ["AWS::IAM::Role", "ci-push-all", "NON_COMPLIANT", "ecr-push-all"],
      ["AWS::IAM::Role", "release-pipeline", "NON_COMPLIANT", "only grants scoped to some repositories"],
      ["AWS::IAM::User", "alice", "NON_COMPLIANT", "group ecr-admins"],
      ["AWS::IAM::User", "bob", "COMPLIANT", "no sensitive ECR action"],
      ["AWS::IAM::User", "carol", "NON_COMPLIANT", "users are never authorized"],
      ["AWS::IAM::Group", "ecr-admins", "NON_COMPLIANT", "ecr-everything"],
      ["AWS::IAM::Group", "ecr-readers", "COMPLIANT", "no sensitive ECR action"],
    ];
    for (const [resourceType, name, compliance, says] of expected) {
      it(`${resourceType} ${name}: ${compliance}`, async () => {
        const { own } = await change(principalRule, resourceType, name);
        expect(own.ComplianceType, own.Annotation).to.equal(compliance);
        expect(own.Annotation).to.include(says);
      });
    }

    it("reads the AWS managed policy through GetPolicy and GetPolicyVersion (decoded by moto)", async () => {
      const { clients } = await change(principalRule, "AWS::IAM::Role", "ecr-power-user");
      // Its own policy, and the AWS managed policies of the account's other principals (for reach), each once.
      expect(calls(clients, "IAM.GetPolicy")).to.be.at.least(1);
      expect(calls(clients, "IAM.GetPolicyVersion")).to.equal(calls(clients, "IAM.GetPolicy"));
      expect(calls(clients, "IAM.GetAccountAuthorizationDetails")).to.equal(1);
    });

    it("reads the permissions boundary with the attached policy", async () => {
      const bounded = resource("AWS::IAM::Role", "bounded-admin");
      expect(bounded.configuration.permissionsBoundary).to.deep.equal({
        permissionsBoundaryType: "PermissionsBoundaryPolicy",
        permissionsBoundaryArn: `arn:aws:iam::${MOTO_ACCOUNT}:policy/ecr-pull-boundary`,
      });
      const { own, clients } = await change(principalRule, "AWS::IAM::Role", "bounded-admin");
      expect(own.ComplianceType, own.Annotation).to.equal("COMPLIANT");
      expect(calls(clients, "IAM.GetPolicyVersion")).to.equal(calls(clients, "IAM.GetPolicy"));
    });

    it("authorizedPrincipalArns makes release-pipeline COMPLIANT", async () => {
      const { own } = await change(principalRule, "AWS::IAM::Role", "release-pipeline", {
        authorizedPrincipalArns: `arn:aws:iam::${MOTO_ACCOUNT}:role/release-*`,
      });
      expect(own.ComplianceType).to.equal("COMPLIANT");
      expect(own.Annotation).to.include("authorizedPrincipalArns");
    });

    it("a change to a group re-evaluates its members, in batches of 100", async () => {
      const { evaluations, clients } = await change(principalRule, "AWS::IAM::Group", "ecr-readers");
      const members = evaluations.filter((e) => e.ComplianceResourceType === "AWS::IAM::User");
      expect(members).to.have.length(BULK_USERS + 1); // the bulk users and bob
      expect(members.every((e) => e.ComplianceType === "COMPLIANT")).to.equal(true);
      expect(calls(clients, "Config.PutEvaluations")).to.equal(Math.ceil(evaluations.length / 100));
      // One walk for the members, one for the account's reach (kept for the container's next changes).
      expect(calls(clients, "IAM.GetAccountAuthorizationDetails")).to.equal(2);
    });

    it("an oversized item is fetched with GetResourceConfigHistory and judged the same", async () => {
      const verdict = await oversized(principalRule, "AWS::IAM::Role", "ecr-power-user");
      expect(verdict.ComplianceType).to.equal("NON_COMPLIANT");
    });

    it("the periodic sweep judges every principal; one evaluated before and gone is NOT_APPLICABLE", async () => {
      const gone = "AROAGONEGONEGONEGONE1";
      const gap = await startConfigGap(emulator().endpoint, {
        evaluated: () => [
          { resourceType: "AWS::IAM::Role", resourceId: gone },
          {
            resourceType: "AWS::IAM::Role",
            resourceId: resource("AWS::IAM::Role", "ecr-read-only").resourceId,
          },
        ],
      });
      try {
        const { handler, clients } = handlerFor(principalRule, gap.endpoint);
        const { evaluations } = await handler(scheduledEvent(eventOptions(principalRule)));
        const principals =
          ACCOUNT_SPEC.roles.length +
          BULK_ROLES +
          ACCOUNT_SPEC.users.length +
          BULK_USERS +
          ACCOUNT_SPEC.groups.length;
        expect(evaluations).to.have.length(principals + 1);
        expect(verdictOf(evaluations, gone).ComplianceType).to.equal("NOT_APPLICABLE");
        for (const [type, name] of [
          ["AWS::IAM::Role", "ecr-power-user"],
          ["AWS::IAM::User", "alice"],
          ["AWS::IAM::Group", "ecr-admins"],
        ] as const) {
          expect(verdictOf(evaluations, resource(type, name).resourceId).ComplianceType).to.equal(
            "NON_COMPLIANT",
          );
        }
        expect(
          verdictOf(evaluations, resource("AWS::IAM::Role", "ecr-read-only").resourceId).ComplianceType,
        ).to.equal("COMPLIANT");
        expect(calls(clients, "Config.PutEvaluations")).to.equal(Math.ceil(evaluations.length / 100));
        expect(gap.requests.filter((r) => r.answeredBy === "gap").map((r) => r.operation)).to.deep.equal([
          "Config.GetComplianceDetailsByConfigRule",
        ]);
      } finally {
        await gap.stop();
      }
    });

    describe("with changes to the account", () => {
      before(freshAccount);

      it("acts through the role named by assumeRoleName, assumed with sts:AssumeRole", async () => {
        const iam = iamClient();
        await iam.send(
          new CreateRoleCommand({
            RoleName: "ecr-access-rules-config",
            AssumeRolePolicyDocument: JSON.stringify(DOCUMENTS.trustEc2),
          }),
        );
        const { handler, clients } = handlerFor(
          principalRule,
          emulator().endpoint,
          "ecr-access-rules-config",
        );
        const target = resource("AWS::IAM::Role", "ecr-power-user");
        const { evaluations } = await handler(changeEvent(item(target), eventOptions(principalRule)));
        expect(calls(clients, "STS.AssumeRole")).to.equal(1);
        expect(verdictOf(evaluations, target.resourceId).ComplianceType).to.equal("NON_COMPLIANT");
      });

      it("a user whose group was deleted since the event is NON_COMPLIANT: the group could not be read", async () => {
        const iam = iamClient();
        await iam.send(new RemoveUserFromGroupCommand({ GroupName: "ecr-admins", UserName: "alice" }));
        await iam.send(
          new DeleteGroupPolicyCommand({ GroupName: "ecr-admins", PolicyName: "ecr-everything" }),
        );
        await iam.send(new DeleteGroupCommand({ GroupName: "ecr-admins" }));
        // alice's item still lists ecr-admins (recorded before the deletion).
        const { own, clients } = await change(principalRule, "AWS::IAM::User", "alice");
        expect(calls(clients, "IAM.GetGroup")).to.equal(1);
        // Missing is not absent: what the group passed on is unknown until Config records alice again.
        expect(own.ComplianceType, own.Annotation).to.equal("NON_COMPLIANT");
        expect(own.Annotation).to.include("group ecr-admins could not be read");
      });

      it("a principal whose attached policy was deleted since the event is NON_COMPLIANT: it could not be read", async () => {
        const iam = iamClient();
        const arn = `arn:aws:iam::${MOTO_ACCOUNT}:policy/ecr-push-team-a`;
        await iam.send(new DetachRolePolicyCommand({ RoleName: "ci-team-a", PolicyArn: arn }));
        await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
        const { own } = await change(principalRule, "AWS::IAM::Role", "ci-team-a");
        expect(own.ComplianceType).to.equal("NON_COMPLIANT");
        expect(own.Annotation).to.include("could not be read");
      });
    });
  });

  describe("ecr-repository-policy-trusted", () => {
    before(freshAccount);

    const expected: readonly [string, string, "COMPLIANT" | "NON_COMPLIANT", string][] = [
      ["AWS::ECR::Repository", "web", "NON_COMPLIANT", "everyone (public)"],
      ["AWS::ECR::Repository", "shared/base-images", "NON_COMPLIANT", `untrusted account ${OTHER_ACCOUNT}`],
      ["AWS::ECR::Repository", "org/images", "NON_COMPLIANT", `untrusted organization ${ORGANIZATION_ID}`],
      ["AWS::ECR::Repository", "api", "COMPLIANT", ""],
      ["AWS::ECR::Repository", "team-a/app", "COMPLIANT", ""],
      ["AWS::ECR::RegistryPolicy", MOTO_ACCOUNT, "NON_COMPLIANT", `untrusted account ${OTHER_ACCOUNT}`],
    ];
    for (const [resourceType, name, compliance, says] of expected) {
      it(`${resourceType} ${name}: ${compliance}`, async () => {
        const { own } = await change(trustRule, resourceType, name);
        expect(own.ComplianceType, own.Annotation).to.equal(compliance);
        expect(own.Annotation ?? "").to.include(says);
      });
    }

    it("trusting the partner account and the organization clears all but the public repository", async () => {
      const parameters = { trustedAccountIds: OTHER_ACCOUNT, trustedOrganizationIds: ORGANIZATION_ID };
      for (const [resourceType, name, compliance] of [
        ["AWS::ECR::Repository", "shared/base-images", "COMPLIANT"],
        ["AWS::ECR::Repository", "org/images", "COMPLIANT"],
        ["AWS::ECR::RegistryPolicy", MOTO_ACCOUNT, "COMPLIANT"],
        ["AWS::ECR::Repository", "web", "NON_COMPLIANT"],
      ] as const) {
        const { own } = await change(trustRule, resourceType, name, parameters);
        expect(own.ComplianceType, `${name}: ${own.Annotation}`).to.equal(compliance);
      }
    });

    it("an oversized item is fetched with GetResourceConfigHistory and judged the same", async () => {
      const verdict = await oversized(trustRule, "AWS::ECR::Repository", "web");
      expect(verdict.ComplianceType).to.equal("NON_COMPLIANT");
    });
  });

  describe("ecr-repository-image-integrity", () => {
    before(freshAccount);

    const expected: readonly [string, "COMPLIANT" | "NON_COMPLIANT", string][] = [
      ["api", "COMPLIANT", "scan on push"],
      ["web", "NON_COMPLIANT", "tags are MUTABLE"],
      ["shared/base-images", "COMPLIANT", "scan on push"],
      ["org/images", "NON_COMPLIANT", "images are not scanned"],
      ["team-a/app", "COMPLIANT", "SCAN_ON_PUSH rule (team-a/*)"],
    ];
    for (const [name, compliance, says] of expected) {
      it(`${name}: ${compliance}`, async () => {
        const { own, clients } = await change(integrityRule, "AWS::ECR::Repository", name);
        expect(own.ComplianceType, own.Annotation).to.equal(compliance);
        expect(own.Annotation).to.include(says);
        expect(calls(clients, "ECR.GetRegistryScanningConfiguration")).to.equal(1);
      });
    }

    it("requireScanning false accepts an unscanned immutable repository", async () => {
      const { own } = await change(integrityRule, "AWS::ECR::Repository", "org/images", {
        requireScanning: "false",
      });
      expect(own.ComplianceType).to.equal("COMPLIANT");
    });

    it("the periodic sweep lists the repositories and judges each as a change would", async () => {
      const { handler, clients } = handlerFor(integrityRule, emulator().endpoint);
      const { evaluations } = await handler(scheduledEvent(eventOptions(integrityRule)));
      expect(calls(clients, "ECR.DescribeRepositories")).to.be.greaterThan(0);
      const byName = Object.fromEntries(evaluations.map((e) => [e.ComplianceResourceId, e.ComplianceType]));
      expect(byName).to.deep.equal(
        Object.fromEntries(expected.map(([name, compliance]) => [name, compliance])),
      );
    });

    it("an oversized item is fetched with GetResourceConfigHistory and judged the same", async () => {
      const verdict = await oversized(integrityRule, "AWS::ECR::Repository", "web");
      expect(verdict.ComplianceType).to.equal("NON_COMPLIANT");
    });
  });

  describe("the deployed entry points (rules/*/handler.ts), configured from the environment", () => {
    before(freshAccount);

    it("each judges a change through AWS_ENDPOINT_URL and the default credential chain, as in Lambda", async () => {
      const env: Record<string, string | undefined> = {
        AWS_ENDPOINT_URL: emulator().endpoint,
        AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
        AWS_REGION: MOTO_REGION,
        AWS_EC2_METADATA_DISABLED: "true",
        POWERTOOLS_LOG_LEVEL: "SILENT",
        AWS_SESSION_TOKEN: undefined,
        AWS_PROFILE: undefined,
        AWS_DEFAULT_REGION: undefined,
        ASSUME_ROLE_NAME: undefined,
      };
      const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
      const apply = (values: Record<string, string | undefined>) => {
        for (const [name, value] of Object.entries(values)) {
          if (value === undefined) delete process.env[name];
          else process.env[name] = value;
        }
      };
      apply(env);
      try {
        const cases = [
          {
            module: await import("../../rules/ecr-iam-policy-no-unscoped-write/handler.js"),
            rule: policyRule,
            target: resource("AWS::IAM::Policy", "ecr-push-all"),
          },
          {
            module: await import("../../rules/ecr-iam-principal-write-authorized/handler.js"),
            rule: principalRule,
            target: resource("AWS::IAM::Role", "ecr-power-user"),
          },
          {
            module: await import("../../rules/ecr-repository-policy-trusted/handler.js"),
            rule: trustRule,
            target: resource("AWS::ECR::Repository", "web"),
          },
          {
            module: await import("../../rules/ecr-repository-image-integrity/handler.js"),
            rule: integrityRule,
            target: resource("AWS::ECR::Repository", "web"),
          },
        ];
        for (const { module, rule, target } of cases) {
          const { evaluations } = await module.handler(changeEvent(item(target), eventOptions(rule)));
          expect(verdictOf(evaluations, target.resourceId).ComplianceType, rule.name).to.equal(
            "NON_COMPLIANT",
          );
        }
      } finally {
        apply(saved);
      }
    });
  });
});
