/**
 * `ecr-access-rules replay --queue-url URL` (docs/command-line.md#replay): re-runs the invocations the
 * functions' on-failure queue holds. Each message is a Lambda on-failure destination record
 * (`requestContext.functionArn`, `requestPayload` = the Config event); the function it names is invoked
 * again with that event, synchronously (`RequestResponse`), and the message is deleted only when the
 * function succeeded. A failed invocation and a message that is not such a record are reported and kept.
 *
 * Config's result token may be refused when old (`InvalidResultTokenException` from the function's
 * `PutEvaluations`; AWS does not document how long a token lives): such a record is reported with the
 * alternative, a new evaluation of the rule (`aws configservice start-config-rules-evaluation`), which
 * re-evaluates every resource now that every rule has a periodic run.
 */
import { parseArgs } from "node:util";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { DeleteMessageCommand, type Message, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { fromIni } from "@aws-sdk/credential-providers";
import {
  type BaseClientConfig,
  ClientFactory,
  type ClientSettings,
  type ClientTarget,
} from "../shared/aws/clients.js";
import { parseConfigEvent } from "../shared/config/event.js";
import { isObj } from "../shared/config/read.js";
import { EcrAccessRulesError } from "../shared/errors.js";
import type { CliIo, ExitStatus } from "./common.js";
import { PROGRAM, startCommand } from "./common.js";
import { profileRegion } from "./input.js";

export const REPLAY_USAGE = `Usage: ${PROGRAM} replay --queue-url URL [options]

Re-runs what the functions' on-failure queue holds (the stack's output FailedEvaluationsQueueUrl): each
message is a Lambda on-failure record; the function it names is invoked again with the original Config
event (synchronously), and the message is deleted only when that invocation succeeds. Failed invocations
and messages that are not on-failure records are reported and kept.

Options:
  --queue-url URL      the SQS queue to read
  --region NAME        the queue's region (default: the one in the URL, else AWS_REGION or the profile's)
  --profile NAME       the credentials of a profile of the shared AWS files
  --max N              handle at most N messages (default: every message the queue hands out)
  --dry-run            list what would be replayed: invoke nothing, delete nothing
  --json               print the results as JSON
  -h, --help           show this help

A record whose result token Config no longer accepts cannot be replayed: re-evaluate its rule instead,
  aws configservice start-config-rules-evaluation --config-rule-names RULE

Exit status: 0 every message replayed (or none to replay), 1 a message was kept (failed or not a record),
2 bad input or the queue could not be read.
`;

/**
 * Seconds a received message stays hidden: longer than the ten function runs of one receive (300 s
 * each, the most a function may take), so no message of a batch shows again while the batch is replayed.
 */
export const REPLAY_VISIBILITY_TIMEOUT_S = 3600;
/** Seconds a dry run hides what it lists, so it lists each message once and leaves it soon after. */
export const DRY_RUN_VISIBILITY_TIMEOUT_S = 30;

export interface ReplayOptions {
  readonly clientConfig?: BaseClientConfig;
  readonly env?: NodeJS.ProcessEnv;
}

/** What happened to one message. */
export type ReplayOutcome = "replayed" | "would-replay" | "failed" | "not-deleted" | "bad-record";

const OUTCOMES: readonly ReplayOutcome[] = [
  "replayed",
  "would-replay",
  "failed",
  "not-deleted",
  "bad-record",
];

export interface ReplayResult {
  readonly messageId: string;
  /** The function's name, or `undefined` for a message that names none. */
  readonly function: string | undefined;
  /** `TYPE ID` of the evaluated resource, or `periodic` for a scheduled run. */
  readonly resource: string | undefined;
  readonly outcome: ReplayOutcome;
  readonly detail?: string;
}

/** The parts of an on-failure record that replay uses. */
interface FailureRecord {
  readonly functionArn: string;
  readonly functionName: string;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly payload: Record<string, unknown>;
  readonly resource: string | undefined;
  readonly ruleName: string | undefined;
}

const FUNCTION_ARN =
  /^arn:(aws[a-z-]*):lambda:([a-z0-9-]+):(\d{12}):function:([A-Za-z0-9_-]+)(?::[A-Za-z0-9$_-]+)?$/u;

function describe(cause: unknown): string {
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}

/** What a Config event evaluates: `TYPE ID`, `periodic`, or `undefined` when it cannot be read. */
function resourceOf(payload: unknown): string | undefined {
  try {
    const event = parseConfigEvent(payload);
    switch (event.invoking.messageType) {
      case "ScheduledNotification":
        return "periodic";
      case "ConfigurationItemChangeNotification":
        return `${event.invoking.item.resourceType} ${event.invoking.item.resourceId}`;
      case "OversizedConfigurationItemChangeNotification":
        return `${event.invoking.summary.resourceType} ${event.invoking.summary.resourceId}`;
      default:
        return undefined;
    }
  } catch {
    // The function judges its own event; replay only labels it.
    return undefined;
  }
}

/**
 * Reads a message body as a Lambda on-failure record, or says why it is not one.
 *
 * @example
 * const record = failureRecord(message.Body); // { functionName: "ecr-access-rules-dev-…", resource: "AWS::ECR::Repository api", … }
 */
export function failureRecord(body: string | undefined): FailureRecord | string {
  if (body === undefined || body === "") return "the message has no body";
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return "the body is not JSON";
  }
  if (!isObj(parsed)) return "the body is not a JSON object";
  const context = parsed.requestContext;
  const functionArn = isObj(context) ? context.functionArn : undefined;
  if (typeof functionArn !== "string")
    return "requestContext.functionArn is missing: not a Lambda on-failure record";
  const arn = FUNCTION_ARN.exec(functionArn);
  if (arn === null)
    return `requestContext.functionArn ${JSON.stringify(functionArn)} is not a Lambda function ARN`;
  const payload = parsed.requestPayload;
  if (!isObj(payload)) return "requestPayload is missing or not an object: nothing to replay";
  if (!("invokingEvent" in payload)) return "requestPayload is not a Config rule event (no invokingEvent)";
  const [, partition = "aws", region = "", accountId = "", functionName = ""] = arn;
  return {
    functionArn,
    functionName,
    region,
    accountId,
    partition,
    payload,
    resource: resourceOf(payload),
    ruleName: typeof payload.configRuleName === "string" ? payload.configRuleName : undefined,
  };
}

