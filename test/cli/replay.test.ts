/**
 * `ecr-access-rules replay`, with the real SQS and Lambda clients pointed at the local fake of AWS: each
 * on-failure record re-invokes its function with the original event, the message is deleted only when the
 * invocation succeeded, and failed invocations and bad records are reported and kept.
 */
import { createHash } from "node:crypto";
import { expect } from "chai";
import { main } from "../../cli/main.js";
import { failureRecord } from "../../cli/replay.js";
import {
  ACCOUNT,
  changeEvent,
  notificationItem,
  repositoryConfiguration,
  scheduledEvent,
} from "../support/events.js";
import {
  accessDenied,
  awsError,
  FakeAws,
  fakeTimers,
  functionError,
  ok,
  onFakeClock,
  type RecordedRequest,
  serverError,
  throttling,
} from "../support/fake-aws.js";

const QUEUE_URL = `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/ecr-access-rules-failed-evaluations`;
const FUNCTION = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:ecr-access-rules-dev-ecr-repository-policy-trusted`;

function collector() {
  let text = "";
  return { sink: { write: (chunk: string) => (text += chunk) }, text: () => text };
}

/** A Lambda on-failure destination record for `payload`, as Lambda writes it to the queue. */
function onFailureRecord(payload: unknown, functionArn = FUNCTION): string {
  return JSON.stringify({
    version: "1.0",
    timestamp: "2026-11-20T10:00:10.000Z",
    requestContext: {
      requestId: "c0ffee00-0000-4000-8000-000000000001",
      functionArn: `${functionArn}:$LATEST`,
      condition: "RetriesExhausted",
      approximateInvokeCount: 3,
    },
    requestPayload: payload,
    responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
    responsePayload: {
      errorType: "AccountReadError",
      errorMessage: "ecr:GetRegistryPolicy failed: throttled",
    },
  });
}

function repositoryChange(name: string) {
  return changeEvent(
    notificationItem({
      resourceType: "AWS::ECR::Repository",
      resourceId: name,
      configuration: repositoryConfiguration(name),
    }),
    { resultToken: `token-${name}`, ruleName: "ecr-repository-policy-trusted", region: "eu-west-1" },
  );
}

interface QueuedMessage {
  readonly id: string;
  readonly body: string;
}

/** Serves `messages` from ReceiveMessage (each once, as a visibility timeout would) and records deletes. */
function serveQueue(fake: FakeAws, messages: readonly QueuedMessage[]): void {
  const handed = new Set<string>();
  fake.on("sqs", "ReceiveMessage", ({ input }) => {
    const max = Number(input.MaxNumberOfMessages ?? 1);
    const out = messages.filter((m) => !handed.has(m.id)).slice(0, max);
    for (const m of out) handed.add(m.id);
    return ok({
      Messages: out.map((m) => ({
        MessageId: m.id,
        ReceiptHandle: `receipt-${m.id}`,
        MD5OfBody: createHash("md5").update(m.body).digest("hex"),
        Body: m.body,
      })),
    });
  });
  fake.on("sqs", "DeleteMessage", () => ok({}));
}

const deleted = (fake: FakeAws) => fake.calls("DeleteMessage").map((c) => c.input.ReceiptHandle);
const invoked = (fake: FakeAws): RecordedRequest[] => fake.calls("Invoke");

describe("ecr-access-rules replay", () => {
  let fake: FakeAws;

  before(async () => {
    fake = await FakeAws.start();
  });
  after(async () => {
    await fake.stop();
  });
  afterEach(() => fake.reset());

  async function replay(args: readonly string[]) {
    const out = collector();
    const err = collector();
    const clientConfig = {
      endpoint: fake.endpoint,
      credentials: { accessKeyId: "AKID", secretAccessKey: "s" },
      maxAttempts: 1,
    };
    const status = await main(
      ["replay", ...args],
      { stdout: out.sink, stderr: err.sink },
      { clientConfig, env: {} },
    );
    return { status, out: out.text(), err: err.text() };
  }

  it("re-invokes each record's function with the original event, synchronously, and deletes it on success", async () => {
    // Prepare
    const events = [
      repositoryChange("api"),
      scheduledEvent({ resultToken: "token-periodic", region: "eu-west-1" }),
    ];
    serveQueue(fake, [
      { id: "m1", body: onFailureRecord(events[0]) },
      { id: "m2", body: onFailureRecord(events[1]) },
    ]);
    fake.on("lambda", "Invoke", () => ok({ evaluations: [], findings: 0 }));

    // Act
    const { status, out } = await replay(["--queue-url", QUEUE_URL]);

    // Assess
    expect(status).to.equal(0);
    expect(invoked(fake)).to.have.length(2);
    for (const [i, call] of invoked(fake).entries()) {
      expect(call.input.FunctionName).to.equal(`${FUNCTION}:$LATEST`);
      expect(call.input.InvocationType).to.equal("RequestResponse");
      expect(JSON.parse(String(call.input.Payload))).to.deep.equal(events[i]);
      expect(call.headers.authorization).to.include("/eu-west-1/lambda/aws4_request");
    }
    expect(deleted(fake)).to.deep.equal(["receipt-m1", "receipt-m2"]);
    expect(fake.calls("ReceiveMessage")[0]?.headers.authorization).to.include("/eu-west-1/sqs/aws4_request");
    // Hidden longer than ten runs of a function (300 s each): no message shows again mid-batch.
    expect(fake.calls("ReceiveMessage")[0]?.input.VisibilityTimeout).to.be.at.least(10 * 300);
    expect(out).to.include(
      "replayed\tecr-access-rules-dev-ecr-repository-policy-trusted\tAWS::ECR::Repository api\n",
    );
    expect(out).to.include("replayed\tecr-access-rules-dev-ecr-repository-policy-trusted\tperiodic\n");
    expect(out).to.include("2 message(s): 2 replayed");
  });

  it("keeps the message of an invocation that fails again, reporting the function's error", async () => {
    // Prepare
    serveQueue(fake, [
      { id: "ok", body: onFailureRecord(repositoryChange("api")) },
      { id: "bad", body: onFailureRecord(repositoryChange("web")) },
    ]);
    fake.on("lambda", "Invoke", ({ input }) =>
      String(input.Payload).includes("token-web")
        ? functionError({
            errorType: "AccountReadError",
            errorMessage: "ecr:GetRegistryPolicy failed: AccessDenied",
          })
        : ok({ evaluations: [] }),
    );

    // Act
    const { status, out } = await replay(["--queue-url", QUEUE_URL]);

    // Assess
    expect(status).to.equal(1);
    expect(deleted(fake)).to.deep.equal(["receipt-ok"]);
    expect(out).to.include(
      "failed\tecr-access-rules-dev-ecr-repository-policy-trusted\tAWS::ECR::Repository web\tAccountReadError: ecr:GetRegistryPolicy failed: AccessDenied",
    );
    expect(out).to.include("2 message(s): 1 replayed, 1 failed");
  });

  it("waits for a function that runs longer than the usual 20 s request timeout, invoking it once", async () => {
    // Prepare: the function answers after 25 s of (fake) time.
    serveQueue(fake, [{ id: "slow", body: onFailureRecord(scheduledEvent({ region: "eu-west-1" })) }]);
    fake.on("lambda", "Invoke", async () => {
      await new Promise((resolve) => setTimeout(resolve, 25_000));
      return ok({ evaluations: [] });
    });
    const clock = fakeTimers();
    try {
      // Act
      const outcome = await onFakeClock(clock, replay(["--queue-url", QUEUE_URL]), { stepMs: 500 });

      // Assess
      expect(outcome.settled).to.equal("resolved");
      expect(outcome.settled === "resolved" ? outcome.value.status : -1).to.equal(0);
      expect(outcome.elapsedMs).to.be.at.least(25_000);
      expect(invoked(fake)).to.have.length(1);
      expect(deleted(fake)).to.deep.equal(["receipt-slow"]);
    } finally {
      clock.restore();
    }
  });

  it("rides out throttling and 5xx from the queue and from Lambda with the SDK's retries, replaying once", async () => {
    // Prepare: the first receive is throttled, the first delete and the first invoke fail with a 5xx.
    serveQueue(fake, [{ id: "m1", body: onFailureRecord(repositoryChange("api")) }]);
    fake.once("sqs", "ReceiveMessage", () => throttling());
    fake.once("sqs", "DeleteMessage", () => serverError());
    fake.once("lambda", "Invoke", () => serverError("ServiceException", "Lambda was unable to process"));
    fake.on("lambda", "Invoke", () => ok({ evaluations: [] }));
    const clock = fakeTimers();
    try {
      // Act: the project's retry settings (no maxAttempts override), on a fake clock for their backoff.
      const out = collector();
      const run = main(
        ["replay", "--queue-url", QUEUE_URL],
        { stdout: out.sink, stderr: collector().sink },
        {
          clientConfig: {
            endpoint: fake.endpoint,
            credentials: { accessKeyId: "AKID", secretAccessKey: "s" },
          },
          env: {},
        },
      );
      const outcome = await onFakeClock(clock, run, { stepMs: 100 });

      // Assess
      expect(outcome.settled === "resolved" ? outcome.value : outcome).to.equal(0);
      expect(fake.calls("Invoke")).to.have.length(2);
      expect(fake.calls("ReceiveMessage").length).to.be.at.least(2);
      expect(deleted(fake)).to.deep.equal(["receipt-m1", "receipt-m1"]);
      expect(out.text()).to.include("1 message(s): 1 replayed");
    } finally {
      clock.restore();
    }
  });

  it("keeps the message when Invoke itself is refused", async () => {
    serveQueue(fake, [{ id: "m1", body: onFailureRecord(repositoryChange("api")) }]);
    fake.on("lambda", "Invoke", () => accessDenied("not authorized to perform lambda:InvokeFunction"));
    const { status, out } = await replay(["--queue-url", QUEUE_URL]);
    expect(status).to.equal(1);
    expect(deleted(fake)).to.deep.equal([]);
    expect(out).to.include("lambda:Invoke failed: AccessDeniedException");
  });

  it("names the alternative when Config no longer accepts the record's result token", async () => {
    serveQueue(fake, [{ id: "old", body: onFailureRecord(repositoryChange("api")) }]);
    fake.on("lambda", "Invoke", () =>
      functionError({
        errorType: "EvaluationDeliveryError",
        errorMessage:
          "PutEvaluations failed for 1 evaluation(s): InvalidResultTokenException: The resultToken is invalid.",
      }),
    );
    const { status, out } = await replay(["--queue-url", QUEUE_URL]);
    expect(status).to.equal(1);
    expect(deleted(fake)).to.deep.equal([]);
    expect(out).to.include(
      'aws configservice start-config-rules-evaluation --config-rule-names ecr-repository-policy-trusted"',
    );
  });

  it("reports and keeps messages that are not on-failure records, and invokes nothing for them", async () => {
    // Prepare
    serveQueue(fake, [
      { id: "text", body: "hello" },
      { id: "other", body: JSON.stringify({ Records: [] }) },
      { id: "no-event", body: onFailureRecord({ hello: "world" }) },
      {
        id: "not-lambda",
        body: onFailureRecord(repositoryChange("api"), "arn:aws:sqs:eu-west-1:111122223333:q"),
      },
    ]);

    // Act
    const { status, out } = await replay(["--queue-url", QUEUE_URL]);

    // Assess
    expect(status).to.equal(1);
    expect(invoked(fake)).to.have.length(0);
    expect(deleted(fake)).to.deep.equal([]);
    expect(out).to.include("bad-record\t-\t-\tthe body is not JSON");
    expect(out).to.include("requestContext.functionArn is missing: not a Lambda on-failure record");
    expect(out).to.include("requestPayload is not a Config rule event (no invokingEvent)");
    expect(out).to.include("is not a Lambda function ARN");
    expect(out).to.include("4 message(s): 4 bad-record");
  });

  it("lists what it would replay with --dry-run, invoking and deleting nothing", async () => {
    serveQueue(fake, [{ id: "m1", body: onFailureRecord(repositoryChange("api")) }]);
    const { status, out } = await replay(["--queue-url", QUEUE_URL, "--dry-run"]);
    expect(status).to.equal(0);
    expect(invoked(fake)).to.have.length(0);
    expect(deleted(fake)).to.deep.equal([]);
    expect(out).to.include(
      "would-replay\tecr-access-rules-dev-ecr-repository-policy-trusted\tAWS::ECR::Repository api",
    );
    expect(fake.calls("ReceiveMessage")[0]?.input.VisibilityTimeout).to.equal(30);
  });

  it("handles at most --max messages, asking the queue for no more than that", async () => {
    serveQueue(
      fake,
      Array.from({ length: 25 }, (_, i) => ({
        id: `m${i}`,
        body: onFailureRecord(repositoryChange(`r${i}`)),
      })),
    );
    fake.on("lambda", "Invoke", () => ok({}));
    const { status } = await replay(["--queue-url", QUEUE_URL, "--max", "12"]);
    expect(status).to.equal(0);
    expect(invoked(fake)).to.have.length(12);
    expect(fake.calls("ReceiveMessage").map((c) => c.input.MaxNumberOfMessages)).to.deep.equal([10, 2]);
  });

  it("prints the results as JSON with --json", async () => {
    serveQueue(fake, [{ id: "m1", body: onFailureRecord(repositoryChange("api")) }]);
    fake.on("lambda", "Invoke", () => ok({}));
    const { out } = await replay(["--queue-url", QUEUE_URL, "--json"]);
    const parsed = JSON.parse(out);
    expect(parsed.results).to.deep.equal([
      {
        messageId: "m1",
        function: "ecr-access-rules-dev-ecr-repository-policy-trusted",
        resource: "AWS::ECR::Repository api",
        outcome: "replayed",
      },
    ]);
    expect(parsed.summary.replayed).to.equal(1);
  });

  it("says the queue is empty when it hands out nothing", async () => {
    serveQueue(fake, []);
    const { status, out } = await replay(["--queue-url", QUEUE_URL]);
    expect(status).to.equal(0);
    expect(out).to.include("0 message(s): the queue is empty");
  });

  it("fails with status 2 naming the call when the queue cannot be read", async () => {
    fake.on("sqs", "ReceiveMessage", () =>
      awsError(400, "AWS.SimpleQueueService.NonExistentQueue", "no queue"),
    );
    const { status, err } = await replay(["--queue-url", QUEUE_URL]);
    expect(status).to.equal(2);
    expect(err).to.include(`sqs:ReceiveMessage on ${QUEUE_URL} failed`);
  });

  const badArguments: Array<[string, readonly string[], string]> = [
    ["no --queue-url", [], "give --queue-url URL"],
    ["a --max of 0", ["--queue-url", QUEUE_URL, "--max", "0"], '--max "0"'],
    ["an unknown option", ["--queue-url", QUEUE_URL, "--nope"], "Unknown option"],
  ];
  for (const [what, args, message] of badArguments) {
    it(`answers ${what} with status 2`, async () => {
      const { status, err } = await replay(args);
      expect(status).to.equal(2);
      expect(err).to.include(message);
      expect(fake.requests).to.deep.equal([]);
    });
  }

  it("prints its help with --help", async () => {
    const { status, out } = await replay(["--help"]);
    expect(status).to.equal(0);
    expect(out).to.include("--queue-url URL").and.include("start-config-rules-evaluation");
  });

  it("reads a record's function, region, resource and rule name", () => {
    const record = failureRecord(onFailureRecord(repositoryChange("api")));
    expect(record).to.deep.include({
      functionName: "ecr-access-rules-dev-ecr-repository-policy-trusted",
      region: "eu-west-1",
      accountId: ACCOUNT,
      resource: "AWS::ECR::Repository api",
      ruleName: "ecr-repository-policy-trusted",
    });
  });
});
