/**
 * Delivering evaluations (SPEC §6): `PutEvaluations` in batches of at most 100, `TestMode` for the
 * `TESTMODE` result token, retries with exponential backoff on throttling, 5xx and network faults,
 * `FailedEvaluations` re-sent, and an error when retries run out — an evaluation is never silently dropped.
 */
import { type ConfigServiceClient, PutEvaluationsCommand } from "@aws-sdk/client-config-service";
import { EcrAccessRulesError } from "../errors.js";
import type { Evaluation } from "./evaluation.js";

export const BATCH_SIZE = 100;

/** Evaluations could not be delivered; the invocation must fail so that Config retries it. */
export class EvaluationDeliveryError extends EcrAccessRulesError {
  readonly undelivered: number;
  constructor(message: string, undelivered: number, options?: { cause?: unknown }) {
    super(message, options);
    this.undelivered = undelivered;
  }
}

/** Where evaluations go: Config, or (for the command line) a printer. */
export interface EvaluationReporter {
  report(evaluations: readonly Evaluation[], resultToken: string): Promise<void>;
}

export interface RetryOptions {
  /** Attempts per batch, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** In [0, 1): the jitter source. */
  readonly random: () => number;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 6,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

const THROTTLING = new Set([
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "LimitExceededException",
  "RequestThrottled",
  "SlowDown",
]);

/**
 * Whether an AWS SDK error is worth retrying: throttling, a server fault (5xx), or a network fault that
 * never reached a response.
 *
 * @example
 * isRetryable(Object.assign(new Error("x"), { name: "ThrottlingException" })); // true
 */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (THROTTLING.has(error.name)) return true;
  const status = httpStatusOf(error);
  if (field(error, "$fault") === "server" || (status !== undefined && status >= 500)) return true;
  const code = field(error, "code");
  return (
    status === undefined &&
    (["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE"].includes(String(code)) ||
      error.name === "TimeoutError")
  );
}

function field(value: object, name: string): unknown {
  const found: unknown = Reflect.get(value, name);
  return found;
}

/** The HTTP status an AWS SDK error carries in `$metadata`, if any. */
export function httpStatusOf(error: Error): number | undefined {
  const meta = field(error, "$metadata");
  if (typeof meta !== "object" || meta === null) return undefined;
  const status = field(meta, "httpStatusCode");
  return typeof status === "number" ? status : undefined;
}

function sameEvaluation(
  a: Evaluation,
  b: { ComplianceResourceType?: string | undefined; ComplianceResourceId?: string | undefined },
): boolean {
  return (
    a.ComplianceResourceType === b.ComplianceResourceType && a.ComplianceResourceId === b.ComplianceResourceId
  );
}

/**
 * Reports evaluations to AWS Config with `PutEvaluations`.
 *
 * @example
 * await new PutEvaluationsReporter(configClient).report(evaluations, event.resultToken);
 */
export class PutEvaluationsReporter implements EvaluationReporter {
  private readonly retry: RetryOptions;

  constructor(
    private readonly client: ConfigServiceClient,
    retry: Partial<RetryOptions> = {},
  ) {
    this.retry = { ...DEFAULT_RETRY, ...retry };
  }

  async report(evaluations: readonly Evaluation[], resultToken: string): Promise<void> {
    for (let start = 0; start < evaluations.length; start += BATCH_SIZE) {
      await this.deliver(evaluations.slice(start, start + BATCH_SIZE), resultToken);
    }
  }

  private delay(attempt: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (ceiling / 2) * this.retry.random());
  }

  private async deliver(batch: readonly Evaluation[], resultToken: string): Promise<void> {
    let pending: readonly Evaluation[] = batch;
    let lastProblem = "";
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.retry.maxAttempts; attempt += 1) {
      if (attempt > 1) await this.retry.sleep(this.delay(attempt - 1));
      try {
        const response = await this.client.send(
          new PutEvaluationsCommand({
            Evaluations: [...pending],
            ResultToken: resultToken,
            ...(resultToken === "TESTMODE" ? { TestMode: true } : {}),
          }),
        );
        const failed = response.FailedEvaluations ?? [];
        if (failed.length === 0) return;
        // Re-send exactly the evaluations Config reports as failed.
        pending = pending.filter((evaluation) => failed.some((f) => sameEvaluation(evaluation, f)));
        lastProblem = `Config returned ${failed.length} FailedEvaluations`;
        if (pending.length === 0) return;
      } catch (error) {
        if (!isRetryable(error)) {
          throw new EvaluationDeliveryError(
            `PutEvaluations failed for ${pending.length} evaluation(s): ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
            pending.length,
            { cause: error },
          );
        }
        lastError = error;
        lastProblem = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
    }
    throw new EvaluationDeliveryError(
      `PutEvaluations did not deliver ${pending.length} evaluation(s) after ${this.retry.maxAttempts} attempts (last: ${lastProblem})`,
      pending.length,
      { cause: lastError },
    );
  }
}
