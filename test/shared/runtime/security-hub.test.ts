/**
 * The handlers' Security Hub findings (docs/config-contract.md#security-hub), with the real SDK clients
 * pointed at the local fake of AWS: what is sent for a batch, resolving, batches of 100, the SDK's retries
 * of throttling and 5xx, `FailedFindings` sent again, and the order that keeps evaluations safe.
 */
import type { AwsSecurityFinding } from "@aws-sdk/client-securityhub";
import { expect } from "chai";
import type { SinonFakeTimers } from "sinon";
import { rule as policyRule } from "../../../rules/ecr-iam-policy-no-unscoped-write/rule.js";
import { rule as integrityRule } from "../../../rules/ecr-repository-image-integrity/rule.js";
import { rule as trustRule } from "../../../rules/ecr-repository-policy-trusted/rule.js";
import { ALL_READERS } from "../../../shared/account/readers.js";
import { ClientFactory } from "../../../shared/aws/clients.js";
import { ANNOTATION_LIMIT } from "../../../shared/config/evaluation.js";
import { EvaluationDeliveryError } from "../../../shared/config/reporter.js";
import { explanationOf } from "../../../shared/findings/asff.js";
import { DEFAULT_FINDINGS_ROUNDS, FindingsDeliveryError } from "../../../shared/findings/security-hub.js";
import { findingsSetting } from "../../../shared/findings/verdicts.js";
import {
  createConfigRuleHandler,
  FindingsSettingError,
  type RuntimeDeps,
} from "../../../shared/runtime/handler.js";
import { silentLogger } from "../../../shared/runtime/logger.js";
import type { Rule } from "../../../shared/runtime/rule.js";
import {
  ACCOUNT,
  changeEvent,
  managedPolicyConfiguration,
  notificationItem,
  repositoryConfiguration,
  scheduledEvent,
} from "../../support/events.js";
import { failureOf } from "../../support/failure.js";
import {
  accessDenied,
  FakeAws,
  fakeTimers,
  ok,
  onFakeClock,
  type RecordedRequest,
  serverError,
  throttling,
} from "../../support/fake-aws.js";
import { asffValidator, schemaErrors } from "../../support/schemas/validate.js";

const TOKEN = "result-token-1";

/** A repository policy that admits everyone through `count` statements: a long explanation. */
function publicPolicy(count: number) {
  return {
    Version: "2012-10-17",
    Statement: Array.from({ length: count }, (_, i) => ({
      Sid: `PublicPushNumber${i}`,
      Effect: "Allow",
      Principal: "*",
      Action: ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:DeleteRepository"],
    })),
  };
}

