/**
 * The real rule handlers, with the real AWS SDK clients pointed at a local fake of AWS (test/support/
 * fake-aws.ts): the Config contract (docs/config-contract.md) end to end — events, items, oversized items, NOT_APPLICABLE, PutEvaluations
 * batching, retries, TestMode, annotations, parameters, assumed roles, logs.
 */

import { expect } from "chai";
import { rule as policyRule } from "../../../rules/ecr-iam-policy-no-unscoped-write/rule.js";
import { rule as principalRule } from "../../../rules/ecr-iam-principal-write-authorized/rule.js";
import { rule as integrityRule } from "../../../rules/ecr-repository-image-integrity/rule.js";
import { rule as trustRule } from "../../../rules/ecr-repository-policy-trusted/rule.js";
import { ALL_READERS } from "../../../shared/account/readers.js";
import { ClientFactory } from "../../../shared/aws/clients.js";
import { RuleParameterError } from "../../../shared/config/parameters.js";
import { EvaluationDeliveryError, PutEvaluationsReporter } from "../../../shared/config/reporter.js";
import { createConfigRuleHandler, type RuntimeDeps } from "../../../shared/runtime/handler.js";
import type { RuleLogger } from "../../../shared/runtime/logger.js";
import type { Rule } from "../../../shared/runtime/rule.js";
import {
  ACCOUNT,
  changeEvent,
  managedPolicyConfiguration,
  notificationItem,
  oversizedEvent,
  repositoryConfiguration,
  sample,
  scheduledEvent,
} from "../../support/events.js";
import { failureOf } from "../../support/failure.js";
import { FakeAws, ok, type RecordedRequest, throttling, xmlResult } from "../../support/fake-aws.js";

interface LogLine {
  level: "info" | "error";
  message: string;
  fields: Record<string, unknown>;
}

function capturingLogger(lines: LogLine[]): RuleLogger {
  return {
    info: (message, fields) => lines.push({ level: "info", message, fields }),
    error: (message, fields) => lines.push({ level: "error", message, fields }),
  };
}

const PUSH_EVERYWHERE = {
  Version: "2012-10-17",
  Statement: [
    { Sid: "PushAll", Effect: "Allow", Action: ["ecr:PutImage", "ecr:InitiateLayerUpload"], Resource: "*" },
  ],
};

type Evaluated = { ComplianceResourceId: string; ComplianceType: string; Annotation?: string };

function evaluationsSent(requests: readonly RecordedRequest[]): Evaluated[] {
  return requests
    .filter((r) => r.operation === "PutEvaluations")
    .flatMap((r) => {
      const list = r.input.Evaluations;
      return Array.isArray(list) ? list : [];
    });
}

