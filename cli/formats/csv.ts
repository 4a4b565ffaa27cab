/**
 * `--format csv` (docs/command-line.md#csv): one row per finding, RFC 4180 (comma-separated, CRLF line
 * ends, a field quoted when it holds a comma, a quote or a line break). A field that a spreadsheet would
 * run as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) is prefixed with `'`.
 * Twenty lines do not earn a dependency.
 */
import type { Finding, Report } from "../finding.js";

export const CSV_COLUMNS = [
  "account_id",
  "region",
  "rule",
  "title",
  "severity",
  "control",
  "resource_type",
  "resource_id",
  "resource_name",
  "resource_arn",
  "status",
  "explanation",
  "remediation",
  "docs",
  "observed_at",
] as const;

/** One CSV field, quoted when it must be. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/u.test(value) ? `'${value}` : value;
  return /[",\r\n]/u.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function row(finding: Finding): string[] {
  const control = finding.control;
  return [
    finding.accountId,
    finding.region,
    finding.rule,
    finding.title,
    finding.severity,
    `${control.framework} ${control.version} ${control.id}`,
    finding.resourceType,
    finding.resourceId,
    finding.resourceName ?? "",
    finding.resourceArn ?? "",
    finding.status,
    finding.explanation ?? "",
    finding.remediation,
    finding.docs,
    finding.observedAt.toISOString(),
  ];
}

/**
 * Renders a report's findings as CSV, with a header row.
 *
 * @example
 * renderCsv(report).split("\r\n")[0]; // "account_id,region,rule,…"
 */
export function renderCsv(report: Report): string {
  const lines = [[...CSV_COLUMNS], ...report.findings.map(row)];
  return lines.map((fields) => `${fields.map(csvField).join(",")}\r\n`).join("");
}
