/**
 * `--format asff` (docs/command-line.md#asff): AWS Security Finding Format, a JSON list that Security Hub's
 * `BatchImportFindings` takes (`aws securityhub batch-import-findings --findings file://findings.asff.json`,
 * at most 100 a call). Every finding is imported under the account's own default product
 * (`product/ACCOUNT/default`), with `Compliance.RelatedRequirements` naming the benchmark control; a
 * COMPLIANT resource is `PASSED` (so a fixed resource closes its finding), NOT_APPLICABLE `NOT_AVAILABLE`.
 * The format limits `Title` to 256 and `Description` to 1,024 characters: a longer explanation is cut there
 * with a visible marker, and the whole text is in `--format json`.
 */
import type { AwsSecurityFinding, ComplianceStatus } from "@aws-sdk/client-securityhub";
import type { ComplianceType } from "../../shared/config/evaluation.js";
import type { Finding, Report } from "../finding.js";
import { ASFF_LABEL } from "./severity.js";

const RESOURCE_TYPES: Readonly<Record<string, string>> = {
  "AWS::IAM::User": "AwsIamUser",
  "AWS::IAM::Role": "AwsIamRole",
  "AWS::IAM::Group": "AwsIamGroup",
  "AWS::IAM::Policy": "AwsIamPolicy",
  "AWS::ECR::Repository": "AwsEcrRepository",
};

const STATUS: Readonly<Record<ComplianceType, ComplianceStatus>> = {
  COMPLIANT: "PASSED",
  NON_COMPLIANT: "FAILED",
  NOT_APPLICABLE: "NOT_AVAILABLE",
};

/** Cuts text to `limit` characters on a code point, ending with a visible marker. */
export function cut(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let out = "";
  for (const ch of text) {
    if (out.length + ch.length + 1 > limit) break;
    out += ch;
  }
  return `${out}…`;
}

/**
 * The ASFF finding of one finding.
 *
 * @example
 * asffFinding(finding, new Date()).Compliance?.Status; // "FAILED"
 */
export function asffFinding(finding: Finding, generatedAt: Date): AwsSecurityFinding {
  const control = finding.control;
  const requirement = `${control.framework} ${control.version}/${control.id}`;
  const failed = finding.status === "NON_COMPLIANT";
  const resourceId = finding.resourceArn ?? finding.resourceId;
  const observed = finding.observedAt.toISOString();
  return {
    SchemaVersion: "2018-10-08",
    Id: [finding.rule, finding.accountId, finding.region, finding.resourceType, finding.resourceId].join("/"),
    ProductArn: `arn:${finding.partition}:securityhub:${finding.region}:${finding.accountId}:product/${finding.accountId}/default`,
    GeneratorId: `ecr-access-rules/${finding.rule}`,
    AwsAccountId: finding.accountId,
    Types: [`Software and Configuration Checks/Industry and Regulatory Standards/${control.framework}`],
    FirstObservedAt: observed,
    LastObservedAt: observed,
    CreatedAt: generatedAt.toISOString(),
    UpdatedAt: generatedAt.toISOString(),
    Severity: { Label: failed ? ASFF_LABEL[finding.severity] : "INFORMATIONAL", Original: finding.severity },
    Title: cut(finding.title, 256),
    Description: cut(finding.explanation ?? `${finding.status}: ${finding.title}`, 1024),
    Remediation: { Recommendation: { Text: cut(finding.remediation, 512) } },
    ProductFields: {
      "ecr-access-rules/rule": finding.rule,
      "ecr-access-rules/resourceType": finding.resourceType,
      "ecr-access-rules/resourceId": finding.resourceId,
      "ecr-access-rules/docs": finding.docs,
    },
    Resources: [
      {
        Type: RESOURCE_TYPES[finding.resourceType] ?? "Other",
        Id: resourceId,
        Partition:
          finding.partition === "aws-cn" || finding.partition === "aws-us-gov" ? finding.partition : "aws",
        Region: finding.region,
      },
    ],
    Compliance: {
      Status: STATUS[finding.status],
      RelatedRequirements: [requirement],
    },
    RecordState: "ACTIVE",
    Workflow: { Status: failed ? "NEW" : "RESOLVED" },
  };
}

/** Renders a report as the JSON list `BatchImportFindings` takes. */
export function renderAsff(report: Report): string {
  return `${JSON.stringify(
    report.findings.map((finding) => asffFinding(finding, report.generatedAt)),
    null,
    2,
  )}\n`;
}