describe("Config rule handler (real SDK, fake AWS endpoint)", () => {
  let fake: FakeAws;
  let logs: LogLine[];

  before(async () => {
    fake = await FakeAws.start();
  });
  after(async () => {
    await fake.stop();
  });
  beforeEach(() => {
    logs = [];
    fake.on("config", "PutEvaluations", () => ok({ FailedEvaluations: [] }));
    fake.on("ecr", "GetRegistryScanningConfiguration", () =>
      ok({ registryId: ACCOUNT, scanningConfiguration: { scanType: "BASIC", rules: [] } }),
    );
  });
  afterEach(() => fake.reset());

  function handlerFor(rule: Rule, overrides: Partial<RuntimeDeps> = {}) {
    return createConfigRuleHandler(rule, ALL_READERS, {
      clients: new ClientFactory({
        endpoint: fake.endpoint,
        credentials: { accessKeyId: "AKIDFUNCTION", secretAccessKey: "secret" },
        maxAttempts: 1,
      }),
      logger: capturingLogger(logs),
      assumeRoleName: undefined,
      defaultRegion: "us-east-1",
      reporter: (factory, target) => new PutEvaluationsReporter(factory.config(target)),
      ...overrides,
    });
  }

  describe("every sample event and item of test/fixtures/config-samples", () => {
    const iamSamples = [
      "aa-policy-validation-create-iam-policy.json",
      "aa-policy-validation-update-iam-policy.json",
      "aa-policy-validation-create-iam-role.json",
      "aa-policy-validation-update-iam-role.json",
      "aa-policy-validation-create-iam-user.json",
      "aa-policy-validation-update-iam-user.json",
      "aa-policy-validation-create-iam-group.json",
      "aa-policy-validation-update-iam-group.json",
    ];
    for (const name of iamSamples) {
      const expected = name.includes("iam-policy") ? ["COMPLIANT", "NON_COMPLIANT"] : ["NOT_APPLICABLE"];
      it(`evaluates ${name} with ecr-iam-policy-no-unscoped-write and puts one ${expected.join(" or ")} evaluation`, async () => {
        const event = sample(name);
        await handlerFor(policyRule)(event);
        const sent = evaluationsSent(fake.requests);
        expect(sent).to.have.length(1);
        expect(expected).to.include(sent[0]?.ComplianceType);
        expect(fake.calls("PutEvaluations")[0]?.input.ResultToken).to.equal(event.resultToken);
      });
    }

    it("returns COMPLIANT for the IAM policy samples, which grant no ECR action", async () => {
      await handlerFor(policyRule)(sample("aa-policy-validation-update-iam-policy.json"));
      expect(evaluationsSent(fake.requests)[0]).to.include({
        ComplianceResourceId: "ANPAABCDEFGHIJKLMNOPQ",
        ComplianceType: "COMPLIANT",
      });
    });

    it("reports NOT_APPLICABLE for the delete sample (ResourceDeleted, eventLeftScope)", async () => {
      await handlerFor(policyRule)(sample("aa-policy-validation-delete-iam-policy.json"));
      expect(evaluationsSent(fake.requests).map((e) => e.ComplianceType)).to.deep.equal(["NOT_APPLICABLE"]);
    });

    // The documented example events carry placeholder parameters ("<myParameterKey>"), which a rule
    // rightly rejects as unknown (tested under "parameters"); they are cleared here.
    const withoutPlaceholders = (event: Record<string, unknown>) => ({ ...event, ruleParameters: "{}" });

    it("rejects the documented example events' placeholder parameters, naming them", async () => {
      const failure = await failureOf(handlerFor(policyRule)(sample("aa-policy-validation-periodic.json")));
      expect(failure).to.be.instanceOf(RuleParameterError);
      expect(String(failure)).to.include("myParameterKey");
    });

    it("sweeps the account for the periodic sample, and puts nothing in an account without customer managed policies", async () => {
      fake.on("iam", "GetAccountAuthorizationDetails", () =>
        xmlResult(
          "<UserDetailList/><GroupDetailList/><RoleDetailList/><Policies/><IsTruncated>false</IsTruncated>",
        ),
      );
      fake.on("config", "GetComplianceDetailsByConfigRule", () => ok({ EvaluationResults: [] }));
      const result = await handlerFor(policyRule)(
        withoutPlaceholders(sample("aa-policy-validation-periodic.json")),
      );
      expect(result.evaluations).to.deep.equal([]);
      expect(fake.calls("GetAccountAuthorizationDetails")).to.have.length(1);
      expect(fake.calls("PutEvaluations")).to.have.length(0);
    });

    it("reports NOT_APPLICABLE for the oversized sample (an EC2 instance) without fetching it", async () => {
      // The sample summarizes an EC2 instance: out of the rule's scope, so no history is needed.
      await handlerFor(policyRule)(withoutPlaceholders(sample("aa-policy-validation-oversized.json")));
      expect(fake.calls("GetResourceConfigHistory")).to.have.length(0);
      expect(evaluationsSent(fake.requests).map((e) => e.ComplianceType)).to.deep.equal(["NOT_APPLICABLE"]);
    });

    for (const name of ["rdk-example_ci-AWS_ECR_Repository.json"]) {
      it(`evaluates the item ${name} with both repository rules`, async () => {
        // The item is in the API form (accountId, arn); a notification carries awsAccountId and ARN.
        const item = sample(name);
        const event = changeEvent({ ...item, awsAccountId: item.accountId, ARN: item.arn });
        await handlerFor(trustRule)(event);
        await handlerFor(integrityRule)(event);
        // RepositoryPolicyText {} → no policy → COMPLIANT; MUTABLE tags, no scanning → NON_COMPLIANT.
        expect(evaluationsSent(fake.requests).map((e) => e.ComplianceType)).to.deep.equal([
          "COMPLIANT",
          "NON_COMPLIANT",
        ]);
      });
    }

    for (const name of [
      "rdk-example_ci-AWS_IAM_Policy.json",
      "rdk-example_ci-AWS_IAM_Role.json",
      "rdk-example_ci-AWS_IAM_User.json",
      "rdk-example_ci-AWS_IAM_Group.json",
      "rdk-example_ci-AWS_ECR_PublicRepository.json",
    ]) {
      it(`evaluates the item ${name} (API form) with ecr-iam-policy-no-unscoped-write`, async () => {
        const item = sample(name);
        // These items are in the API form (accountId, arn): wrap them as Config's history would give them.
        const summaryEvent = oversizedEvent({
          ...item,
          awsAccountId: item.accountId,
          ARN: item.arn,
        });
        fake.on("config", "GetResourceConfigHistory", () =>
          ok({
            configurationItems: [
              {
                ...item,
                configuration: JSON.stringify(item.configuration),
                configurationItemCaptureTime: Date.parse(String(item.configurationItemCaptureTime)) / 1000,
                resourceCreationTime: 0,
              },
            ],
          }),
        );
        await handlerFor(policyRule)(summaryEvent);
        const [evaluation] = evaluationsSent(fake.requests);
        if (item.resourceType === "AWS::IAM::Policy") {
          // This hand-made item wraps its document in a list, which IAM never returns: unreadable input is
          // NON_COMPLIANT with the fault named, never COMPLIANT.
          expect(evaluation?.ComplianceType).to.equal("NON_COMPLIANT");
          expect(evaluation?.Annotation).to.include("must be a JSON object");
        } else {
          expect(evaluation?.ComplianceType).to.equal("NOT_APPLICABLE");
        }
      });
    }
  });

  describe("oversized items", () => {
    it("fetches the item in API form and evaluates it", async () => {
      const document = encodeURIComponent(JSON.stringify(PUSH_EVERYWHERE));
      const history = sample("aa-policy-validation-history-iam-policy.json");
      const [apiItem] = Array.isArray(history.configurationItems) ? history.configurationItems : [];
      const configuration = JSON.parse(String(apiItem.configuration));
      configuration.policyVersionList = [{ document, versionId: "v1", isDefaultVersion: true }];
      fake.on("config", "GetResourceConfigHistory", () =>
        ok({
          configurationItems: [
            {
              ...apiItem,
              configuration: JSON.stringify(configuration),
              configurationItemCaptureTime: Date.parse(apiItem.configurationItemCaptureTime) / 1000,
              resourceCreationTime: Date.parse(apiItem.resourceCreationTime) / 1000,
            },
          ],
        }),
      );
      const summaryItem = notificationItem({
        resourceType: "AWS::IAM::Policy",
        resourceId: "ANPAABCDEFGHIJKLMNOPQ",
        configuration: null,
        region: "global",
        captureTime: "2026-11-20T10:00:00.000Z",
      });
      await handlerFor(policyRule)(oversizedEvent(summaryItem));
      const [call] = fake.calls("GetResourceConfigHistory");
      expect(call?.input).to.deep.include({
        resourceType: "AWS::IAM::Policy",
        resourceId: "ANPAABCDEFGHIJKLMNOPQ",
        limit: 1,
      });
      expect(call?.input.laterTime).to.equal(Date.parse("2026-11-20T10:00:00.000Z") / 1000);
      const [evaluation] = evaluationsSent(fake.requests);
      expect(evaluation?.ComplianceType).to.equal("NON_COMPLIANT");
      expect(evaluation?.Annotation).to.include("PutImage");
    });

    it("reports NOT_APPLICABLE when the principal was deleted between the notification and the read", async () => {
      const history = sample("aa-policy-validation-history-iam-role.json");
      const [apiItem] = Array.isArray(history.configurationItems) ? history.configurationItems : [];
      fake.on("config", "GetResourceConfigHistory", () =>
        ok({
          configurationItems: [
            {
              ...apiItem,
              configurationItemStatus: "ResourceDeleted",
              configuration: null,
              configurationItemCaptureTime: Date.parse(apiItem.configurationItemCaptureTime) / 1000,
              resourceCreationTime: Date.parse(apiItem.resourceCreationTime) / 1000,
            },
          ],
        }),
      );
      const summaryItem = notificationItem({
        resourceType: "AWS::IAM::Role",
        resourceId: String(apiItem.resourceId),
        configuration: null,
        region: "global",
      });
      await handlerFor(principalRule)(oversizedEvent(summaryItem));
      expect(fake.calls("GetResourceConfigHistory")).to.have.length(1);
      expect(evaluationsSent(fake.requests).map((e) => e.ComplianceType)).to.deep.equal(["NOT_APPLICABLE"]);
      expect(fake.requests.filter((r) => r.service === "iam")).to.have.length(0);
    });

    it("fails the invocation when the history has no item", async () => {
      fake.on("config", "GetResourceConfigHistory", () => ok({ configurationItems: [] }));
      const item = notificationItem({
        resourceType: "AWS::IAM::Policy",
        resourceId: "ANPAX",
        configuration: null,
      });
      const failure = await failureOf(handlerFor(policyRule)(oversizedEvent(item)));
      expect(String(failure)).to.match(/GetResourceConfigHistory returned no item/);
      expect(fake.calls("PutEvaluations")).to.have.length(0);
    });
  });

  describe("applicability", () => {
    it("reports NOT_APPLICABLE for a deleted repository", async () => {
      const item = notificationItem({
        resourceType: "AWS::ECR::Repository",
        resourceId: "api",
        configuration: null,
        status: "ResourceDeleted",
      });
      await handlerFor(trustRule)(changeEvent(item));
      expect(evaluationsSent(fake.requests)).to.deep.equal([
        {
          ComplianceResourceType: "AWS::ECR::Repository",
          ComplianceResourceId: "api",
          ComplianceType: "NOT_APPLICABLE",
          Annotation: "configuration item status ResourceDeleted",
          OrderingTimestamp: Date.parse("2026-11-20T10:00:00.000Z") / 1000,
        },
      ]);
    });

    it("reports NOT_APPLICABLE when the event left the rule's scope", async () => {
      const item = notificationItem({
        resourceType: "AWS::ECR::Repository",
        resourceId: "api",
        configuration: repositoryConfiguration("api", {
          policy: { Statement: [{ Effect: "Allow", Principal: "*", Action: "ecr:*" }] },
        }),
      });
      await handlerFor(trustRule)(changeEvent(item, { eventLeftScope: true }));
      expect(evaluationsSent(fake.requests).map((e) => e.ComplianceType)).to.deep.equal(["NOT_APPLICABLE"]);
    });

    it("reports NOT_APPLICABLE for a resource type out of the rule's scope", async () => {
      const item = notificationItem({ resourceType: "AWS::S3::Bucket", resourceId: "b", configuration: {} });
      await handlerFor(integrityRule)(changeEvent(item));
      expect(evaluationsSent(fake.requests)[0]?.ComplianceType).to.equal("NOT_APPLICABLE");
    });

    it("reports NON_COMPLIANT naming the fault for a malformed repository policy, never an exception", async () => {
      const policy = {
        Version: "2012-10-17",
        Statement: [{ Effect: "Permit", Principal: "*", Action: "ecr:*" }],
      };
      const item = notificationItem({
        resourceType: "AWS::ECR::Repository",
        resourceId: "api",
        configuration: repositoryConfiguration("api", { policy: JSON.stringify(policy) }),
      });
      await handlerFor(trustRule)(changeEvent(item));
      const [evaluation] = evaluationsSent(fake.requests);
      expect(evaluation?.ComplianceType).to.equal("NON_COMPLIANT");
      expect(evaluation?.Annotation).to.include("Statement[0].Effect");
    });

    it("reports NON_COMPLIANT naming the fault for an IAM policy item with no default version document", async () => {
      const configuration = managedPolicyConfiguration("p", PUSH_EVERYWHERE);
      configuration.policyVersionList = [];
      const item = notificationItem({
        resourceType: "AWS::IAM::Policy",
        resourceId: "ANPAX",
        configuration,
        region: "global",
      });
      await handlerFor(policyRule)(changeEvent(item));
      const [evaluation] = evaluationsSent(fake.requests);
      expect(evaluation?.ComplianceType).to.equal("NON_COMPLIANT");
      expect(evaluation?.Annotation).to.include("policyVersionList");
    });
  });

  describe("PutEvaluations", () => {
    function repositories(count: number) {
      return Array.from({ length: count }, (_, i) => ({
        repositoryName: `svc-${String(i).padStart(3, "0")}`,
        repositoryArn: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/svc-${i}`,
        registryId: ACCOUNT,
        imageTagMutability: i % 2 === 0 ? "IMMUTABLE" : "MUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
      }));
    }

    it("sends 250 periodic evaluations in three calls of at most 100, with TestMode for TESTMODE", async () => {
      const all = repositories(250);
      fake.on("ecr", "DescribeRepositories", (request) => {
        const start = Number(request.input.nextToken ?? 0);
        const next = start + 100;
        return ok({
          repositories: all.slice(start, next),
          ...(next < all.length ? { nextToken: String(next) } : {}),
        });
      });
      const result = await handlerFor(integrityRule)(scheduledEvent());
      const calls = fake.calls("PutEvaluations");
      expect(
        calls.map((c) => (Array.isArray(c.input.Evaluations) ? c.input.Evaluations.length : 0)),
      ).to.deep.equal([100, 100, 50]);
      expect(calls.every((c) => c.input.TestMode === true)).to.equal(true);
      expect(result.evaluations).to.have.length(250);
      expect(fake.calls("DescribeRepositories")).to.have.length(3);
      // Periodic evaluations carry the notification time.
      expect(evaluationsSent(fake.requests)[0]).to.include({
        OrderingTimestamp: Date.parse("2026-11-20T12:00:00.000Z") / 1000,
      });
    });

    it("fails the invocation and logs the failure when PutEvaluations fails", async () => {
      fake.on("config", "PutEvaluations", () => throttling());
      const item = notificationItem({
        resourceType: "AWS::ECR::Repository",
        resourceId: "api",
        configuration: repositoryConfiguration("api"),
      });
      const failure = await failureOf(handlerFor(trustRule)(changeEvent(item)));
      expect(failure).to.be.instanceOf(EvaluationDeliveryError);
      expect(String(failure)).to.match(
        /PutEvaluations failed for 1 evaluation\(s\) after 1 attempt\(s\): ThrottlingException/,
      );
      expect(fake.calls("PutEvaluations")).to.have.length(1);
      expect(logs.at(-1)?.level).to.equal("error");
    });

    it("cuts an annotation of 300 multi-byte characters to 256 on a code point, with a visible marker", async () => {
      const sid = "🔥".repeat(150) + "é".repeat(150);
      const policy = {
        Version: "2012-10-17",
        Statement: [{ Sid: sid, Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage" }],
      };
      const item = notificationItem({
        resourceType: "AWS::ECR::Repository",
        resourceId: "api",
        configuration: repositoryConfiguration("api", { policy }),
      });
      await handlerFor(trustRule)(changeEvent(item));
      const annotation = evaluationsSent(fake.requests)[0]?.Annotation ?? "";
      expect(annotation.length).to.be.at.most(256);
      expect(annotation.endsWith("…")).to.equal(true);
      expect(annotation).to.not.match(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/u);
      expect(annotation.startsWith("The repository policy")).to.equal(true);
    });
  });

  describe("parameters", () => {
    const item = notificationItem({
      resourceType: "AWS::ECR::Repository",
      resourceId: "api",
      configuration: repositoryConfiguration("api"),
    });
    const bad: Array<[string, Record<string, unknown>, RegExp]> = [
      [
        "an unknown parameter name",
        { trustedAccounts: "111122223333" },
        /rule parameter trustedAccounts: unknown parameter/,
      ],
      [
        "a bad account id",
        { trustedAccountIds: "111122223333,12345" },
        /rule parameter trustedAccountIds: entry 2 "12345"/,
      ],
      [
        "a bad principal ARN glob",
        { authorizedPrincipalArns: "role/ci-*" },
        /rule parameter authorizedPrincipalArns: entry 1/,
      ],
      ["a bad action glob", { exemptActions: "PutImage" }, /rule parameter exemptActions/],
    ];
    for (const [what, parameters, message] of bad) {
      it(`fails the invocation naming the parameter for ${what}`, async () => {
        const failure = await failureOf(
          handlerFor(trustRule)(changeEvent(item, { ruleParameters: parameters })),
        );
        expect(failure).to.be.instanceOf(RuleParameterError);
        expect(String(failure)).to.match(message);
        expect(fake.calls("PutEvaluations")).to.have.length(0);
      });
    }

    it("accepts absent ruleParameters", async () => {
      const event = changeEvent(item);
      delete event.ruleParameters;
      await handlerFor(trustRule)(event);
      expect(evaluationsSent(fake.requests)).to.have.length(1);
    });
  });

  describe("clients and logs", () => {
    it("assumes ASSUME_ROLE_NAME in the event's account and signs every call with those credentials", async () => {
      const handler = handlerFor(integrityRule, { assumeRoleName: "EcrAccessRulesAudit" });
      const item = notificationItem({
        resourceType: "AWS::ECR::Repository",
        resourceId: "api",
        configuration: repositoryConfiguration("api", { mutability: "IMMUTABLE", scanOnPush: true }),
        accountId: "444455556666",
      });
      await handler(changeEvent(item, { accountId: "444455556666" }));
      const [assume] = fake.calls("AssumeRole");
      expect(assume?.input.RoleArn).to.equal("arn:aws:iam::444455556666:role/EcrAccessRulesAudit");
      const signedBy = (request: RecordedRequest) =>
        /Credential=([^/]+)\//u.exec(request.headers.authorization ?? "")?.[1];
      expect(signedBy(assume as RecordedRequest)).to.equal("AKIDFUNCTION");
      for (const request of fake.requests.filter((r) => r.service !== "sts")) {
        expect(signedBy(request), request.operation).to.not.equal("AKIDFUNCTION");
      }
    });

    it("the executionRoleName parameter wins over ASSUME_ROLE_NAME", async () => {
      const handler = handlerFor(trustRule, { assumeRoleName: "FromEnvironment" });
      const item = notificationItem({
        resourceType: "AWS::ECR::Repository",
        resourceId: "api",
        configuration: repositoryConfiguration("api"),
      });
      await handler(changeEvent(item, { ruleParameters: { executionRoleName: "FromParameter" } }));
      expect(fake.calls("AssumeRole")[0]?.input.RoleArn).to.equal(
        `arn:aws:iam::${ACCOUNT}:role/FromParameter`,
      );
    });

    it("reads the registry scanning configuration once per container and region", async () => {
      const handler = handlerFor(integrityRule);
      for (const name of ["a1", "b2", "c3"]) {
        const item = notificationItem({
          resourceType: "AWS::ECR::Repository",
          resourceId: name,
          configuration: repositoryConfiguration(name),
        });
        await handler(changeEvent(item));
      }
      expect(fake.calls("GetRegistryScanningConfiguration")).to.have.length(1);
    });

    it("logs one summary line per invocation with rule, resource, verdict, duration and API calls", async () => {
      const item = notificationItem({
        resourceType: "AWS::ECR::Repository",
        resourceId: "api",
        configuration: repositoryConfiguration("api"),
      });
      await handlerFor(integrityRule)(changeEvent(item));
      expect(logs).to.have.length(1);
      const [line] = logs;
      expect(line?.fields).to.deep.include({
        rule: "ecr-repository-image-integrity",
        resources: ["AWS::ECR::Repository api"],
        verdicts: { NON_COMPLIANT: 1 },
        apiCalls: { "ECR.GetRegistryScanningConfiguration": 1, "Config.PutEvaluations": 1 },
      });
      expect(line?.fields.durationMs).to.be.a("number");
    });

    it("fails the invocation, naming the call, when a read is denied", async () => {
      fake.on("ecr", "GetRegistryScanningConfiguration", () => ({
        kind: "error",
        message: "User is not authorized to perform: ecr:GetRegistryScanningConfiguration",
        json: { status: 400, code: "AccessDeniedException" },
        query: { status: 403, code: "AccessDenied" },
      }));
      const item = notificationItem({
        resourceType: "AWS::ECR::Repository",
        resourceId: "api",
        configuration: repositoryConfiguration("api"),
      });
      const failure = await failureOf(handlerFor(integrityRule)(changeEvent(item)));
      expect(String(failure)).to.match(/ecr:GetRegistryScanningConfiguration failed: AccessDeniedException/);
      expect(fake.calls("PutEvaluations")).to.have.length(0);
    });
  });
});