/** The function's error, from its `Invoke` answer's payload. */
function functionErrorOf(kind: string, payload: Uint8Array | undefined): string {
  const text = payload === undefined ? "" : new TextDecoder().decode(payload);
  try {
    const parsed: unknown = JSON.parse(text);
    if (isObj(parsed) && typeof parsed.errorMessage === "string") {
      const type = typeof parsed.errorType === "string" ? `${parsed.errorType}: ` : "";
      return `${type}${parsed.errorMessage}`;
    }
  } catch {
    // not JSON: shown as it is
  }
  return text === "" ? `function error (${kind})` : text;
}

function tokenHint(detail: string, ruleName: string | undefined): string {
  if (!detail.includes("InvalidResultTokenException")) return detail;
  const rule = ruleName ?? "RULE";
  return `${detail} (Config no longer accepts this result token: re-evaluate instead with "aws configservice start-config-rules-evaluation --config-rule-names ${rule}")`;
}

/** The region in a queue URL (`https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`), and its account. */
function queueParts(url: string): { region: string | undefined; accountId: string | undefined } {
  try {
    const parsed = new URL(url);
    const region = /^sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/u.exec(parsed.hostname)?.[1];
    const accountId = /^\/(\d{12})\//u.exec(parsed.pathname)?.[1];
    return { region, accountId };
  } catch {
    return { region: undefined, accountId: undefined };
  }
}

/**
 * Milliseconds to wait for a synchronous invocation's answer: past the most a function may run (300 s).
 * The project's usual 20 s request timeout would fail (and retry, re-running the function) a periodic
 * sweep that is still working.
 */
export const INVOKE_TIMEOUT_MS = 330_000;

