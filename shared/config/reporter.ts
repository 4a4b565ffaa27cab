/**
 * Delivering evaluations (see docs/config-contract.md): `PutEvaluations` in batches of at most 100, with
 * `TestMode` for the `TESTMODE` result token.
 *
 * Throttling, 5xx and network faults are retried by the SDK client itself, with backoff, in adaptive mode
 * (shared/aws/client-settings.ts): this module does not retry errors. What only it can do is handle a
 * response that names `FailedEvaluations`: those evaluations are sent again, for at most `rounds` sends
 * per batch. A failed entry that matches no evaluation of the batch (by resource type and id) leaves
 * unknown what was delivered, so the whole batch is sent again. When the SDK gives up, or the rounds run
 * out, `EvaluationDeliveryError` fails the invocation and Config retries it: an evaluation is never
 * silently dropped, and success is never reported without Config's word for it.
 */
import { type ConfigServiceClient, PutEvaluationsCommand } from "@aws-sdk/client-config-service";
import { EcrAccessRulesError } from "../errors.js";
import type { Evaluation } from "./evaluation.js";

export const BATCH_SIZE = 100;

/** Sends of one batch, the first included, while Config answers with `FailedEvaluations`. */
export const DEFAULT_ROUNDS = 3;

/**
 * Evaluations could not be delivered; the invocation must fail so that Config retries it. `cause` holds
 * the SDK's error when the call itself failed; `undelivered` counts the evaluations not known delivered.
 */
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

export interface ReporterOptions {
  /** Sends per batch while Config answers with `FailedEvaluations`; default `DEFAULT_ROUNDS`. */
  readonly rounds?: number;
}

/** What a `FailedEvaluations` entry says of its evaluation (any field may be missing). */
interface FailedEntry {
  readonly ComplianceResourceType?: string | undefined;
  readonly ComplianceResourceId?: string | undefined;
}

function sameResource(a: Evaluation, b: FailedEntry): boolean {
  return (
    a.ComplianceResourceType === b.ComplianceResourceType && a.ComplianceResourceId === b.ComplianceResourceId
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** " after N attempts" when the SDK recorded how many it made. */
function attemptsOf(error: unknown): string {
  if (typeof error !== "object" || error === null) return "";
  const metadata: unknown = Reflect.get(error, "$metadata");
  if (typeof metadata !== "object" || metadata === null) return "";
  const attempts: unknown = Reflect.get(metadata, "attempts");
  return typeof attempts === "number" ? ` after ${attempts} attempt(s)` : "";
}

/**
 * Reports evaluations to AWS Config with `PutEvaluations`, through a client whose own retry strategy
 * handles throttling and server faults.
 *
 * @example
 * await new PutEvaluationsReporter(configClient).report(evaluations, event.resultToken);
 */
export class PutEvaluationsReporter implements EvaluationReporter {
  private readonly rounds: number;

  constructor(
    private readonly client: ConfigServiceClient,
    options: ReporterOptions = {},
  ) {
    this.rounds = Math.max(1, options.rounds ?? DEFAULT_ROUNDS);
  }

  async report(evaluations: readonly Evaluation[], resultToken: string): Promise<void> {
    for (let start = 0; start < evaluations.length; start += BATCH_SIZE) {
      await this.deliver(evaluations.slice(start, start + BATCH_SIZE), resultToken);
    }
  }

  private async deliver(batch: readonly Evaluation[], resultToken: string): Promise<void> {
    let pending: readonly Evaluation[] = batch;
    let problem = "";
    for (let round = 1; round <= this.rounds; round += 1) {
      let failed: readonly FailedEntry[];
      try {
        const response = await this.client.send(
          new PutEvaluationsCommand({
            Evaluations: [...pending],
            ResultToken: resultToken,
            ...(resultToken === "TESTMODE" ? { TestMode: true } : {}),
          }),
        );
        failed = response.FailedEvaluations ?? [];
      } catch (error) {
        throw new EvaluationDeliveryError(
          `PutEvaluations failed for ${pending.length} evaluation(s)${attemptsOf(error)}: ${describe(error)}`,
          pending.length,
          { cause: error },
        );
      }
      if (failed.length === 0) return;
      const named = pending.filter((evaluation) => failed.some((entry) => sameResource(evaluation, entry)));
      const unknown = failed.filter(
        (entry) => !pending.some((evaluation) => sameResource(evaluation, entry)),
      );
      problem =
        unknown.length === 0
          ? `Config returned ${failed.length} FailedEvaluations`
          : `Config returned ${failed.length} FailedEvaluations, ${unknown.length} of them matching no evaluation sent, so the whole batch was sent again`;
      // Only when every failed entry names an evaluation of this send is the rest known delivered.
      if (unknown.length === 0) pending = named;
    }
    throw new EvaluationDeliveryError(
      `PutEvaluations did not deliver ${pending.length} evaluation(s) in ${this.rounds} sends (last: ${problem})`,
      pending.length,
    );
  }
}
