/**
 * ApiEcrFacts and ApiAccountFacts with the real ECR and Config clients against a local fake of AWS
 * (test/support/fake-aws.ts): how long the registry scanning configuration is kept (on sinon's fake clock),
 * `invalidate()`, and pagination through the SDK's paginators with the repeated-token guard.
 */
import { ECRClient } from "@aws-sdk/client-ecr";
import { expect } from "chai";
import sinon, { type SinonFakeTimers } from "sinon";
import { AccountReadError, ApiEcrFacts, DEFAULT_SCANNING_TTL_MS } from "../../../shared/account/ecr.js";
import { ecrReader } from "../../../shared/account/ecr-reader.js";
import { iamReader } from "../../../shared/account/iam-reader.js";
import { ApiAccountFacts } from "../../../shared/account/sources.js";
import { ClientFactory, type ClientTarget } from "../../../shared/aws/clients.js";
import { rejection } from "../../support/failure.js";
import { accessDenied, FakeAws, ok } from "../../support/fake-aws.js";
import { type PolicySpec, servePolicy } from "../../support/iam-xml.js";

const ACCOUNT = "111122223333";
const TARGET: ClientTarget = { accountId: ACCOUNT, region: "us-east-1", partition: "aws" };

const ENHANCED = {
  scanType: "ENHANCED",
  rules: [{ scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }] }],
};
const BASIC_OFF = { scanType: "BASIC", rules: [] };
const AWS_MANAGED: PolicySpec = {
  arn: "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
  name: "AmazonEC2ContainerRegistryReadOnly",
  document: {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "ecr:BatchGetImage", Resource: "*" }],
  },
};

