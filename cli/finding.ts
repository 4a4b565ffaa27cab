/**
 * What the command line reports (docs/command-line.md#findings): one finding per evaluation, carrying the
 * rule's definition data (title, severity, control, remediation, docs) and the resource's identity (type,
 * id, name, ARN, account, region), with the whole explanation. Only the Lambda path cuts annotations to
 * Config's 256 characters (`toEvaluation`); a finding never does.
 */
import type { ComplianceType, ResourceVerdict } from "../shared/config/evaluation.js";
import type { Control, RuleInfo, Severity } from "../shared/runtime/rule.js";

/** One rule's verdict on one resource, with everything a person or a tool needs to act on it. */
export interface Finding {
  readonly rule: string;
  readonly title: string;
  readonly severity: Severity;
  readonly control: Control;
  readonly resourceType: string;
  /** Config's resource id: the repository name for ECR, the unique id (`AROA…`) for IAM. */
  readonly resourceId: string;
  readonly resourceName: string | undefined;
  readonly resourceArn: string | undefined;
  readonly accountId: string;
  /** The region the rule ran in (IAM rules run in one region: IAM is global). */
  readonly region: string;
  readonly partition: string;
  readonly status: ComplianceType;
  /** The rule's explanation, whole (never cut). */
  readonly explanation: string | undefined;
  readonly remediation: string;
  /** The rule's documentation, as a path from the repository's root. */
  readonly docs: string;
  /** When the resource was observed: the capture time of the item, or the periodic run's time. */
  readonly observedAt: Date;
}

/** A rule that did not run in an account and region, and why (a plain IAM export has no ECR section). */
export interface Skipped {
  readonly rule: string;
  readonly accountId: string;
  readonly region: string;
  readonly reason: string;
}

/** An account (or one of its regions) that could not be scanned: the rest of the run still is. */
export interface Failure {
  readonly accountId: string;
  readonly region: string | undefined;
  readonly message: string;
}

/** Everything one run found, merged across accounts and regions. */
export interface Report {
  readonly rules: readonly RuleInfo[];
  readonly findings: readonly Finding[];
  readonly skipped: readonly Skipped[];
  readonly failures: readonly Failure[];
  readonly generatedAt: Date;
  /** The program's version (`package.json`). */
  readonly version: string;
}

/** What is known of a resource beyond its verdict: its name and ARN (from the configuration item). */
export interface ResourceNames {
  readonly resourceName: string | undefined;
  readonly resourceArn: string | undefined;
}

/**
 * The finding of a rule's verdict on a resource in an account and region.
 *
 * @example
 * toFinding(rule, verdict, { accountId: "111122223333", region: "us-east-1", partition: "aws" }, names);
 */
export function toFinding(
  rule: RuleInfo,
  result: ResourceVerdict,
  where: { readonly accountId: string; readonly region: string; readonly partition: string },
  names: ResourceNames | undefined,
): Finding {
  const explanation = result.verdict.annotation?.trim();
  return {
    rule: rule.name,
    title: rule.title,
    severity: rule.severity,
    control: rule.control,
    resourceType: result.resourceType,
    resourceId: result.resourceId,
    resourceName: names?.resourceName,
    resourceArn: names?.resourceArn,
    accountId: where.accountId,
    region: where.region,
    partition: where.partition,
    status: result.verdict.compliance,
    explanation: explanation === "" ? undefined : explanation,
    remediation: rule.remediation,
    docs: rule.docs,
    observedAt: result.orderingTimestamp,
  };
}

/** How a finding's resource reads to a person: its name, with the id when they differ. */
export function resourceLabel(finding: Finding): string {
  const name = finding.resourceName;
  return name !== undefined && name !== "" && name !== finding.resourceId
    ? `${name} (${finding.resourceId})`
    : finding.resourceId;
}
