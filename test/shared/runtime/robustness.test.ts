/**
 * One resource, one verdict: items that cannot be read are NON_COMPLIANT naming the fault, a resource
 * Config no longer knows is NOT_APPLICABLE, and IAM rules evaluate in the global-resources region only —
 * through the real handler, the real SDK and the local fake of AWS.
 */
import { expect } from "chai";
import { rule as policyRule } from "../../../rules/ecr-iam-policy-no-unscoped-write/rule.js";
import { rule as principalRule } from "../../../rules/ecr-iam-principal-write-authorized/rule.js";
import { rule as trustRule } from "../../../rules/ecr-repository-policy-trusted/rule.js";
import { ALL_READERS } from "../../../shared/account/readers.js";
import { ClientFactory } from "../../../shared/aws/clients.js";
import { createConfigRuleHandler, type RuntimeDeps } from "../../../shared/runtime/handler.js";
import { silentLogger } from "../../../shared/runtime/logger.js";
import type { Rule } from "../../../shared/runtime/rule.js";
import {
  changeEvent,
  managedPolicyConfiguration,
  notificationItem,
  oversizedEvent,
  repositoryConfiguration,
  sample,
  scheduledEvent,
} from "../../support/events.js";
import { awsError, FakeAws, ok } from "../../support/fake-aws.js";

type Sent = { ComplianceResourceId: string; ComplianceType: string; Annotation?: string };

