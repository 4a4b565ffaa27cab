import {
  ConfigServiceClient,
  ConfigServiceServiceException,
  GetResourceConfigHistoryCommand,
  PutEvaluationsCommand,
} from "@aws-sdk/client-config-service";
import {
  DescribeRepositoriesCommand,
  ECRClient,
  GetRegistryScanningConfigurationCommand,
  paginateDescribeRepositories,
} from "@aws-sdk/client-ecr";
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  IAMServiceException,
} from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { expect } from "chai";
import { clientSettings, REQUEST_TIMEOUT_MS } from "../../shared/aws/client-settings.js";
import { rejection } from "./failure.js";
import {
  accessDenied,
  FakeAws,
  fakeTimers,
  noAnswer,
  ok,
  onFakeClock,
  serverError,
  throttling,
  xmlResult,
} from "./fake-aws.js";

describe("FakeAws", () => {
  let fake: FakeAws;
  let config: ConfigServiceClient;
  let ecr: ECRClient;
  let sts: STSClient;
  let iam: IAMClient;

  before(async () => {
    fake = await FakeAws.start();
    config = new ConfigServiceClient(fake.clientConfig());
    ecr = new ECRClient(fake.clientConfig());
    sts = new STSClient(fake.clientConfig());
    iam = new IAMClient(fake.clientConfig());
  });

  afterEach(() => fake.reset());

  after(async () => {
    for (const client of [config, ecr, sts, iam]) client.destroy();
    await fake.stop();
  });

  describe("Config (AWS JSON 1.1)", () => {
    it("records PutEvaluations input and returns FailedEvaluations the SDK parses", async () => {
      // Prepare
      fake.on("config", "PutEvaluations", ({ input }) =>
        ok({ FailedEvaluations: Array.isArray(input.Evaluations) ? input.Evaluations.slice(0, 1) : [] }),
      );
      const evaluation = {
        ComplianceResourceType: "AWS::ECR::Repository",
        ComplianceResourceId: "app",
        ComplianceType: "NON_COMPLIANT" as const,
        Annotation: "Statement 0 allows ecr:PutImage to *",
        OrderingTimestamp: new Date("2024-05-06T07:08:09Z"),
      };

      // Act
      const output = await config.send(
        new PutEvaluationsCommand({ ResultToken: "token", Evaluations: [evaluation], TestMode: true }),
      );

      // Assess
      const [call] = fake.calls("PutEvaluations");
      expect(call?.service).to.equal("config");
      expect(call?.headers["x-amz-target"]).to.equal("StarlingDoveService.PutEvaluations");
      expect(call?.input).to.deep.include({ ResultToken: "token", TestMode: true });
      expect(call?.input.Evaluations).to.deep.equal([
        { ...evaluation, OrderingTimestamp: Date.parse("2024-05-06T07:08:09Z") / 1000 },
      ]);
      expect(output.FailedEvaluations).to.deep.equal([evaluation]);
    });

    it("returns a GetResourceConfigHistory capture time in epoch seconds that the SDK parses to a Date", async () => {
      // Prepare
      fake.on("config", "GetResourceConfigHistory", () =>
        ok({
          configurationItems: [
            {
              resourceType: "AWS::ECR::Repository",
              resourceId: "app",
              configurationItemStatus: "OK",
              configurationItemCaptureTime: 1_700_000_000.5,
              configuration: '{"RepositoryName":"app"}',
            },
          ],
        }),
      );

      // Act
      const output = await config.send(
        new GetResourceConfigHistoryCommand({
          resourceType: "AWS::ECR::Repository",
          resourceId: "app",
          limit: 1,
        }),
      );

      // Assess
      const item = output.configurationItems?.[0];
      expect(item?.configurationItemCaptureTime).to.be.instanceOf(Date);
      expect(item?.configurationItemCaptureTime?.toISOString()).to.equal("2023-11-14T22:13:20.500Z");
      expect(fake.calls("GetResourceConfigHistory")[0]?.input).to.deep.equal({
        resourceType: "AWS::ECR::Repository",
        resourceId: "app",
        limit: 1,
      });
    });

    it("answers an operation without a handler with UnknownOperationException naming it", async () => {
      // Act
      const error = await rejection(
        config.send(new PutEvaluationsCommand({ ResultToken: "t", TestMode: true })),
        ConfigServiceServiceException,
      );

      // Assess
      expect(error.name).to.equal("UnknownOperationException");
      expect(error.message).to.contain("config:PutEvaluations");
      expect(error.$metadata.httpStatusCode).to.equal(400);
    });
  });

  describe("ECR (AWS JSON 1.1)", () => {
    it("serves DescribeRepositories in two pages linked by nextToken", async () => {
      // Prepare
      fake.on("ecr", "DescribeRepositories", ({ input }) =>
        input.nextToken === undefined
          ? ok({ repositories: [{ repositoryName: "a", createdAt: 1_700_000_000 }], nextToken: "page-2" })
          : ok({ repositories: [{ repositoryName: "b", createdAt: 1_700_000_001 }] }),
      );

      // Act
      const names: (string | undefined)[] = [];
      for await (const page of paginateDescribeRepositories({ client: ecr }, {})) {
        names.push(...(page.repositories ?? []).map((r) => r.repositoryName));
      }

      // Assess
      expect(names).to.deep.equal(["a", "b"]);
      expect(fake.calls("DescribeRepositories").map((c) => c.input)).to.deep.equal([
        {},
        { nextToken: "page-2" },
      ]);
    });

    it("returns GetRegistryScanningConfiguration as the SDK models it", async () => {
      // Prepare
      const scanningConfiguration = {
        scanType: "ENHANCED",
        rules: [
          { scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }] },
        ],
      };
      fake.on("ecr", "GetRegistryScanningConfiguration", () =>
        ok({ registryId: "123456789012", scanningConfiguration }),
      );

      // Act
      const output = await ecr.send(new GetRegistryScanningConfigurationCommand({}));

      // Assess
      expect(output.registryId).to.equal("123456789012");
      expect(output.scanningConfiguration).to.deep.equal(scanningConfiguration);
    });

    it("uses once handlers in order before the persistent handler", async () => {
      // Prepare
      fake.on("ecr", "DescribeRepositories", () => ok({ repositories: [{ repositoryName: "persistent" }] }));
      fake.once("ecr", "DescribeRepositories", () => ok({ repositories: [{ repositoryName: "first" }] }));
      fake.once("ecr", "DescribeRepositories", () => ok({ repositories: [{ repositoryName: "second" }] }));

      // Act
      const names: (string | undefined)[] = [];
      for (let i = 0; i < 4; i++) {
        const output = await ecr.send(new DescribeRepositoriesCommand({}));
        names.push(output.repositories?.[0]?.repositoryName);
      }

      // Assess
      expect(names).to.deep.equal(["first", "second", "persistent", "persistent"]);
    });
  });

  describe("STS (AWS Query)", () => {
    it("answers AssumeRole by default with credentials the SDK parses", async () => {
      // Act
      const output = await sts.send(
        new AssumeRoleCommand({ RoleArn: "arn:aws:iam::111122223333:role/Auditor", RoleSessionName: "rule" }),
      );

      // Assess
      const [call] = fake.calls("AssumeRole");
      expect(call?.service).to.equal("sts");
      expect(call?.input).to.deep.include({
        Action: "AssumeRole",
        RoleArn: "arn:aws:iam::111122223333:role/Auditor",
        RoleSessionName: "rule",
      });
      expect(output.Credentials?.AccessKeyId).to.be.a("string").and.not.be.empty;
      expect(output.Credentials?.SecretAccessKey).to.be.a("string").and.not.be.empty;
      expect(output.Credentials?.SessionToken).to.be.a("string").and.not.be.empty;
      expect(output.Credentials?.Expiration?.getTime()).to.be.greaterThan(Date.now() + 55 * 60_000);
      expect(output.AssumedRoleUser?.Arn).to.equal("arn:aws:sts::111122223333:assumed-role/Auditor/rule");
    });

    it("answers GetCallerIdentity by default", async () => {
      // Act
      const output = await sts.send(new GetCallerIdentityCommand({}));

      // Assess
      expect(output.Account).to.equal("123456789012");
    });
  });

  describe("IAM (AWS Query)", () => {
    it("returns GetPolicy and a URL-encoded GetPolicyVersion document as real IAM does", async () => {
      // Prepare
      const arn = "arn:aws:iam::123456789012:policy/ecr-push";
      const document = {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["ecr:PutImage"], Resource: "*" }],
      };
      fake.on("iam", "GetPolicy", () =>
        xmlResult(
          `<Policy><PolicyName>ecr-push</PolicyName><DefaultVersionId>v2</DefaultVersionId><Arn>${arn}</Arn>` +
            "<AttachmentCount>1</AttachmentCount><IsAttachable>true</IsAttachable>" +
            "<CreateDate>2024-01-02T03:04:05Z</CreateDate></Policy>",
        ),
      );
      fake.on("iam", "GetPolicyVersion", () =>
        xmlResult(
          `<PolicyVersion><Document>${encodeURIComponent(JSON.stringify(document))}</Document>` +
            "<VersionId>v2</VersionId><IsDefaultVersion>true</IsDefaultVersion></PolicyVersion>",
        ),
      );

      // Act
      const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
      const { PolicyVersion } = await iam.send(
        new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: Policy?.DefaultVersionId }),
      );

      // Assess
      expect(Policy).to.deep.include({ PolicyName: "ecr-push", DefaultVersionId: "v2", AttachmentCount: 1 });
      expect(Policy?.IsAttachable).to.equal(true);
      expect(Policy?.CreateDate?.toISOString()).to.equal("2024-01-02T03:04:05.000Z");
      expect(PolicyVersion?.Document).to.match(/^%7B/);
      expect(JSON.parse(decodeURIComponent(PolicyVersion?.Document ?? ""))).to.deep.equal(document);
      expect(fake.calls("GetPolicyVersion")[0]?.input).to.deep.include({ PolicyArn: arn, VersionId: "v2" });
      expect(fake.requests.map((r) => r.service)).to.deep.equal(["iam", "iam"]);
    });

    it("surfaces access denied as AccessDenied with status 403", async () => {
      // Prepare
      fake.on("iam", "GetPolicy", () => accessDenied("User is not authorized to perform: iam:GetPolicy"));

      // Act
      const error = await rejection(
        iam.send(new GetPolicyCommand({ PolicyArn: "arn" })),
        IAMServiceException,
      );

      // Assess
      expect(error.name).to.equal("AccessDenied");
      expect(error.message).to.equal("User is not authorized to perform: iam:GetPolicy");
      expect(error.$metadata.httpStatusCode).to.equal(403);
    });
  });

  describe("errors", () => {
    const throttled = [
      {
        service: "ECR",
        name: "ThrottlingException",
        act: () => {
          fake.on("ecr", "DescribeRepositories", () => throttling());
          return ecr.send(new DescribeRepositoriesCommand({}));
        },
      },
      {
        service: "IAM",
        name: "Throttling",
        act: () => {
          fake.on("iam", "GetPolicy", () => throttling());
          return iam.send(new GetPolicyCommand({ PolicyArn: "arn" }));
        },
      },
    ];
    for (const { service, name, act } of throttled) {
      it(`surfaces throttling from ${service} as ${name} with status 400`, async () => {
        // Act
        const error = await rejection(act(), Error);

        // Assess
        expect(error).to.include({ name, $fault: "client" });
        expect(error).to.have.nested.property("$metadata.httpStatusCode", 400);
      });
    }

    const failing = [
      {
        service: "Config",
        act: () => {
          fake.on("config", "PutEvaluations", () => serverError());
          return config.send(new PutEvaluationsCommand({ ResultToken: "t", TestMode: true }));
        },
      },
      {
        service: "IAM",
        act: () => {
          fake.on("iam", "GetPolicy", () => serverError());
          return iam.send(new GetPolicyCommand({ PolicyArn: "arn" }));
        },
      },
    ];
    for (const { service, act } of failing) {
      it(`surfaces a 500 from ${service} with $fault "server"`, async () => {
        // Act
        const error = await rejection(act(), Error);

        // Assess
        expect(error).to.include({ name: "InternalFailure", $fault: "server" });
        expect(error).to.have.nested.property("$metadata.httpStatusCode", 500);
      });
    }

    it("answers a handler that replies in the wrong protocol with a FakeAwsMisuse error", async () => {
      // Prepare
      fake.on("iam", "GetPolicy", () => ok({ Policy: {} }));

      // Act
      const error = await rejection(
        iam.send(new GetPolicyCommand({ PolicyArn: "arn" })),
        IAMServiceException,
      );

      // Assess
      expect(error.name).to.equal("FakeAwsMisuse");
      expect(error.message).to.contain("xmlResult()");
    });
  });

  describe("latency", () => {
    it("answers no sooner than the latency it was started with", async () => {
      // Prepare
      const far = await FakeAws.start({ latencyMs: 40 });
      far.on("config", "PutEvaluations", () => ok({ FailedEvaluations: [] }));
      const client = new ConfigServiceClient(far.clientConfig());
      try {
        // Act
        const started = performance.now();
        await client.send(new PutEvaluationsCommand({ ResultToken: "token", Evaluations: [] }));
        const elapsed = performance.now() - started;
        // Assess
        expect(elapsed).to.be.at.least(39);
        expect(far.calls("PutEvaluations")).to.have.length(1);
      } finally {
        client.destroy();
        await far.stop();
      }
    });
  });

  describe("no answer, on a fake clock", () => {
    it("keeps a request unanswered until the client's own request timeout ends it", async () => {
      // Prepare
      fake.on("ecr", "DescribeRepositories", () => noAnswer());
      const patient = new ECRClient({ ...fake.clientConfig(), ...clientSettings({ maxAttempts: 1 }) });
      const clock = fakeTimers();

      // Act
      let outcome: Awaited<ReturnType<typeof onFakeClock>>;
      try {
        outcome = await onFakeClock(clock, patient.send(new DescribeRepositoriesCommand({})));
      } finally {
        clock.restore();
        patient.destroy();
      }

      // Assess
      expect(outcome.settled).to.equal("rejected");
      expect(outcome.settled === "rejected" ? outcome.error : undefined).to.have.property(
        "name",
        "TimeoutError",
      );
      expect(outcome.elapsedMs).to.be.within(REQUEST_TIMEOUT_MS, REQUEST_TIMEOUT_MS + 100);
      expect(fake.calls("DescribeRepositories")).to.have.length(1);
    });

    it("moves the fake clock only as far as the work needs", async () => {
      // Prepare
      const clock = fakeTimers();
      const waited = new Promise<string>((resolve) => setTimeout(() => resolve("done"), 1_000));

      // Act
      let outcome: Awaited<ReturnType<typeof onFakeClock<string>>>;
      try {
        outcome = await onFakeClock(clock, waited, { stepMs: 100 });
      } finally {
        clock.restore();
      }

      // Assess
      expect(outcome).to.deep.equal({ settled: "resolved", value: "done", elapsedMs: 1_000 });
    });

    it("gives up on work that never ends, saying so", async () => {
      // Prepare
      const clock = fakeTimers();

      // Act
      let failure: unknown;
      try {
        failure = await onFakeClock(clock, new Promise(() => {}), { limitMs: 5_000 }).then(
          () => undefined,
          (error: unknown) => error,
        );
      } finally {
        clock.restore();
      }

      // Assess
      expect(String(failure)).to.include("still running after 5000 ms");
    });
  });
});