function repositoryEvent(name: string, policy: unknown, resultToken = TOKEN) {
  return changeEvent(
    notificationItem({
      resourceType: "AWS::ECR::Repository",
      resourceId: name,
      arn: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/${name}`,
      configuration: repositoryConfiguration(name, { policy }),
    }),
    { resultToken },
  );
}

function findingsSent(requests: readonly RecordedRequest[]): AwsSecurityFinding[] {
  return requests
    .filter((r) => r.operation === "BatchImportFindings")
    .flatMap((r) => (Array.isArray(r.input.Findings) ? (r.input.Findings as AwsSecurityFinding[]) : []));
}

function batchSizes(fake: FakeAws): number[] {
  return fake
    .calls("BatchImportFindings")
    .map((c) => (Array.isArray(c.input.Findings) ? c.input.Findings.length : 0));
}

describe("Security Hub findings from the handlers (real SDK, fake AWS endpoint)", () => {
  let fake: FakeAws;
  let clock: SinonFakeTimers | undefined;

  before(async () => {
    fake = await FakeAws.start();
  });
  after(async () => {
    await fake.stop();
  });
  beforeEach(() => {
    fake.on("config", "PutEvaluations", () => ok({ FailedEvaluations: [] }));
    fake.on("securityhub", "BatchImportFindings", (request) => {
      const sent = Array.isArray(request.input.Findings) ? request.input.Findings.length : 0;
      return ok({ FailedCount: 0, SuccessCount: sent, FailedFindings: [] });
    });
  });
  afterEach(() => {
    clock?.restore();
    clock = undefined;
    fake.reset();
  });

  function handlerFor(rule: Rule, overrides: Partial<RuntimeDeps> = {}, maxAttempts = 1) {
    return createConfigRuleHandler(rule, ALL_READERS, {
      clients: new ClientFactory({
        endpoint: fake.endpoint,
        credentials: { accessKeyId: "AKIDFUNCTION", secretAccessKey: "secret" },
        maxAttempts,
      }),
      logger: silentLogger,
      assumeRoleName: undefined,
      defaultRegion: "us-east-1",
      globalResourcesRegion: undefined,
      securityHubFindings: { kind: "enabled" },
      now: () => new Date("2026-11-20T10:05:00.000Z"),
      ...overrides,
    });
  }

  describe("SECURITY_HUB_FINDINGS", () => {
    const variants: Array<[string | undefined, string]> = [
      ["true", "enabled"],
      ["TRUE", "enabled"],
      [" true ", "enabled"],
      ["false", "disabled"],
      [undefined, "disabled"],
      ["", "disabled"],
      ["yes", "invalid"],
      ["1", "invalid"],
    ];
    for (const [value, kind] of variants) {
      it(`reads ${JSON.stringify(value)} as ${kind}`, () => {
        expect(findingsSetting(value).kind).to.equal(kind);
      });
    }

    it("sends no BatchImportFindings when findings are off, and still puts the evaluations", async () => {
      // Prepare
      const handler = handlerFor(trustRule, { securityHubFindings: { kind: "disabled" } });

      // Act
      const result = await handler(repositoryEvent("api", publicPolicy(1)));

      // Assess
      expect(fake.calls("PutEvaluations")).to.have.length(1);
      expect(fake.calls("BatchImportFindings")).to.have.length(0);
      expect(result.findings).to.equal(0);
    });

    it("puts the evaluations, then fails naming the variable when it is neither true nor false", async () => {
      // Prepare
      const handler = handlerFor(trustRule, { securityHubFindings: findingsSetting("yes") });

      // Act
      const failure = await failureOf(handler(repositoryEvent("api", publicPolicy(1))));

      // Assess
      expect(failure).to.be.instanceOf(FindingsSettingError);
      expect(String(failure)).to.include('SECURITY_HUB_FINDINGS is "yes"');
      expect(fake.calls("PutEvaluations")).to.have.length(1);
      expect(fake.calls("BatchImportFindings")).to.have.length(0);
    });

    it("sends no finding for the TESTMODE result token (Config records nothing for it either)", async () => {
      await handlerFor(trustRule)(repositoryEvent("api", publicPolicy(1), "TESTMODE"));
      expect(fake.calls("PutEvaluations")).to.have.length(1);
      expect(fake.calls("BatchImportFindings")).to.have.length(0);
    });
  });

  describe("what is sent", () => {
    it("sends an active FAILED finding for a NON_COMPLIANT resource, after PutEvaluations, with every field", async () => {
      // Prepare
      const handler = handlerFor(trustRule);

      // Act
      const result = await handler(repositoryEvent("api", publicPolicy(6)));

      // Assess
      expect(fake.requests.map((r) => r.operation)).to.deep.equal(["PutEvaluations", "BatchImportFindings"]);
      const [finding] = findingsSent(fake.requests);
      const call = fake.calls("BatchImportFindings")[0];
      expect(call?.headers.authorization).to.include("/us-east-1/securityhub/aws4_request");
      expect(schemaErrors(asffValidator(), findingsSent(fake.requests))).to.deep.equal([]);
      expect(finding).to.deep.include({
        SchemaVersion: "2018-10-08",
        Id: `ecr-repository-policy-trusted/${ACCOUNT}/us-east-1/AWS::ECR::Repository/api`,
        ProductArn: `arn:aws:securityhub:us-east-1:${ACCOUNT}:product/${ACCOUNT}/default`,
        GeneratorId: "ecr-access-rules/ecr-repository-policy-trusted",
        AwsAccountId: ACCOUNT,
        Title: trustRule.title,
        RecordState: "ACTIVE",
        Workflow: { Status: "NEW" },
        Severity: { Label: "CRITICAL", Original: "critical" },
        Compliance: { Status: "FAILED", RelatedRequirements: ["CIS Amazon EKS Benchmark v1.5.0/5.1.2"] },
        Remediation: { Recommendation: { Text: trustRule.remediation } },
        FirstObservedAt: "2026-11-20T10:00:00.000Z",
        UpdatedAt: "2026-11-20T10:05:00.000Z",
      });
      expect(finding?.FindingProviderFields?.Severity).to.deep.equal({
        Label: "CRITICAL",
        Original: "critical",
      });
      expect(finding?.Resources).to.deep.equal([
        {
          Type: "AwsEcrRepository",
          Id: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/api`,
          Partition: "aws",
          Region: "us-east-1",
          Details: {
            Other: {
              configResourceType: "AWS::ECR::Repository",
              configResourceId: "api",
              resourceName: "api",
            },
          },
        },
      ]);
      // The whole explanation: Config's annotation is cut at 256 characters, the finding's is not.
      const annotation = result.evaluations[0]?.Annotation ?? "";
      expect(annotation).to.have.length(ANNOTATION_LIMIT);
      expect(annotation.endsWith("…")).to.equal(true);
      const whole = explanationOf(finding ?? {});
      expect(whole?.length).to.be.greaterThan(ANNOTATION_LIMIT);
      expect(whole?.startsWith(annotation.slice(0, -1))).to.equal(true);
      expect(whole).to.include("PublicPushNumber5");
      expect(finding?.Description).to.equal(whole);
      expect(result.findings).to.equal(1);
    });

    const resolved: Array<[string, () => Record<string, unknown>, string]> = [
      ["COMPLIANT", () => repositoryEvent("api", {}), "PASSED"],
      [
        "NOT_APPLICABLE (deleted)",
        () =>
          changeEvent(
            notificationItem({
              resourceType: "AWS::ECR::Repository",
              resourceId: "api",
              status: "ResourceDeleted",
              configuration: null,
            }),
            { resultToken: TOKEN },
          ),
        "NOT_AVAILABLE",
      ],
    ];
    for (const [verdict, event, status] of resolved) {
      it(`updates the same finding Id as resolved for a ${verdict} resource: ${status}, archived`, async () => {
        // Prepare
        const handler = handlerFor(trustRule);
        await handler(repositoryEvent("api", publicPolicy(1)));
        const [failed] = findingsSent(fake.requests);
        fake.requests.length = 0;

        // Act
        await handler(event());

        // Assess
        const [update] = findingsSent(fake.requests);
        expect(update?.Id).to.equal(failed?.Id);
        expect(update).to.deep.include({
          RecordState: "ARCHIVED",
          Workflow: { Status: "RESOLVED" },
          Severity: { Label: "INFORMATIONAL", Original: "critical" },
        });
        expect(update?.Compliance?.Status).to.equal(status);
        expect(schemaErrors(asffValidator(), [update])).to.deep.equal([]);
      });
    }

    it("links the rule's documentation when DOCS_BASE_URL is set", async () => {
      await handlerFor(trustRule, { docsBaseUrl: "https://example.com/ecr-access-rules/" })(
        repositoryEvent("api", publicPolicy(1)),
      );
      const [finding] = findingsSent(fake.requests);
      const url = "https://example.com/ecr-access-rules/rules/ecr-repository-policy-trusted/README.md";
      expect(finding?.Remediation?.Recommendation?.Url).to.equal(url);
      expect(finding?.SourceUrl).to.equal(url);
    });

    it("sends no finding for an IAM resource outside the global-resources region", async () => {
      // Prepare
      const item = notificationItem({
        resourceType: "AWS::IAM::Policy",
        resourceId: "ANPAEXAMPLEPOLICY0001",
        region: "global",
        configuration: managedPolicyConfiguration("p", { Version: "2012-10-17", Statement: [] }),
      });
      const handler = handlerFor(policyRule, { globalResourcesRegion: "eu-west-1" });

      // Act
      await handler(changeEvent(item, { resultToken: TOKEN }));

      // Assess
      expect(fake.calls("PutEvaluations")).to.have.length(1);
      expect(fake.calls("BatchImportFindings")).to.have.length(0);
    });

    it("sends 250 periodic findings in three calls of at most 100, after every PutEvaluations", async () => {
      // Prepare
      const all = Array.from({ length: 250 }, (_, i) => ({
        repositoryName: `svc-${String(i).padStart(3, "0")}`,
        repositoryArn: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/svc-${String(i).padStart(3, "0")}`,
        registryId: ACCOUNT,
        imageTagMutability: i % 2 === 0 ? "IMMUTABLE" : "MUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
      }));
      fake.on("ecr", "DescribeRepositories", (request) => {
        const start = Number(request.input.nextToken ?? 0);
        const next = start + 100;
        return ok({
          repositories: all.slice(start, next),
          ...(next < all.length ? { nextToken: String(next) } : {}),
        });
      });
      fake.on("ecr", "GetRegistryScanningConfiguration", () =>
        ok({ registryId: ACCOUNT, scanningConfiguration: { scanType: "BASIC", rules: [] } }),
      );

      // Act
      const result = await handlerFor(integrityRule)(scheduledEvent({ resultToken: TOKEN }));

      // Assess
      expect(batchSizes(fake)).to.deep.equal([100, 100, 50]);
      const operations = fake.requests.map((r) => r.operation).filter((o) => o !== "DescribeRepositories");
      expect(operations.lastIndexOf("PutEvaluations")).to.be.lessThan(
        operations.indexOf("BatchImportFindings"),
      );
      const findings = findingsSent(fake.requests);
      expect(new Set(findings.map((f) => f.Id)).size).to.equal(250);
      expect(findings.filter((f) => f.Compliance?.Status === "FAILED")).to.have.length(125);
      expect(findings.filter((f) => f.RecordState === "ARCHIVED")).to.have.length(125);
      expect(result.findings).to.equal(250);
    });
  });

  describe("faults", () => {
    it("retries a throttled and a 5xx BatchImportFindings with the SDK's backoff, then succeeds", async () => {
      // Prepare
      fake.once("securityhub", "BatchImportFindings", () => throttling());
      fake.once("securityhub", "BatchImportFindings", () => serverError());
      const handler = handlerFor(trustRule, {}, 5);
      clock = fakeTimers();

      // Act
      const outcome = await onFakeClock(clock, handler(repositoryEvent("api", publicPolicy(1))));

      // Assess
      expect(outcome.settled).to.equal("resolved");
      expect(fake.calls("BatchImportFindings")).to.have.length(3);
      expect(fake.calls("PutEvaluations")).to.have.length(1);
      expect(outcome.elapsedMs).to.be.greaterThan(0);
    });

    it("sends again only the findings Security Hub lists in FailedFindings", async () => {
      // Prepare
      const handler = handlerFor(integrityRule);
      fake.on("ecr", "DescribeRepositories", () =>
        ok({
          repositories: ["a", "b", "c"].map((name) => ({
            repositoryName: name,
            repositoryArn: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/${name}`,
            registryId: ACCOUNT,
            imageTagMutability: "MUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
          })),
        }),
      );
      fake.on("ecr", "GetRegistryScanningConfiguration", () =>
        ok({ registryId: ACCOUNT, scanningConfiguration: { scanType: "BASIC", rules: [] } }),
      );
      const failedId = `ecr-repository-image-integrity/${ACCOUNT}/us-east-1/AWS::ECR::Repository/b`;
      fake.once("securityhub", "BatchImportFindings", () =>
        ok({
          FailedCount: 1,
          SuccessCount: 2,
          FailedFindings: [{ Id: failedId, ErrorCode: "InternalFailure", ErrorMessage: "try again" }],
        }),
      );

      // Act
      await handler(scheduledEvent({ resultToken: TOKEN }));

      // Assess
      expect(batchSizes(fake)).to.deep.equal([3, 1]);
      const second = fake.calls("BatchImportFindings")[1]?.input.Findings;
      expect(Array.isArray(second) ? second.map((f: AwsSecurityFinding) => f.Id) : []).to.deep.equal([
        failedId,
      ]);
    });

    it(`fails the invocation after ${DEFAULT_FINDINGS_ROUNDS} sends when a finding keeps failing, with the evaluations put`, async () => {
      // Prepare
      fake.on("securityhub", "BatchImportFindings", (request) => {
        const findings = Array.isArray(request.input.Findings)
          ? (request.input.Findings as AwsSecurityFinding[])
          : [];
        return ok({
          FailedCount: findings.length,
          SuccessCount: 0,
          FailedFindings: findings.map((f) => ({ Id: f.Id, ErrorCode: "InvalidInput", ErrorMessage: "no" })),
        });
      });

      // Act
      const failure = await failureOf(handlerFor(trustRule)(repositoryEvent("api", publicPolicy(1))));

      // Assess
      expect(failure).to.be.instanceOf(FindingsDeliveryError);
      expect(String(failure)).to.include(`did not import 1 finding(s) in ${DEFAULT_FINDINGS_ROUNDS} sends`);
      expect(String(failure)).to.include("InvalidInput");
      expect(fake.calls("BatchImportFindings")).to.have.length(DEFAULT_FINDINGS_ROUNDS);
      expect(fake.calls("PutEvaluations")).to.have.length(1);
    });

    it("sends the whole batch again when a failed entry names no finding sent", async () => {
      fake.once("securityhub", "BatchImportFindings", () =>
        ok({ FailedCount: 1, SuccessCount: 0, FailedFindings: [{ Id: "someone-else", ErrorCode: "X" }] }),
      );
      await handlerFor(trustRule)(repositoryEvent("api", publicPolicy(1)));
      expect(batchSizes(fake)).to.deep.equal([1, 1]);
    });

    it("fails the invocation naming BatchImportFindings when access is denied, with the evaluations put", async () => {
      // Prepare
      fake.on("securityhub", "BatchImportFindings", () =>
        accessDenied("not authorized to perform securityhub:BatchImportFindings"),
      );

      // Act
      const failure = await failureOf(handlerFor(trustRule)(repositoryEvent("api", publicPolicy(1))));

      // Assess
      expect(failure).to.be.instanceOf(FindingsDeliveryError);
      expect(String(failure)).to.include("BatchImportFindings failed for 1 finding(s)");
      expect(fake.calls("PutEvaluations")).to.have.length(1);
    });

    it("sends no finding when PutEvaluations fails: the evaluation's failure is the one reported", async () => {
      // Prepare
      fake.on("config", "PutEvaluations", () => serverError());

      // Act
      const failure = await failureOf(handlerFor(trustRule)(repositoryEvent("api", publicPolicy(1))));

      // Assess
      expect(failure).to.be.instanceOf(EvaluationDeliveryError);
      expect(fake.calls("BatchImportFindings")).to.have.length(0);
    });
  });
});
