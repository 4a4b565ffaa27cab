/**
 * `--format json` (docs/command-line.md#json): `{"evaluations": […]}` as before, each evaluation with the
 * fields of `evaluate --json` and the rule's name, plus everything a finding carries — the whole
 * explanation as `annotation` — and the rules skipped and the accounts that failed.
 */
import type { Control, Severity } from "../../shared/runtime/rule.js";
import type { Failure, Finding, Report, Skipped } from "../finding.js";

/** One evaluation of `--format json`. */
export interface FindingJson {
  readonly configRuleName: string;
  readonly complianceResourceType: string;
  readonly complianceResourceId: string;
  readonly complianceType: string;
  readonly annotation?: string;
  readonly orderingTimestamp: string;
  readonly title: string;
  readonly severity: Severity;
  readonly control: Control;
  readonly resourceName?: string;
  readonly resourceArn?: string;
  readonly accountId: string;
  readonly region: string;
  readonly remediation: string;
  readonly docs: string;
}

export interface ReportJson {
  readonly version: string;
  readonly generatedAt: string;
  readonly evaluations: readonly FindingJson[];
  readonly skipped: readonly Skipped[];
  readonly failures: readonly Failure[];
}

/** The JSON form of one finding. */
export function findingJson(finding: Finding): FindingJson {
  return {
    configRuleName: finding.rule,
    complianceResourceType: finding.resourceType,
    complianceResourceId: finding.resourceId,
    complianceType: finding.status,
    ...(finding.explanation === undefined ? {} : { annotation: finding.explanation }),
    orderingTimestamp: finding.observedAt.toISOString(),
    title: finding.title,
    severity: finding.severity,
    control: finding.control,
    ...(finding.resourceName === undefined ? {} : { resourceName: finding.resourceName }),
    ...(finding.resourceArn === undefined ? {} : { resourceArn: finding.resourceArn }),
    accountId: finding.accountId,
    region: finding.region,
    remediation: finding.remediation,
    docs: finding.docs,
  };
}

/**
 * Renders a report as JSON.
 *
 * @example
 * JSON.parse(renderJson(report)).evaluations[0].severity; // "high"
 */
export function renderJson(report: Report): string {
  const out: ReportJson = {
    version: report.version,
    generatedAt: report.generatedAt.toISOString(),
    evaluations: report.findings.map(findingJson),
    skipped: report.skipped,
    failures: report.failures,
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
