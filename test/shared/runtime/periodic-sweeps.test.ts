/**
 * The periodic run of the two rules that used to run on changes only, through their real handlers and the
 * real SDK against the local fake of AWS: every resource of their types is judged again, a resource that
 * vanished becomes NOT_APPLICABLE, and a sweep judges a resource as its change would.
 */
import { expect } from "chai";
import { rule as policyRule } from "../../../rules/ecr-iam-policy-no-unscoped-write/rule.js";
import { rule as trustRule } from "../../../rules/ecr-repository-policy-trusted/rule.js";
import { ecrReader } from "../../../shared/account/ecr-reader.js";
import { iamReader } from "../../../shared/account/iam-reader.js";
import { ClientFactory } from "../../../shared/aws/clients.js";
import { createConfigRuleHandler, type RuntimeDeps } from "../../../shared/runtime/handler.js";
import { silentLogger } from "../../../shared/runtime/logger.js";
import {
  changeEvent,
  notificationItem,
  repositoryConfiguration,
  scheduledEvent,
} from "../../support/events.js";
import { awsError, FakeAws, ok } from "../../support/fake-aws.js";
import { ACCOUNT, policyId, servePages } from "../../support/iam-xml.js";

const PUSH_ALL = {
  Version: "2012-10-17",
  Statement: [{ Sid: "PushAll", Effect: "Allow", Action: "ecr:PutImage", Resource: "*" }],
};
const PUSH_ONE = {
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Action: "ecr:PutImage", Resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/api` },
  ],
};
const PUBLIC = {
  Version: "2012-10-17",
  Statement: [{ Sid: "Everyone", Effect: "Allow", Principal: "*", Action: "ecr:PutImage" }],
};
const OTHER_ACCOUNT = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "Replicate",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::999988887777:root" },
      Action: ["ecr:ReplicateImage", "ecr:CreateRepository"],
      Resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/*`,
    },
  ],
};

/** Config's earlier results for a rule: these resources. */
function earlier(resources: ReadonlyArray<readonly [string, string]>) {
  return ok({
    EvaluationResults: resources.map(([type, id]) => ({
      EvaluationResultIdentifier: { EvaluationResultQualifier: { ResourceType: type, ResourceId: id } },
      ComplianceType: "NON_COMPLIANT",
    })),
  });
}

type Put = {
  ComplianceResourceType: string;
  ComplianceResourceId: string;
  ComplianceType: string;
  Annotation?: string;
};