/** The Lambda client's settings: the project's, with the wait of a whole function run. */
function invokeSettings(settings: ClientSettings): ClientSettings {
  return {
    ...settings,
    requestHandler: {
      ...settings.requestHandler,
      requestTimeout: INVOKE_TIMEOUT_MS,
      socketTimeout: INVOKE_TIMEOUT_MS,
    },
  };
}

/** The SQS and Lambda ends replay talks to. */
export interface ReplayClients {
  readonly sqs: SQSClient;
  lambda(record: FailureRecord): LambdaClient;
}

export interface ReplayRun {
  readonly queueUrl: string;
  readonly max: number;
  readonly dryRun: boolean;
  /** Called with each result as it happens. */
  readonly onResult?: (result: ReplayResult) => void;
}

/** The queue could not be read or written: the run stops, with what it did so far reported. */
export class ReplayQueueError extends EcrAccessRulesError {}

async function replayOne(message: Message, clients: ReplayClients, run: ReplayRun): Promise<ReplayResult> {
  const messageId = message.MessageId ?? "(no message id)";
  const record = failureRecord(message.Body);
  if (typeof record === "string") {
    return { messageId, function: undefined, resource: undefined, outcome: "bad-record", detail: record };
  }
  const base = { messageId, function: record.functionName, resource: record.resource };
  if (run.dryRun) return { ...base, outcome: "would-replay" };
  let detail: string | undefined;
  try {
    const answer = await clients.lambda(record).send(
      new InvokeCommand({
        FunctionName: record.functionArn,
        InvocationType: "RequestResponse",
        Payload: new TextEncoder().encode(JSON.stringify(record.payload)),
      }),
    );
    if (answer.FunctionError !== undefined) detail = functionErrorOf(answer.FunctionError, answer.Payload);
    else if (answer.StatusCode !== undefined && answer.StatusCode !== 200)
      detail = `Invoke answered status ${answer.StatusCode}`;
  } catch (cause) {
    detail = `lambda:Invoke failed: ${describe(cause)}`;
  }
  if (detail !== undefined) return { ...base, outcome: "failed", detail: tokenHint(detail, record.ruleName) };
  try {
    await clients.sqs.send(
      new DeleteMessageCommand({ QueueUrl: run.queueUrl, ReceiptHandle: message.ReceiptHandle }),
    );
  } catch (cause) {
    return {
      ...base,
      outcome: "not-deleted",
      detail: `replayed, but sqs:DeleteMessage failed (the message will be received again): ${describe(cause)}`,
    };
  }
  return { ...base, outcome: "replayed" };
}

/**
 * Receives the queue's messages (at most `max`, until the queue hands out none, or only ones already
 * handled) and replays each. Throws {@link ReplayQueueError} when the queue cannot be read.
 *
 * @example
 * const results = await replayQueue(clients, { queueUrl, max: Number.POSITIVE_INFINITY, dryRun: false });
 */
export async function replayQueue(clients: ReplayClients, run: ReplayRun): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  const seen = new Set<string>();
  while (results.length < run.max) {
    let messages: Message[];
    try {
      const answer = await clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: run.queueUrl,
          MaxNumberOfMessages: Math.min(10, run.max - results.length),
          VisibilityTimeout: run.dryRun ? DRY_RUN_VISIBILITY_TIMEOUT_S : REPLAY_VISIBILITY_TIMEOUT_S,
          WaitTimeSeconds: 1,
        }),
      );
      messages = answer.Messages ?? [];
    } catch (cause) {
      throw new ReplayQueueError(`sqs:ReceiveMessage on ${run.queueUrl} failed: ${describe(cause)}`, {
        cause,
      });
    }
    const fresh = messages.filter((m) => !seen.has(m.MessageId ?? m.ReceiptHandle ?? ""));
    if (fresh.length === 0) break;
    for (const message of fresh) {
      if (results.length >= run.max) break;
      seen.add(message.MessageId ?? message.ReceiptHandle ?? "");
      const result = await replayOne(message, clients, run);
      results.push(result);
      run.onResult?.(result);
    }
  }
  return results;
}

