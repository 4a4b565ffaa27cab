/**
 * `--format asff` (docs/command-line.md#asff): AWS Security Finding Format, a JSON list that Security Hub's
 * `BatchImportFindings` takes (`aws securityhub batch-import-findings --findings file://findings.asff.json`,
 * at most 100 a call). The mapping is the one the Lambda handlers import with (`shared/findings/asff.ts`):
 * the same `Id`, fields and limits, so a finding imported from the command line and one the deployed rule
 * sends for the same resource are the same finding.
 */
import type { AwsSecurityFinding } from "@aws-sdk/client-securityhub";
import { asffFinding as sharedAsffFinding } from "../../shared/findings/asff.js";
import type { Finding, Report } from "../finding.js";

/**
 * The ASFF finding of one finding.
 *
 * @example
 * asffFinding(finding, new Date()).Compliance?.Status; // "FAILED"
 */
export function asffFinding(finding: Finding, generatedAt: Date): AwsSecurityFinding {
  return sharedAsffFinding(finding, { generatedAt });
}

/** Renders a report as the JSON list `BatchImportFindings` takes. */
export function renderAsff(report: Report): string {
  return `${JSON.stringify(
    report.findings.map((finding) => asffFinding(finding, report.generatedAt)),
    null,
    2,
  )}\n`;
}
