/**
 * The retry and timeout settings every client of ClientFactory carries, seen from the network: real SDK
 * clients against a local fake of AWS that never answers, on sinon's fake clock.
 */
import { type ConfigServiceClient, PutEvaluationsCommand } from "@aws-sdk/client-config-service";
import { DescribeRepositoriesCommand, ECRClient } from "@aws-sdk/client-ecr";
import { GetPolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { expect } from "chai";
import type { SinonFakeTimers } from "sinon";
import { DEFAULT_MAX_ATTEMPTS, REQUEST_TIMEOUT_MS } from "../../../shared/aws/client-settings.js";
import { ClientFactory } from "../../../shared/aws/clients.js";
import { FakeAws, type FakeService, fakeTimers, noAnswer, onFakeClock } from "../../support/fake-aws.js";

interface AwsClients {
  readonly config: ConfigServiceClient;
  readonly ecr: ECRClient;
  readonly iam: IAMClient;
  readonly sts: STSClient;
}

const TARGET = { accountId: "111122223333", region: "us-east-1", partition: "aws" };

describe("client settings (real SDK clients, fake AWS endpoint that never answers)", () => {
  let fake: FakeAws;
  let clock: SinonFakeTimers | undefined;
  let clients: AwsClients | undefined;

  before(async () => {
    fake = await FakeAws.start();
  });
  after(async () => {
    await fake.stop();
  });
  afterEach(() => {
    clock?.restore();
    clock = undefined;
    for (const client of Object.values(clients ?? {})) client.destroy();
    clients = undefined;
    fake.reset();
  });

  function factory(maxAttempts?: number): AwsClients {
    const built = new ClientFactory({
      endpoint: fake.endpoint,
      credentials: { accessKeyId: "AKIDFUNCTION", secretAccessKey: "secret" },
      ...(maxAttempts === undefined ? {} : { maxAttempts }),
    });
    clients = {
      config: built.config(TARGET),
      ecr: built.client(ECRClient, "ECR", TARGET),
      iam: built.client(IAMClient, "IAM", TARGET),
      sts: built.client(STSClient, "STS", TARGET),
    };
    return clients;
  }

  const calls: Array<[FakeService, string, (c: AwsClients) => Promise<unknown>]> = [
    ["config", "PutEvaluations", (c) => c.config.send(new PutEvaluationsCommand({ ResultToken: "t" }))],
    ["ecr", "DescribeRepositories", (c) => c.ecr.send(new DescribeRepositoriesCommand({}))],
    ["iam", "GetPolicy", (c) => c.iam.send(new GetPolicyCommand({ PolicyArn: "arn:aws:iam::aws:policy/x" }))],
    ["sts", "GetCallerIdentity", (c) => c.sts.send(new GetCallerIdentityCommand({}))],
  ];
  for (const [service, operation, send] of calls) {
    it(`ends an unanswered ${service} ${operation} with a TimeoutError after ${DEFAULT_MAX_ATTEMPTS} attempts of ${REQUEST_TIMEOUT_MS / 1000} s`, async () => {
      // Prepare
      fake.on(service, operation, () => noAnswer());
      const built = factory();
      clock = fakeTimers();

      // Act
      const outcome = await onFakeClock(clock, send(built));

      // Assess
      const error = outcome.settled === "rejected" ? outcome.error : undefined;
      expect(error).to.have.property("name", "TimeoutError");
      expect(error).to.have.nested.property("$metadata.attempts", DEFAULT_MAX_ATTEMPTS);
      expect(fake.calls(operation)).to.have.length(DEFAULT_MAX_ATTEMPTS);
      expect(outcome.elapsedMs).to.be.at.least(DEFAULT_MAX_ATTEMPTS * REQUEST_TIMEOUT_MS);
    });
  }

  it("takes the factory's maxAttempts over the default", async () => {
    // Prepare
    fake.on("ecr", "DescribeRepositories", () => noAnswer());
    const built = factory(2);
    clock = fakeTimers();

    // Act
    const outcome = await onFakeClock(clock, built.ecr.send(new DescribeRepositoriesCommand({})));

    // Assess
    expect(outcome.settled).to.equal("rejected");
    expect(fake.calls("DescribeRepositories")).to.have.length(2);
    expect(outcome.elapsedMs).to.be.within(2 * REQUEST_TIMEOUT_MS, 3 * REQUEST_TIMEOUT_MS);
  });
});
