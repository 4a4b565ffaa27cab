/**
 * Sending the handlers' findings to Security Hub (docs/config-contract.md#security-hub):
 * `BatchImportFindings` in calls of at most 100 findings, in order.
 *
 * Retries are split as for `PutEvaluations`: throttling, 5xx and network faults are retried by the SDK
 * client itself (adaptive mode, shared/aws/client-settings.ts). What only this module can do is handle an
 * answer that lists `FailedFindings`: exactly those findings (by `Id`) are sent again, for at most `rounds`
 * sends of a batch. A failed entry whose `Id` matches no finding of the send leaves unknown what was
 * imported, so the whole batch is sent again. When the SDK gives up, or the rounds run out,
 * `FindingsDeliveryError` fails the invocation: Lambda retries it, and then hands it to the function's
 * on-failure destination, so a finding is never silently dropped.
 *
 * The Security Hub SDK is imported on the first send, and its client built then: in the Lambda bundles
 * it is a chunk of its own (serverless.yml's `splitting`), so a function with findings off never parses
 * it. (In a bundle of one file a lazy import saves nothing: the cost is parsing the file, not running it.)
 */
import type {
  AwsSecurityFinding,
  BatchImportFindingsCommandOutput,
  SecurityHubClient,
} from "@aws-sdk/client-securityhub";
import type { ClientFactory, ClientTarget } from "../aws/clients.js";
import { EcrAccessRulesError } from "../errors.js";

/** Findings per `BatchImportFindings` call: Security Hub's own limit. */
export const FINDINGS_BATCH_SIZE = 100;

/** Sends of one batch, the first included, while Security Hub answers with `FailedFindings`. */
export const DEFAULT_FINDINGS_ROUNDS = 3;

/**
 * Findings could not be imported; the invocation fails so that it is retried (and, after Lambda's
 * retries, kept by the on-failure destination). `cause` holds the SDK's error when the call itself
 * failed; `unimported` counts the findings not known imported.
 */
export class FindingsDeliveryError extends EcrAccessRulesError {
  readonly unimported: number;
  constructor(message: string, unimported: number, options?: { cause?: unknown }) {
    super(message, options);
    this.unimported = unimported;
  }
}

/** Where findings go. */
export interface FindingsReporter {
  report(findings: readonly AwsSecurityFinding[]): Promise<void>;
}

export interface SecurityHubReporterOptions {
  /** Sends per batch while Security Hub answers with `FailedFindings`; default `DEFAULT_FINDINGS_ROUNDS`. */
  readonly rounds?: number;
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
 * Imports findings into Security Hub with `BatchImportFindings`, through a client whose own retry
 * strategy handles throttling and server faults. `client` gives the client on the first send.
 *
 * @example
 * await new SecurityHubReporter(async () => securityHubClient).report(findings);
 */
export class SecurityHubReporter implements FindingsReporter {
  private readonly rounds: number;

  constructor(
    private readonly client: () => Promise<SecurityHubClient>,
    options: SecurityHubReporterOptions = {},
  ) {
    this.rounds = Math.max(1, options.rounds ?? DEFAULT_FINDINGS_ROUNDS);
  }

  async report(findings: readonly AwsSecurityFinding[]): Promise<void> {
    if (findings.length === 0) return;
    const [client, { BatchImportFindingsCommand }] = await Promise.all([
      this.client(),
      import("@aws-sdk/client-securityhub"),
    ]);
    const send = (batch: readonly AwsSecurityFinding[]) =>
      client.send(new BatchImportFindingsCommand({ Findings: [...batch] }));
    for (let start = 0; start < findings.length; start += FINDINGS_BATCH_SIZE) {
      await this.sendBatch(findings.slice(start, start + FINDINGS_BATCH_SIZE), send);
    }
  }

  private async sendBatch(
    batch: readonly AwsSecurityFinding[],
    send: (batch: readonly AwsSecurityFinding[]) => Promise<BatchImportFindingsCommandOutput>,
  ): Promise<void> {
    let pending: readonly AwsSecurityFinding[] = batch;
    let problem = "";
    for (let round = 1; round <= this.rounds; round += 1) {
      let failed: ReadonlyArray<{
        readonly Id?: string | undefined;
        readonly ErrorCode?: string | undefined;
      }>;
      try {
        const response = await send(pending);
        failed = response.FailedFindings ?? [];
        // A count of failures without their entries says nothing of which ones: send the batch again.
        if (failed.length === 0 && (response.FailedCount ?? 0) > 0) failed = [{}];
      } catch (error) {
        throw new FindingsDeliveryError(
          `BatchImportFindings failed for ${pending.length} finding(s)${attemptsOf(error)}: ${describe(error)}`,
          pending.length,
          { cause: error },
        );
      }
      if (failed.length === 0) return;
      const ids = new Set(pending.map((finding) => finding.Id));
      const unknown = failed.filter((entry) => entry.Id === undefined || !ids.has(entry.Id));
      const codes = [...new Set(failed.map((entry) => entry.ErrorCode ?? "no error code"))].join(", ");
      problem =
        unknown.length === 0
          ? `Security Hub returned ${failed.length} FailedFindings (${codes})`
          : `Security Hub returned ${failed.length} FailedFindings (${codes}), ${unknown.length} of them matching no finding sent, so the whole batch was sent again`;
      // Only when every failed entry names a finding of this send is the rest known imported.
      if (unknown.length === 0) {
        const again = new Set(failed.map((entry) => entry.Id));
        pending = pending.filter((finding) => again.has(finding.Id));
      }
    }
    throw new FindingsDeliveryError(
      `BatchImportFindings did not import ${pending.length} finding(s) in ${this.rounds} sends (last: ${problem})`,
      pending.length,
    );
  }
}

/**
 * The reporter of `target`'s findings, through its Security Hub client (built on first use, with the
 * project's retry settings).
 *
 * @example
 * await securityHubReporter(clients, target).report(findings);
 */
export function securityHubReporter(clients: ClientFactory, target: ClientTarget): SecurityHubReporter {
  return new SecurityHubReporter(async () => {
    const { SecurityHubClient } = await import("@aws-sdk/client-securityhub");
    return clients.client(SecurityHubClient, "SecurityHub", target);
  });
}