function line(result: ReplayResult): string {
  const what = [result.outcome, result.function ?? "-", result.resource ?? "-"].join("\t");
  return `${what}${result.detail === undefined ? "" : `\t${result.detail}`}\n`;
}

function summaryOf(results: readonly ReplayResult[]): Record<ReplayOutcome, number> {
  const out: Record<ReplayOutcome, number> = {
    replayed: 0,
    "would-replay": 0,
    failed: 0,
    "not-deleted": 0,
    "bad-record": 0,
  };
  for (const result of results) out[result.outcome] += 1;
  return out;
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: false,
    strict: true,
    options: {
      "queue-url": { type: "string" },
      region: { type: "string" },
      profile: { type: "string" },
      max: { type: "string" },
      "dry-run": { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

/**
 * Runs `replay` with its arguments and returns the exit status.
 *
 * @example
 * await runReplay(["--queue-url", url, "--dry-run"], io);
 */
export async function runReplay(
  args: readonly string[],
  io: CliIo,
  options: ReplayOptions = {},
): Promise<ExitStatus> {
  const start = startCommand("replay", io, REPLAY_USAGE, () => parse(args));
  if (start.kind === "done") return start.status;
  const { fail } = start;
  const { values } = start.parsed;
  const queueUrl = values["queue-url"];
  if (queueUrl === undefined || queueUrl === "")
    return fail("give --queue-url URL (the stack's output FailedEvaluationsQueueUrl)");
  let max = Number.POSITIVE_INFINITY;
  if (values.max !== undefined) {
    if (!/^[1-9]\d*$/u.test(values.max))
      return fail(`--max ${JSON.stringify(values.max)}: give a whole number of at least 1`);
    max = Number(values.max);
  }
  const env = options.env ?? process.env;
  const fromUrl = queueParts(queueUrl);
  const region =
    values.region ??
    fromUrl.region ??
    env.AWS_REGION ??
    env.AWS_DEFAULT_REGION ??
    profileRegion(values.profile ?? env.AWS_PROFILE ?? "default", env);
  if (region === undefined)
    return fail("no region: --region NAME, a queue URL that names one, or AWS_REGION");
  const base: BaseClientConfig = {
    ...(options.clientConfig ?? {}),
    ...(values.profile !== undefined && options.clientConfig?.credentials === undefined
      ? { credentials: fromIni({ profile: values.profile }) }
      : {}),
  };
  const factory = new ClientFactory(base);
  const queueTarget: ClientTarget = { accountId: fromUrl.accountId ?? "self", region, partition: "aws" };
  const lambdas = new Map<string, LambdaClient>();
  const clients: ReplayClients = {
    sqs: factory.client(SQSClient, "SQS", queueTarget),
    lambda: (record) => {
      let client = lambdas.get(record.region);
      if (client === undefined) {
        client = new LambdaClient(invokeSettings(factory.settings(record)));
        lambdas.set(record.region, client);
      }
      return client;
    },
  };
  const dryRun = values["dry-run"] === true;
  let results: ReplayResult[];
  try {
    results = await replayQueue(clients, {
      queueUrl,
      max,
      dryRun,
      ...(values.json === true ? {} : { onResult: (result: ReplayResult) => io.stdout.write(line(result)) }),
    });
  } catch (error) {
    if (error instanceof ReplayQueueError) return fail(error.message);
    throw error;
  }
  const summary = summaryOf(results);
  if (values.json === true) {
    io.stdout.write(`${JSON.stringify({ queueUrl, dryRun, results, summary }, null, 2)}\n`);
  } else {
    const parts = OUTCOMES.filter((outcome) => summary[outcome] > 0).map(
      (outcome) => `${summary[outcome]} ${outcome}`,
    );
    io.stdout.write(
      `${results.length} message(s): ${parts.length === 0 ? "the queue is empty" : parts.join(", ")}\n`,
    );
  }
  const kept = summary.failed + summary["bad-record"] + summary["not-deleted"];
  return kept > 0 ? 1 : 0;
}
