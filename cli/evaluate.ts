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
import { type Evaluation, toEvaluation } from "../shared/config/evaluation.js";
import { EcrAccessRulesError } from "../shared/errors.js";
import { evaluateEvent, resolveDeps } from "../shared/runtime/handler.js";
import { silentLogger } from "../shared/runtime/logger.js";
import { formatTable, inputErrorMessage } from "./analyze.js";
import type { CliIo, ExitStatus } from "./common.js";
import { commandFailure, isArgumentError, PROGRAM } from "./common.js";

export const EVALUATE_USAGE = `Usage: ${PROGRAM} evaluate --rule NAME --event FILE [options]

Runs one rule on one AWS Config event (the Lambda event, as JSON) and prints the evaluations it would put.
Nothing is sent to Config. Facts the event does not carry (an oversized item, the registry scanning
configuration) are read from AWS with the default credentials, or from --snapshot.

Options:
  --rule NAME          ${RULES.map((rule) => rule.name).join(", ")}
  --event FILE         the Config event
  --parameters JSON    rule parameters, replacing the event's ruleParameters ('{"trustedAccountIds":"…"}')
  --snapshot FILE      an account snapshot (see README) instead of AWS reads
  --json               print JSON
  --exit-zero          exit 0 whatever the verdicts
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
  const { fail, argumentError } = commandFailure("evaluate", io);
  let values: ReturnType<typeof parse>["values"];
  try {
    ({ values } = parse(args));
  } catch (error) {
    if (!isArgumentError(error)) throw error;
    return fail(argumentError(error));
  }
  if (values.help === true) {
    io.stdout.write(EVALUATE_USAGE);
    return 0;
  }
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
    const outcome = await evaluateEvent(rule, raw, deps);
    const evaluations = outcome.verdicts.map(toEvaluation);
    io.stdout.write(values.json === true ? formatJson(evaluations) : formatHuman(evaluations));
    if (values["exit-zero"] === true) return 0;
    return evaluations.some((e) => e.ComplianceType === "NON_COMPLIANT") ? 1 : 0;
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
      json: { type: "boolean" },
      "exit-zero": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

function formatJson(evaluations: readonly Evaluation[]): string {
  return `${JSON.stringify({ evaluations: evaluations.map(evaluationJson) }, null, 2)}\n`;
}

function formatHuman(evaluations: readonly Evaluation[]): string {
  if (evaluations.length === 0) return "No evaluation (the rule does not run on this message type).\n";
  const rows = [
    ["resource type", "resource id", "compliance", "annotation"],
    ...evaluations.map((e) => [
      e.ComplianceResourceType,
      e.ComplianceResourceId,
      e.ComplianceType,
      e.Annotation ?? "",
    ]),
  ];
  return formatTable(rows);
}