describe("periodic runs of the policy rules (real SDK, fake AWS endpoint)", () => {
  let fake: FakeAws;

  before(async () => {
    fake = await FakeAws.start();
  });
  after(async () => {
    await fake.stop();
  });
  beforeEach(() => fake.on("config", "PutEvaluations", () => ok({ FailedEvaluations: [] })));
  afterEach(() => fake.reset());

  function overrides(): Partial<RuntimeDeps> {
    return {
      clients: new ClientFactory({
        endpoint: fake.endpoint,
        credentials: { accessKeyId: "AKIDFUNCTION", secretAccessKey: "secret" },
        maxAttempts: 1,
      }),
      logger: silentLogger,
      assumeRoleName: undefined,
      defaultRegion: "us-east-1",
      globalResourcesRegion: undefined,
      securityHubFindings: { kind: "disabled" },
    };
  }

  function put(): string[] {
    return fake
      .calls("PutEvaluations")
      .flatMap((c) => (Array.isArray(c.input.Evaluations) ? (c.input.Evaluations as Put[]) : []))
      .map((e) => `${e.ComplianceResourceType} ${e.ComplianceResourceId} ${e.ComplianceType}`)
      .sort();
  }

  it("declares both rules periodic, so the deployment gives them a schedule", () => {
    expect([policyRule.periodic, trustRule.periodic]).to.deep.equal([true, true]);
  });

  describe("ecr-iam-policy-no-unscoped-write", () => {
    it("judges every customer managed policy, skips AWS managed ones, and marks a deleted policy NOT_APPLICABLE", async () => {
      // Prepare
      servePages(fake, [
        {
          policies: [
            { name: "push-all", arn: `arn:aws:iam::${ACCOUNT}:policy/push-all`, document: PUSH_ALL },
            { name: "push-one", arn: `arn:aws:iam::${ACCOUNT}:policy/push-one`, document: PUSH_ONE },
            {
              name: "AmazonEC2ContainerRegistryPowerUser",
              arn: "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser",
              document: PUSH_ALL,
            },
          ],
        },
      ]);
      fake.on("config", "GetComplianceDetailsByConfigRule", () =>
        earlier([
          ["AWS::IAM::Policy", policyId("push-all")],
          ["AWS::IAM::Policy", "ANPAGONEXXXXXXXXXXXXX"],
        ]),
      );
      const handler = createConfigRuleHandler(policyRule, { iam: iamReader }, overrides());

      // Act
      await handler(scheduledEvent({ accountId: ACCOUNT, resultToken: "token", ruleName: policyRule.name }));

      // Assess
      expect(put()).to.deep.equal(
        [
          `AWS::IAM::Policy ${policyId("push-all")} NON_COMPLIANT`,
          `AWS::IAM::Policy ${policyId("push-one")} COMPLIANT`,
          "AWS::IAM::Policy ANPAGONEXXXXXXXXXXXXX NOT_APPLICABLE",
        ].sort(),
      );
      const gone = fake
        .calls("PutEvaluations")
        .flatMap((c) => (Array.isArray(c.input.Evaluations) ? (c.input.Evaluations as Put[]) : []))
        .find((e) => e.ComplianceResourceId === "ANPAGONEXXXXXXXXXXXXX");
      expect(gone?.Annotation).to.equal("the policy no longer exists");
      expect(fake.calls("GetAccountAuthorizationDetails")).to.have.length(1);
    });

    it("reports nothing outside the global-resources region, and reads nothing", async () => {
      const handler = createConfigRuleHandler(
        policyRule,
        { iam: iamReader },
        {
          ...overrides(),
          globalResourcesRegion: "eu-west-1",
        },
      );
      await handler(scheduledEvent({ accountId: ACCOUNT, resultToken: "token" }));
      expect(fake.requests).to.deep.equal([]);
    });
  });

  describe("ecr-repository-policy-trusted", () => {
    function serveRegistry(registryPolicy: unknown) {
      fake.on("ecr", "DescribeRepositories", () =>
        ok({
          repositories: ["api", "web", "tools"].map((name) => ({
            repositoryName: name,
            repositoryArn: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/${name}`,
            registryId: ACCOUNT,
            imageTagMutability: "IMMUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
          })),
        }),
      );
      fake.on("ecr", "GetRepositoryPolicy", ({ input }) =>
        input.repositoryName === "api"
          ? ok({ registryId: ACCOUNT, repositoryName: "api", policyText: JSON.stringify(PUBLIC) })
          : awsError(400, "RepositoryPolicyNotFoundException", "Repository policy does not exist"),
      );
      fake.on("ecr", "GetRegistryPolicy", () =>
        registryPolicy === null
          ? awsError(400, "RegistryPolicyNotFoundException", "Registry policy does not exist")
          : ok({ registryId: ACCOUNT, policyText: JSON.stringify(registryPolicy) }),
      );
    }

    it("judges every repository's policy and the registry policy, and marks a deleted repository NOT_APPLICABLE", async () => {
      // Prepare
      serveRegistry(OTHER_ACCOUNT);
      fake.on("config", "GetComplianceDetailsByConfigRule", () =>
        earlier([
          ["AWS::ECR::Repository", "api"],
          ["AWS::ECR::Repository", "deleted-repo"],
        ]),
      );
      const handler = createConfigRuleHandler(trustRule, { ecr: ecrReader }, overrides());

      // Act
      await handler(scheduledEvent({ accountId: ACCOUNT, resultToken: "token", ruleName: trustRule.name }));

      // Assess
      expect(put()).to.deep.equal(
        [
          "AWS::ECR::Repository api NON_COMPLIANT",
          "AWS::ECR::Repository web COMPLIANT",
          "AWS::ECR::Repository tools COMPLIANT",
          `AWS::ECR::RegistryPolicy ${ACCOUNT} NON_COMPLIANT`,
          "AWS::ECR::Repository deleted-repo NOT_APPLICABLE",
        ].sort(),
      );
      expect(fake.calls("GetRepositoryPolicy")).to.have.length(3);
    });

    it("leaves out a repository deleted between the listing and its policy's read, and marks it NOT_APPLICABLE", async () => {
      // Prepare
      serveRegistry(null);
      fake.on("ecr", "GetRepositoryPolicy", ({ input }) =>
        input.repositoryName === "web"
          ? awsError(400, "RepositoryNotFoundException", "The repository with name 'web' does not exist")
          : awsError(400, "RepositoryPolicyNotFoundException", "Repository policy does not exist"),
      );
      fake.on("config", "GetComplianceDetailsByConfigRule", () => earlier([["AWS::ECR::Repository", "web"]]));
      const handler = createConfigRuleHandler(trustRule, { ecr: ecrReader }, overrides());

      // Act
      await handler(scheduledEvent({ accountId: ACCOUNT, resultToken: "token", ruleName: trustRule.name }));

      // Assess
      expect(put()).to.deep.equal(
        [
          "AWS::ECR::Repository api COMPLIANT",
          "AWS::ECR::Repository tools COMPLIANT",
          "AWS::ECR::Repository web NOT_APPLICABLE",
        ].sort(),
      );
    });

    it("fails the run when a repository's policy cannot be read for another reason (never a silent skip)", async () => {
      serveRegistry(null);
      fake.on("ecr", "GetRepositoryPolicy", () => awsError(400, "AccessDeniedException", "not authorized"));
      const handler = createConfigRuleHandler(trustRule, { ecr: ecrReader }, overrides());
      const failure = await handler(
        scheduledEvent({ accountId: ACCOUNT, resultToken: "token", ruleName: trustRule.name }),
      ).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(String(failure)).to.include("ecr:GetRepositoryPolicy");
      expect(fake.calls("PutEvaluations")).to.have.length(0);
    });

    it("gives no registry verdict when the registry has no policy, and marks its earlier one NOT_APPLICABLE", async () => {
      serveRegistry(null);
      fake.on("config", "GetComplianceDetailsByConfigRule", () =>
        earlier([["AWS::ECR::RegistryPolicy", ACCOUNT]]),
      );
      const handler = createConfigRuleHandler(trustRule, { ecr: ecrReader }, overrides());
      await handler(scheduledEvent({ accountId: ACCOUNT, resultToken: "token", ruleName: trustRule.name }));
      expect(put()).to.include(`AWS::ECR::RegistryPolicy ${ACCOUNT} NOT_APPLICABLE`);
      expect(put().filter((line) => line.startsWith("AWS::ECR::RegistryPolicy"))).to.have.length(1);
    });

    it("gives a repository the same verdict and annotation in a sweep as on its change", async () => {
      // Prepare
      serveRegistry(null);
      fake.on("config", "GetComplianceDetailsByConfigRule", () => earlier([]));
      const handler = createConfigRuleHandler(trustRule, { ecr: ecrReader }, overrides());
      const change = changeEvent(
        notificationItem({
          resourceType: "AWS::ECR::Repository",
          resourceId: "api",
          accountId: ACCOUNT,
          configuration: repositoryConfiguration("api", { policy: JSON.stringify(PUBLIC) }),
        }),
        { accountId: ACCOUNT, resultToken: "token" },
      );

      // Act
      const swept = await handler(scheduledEvent({ accountId: ACCOUNT, resultToken: "token" }));
      const changed = await handler(change);

      // Assess
      const fromSweep = swept.evaluations.find((e) => e.ComplianceResourceId === "api");
      expect(fromSweep?.ComplianceType).to.equal("NON_COMPLIANT");
      expect(fromSweep?.Annotation).to.equal(changed.evaluations[0]?.Annotation);
    });
  });
});
