/**
 * `ecr-access-rules evaluate --rule NAME --event FILE` (docs/command-line.md#evaluate): runs one rule on one Config event through
 * the same code path as the Lambda handler and prints the evaluations it would put, calling no
 * `PutEvaluations`. Facts the event does not carry come from AWS (default credential chain, read-only
 * calls) or from `--snapshot FILE`.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { RULES, ruleByName } from "../rules/index.js";
import { ALL_READERS } from "../shared/account/readers.js";
import { parseSnapshot, SnapshotAccountFacts } from "../shared/account/snapshot.js";
import { type BaseClientConfig, ClientFactory } from "../shared/aws/clients.js";
import type { Evaluation } from "../shared/config/evaluation.js";
import { triggerOf } from "../shared/config/trigger.js";
import { EcrAccessRulesError } from "../shared/errors.js";
import { evaluateEvent, resolveDeps } from "../shared/runtime/handler.js";
import { silentLogger } from "../shared/runtime/logger.js";
import { formatTable, inputErrorMessage } from "./analyze.js";
import type { CliIo, ExitStatus } from "./common.js";
import { PROGRAM, programVersion, startCommand } from "./common.js";
import { type Finding, type Report, type ResourceNames, toFinding } from "./finding.js";
import {
  exitStatus,
  filtered,
  REPORT_OPTIONS,
  REPORT_USAGE,
  reportChoice,
  writeReport,
} from "./report-options.js";

export const EVALUATE_USAGE = `Usage: ${PROGRAM} evaluate --rule NAME --event FILE [options]

Runs one rule on one AWS Config event (the Lambda event, as JSON) and prints the evaluations it would put.
Nothing is sent to Config. Facts the event does not carry (an oversized item, the registry scanning
configuration) are read from AWS with the default credentials, or from --snapshot.

Options:
  --rule NAME          ${RULES.map((rule) => rule.name).join(", ")}
  --event FILE         the Config event
  --parameters JSON    rule parameters, replacing the event's ruleParameters ('{"trustedAccountIds":"…"}')
  --snapshot FILE      an account snapshot (see README) instead of AWS reads
${REPORT_USAGE}
  -h, --help           show this help

Exit status: 0 no NON_COMPLIANT evaluation, 1 some, 2 bad input or a failed read.
`;

/** One evaluation in `--json` output (docs/command-line.md#evaluate). */
export interface EvaluationJson {
  readonly complianceResourceType: string;
  readonly complianceResourceId: string;
  readonly complianceType: string;
  readonly annotation?: string;
  readonly orderingTimestamp: string;
}

/**
 * The `--json` form of an evaluation.
 *
 * @example
 * evaluationJson(toEvaluation(resourceVerdict)).complianceType; // "NON_COMPLIANT"
 */
export function evaluationJson(evaluation: Evaluation): EvaluationJson {
  return {
    complianceResourceType: evaluation.ComplianceResourceType,
    complianceResourceId: evaluation.ComplianceResourceId,
    complianceType: evaluation.ComplianceType,
    ...(evaluation.Annotation === undefined ? {} : { annotation: evaluation.Annotation }),
    orderingTimestamp: evaluation.OrderingTimestamp.toISOString(),
  };
}

function readJson(file: string, what: string): unknown {
  const text = readFileSync(file, "utf8");
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new EcrAccessRulesError(
      `${what} ${file} is not valid JSON: ${cause instanceof Error ? cause.message : cause}`,
    );
  }
}

/** Options the tests set; defaults suit a person at a terminal. */
export interface EvaluateOptions {
  /** Client settings (tests point `endpoint` at a fake of AWS). */
  readonly clientConfig?: BaseClientConfig;
  /** The environment (NO_COLOR, COLUMNS); default: the process's. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs `evaluate` and returns the exit status.
 *
 * @example
 * await runEvaluate(["--rule", "ecr-repository-policy-trusted", "--event", "event.json", "--json"], io);
 */
export async function runEvaluate(
  args: readonly string[],
  io: CliIo,
  options: EvaluateOptions = {},
): Promise<ExitStatus> {
  const start = startCommand("evaluate", io, EVALUATE_USAGE, () => parse(args));
  if (start.kind === "done") return start.status;
  const { fail } = start;
  const { values } = start.parsed;
  if (values.rule === undefined) return fail("--rule is required");
  if (values.event === undefined) return fail("--event is required");
  const rule = ruleByName(values.rule);
  if (rule === undefined) {
    return fail(
      `--rule: no rule named ${JSON.stringify(values.rule)} (rules: ${RULES.map((r) => r.name).join(", ")})`,
    );
  }
  try {
    const event = readJson(values.event, "--event");
    let parameters: unknown;
    if (values.parameters !== undefined) {
      try {
        parameters = JSON.parse(values.parameters);
      } catch (cause) {
        return fail(`--parameters is not valid JSON: ${cause instanceof Error ? cause.message : cause}`);
      }
    }
    const raw =
      parameters === undefined || typeof event !== "object" || event === null
        ? event
        : { ...event, ruleParameters: JSON.stringify(parameters) };
    const snapshot =
      values.snapshot === undefined ? undefined : parseSnapshot(readJson(values.snapshot, "--snapshot"));
    const deps = resolveDeps(ALL_READERS, {
      clients: new ClientFactory(options.clientConfig ?? {}),
      logger: silentLogger,
      assumeRoleName: undefined,
      ...(snapshot === undefined ? {} : { facts: () => new SnapshotAccountFacts(snapshot) }),
    });
    const choice = reportChoice(values);
    const outcome = await evaluateEvent(rule, raw, deps);
    const trigger = triggerOf(outcome.event);
    const item = trigger.kind === "change" ? trigger.item : undefined;
    const names = (type: string, id: string): ResourceNames | undefined =>
      item !== undefined && item.resourceType === type && item.resourceId === id
        ? {
            resourceName: "resourceName" in item ? item.resourceName : undefined,
            resourceArn: "arn" in item ? item.arn : undefined,
          }
        : undefined;
    const findings = outcome.verdicts.map((verdict) =>
      toFinding(rule, verdict, outcome.target, names(verdict.resourceType, verdict.resourceId)),
    );
    const report: Report = filtered(
      {
        rules: [rule],
        findings,
        skipped: [],
        failures: [],
        generatedAt: new Date(),
        version: programVersion(),
      },
      choice,
    );
    if (choice.formats.length === 1 && choice.formats[0] === "text" && choice.outputs.length === 0) {
      io.stdout.write(formatHuman(report.findings));
    } else writeReport(report, choice, io, options.env ?? process.env);
    return exitStatus(report, choice);
  } catch (error) {
    const message = inputErrorMessage(error);
    if (message === undefined) throw error;
    return fail(error instanceof EcrAccessRulesError ? message : `${values.event}: ${message}`);
  }
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: false,
    strict: true,
    options: {
      rule: { type: "string" },
      event: { type: "string" },
      parameters: { type: "string" },
      snapshot: { type: "string" },
      ...REPORT_OPTIONS,
      help: { type: "boolean", short: "h" },
    },
  });
}

function formatHuman(findings: readonly Finding[]): string {
  if (findings.length === 0) return "No evaluation (the rule does not run on this message type).\n";
  const rows = [
    ["resource type", "resource id", "compliance", "annotation"],
    ...findings.map((f) => [f.resourceType, f.resourceId, f.status, f.explanation ?? ""]),
  ];
  return formatTable(rows);
}