function repository(name: string) {
  return {
    repositoryName: name,
    repositoryArn: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/${name}`,
    registryId: ACCOUNT,
    imageTagMutability: "IMMUTABLE",
    imageScanningConfiguration: { scanOnPush: true },
  };
}

describe("ECR and account facts through the API (real SDK, fake AWS endpoint)", () => {
  let fake: FakeAws;
  let factory: ClientFactory;
  let clock: SinonFakeTimers;

  before(async () => {
    fake = await FakeAws.start();
  });
  after(async () => {
    await fake.stop();
  });
  beforeEach(() => {
    factory = new ClientFactory({
      endpoint: fake.endpoint,
      credentials: { accessKeyId: "AKIDFUNCTION", secretAccessKey: "secret" },
      maxAttempts: 1,
    });
    // Only the clock the caches read: requests to the fake travel in real time.
    clock = sinon.useFakeTimers({ now: Date.parse("2026-11-20T10:00:00Z"), toFake: ["Date"] });
  });
  afterEach(() => {
    clock.restore();
    fake.reset();
  });

  /** Serves `configurations` in turn, the last one from then on. */
  function serveScanning(...configurations: ReadonlyArray<Record<string, unknown>>): void {
    for (const configuration of configurations.slice(0, -1)) {
      fake.once("ecr", "GetRegistryScanningConfiguration", () =>
        ok({ registryId: ACCOUNT, scanningConfiguration: configuration }),
      );
    }
    fake.on("ecr", "GetRegistryScanningConfiguration", () =>
      ok({ registryId: ACCOUNT, scanningConfiguration: configurations.at(-1) }),
    );
  }

  describe("ApiEcrFacts.registryScanning", () => {
    it(`keeps the configuration for ${DEFAULT_SCANNING_TTL_MS / 60_000} minutes, then sees scanning turned off`, async () => {
      // Prepare
      serveScanning(ENHANCED, BASIC_OFF);
      const facts = new ApiEcrFacts(factory.client(ECRClient, "ECR", TARGET));
      const first = await facts.registryScanning();
      clock.tick(DEFAULT_SCANNING_TTL_MS - 1);
      const cached = await facts.registryScanning();

      // Act
      clock.tick(2);
      const fresh = await facts.registryScanning();

      // Assess
      expect(first.scanType).to.equal("ENHANCED");
      expect(cached).to.equal(first);
      expect(fresh).to.deep.equal({ scanType: "BASIC", rules: [] });
      expect(fake.calls("GetRegistryScanningConfiguration")).to.have.length(2);
    });

    it("reads the configuration again after invalidate()", async () => {
      // Prepare
      serveScanning(ENHANCED, BASIC_OFF);
      const facts = new ApiEcrFacts(factory.client(ECRClient, "ECR", TARGET));
      await facts.registryScanning();

      // Act
      facts.invalidate();
      const fresh = await facts.registryScanning();

      // Assess
      expect(fresh.scanType).to.equal("BASIC");
      expect(fake.calls("GetRegistryScanningConfiguration")).to.have.length(2);
    });

    it("keeps no failed read, naming the call in the error", async () => {
      // Prepare
      fake.once("ecr", "GetRegistryScanningConfiguration", () => accessDenied("not authorized"));
      serveScanning(ENHANCED);
      const facts = new ApiEcrFacts(factory.client(ECRClient, "ECR", TARGET));

      // Act
      const error = await rejection(facts.registryScanning(), AccountReadError);
      const retried = await facts.registryScanning();

      // Assess
      expect(error.message).to.equal(
        "ecr:GetRegistryScanningConfiguration failed: AccessDeniedException: not authorized",
      );
      expect(retried.scanType).to.equal("ENHANCED");
    });

    it("shares one request between concurrent reads", async () => {
      // Prepare
      serveScanning(ENHANCED);
      const facts = new ApiEcrFacts(factory.client(ECRClient, "ECR", TARGET));

      // Act
      const [a, b] = await Promise.all([facts.registryScanning(), facts.registryScanning()]);

      // Assess
      expect(a).to.equal(b);
      expect(fake.calls("GetRegistryScanningConfiguration")).to.have.length(1);
    });
  });

  describe("ApiEcrFacts.repositories", () => {
    it("collects repositories across pages linked by nextToken", async () => {
      // Prepare
      fake.once("ecr", "DescribeRepositories", () =>
        ok({ repositories: [repository("a1"), repository("b2")], nextToken: "page-2" }),
      );
      fake.once("ecr", "DescribeRepositories", () => ok({ repositories: [repository("c3")] }));

      // Act
      const repositories = await new ApiEcrFacts(factory.client(ECRClient, "ECR", TARGET)).repositories();

      // Assess
      expect(repositories.map((r) => r.name)).to.deep.equal(["a1", "b2", "c3"]);
      expect(repositories[0]).to.deep.equal({
        name: "a1",
        arn: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/a1`,
        imageTagMutability: "IMMUTABLE",
        scanOnPush: true,
      });
      expect(fake.calls("DescribeRepositories").map((c) => c.input.nextToken)).to.deep.equal([
        undefined,
        "page-2",
      ]);
    });

    it("fails naming ecr:DescribeRepositories when a page hands back the token it was asked with", async () => {
      // Prepare
      fake.on("ecr", "DescribeRepositories", () =>
        ok({ repositories: [repository("a1")], nextToken: "stuck" }),
      );

      // Act
      const error = await rejection(
        new ApiEcrFacts(factory.client(ECRClient, "ECR", TARGET)).repositories(),
        AccountReadError,
      );

      // Assess
      expect(error.message).to.match(
        /^ecr:DescribeRepositories returned the page token "stuck" a second time/u,
      );
      expect(fake.calls("DescribeRepositories")).to.have.length(2);
    });

    it("fails naming ecr:DescribeRepositories when a later page is refused", async () => {
      // Prepare
      fake.once("ecr", "DescribeRepositories", () =>
        ok({ repositories: [repository("a1")], nextToken: "p2" }),
      );
      fake.once("ecr", "DescribeRepositories", () => accessDenied("not authorized"));

      // Act
      const error = await rejection(
        new ApiEcrFacts(factory.client(ECRClient, "ECR", TARGET)).repositories(),
        AccountReadError,
      );

      // Assess
      expect(error.message).to.equal(
        "ecr:DescribeRepositories failed: AccessDeniedException: not authorized",
      );
      expect(error.cause).to.have.property("name", "AccessDeniedException");
    });
  });

  describe("ApiEcrFacts.repositoryTags", () => {
    it("reads the tags with ecr:ListTagsForResource on the repository's ARN", async () => {
      // Prepare
      fake.on("ecr", "ListTagsForResource", () =>
        ok({
          tags: [
            { Key: "team", Value: "payments" },
            { Key: "env", Value: "prod" },
          ],
        }),
      );
      const facts = new ApiEcrFacts(factory.client(ECRClient, "ECR", TARGET));
      const arn = `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/a1`;

      // Act
      const tags = await facts.repositoryTags({
        name: "a1",
        arn,
        imageTagMutability: "MUTABLE",
        scanOnPush: false,
      });

      // Assess
      expect(Object.fromEntries(tags)).to.deep.equal({ team: "payments", env: "prod" });
      expect(fake.calls("ListTagsForResource").map((c) => c.input.resourceArn)).to.deep.equal([arn]);
    });

    it("fails naming ecr:ListTagsForResource and the repository when the read is refused", async () => {
      // Prepare
      fake.on("ecr", "ListTagsForResource", () => accessDenied("not authorized"));
      const facts = new ApiEcrFacts(factory.client(ECRClient, "ECR", TARGET));

      // Act
      const error = await rejection(
        facts.repositoryTags({
          name: "a1",
          arn: "arn:aws:ecr:us-east-1:1:repository/a1",
          imageTagMutability: "MUTABLE",
          scanOnPush: false,
        }),
        AccountReadError,
      );

      // Assess
      expect(error.message).to.equal(
        "ecr:ListTagsForResource for a1 failed: AccessDeniedException: not authorized",
      );
    });
  });

  describe("ApiAccountFacts", () => {
    it("invalidate() drops the IAM facts and every region's ECR facts", async () => {
      // Prepare
      serveScanning(ENHANCED);
      servePolicy(fake, AWS_MANAGED);
      const facts = new ApiAccountFacts(factory, TARGET, { iam: iamReader, ecr: ecrReader });
      await facts.iam().managedPolicy(AWS_MANAGED.arn);
      await facts.ecr("us-east-1").registryScanning();
      await facts.ecr("eu-west-1").registryScanning();
      await facts.ecr("us-east-1").registryScanning();
      const beforeInvalidate = fake.calls("GetRegistryScanningConfiguration").length;

      // Act
      facts.invalidate();
      await facts.ecr("us-east-1").registryScanning();
      await facts.ecr("eu-west-1").registryScanning();
      await facts.iam().managedPolicy(AWS_MANAGED.arn);

      // Assess
      expect(beforeInvalidate).to.equal(2);
      expect(fake.calls("GetRegistryScanningConfiguration")).to.have.length(4);
      expect(fake.calls("GetPolicy")).to.have.length(2);
    });

    it("invalidate() before any read reads nothing", () => {
      // Act
      new ApiAccountFacts(factory, TARGET, { iam: iamReader, ecr: ecrReader }).invalidate();

      // Assess
      expect(fake.requests).to.have.length(0);
    });

    it("lists evaluated resources across pages linked by NextToken", async () => {
      // Prepare
      const result = (id: string) => ({
        EvaluationResultIdentifier: {
          EvaluationResultQualifier: { ConfigRuleName: "r", ResourceType: "AWS::IAM::Role", ResourceId: id },
        },
        ComplianceType: "COMPLIANT",
      });
      fake.once("config", "GetComplianceDetailsByConfigRule", () =>
        ok({ EvaluationResults: [result("AROA1"), { ComplianceType: "COMPLIANT" }], NextToken: "n2" }),
      );
      fake.once("config", "GetComplianceDetailsByConfigRule", () =>
        ok({ EvaluationResults: [result("AROA2")] }),
      );

      // Act
      const resources = await new ApiAccountFacts(factory, TARGET, {
        iam: iamReader,
        ecr: ecrReader,
      }).evaluatedResources("r", ["AWS::IAM::Role"]);

      // Assess
      expect(resources).to.deep.equal([
        { resourceType: "AWS::IAM::Role", resourceId: "AROA1" },
        { resourceType: "AWS::IAM::Role", resourceId: "AROA2" },
      ]);
      const calls = fake.calls("GetComplianceDetailsByConfigRule");
      expect(calls.map((c) => c.input.NextToken)).to.deep.equal([undefined, "n2"]);
      expect(calls[0]?.input).to.deep.include({
        ConfigRuleName: "r",
        ComplianceTypes: ["COMPLIANT", "NON_COMPLIANT"],
        Limit: 100,
      });
    });

    it("fails naming config:GetComplianceDetailsByConfigRule when NextToken repeats", async () => {
      // Prepare
      fake.on("config", "GetComplianceDetailsByConfigRule", () =>
        ok({ EvaluationResults: [], NextToken: "again" }),
      );

      // Act
      const error = await rejection(
        new ApiAccountFacts(factory, TARGET, { iam: iamReader, ecr: ecrReader }).evaluatedResources("r", [
          "AWS::IAM::Role",
        ]),
        AccountReadError,
      );

      // Assess
      expect(error.message).to.match(
        /^config:GetComplianceDetailsByConfigRule returned the page token "again" a second time/u,
      );
      expect(fake.calls("GetComplianceDetailsByConfigRule")).to.have.length(2);
    });
  });
});