describe("Runtime robustness (real SDK, fake AWS endpoint)", () => {
  let fake: FakeAws;
  before(async () => {
    fake = await FakeAws.start();
  });
  after(async () => {
    await fake.stop();
  });
  beforeEach(() => {
    fake.on("config", "PutEvaluations", () => ok({ FailedEvaluations: [] }));
  });
  afterEach(() => fake.reset());

  function handlerFor(rule: Rule, overrides: Partial<RuntimeDeps> = {}) {
    return createConfigRuleHandler(rule, ALL_READERS, {
      clients: new ClientFactory({
        endpoint: fake.endpoint,
        credentials: { accessKeyId: "AKIDFUNCTION", secretAccessKey: "secret" },
        maxAttempts: 1,
      }),
      logger: silentLogger,
      assumeRoleName: undefined,
      defaultRegion: "us-east-1",
      globalResourcesRegion: undefined,
      ...overrides,
    });
  }

  const sent = (): Sent[] =>
    fake
      .calls("PutEvaluations")
      .flatMap((c) => (Array.isArray(c.input.Evaluations) ? (c.input.Evaluations as Sent[]) : []));

  /** The oversized summary of a customer managed policy, and the history's item for it. */
  function oversizedPolicy(change: (apiItem: Record<string, unknown>) => Record<string, unknown>) {
    const history = sample("aa-policy-validation-history-iam-policy.json");
    const [apiItem] = Array.isArray(history.configurationItems) ? history.configurationItems : [];
    fake.on("config", "GetResourceConfigHistory", () =>
      ok({
        configurationItems: [
          change({
            ...apiItem,
            configurationItemCaptureTime: Date.parse(apiItem.configurationItemCaptureTime) / 1000,
            resourceCreationTime: Date.parse(apiItem.resourceCreationTime) / 1000,
          }),
        ],
      }),
    );
    return oversizedEvent(
      notificationItem({
        resourceType: "AWS::IAM::Policy",
        resourceId: String(apiItem.resourceId),
        configuration: null,
        region: "global",
      }),
    );
  }

  describe("oversized items", () => {
    it("reports NON_COMPLIANT naming the fault when the fetched item's configuration is not JSON", async () => {
      const event = oversizedPolicy((item) => ({ ...item, configuration: '{"policyName": "cut' }));
      await handlerFor(policyRule)(event);
      const [evaluation] = sent();
      expect(evaluation?.ComplianceType).to.equal("NON_COMPLIANT");
      expect(evaluation?.Annotation).to.include("configurationItems[0].configuration: is not valid JSON");
    });

    it("reports NON_COMPLIANT naming the fault when the fetched item's status is unknown", async () => {
      const event = oversizedPolicy((item) => ({ ...item, configurationItemStatus: "Quarantined" }));
      await handlerFor(policyRule)(event);
      const [evaluation] = sent();
      expect(evaluation?.ComplianceType).to.equal("NON_COMPLIANT");
      expect(evaluation?.Annotation).to.include('unknown configuration item status "Quarantined"');
    });

    it("reports NOT_APPLICABLE when Config no longer knows the resource (ResourceNotDiscoveredException)", async () => {
      const event = oversizedPolicy((item) => item);
      fake.on("config", "GetResourceConfigHistory", () =>
        awsError(400, "ResourceNotDiscoveredException", "Resource ANPA… does not exist"),
      );
      await handlerFor(policyRule)(event);
      expect(fake.calls("GetResourceConfigHistory")).to.have.length(1);
      expect(sent().map((e) => e.ComplianceType)).to.deep.equal(["NOT_APPLICABLE"]);
    });
  });

  describe("change notifications", () => {
    it("reports NON_COMPLIANT naming the fault for an item that names its resource but cannot be read", async () => {
      const item = {
        ...notificationItem({
          resourceType: "AWS::ECR::Repository",
          resourceId: "api",
          configuration: repositoryConfiguration("api"),
        }),
        configurationItemStatus: "Sideways",
      };
      const { evaluations } = await handlerFor(trustRule)(changeEvent(item));
      expect(evaluations.map((e) => [e.ComplianceResourceId, e.ComplianceType])).to.deep.equal([
        ["api", "NON_COMPLIANT"],
      ]);
      expect(evaluations[0]?.Annotation).to.include('unknown configuration item status "Sideways"');
    });
  });

  describe("global resources region", () => {
    const policyItem = notificationItem({
      resourceType: "AWS::IAM::Policy",
      resourceId: "ANPAGLOBALGUARD00001",
      region: "global",
      configuration: managedPolicyConfiguration("push-all", {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "ecr:PutImage", Resource: "*" }],
      }),
    });

    it("reports NOT_APPLICABLE for an IAM change outside GLOBAL_RESOURCES_REGION", async () => {
      const handler = handlerFor(policyRule, { globalResourcesRegion: "us-east-1" });
      const { evaluations } = await handler(changeEvent(policyItem, { region: "eu-west-1" }));
      expect(evaluations.map((e) => e.ComplianceType)).to.deep.equal(["NOT_APPLICABLE"]);
      expect(evaluations[0]?.Annotation).to.include("evaluated in us-east-1 only");
    });

    it("judges an IAM change in GLOBAL_RESOURCES_REGION", async () => {
      const handler = handlerFor(policyRule, { globalResourcesRegion: "us-east-1" });
      const { evaluations } = await handler(changeEvent(policyItem, { region: "us-east-1" }));
      expect(evaluations.map((e) => e.ComplianceType)).to.deep.equal(["NON_COMPLIANT"]);
    });

    it("sweeps nothing on an IAM rule's periodic run outside that region, and reads nothing", async () => {
      const handler = handlerFor(principalRule, { globalResourcesRegion: "us-east-1" });
      const { evaluations } = await handler(scheduledEvent({ region: "eu-west-1" }));
      expect(evaluations).to.deep.equal([]);
      expect(fake.requests.filter((r) => r.service === "iam")).to.have.length(0);
    });

    it("leaves ECR rules alone in every region", async () => {
      const item = notificationItem({
        resourceType: "AWS::ECR::Repository",
        resourceId: "api",
        region: "eu-west-1",
        configuration: repositoryConfiguration("api"),
      });
      const handler = handlerFor(trustRule, { globalResourcesRegion: "us-east-1" });
      const { evaluations } = await handler(changeEvent(item, { region: "eu-west-1" }));
      expect(evaluations.map((e) => e.ComplianceType)).to.deep.equal(["COMPLIANT"]);
    });

    it("reads GLOBAL_RESOURCES_REGION from the environment by default", async () => {
      const before = process.env.GLOBAL_RESOURCES_REGION;
      process.env.GLOBAL_RESOURCES_REGION = "ap-south-1";
      try {
        const { globalResourcesRegion: _unset, ...overrides } = {
          clients: new ClientFactory({
            endpoint: fake.endpoint,
            credentials: { accessKeyId: "AKIDFUNCTION", secretAccessKey: "secret" },
            maxAttempts: 1,
          }),
          logger: silentLogger,
          assumeRoleName: undefined,
          globalResourcesRegion: undefined,
        };
        const handler = createConfigRuleHandler(policyRule, ALL_READERS, overrides);
        const { evaluations } = await handler(changeEvent(policyItem, { region: "us-east-1" }));
        expect(evaluations[0]?.Annotation).to.include("evaluated in ap-south-1 only");
      } finally {
        if (before === undefined) delete process.env.GLOBAL_RESOURCES_REGION;
        else process.env.GLOBAL_RESOURCES_REGION = before;
      }
    });
  });
});
