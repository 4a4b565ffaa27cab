/**
 * `--format text` (the default; docs/command-line.md#text): a summary table (rule × verdicts), then each
 * NON_COMPLIANT finding with its severity, resource, account and region, the whole explanation and the
 * remediation, wrapped to the terminal's width; then the rules skipped and the accounts not scanned.
 */
import type { ComplianceType } from "../../shared/config/evaluation.js";
import { type Finding, type Report, resourceLabel } from "../finding.js";
import { fitTable, NO_STYLE, type Style, wrap } from "../terminal.js";

export interface TextOptions {
  readonly width: number;
  readonly style?: Style;
}

function severityStyle(finding: Finding, style: Style): string {
  const label = finding.severity.toUpperCase();
  return finding.severity === "critical" || finding.severity === "high"
    ? style.red(style.bold(label))
    : style.yellow(label);
}

function indented(text: string, width: number, indent = "    "): string {
  return wrap(text, Math.max(20, width - indent.length))
    .map((line) => `${indent}${line}`)
    .join("\n");
}

/**
 * Renders a report for a person.
 *
 * @example
 * renderText(report, { width: 80 });
 */
export function renderText(report: Report, options: TextOptions): string {
  const style = options.style ?? NO_STYLE;
  const width = options.width;
  const count = (rule: string, status: ComplianceType) =>
    String(report.findings.filter((f) => f.rule === rule && f.status === status).length);
  let out = fitTable(
    [
      ["rule", "severity", "compliant", "non-compliant", "not applicable"],
      ...report.rules.map((rule) => [
        rule.name,
        rule.severity,
        count(rule.name, "COMPLIANT"),
        count(rule.name, "NON_COMPLIANT"),
        count(rule.name, "NOT_APPLICABLE"),
      ]),
    ],
    width,
    style,
  );
  const failing = report.findings.filter((f) => f.status === "NON_COMPLIANT");
  if (failing.length === 0) out += `\n${style.green("Nothing is NON_COMPLIANT.")}\n`;
  else {
    out += `\n${style.bold(`NON_COMPLIANT (${failing.length}):`)}\n`;
    for (const f of failing) {
      out += `\n${severityStyle(f, style)}  ${style.bold(f.rule)}\n`;
      out += `${indented(`${f.resourceType} ${resourceLabel(f)}`, width)}\n`;
      const where = `account ${f.accountId}, ${f.region}`;
      out += `${style.dim(indented(f.resourceArn === undefined ? where : `${f.resourceArn} (${where})`, width))}\n`;
      out += `${indented(f.explanation ?? f.title, width)}\n`;
      out += `${indented(`Fix: ${f.remediation} (${f.docs})`, width)}\n`;
    }
  }
  if (report.skipped.length > 0) {
    out += `\n${style.bold("Skipped:")}\n`;
    for (const s of report.skipped)
      out += `${indented(`${s.rule} in ${s.accountId} ${s.region}: ${s.reason}`, width, "  ")}\n`;
  }
  if (report.failures.length > 0) {
    out += `\n${style.red(style.bold(`Not scanned (${report.failures.length}):`))}\n`;
    for (const f of report.failures) {
      out += `${indented(`${f.accountId}${f.region === undefined ? "" : ` ${f.region}`}: ${f.message}`, width, "  ")}\n`;
    }
  }
  return out;
}
