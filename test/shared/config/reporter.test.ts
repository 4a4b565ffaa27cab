/**
 * PutEvaluationsReporter with the real Config client, built as the runtime builds it (the project's retry
 * and timeout settings), against a local fake of AWS (test/support/fake-aws.ts). Backoff and timeouts pass
 * on sinon's fake clock: no test waits for real.
 */
import type { ConfigServiceClient } from "@aws-sdk/client-config-service";
import { expect } from "chai";
import type { SinonFakeTimers } from "sinon";
import {
  CONNECTION_TIMEOUT_MS,
  DEFAULT_MAX_ATTEMPTS,
  REQUEST_TIMEOUT_MS,
} from "../../../shared/aws/client-settings.js";
import { ClientFactory } from "../../../shared/aws/clients.js";
import type { Evaluation } from "../../../shared/config/evaluation.js";
import {
  BATCH_SIZE,
  DEFAULT_ROUNDS,
  EvaluationDeliveryError,
  PutEvaluationsReporter,
} from "../../../shared/config/reporter.js";
import { failureOf, rejection } from "../../support/failure.js";
import {
  awsError,
  FakeAws,
  fakeTimers,
  noAnswer,
  ok,
  onFakeClock,
  type RecordedRequest,
  serverError,
  throttling,
} from "../../support/fake-aws.js";

/** The Lambda timeout the stack gives every rule (serverless.yml). */
const LAMBDA_TIMEOUT_MS = 300_000;

function evaluations(count: number): Evaluation[] {
  return Array.from({ length: count }, (_, i) => ({
    ComplianceResourceType: "AWS::ECR::Repository",
    ComplianceResourceId: `svc-${String(i).padStart(3, "0")}`,
    ComplianceType: i % 2 === 0 ? "COMPLIANT" : "NON_COMPLIANT",
    ...(i % 2 === 0 ? {} : { Annotation: "tags are MUTABLE" }),
    OrderingTimestamp: new Date("2026-11-20T12:00:00.000Z"),
  }));
}

/** The evaluations one recorded PutEvaluations carried. */
function sent(request: RecordedRequest | undefined): Array<Record<string, unknown>> {
  const list = request?.input.Evaluations;
  return Array.isArray(list) ? list : [];
}

function ids(request: RecordedRequest | undefined): unknown[] {
  return sent(request).map((e) => e.ComplianceResourceId);
}

