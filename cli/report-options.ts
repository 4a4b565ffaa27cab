/**
 * The options every command that reports findings shares (docs/command-line.md#formats): `--format`
 * (repeatable), `-o/--output`, the filters (`--severity`, `--resource-type`, `--status`, `--quiet`) and the
 * exit policy (`--fail-on`, `--exit-zero`).
 */
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ComplianceType } from "../shared/config/evaluation.js";
import { EcrAccessRulesError } from "../shared/errors.js";
import { SEVERITIES, type Severity } from "../shared/runtime/rule.js";
import type { CliIo, ExitStatus } from "./common.js";
import type { Finding, Report } from "./finding.js";
import { FILE_NAMES, FORMATS, type Format, isFormat, render } from "./formats/index.js";
import { styleFor, type TerminalSink, widthOf } from "./terminal.js";

/** The `parseArgs` options of a reporting command. */
export const REPORT_OPTIONS = {
  format: { type: "string", multiple: true },
  output: { type: "string", short: "o", multiple: true },
  json: { type: "boolean" },
  severity: { type: "string" },
  "resource-type": { type: "string" },
  status: { type: "string" },
  quiet: { type: "boolean", short: "q" },
  "fail-on": { type: "string" },
  "exit-zero": { type: "boolean" },
} as const;

export const REPORT_USAGE = `Output:
  --format FORMAT      text (default), json, sarif, csv, asff, ocsf; repeat for several
  -o, --output PATH    write to PATH instead of standard output: one file per --format (in the same
                       order), or one directory for all of them (ecr-access-rules.<format>)
  --json               the same as --format json
Filters (applied to every format and to the exit status):
  --severity LIST      only these severities: critical, high, medium, low, informational
  --resource-type LIST only these resource types (AWS::IAM::Role,AWS::ECR::Repository)
  --status LIST        only these verdicts: compliant, non_compliant, not_applicable
  -q, --quiet          only NON_COMPLIANT findings (the same as --status non_compliant)
Exit policy:
  --fail-on SEVERITY   exit 1 only for a NON_COMPLIANT finding at or above SEVERITY (default: any)
  --exit-zero          exit 0 whatever the verdicts`;

export interface ReportValues {
  readonly format?: string[] | undefined;
  readonly output?: string[] | undefined;
  readonly json?: boolean | undefined;
  readonly severity?: string | undefined;
  readonly "resource-type"?: string | undefined;
  readonly status?: string | undefined;
  readonly quiet?: boolean | undefined;
  readonly "fail-on"?: string | undefined;
  readonly "exit-zero"?: boolean | undefined;
}

/** The parsed report options. */
export interface ReportChoice {
  readonly formats: readonly Format[];
  readonly outputs: readonly string[];
  readonly keep: (finding: Finding) => boolean;
  readonly failOn: Severity;
  readonly exitZero: boolean;
}

const STATUSES: Readonly<Record<string, ComplianceType>> = {
  compliant: "COMPLIANT",
  non_compliant: "NON_COMPLIANT",
  not_applicable: "NOT_APPLICABLE",
};

function list(value: string | undefined): string[] | undefined {
  return value
    ?.split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

function severityOf(option: string, value: string): Severity {
  const severity = SEVERITIES.find((s) => s === value.toLowerCase());
  if (severity === undefined) {
    throw new EcrAccessRulesError(`${option}: unknown severity ${value} (${SEVERITIES.join(", ")})`);
  }
  return severity;
}

/**
 * Reads the report options. Throws {@link EcrAccessRulesError} naming a bad value.
 *
 * @example
 * reportChoice({ format: ["sarif"], output: ["out.sarif"], "fail-on": "high" });
 */
export function reportChoice(values: ReportValues): ReportChoice {
  const formats: Format[] = [];
  for (const format of [...(values.format ?? []), ...(values.json === true ? ["json"] : [])]) {
    if (!isFormat(format)) {
      throw new EcrAccessRulesError(`--format: unknown format ${format} (${FORMATS.join(", ")})`);
    }
    if (!formats.includes(format)) formats.push(format);
  }
  if (formats.length === 0) formats.push("text");
  const outputs = values.output ?? [];
  if (outputs.length === 0 && formats.length > 1) {
    throw new EcrAccessRulesError(
      "several --format values need -o: one file per format, or a directory for all of them",
    );
  }
  if (outputs.length > 1 && outputs.length !== formats.length) {
    throw new EcrAccessRulesError(
      `${outputs.length} -o values for ${formats.length} formats: give one file per format, or one directory`,
    );
  }
  const severities = list(values.severity)?.map((s) => severityOf("--severity", s));
  const types = list(values["resource-type"]);
  const statuses = list(values.status)?.map((s) => {
    const status = STATUSES[s.toLowerCase()];
    if (status === undefined) {
      throw new EcrAccessRulesError(`--status: unknown verdict ${s} (${Object.keys(STATUSES).join(", ")})`);
    }
    return status;
  });
  const quiet = values.quiet === true;
  return {
    formats,
    outputs,
    keep: (finding) =>
      (severities === undefined || severities.includes(finding.severity)) &&
      (types === undefined || types.includes(finding.resourceType)) &&
      (statuses === undefined || statuses.includes(finding.status)) &&
      (!quiet || finding.status === "NON_COMPLIANT"),
    failOn: values["fail-on"] === undefined ? "informational" : severityOf("--fail-on", values["fail-on"]),
    exitZero: values["exit-zero"] === true,
  };
}

/** The report with only the findings the filters keep. */
export function filtered(report: Report, choice: ReportChoice): Report {
  return { ...report, findings: report.findings.filter(choice.keep) };
}

/**
 * The exit status of a (filtered) report: 2 when an account or region could not be scanned (an incomplete
 * scan never passes a gate), else 1 for a NON_COMPLIANT finding at or above `--fail-on` unless
 * `--exit-zero`, else 0.
 */
export function exitStatus(report: Report, choice: ReportChoice): ExitStatus {
  if (report.failures.length > 0) return 2;
  if (choice.exitZero) return 0;
  const rank = (s: Severity) => SEVERITIES.indexOf(s);
  return report.findings.some((f) => f.status === "NON_COMPLIANT" && rank(f.severity) <= rank(choice.failOn))
    ? 1
    : 0;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch (cause) {
    if (cause instanceof Error && "code" in cause && cause.code === "ENOENT") return false;
    throw cause;
  }
}

/**
 * Writes a report in each chosen format: to standard output (styled and fitted for a terminal), to the files of
 * `-o`, or into the directory of `-o`. Returns the files written.
 */
export function writeReport(
  report: Report,
  choice: ReportChoice,
  io: CliIo & { readonly stdout: TerminalSink },
  env: NodeJS.ProcessEnv,
): string[] {
  const fileTerminal = { width: Number.POSITIVE_INFINITY };
  if (choice.outputs.length === 0) {
    const format = choice.formats[0] ?? "text";
    io.stdout.write(
      render(format, report, { width: widthOf(io.stdout, env), style: styleFor(io.stdout, env) }),
    );
    return [];
  }
  const [first] = choice.outputs;
  const directory =
    choice.outputs.length === 1 && first !== undefined && (first.endsWith("/") || isDirectory(first))
      ? first
      : undefined;
  if (directory !== undefined) mkdirSync(directory, { recursive: true });
  const written: string[] = [];
  choice.formats.forEach((format, i) => {
    const file = directory !== undefined ? join(directory, FILE_NAMES[format]) : choice.outputs[i];
    if (file === undefined) return;
    try {
      writeFileSync(file, render(format, report, fileTerminal));
    } catch (cause) {
      throw new EcrAccessRulesError(
        `-o ${file}: cannot write (${cause instanceof Error ? cause.message : cause})`,
        { cause },
      );
    }
    written.push(file);
  });
  return written;
}