describe("PutEvaluationsReporter (real Config client, fake AWS endpoint)", () => {
  let fake: FakeAws;
  let config: ConfigServiceClient;
  let clock: SinonFakeTimers | undefined;

  before(async () => {
    fake = await FakeAws.start();
  });
  after(async () => {
    await fake.stop();
  });
  beforeEach(() => {
    // A fresh client each test: the adaptive retry strategy keeps its sending rate per client.
    config = new ClientFactory({
      endpoint: fake.endpoint,
      credentials: { accessKeyId: "AKIDFUNCTION", secretAccessKey: "secret" },
    }).config({ accountId: "111122223333", region: "us-east-1", partition: "aws" });
    fake.on("config", "PutEvaluations", () => ok({ FailedEvaluations: [] }));
  });
  afterEach(() => {
    clock?.restore();
    clock = undefined;
    config.destroy();
    fake.reset();
  });

  describe("batches", () => {
    it("sends 250 evaluations in three calls of at most 100, with TestMode for TESTMODE", async () => {
      // Prepare
      const all = evaluations(250);

      // Act
      await new PutEvaluationsReporter(config).report(all, "TESTMODE");

      // Assess
      const calls = fake.calls("PutEvaluations");
      expect(calls.map((c) => sent(c).length)).to.deep.equal([BATCH_SIZE, BATCH_SIZE, 50]);
      expect(calls.map((c) => c.input.TestMode)).to.deep.equal([true, true, true]);
      expect(calls.flatMap(ids)).to.deep.equal(all.map((e) => e.ComplianceResourceId));
    });

    it("omits TestMode for a real result token", async () => {
      // Act
      await new PutEvaluationsReporter(config).report(evaluations(1), "real-token-123");

      // Assess
      const [call] = fake.calls("PutEvaluations");
      expect(call?.input.ResultToken).to.equal("real-token-123");
      expect(call?.input).to.not.have.property("TestMode");
    });

    it("sends nothing for no evaluations", async () => {
      // Act
      await new PutEvaluationsReporter(config).report([], "TESTMODE");

      // Assess
      expect(fake.calls("PutEvaluations")).to.have.length(0);
    });
  });

  describe("errors, retried by the SDK", () => {
    it("retries a throttled send and a server fault, waiting on the clock, then succeeds", async () => {
      // Prepare
      fake.once("config", "PutEvaluations", () => throttling());
      fake.once("config", "PutEvaluations", () => serverError());
      clock = fakeTimers();

      // Act
      const outcome = await onFakeClock(
        clock,
        new PutEvaluationsReporter(config).report(evaluations(3), "t"),
      );

      // Assess
      expect(outcome.settled).to.equal("resolved");
      expect(fake.calls("PutEvaluations").map((c) => ids(c).length)).to.deep.equal([3, 3, 3]);
      // After throttling the adaptive strategy waits for its token bucket to refill.
      expect(outcome.elapsedMs).to.be.greaterThan(0);
    });

    it("sends nothing more until the clock moves after a throttled send", async () => {
      // Prepare
      fake.once("config", "PutEvaluations", () => throttling());
      clock = fakeTimers();
      const work = new PutEvaluationsReporter(config).report(evaluations(1), "t");

      // Act: real I/O goes on, fake time stands still.
      for (let turn = 0; turn < 200; turn += 1) await new Promise((resolve) => setImmediate(resolve));
      const beforeTheClockMoves = fake.calls("PutEvaluations").length;
      const outcome = await onFakeClock(clock, work);

      // Assess
      expect(beforeTheClockMoves).to.equal(1);
      expect(outcome.settled).to.equal("resolved");
      expect(fake.calls("PutEvaluations")).to.have.length(2);
    });

    it(`sends a batch at most ${DEFAULT_MAX_ATTEMPTS} times when every send is throttled, then fails within the Lambda timeout`, async () => {
      // Prepare
      fake.on("config", "PutEvaluations", () => throttling());
      clock = fakeTimers();

      // Act
      const outcome = await onFakeClock(
        clock,
        new PutEvaluationsReporter(config).report(evaluations(2), "t"),
      );

      // Assess
      expect(outcome.settled).to.equal("rejected");
      const error = outcome.settled === "rejected" ? outcome.error : undefined;
      expect(error).to.be.instanceOf(EvaluationDeliveryError);
      expect(String(error)).to.include(
        `PutEvaluations failed for 2 evaluation(s) after ${DEFAULT_MAX_ATTEMPTS} attempt(s): ThrottlingException`,
      );
      expect(fake.calls("PutEvaluations")).to.have.length(DEFAULT_MAX_ATTEMPTS);
      expect(outcome.elapsedMs).to.be.greaterThan(0).and.lessThan(LAMBDA_TIMEOUT_MS);
    });

    it("gives up on a send that is never answered, naming the timeout, within the Lambda timeout", async () => {
      // Prepare
      fake.on("config", "PutEvaluations", () => noAnswer());
      clock = fakeTimers();

      // Act
      const outcome = await onFakeClock(
        clock,
        new PutEvaluationsReporter(config).report(evaluations(1), "t"),
      );

      // Assess
      expect(outcome.settled).to.equal("rejected");
      const error = outcome.settled === "rejected" ? outcome.error : undefined;
      expect(error).to.be.instanceOf(EvaluationDeliveryError);
      expect(String(error)).to.match(
        /PutEvaluations failed for 1 evaluation\(s\) after 5 attempt\(s\): TimeoutError/,
      );
      expect(fake.calls("PutEvaluations")).to.have.length(DEFAULT_MAX_ATTEMPTS);
      expect(outcome.elapsedMs).to.be.at.least(DEFAULT_MAX_ATTEMPTS * REQUEST_TIMEOUT_MS);
      expect(outcome.elapsedMs).to.be.lessThan(LAMBDA_TIMEOUT_MS);
    });

    it("fails at once on an error that retrying cannot fix", async () => {
      // Prepare
      fake.once("config", "PutEvaluations", () =>
        awsError(400, "InvalidResultTokenException", "The result token is invalid"),
      );

      // Act
      const error = await rejection(
        new PutEvaluationsReporter(config).report(evaluations(1), "t"),
        EvaluationDeliveryError,
      );

      // Assess
      expect(error.message).to.include("InvalidResultTokenException");
      expect(error.undelivered).to.equal(1);
      expect(fake.calls("PutEvaluations")).to.have.length(1);
    });

    it("fails, naming the connection, when the endpoint refuses connections", async () => {
      // Prepare: a port nothing listens on once the fake there has stopped.
      const gone = await FakeAws.start();
      const endpoint = gone.endpoint;
      await gone.stop();
      const client = new ClientFactory({
        endpoint,
        credentials: { accessKeyId: "AKIDFUNCTION", secretAccessKey: "secret" },
        maxAttempts: 2,
      }).config({ accountId: "111122223333", region: "us-east-1", partition: "aws" });
      clock = fakeTimers();

      // Act
      const outcome = await onFakeClock(
        clock,
        new PutEvaluationsReporter(client).report(evaluations(1), "t"),
      );
      client.destroy();

      // Assess
      const error = outcome.settled === "rejected" ? outcome.error : undefined;
      expect(error).to.be.instanceOf(EvaluationDeliveryError);
      expect(String(error)).to.match(/after 2 attempt\(s\): .*ECONNREFUSED/);
      expect(outcome.elapsedMs).to.be.lessThan(2 * CONNECTION_TIMEOUT_MS);
    });
  });

  describe("FailedEvaluations", () => {
    it("re-sends only the evaluations Config returns in FailedEvaluations", async () => {
      // Prepare
      fake.once("config", "PutEvaluations", ({ input }) =>
        ok({ FailedEvaluations: Array.isArray(input.Evaluations) ? input.Evaluations.slice(0, 2) : [] }),
      );

      // Act
      await new PutEvaluationsReporter(config).report(evaluations(5), "t");

      // Assess
      const calls = fake.calls("PutEvaluations");
      expect(calls.map(ids)).to.deep.equal([
        ["svc-000", "svc-001", "svc-002", "svc-003", "svc-004"],
        ["svc-000", "svc-001"],
      ]);
    });

    const unmatched: Array<[string, Array<Record<string, unknown>>]> = [
      [
        "an id that was not sent",
        [{ ComplianceResourceType: "AWS::ECR::Repository", ComplianceResourceId: "elsewhere" }],
      ],
      ["no resource at all", [{ ComplianceType: "COMPLIANT" }]],
      [
        "the right id under another resource type",
        [{ ComplianceResourceType: "AWS::IAM::Role", ComplianceResourceId: "svc-001" }],
      ],
      [
        "one sent evaluation and one unknown",
        [
          { ComplianceResourceType: "AWS::ECR::Repository", ComplianceResourceId: "svc-002" },
          { ComplianceResourceType: "AWS::ECR::Repository", ComplianceResourceId: "elsewhere" },
        ],
      ],
    ];
    for (const [what, failed] of unmatched) {
      it(`re-sends the whole batch when a failed entry names ${what}`, async () => {
        // Prepare
        fake.once("config", "PutEvaluations", () => ok({ FailedEvaluations: failed }));

        // Act
        await new PutEvaluationsReporter(config).report(evaluations(6), "t");

        // Assess
        const calls = fake.calls("PutEvaluations");
        expect(calls.map((c) => ids(c).length)).to.deep.equal([6, 6]);
        expect(ids(calls[1])).to.deep.equal(ids(calls[0]));
      });
    }

    it(`fails after ${DEFAULT_ROUNDS} sends when Config keeps naming an evaluation it failed`, async () => {
      // Prepare
      fake.on("config", "PutEvaluations", ({ input }) =>
        ok({ FailedEvaluations: Array.isArray(input.Evaluations) ? input.Evaluations.slice(-1) : [] }),
      );

      // Act
      const error = await rejection(
        new PutEvaluationsReporter(config).report(evaluations(4), "t"),
        EvaluationDeliveryError,
      );

      // Assess
      expect(error.undelivered).to.equal(1);
      expect(error.message).to.include(`did not deliver 1 evaluation(s) in ${DEFAULT_ROUNDS} sends`);
      expect(fake.calls("PutEvaluations").map((c) => ids(c).length)).to.deep.equal([4, 1, 1]);
    });

    it("fails rather than reporting success when failed entries keep matching nothing sent", async () => {
      // Prepare
      fake.on("config", "PutEvaluations", () =>
        ok({
          FailedEvaluations: [{ ComplianceResourceType: "AWS::ECR::Repository", ComplianceResourceId: "x" }],
        }),
      );

      // Act
      const failure = await failureOf(
        new PutEvaluationsReporter(config, { rounds: 2 }).report(evaluations(6), "t"),
      );

      // Assess
      expect(failure).to.be.instanceOf(EvaluationDeliveryError);
      expect(failure).to.have.property("undelivered", 6);
      expect(String(failure)).to.include("matching no evaluation sent");
      expect(fake.calls("PutEvaluations").map((c) => ids(c).length)).to.deep.equal([6, 6]);
    });

    it("stops at the first batch it cannot deliver and sends no later batch", async () => {
      // Prepare
      fake.on("config", "PutEvaluations", ({ input }) =>
        ok({ FailedEvaluations: Array.isArray(input.Evaluations) ? input.Evaluations.slice(0, 1) : [] }),
      );

      // Act
      const failure = await failureOf(new PutEvaluationsReporter(config).report(evaluations(150), "t"));

      // Assess
      expect(failure).to.be.instanceOf(EvaluationDeliveryError);
      expect(fake.calls("PutEvaluations").map((c) => ids(c).length)).to.deep.equal([100, 1, 1]);
    });
  });
});
