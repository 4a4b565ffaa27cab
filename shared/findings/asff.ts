/**
 * One rule's verdict on one resource as an AWS Security Finding Format (ASFF) finding: the one mapping
 * behind both `ecr-access-rules … --format asff` and the Lambda handlers' own `BatchImportFindings`
 * (docs/config-contract.md#security-hub).
 *
 * - Imported under the account's own default product (`product/ACCOUNT/default`), with a stable `Id` per
 *   (rule, account, region, resource), so a later verdict on the same resource updates its finding.
 * - `Compliance.Status` `FAILED` for NON_COMPLIANT, `PASSED` for COMPLIANT, `NOT_AVAILABLE` for
 *   NOT_APPLICABLE, with `Compliance.RelatedRequirements` naming the benchmark control.
 * - Resolving: a finding provider's `BatchImportFindings` may not change `Workflow` once a finding exists
 *   (Security Hub keeps the customer's workflow), so a resource that passes or left the rule's scope is
 *   sent with `RecordState` `ARCHIVED` — which a provider may set — and `Workflow.Status` `RESOLVED`, which
 *   only counts when the finding is new. A FAILED verdict is `ACTIVE`; Security Hub itself sets the
 *   workflow back to `NEW` when an archived finding turns active again.
 * - Severity: the rule's, in `Severity` and in `FindingProviderFields` (the field a provider updates);
 *   `INFORMATIONAL` for a resource that does not fail.
 * - Nothing is lost to the format's limits: `Title` holds 256 characters and `Description` 1,024, so a
 *   longer explanation is cut there with a visible marker, and the whole text is also in `ProductFields`
 *   (`ecr-access-rules/explanation`, continued in `…/explanation/2`, … of at most 2,048 characters each).
 */
import type {
  AwsSecurityFinding,
  ComplianceStatus,
  Partition,
  SeverityLabel,
} from "@aws-sdk/client-securityhub";
import type { ComplianceType } from "../config/evaluation.js";
import type { Control, Severity } from "../runtime/rule.js";

/** What the mapping needs of one verdict: the rule's definition data and the resource's identity. */
export interface AsffSubject {
  /** The rule's name (the Config rule name of its definition). */
  readonly rule: string;
  readonly title: string;
  readonly severity: Severity;
  readonly control: Control;
  readonly remediation: string;
  /** The rule's documentation, as a path from the repository's root. */
  readonly docs: string;
  readonly resourceType: string;
  /** Config's resource id: the repository name for ECR, the unique id (`AROA…`) for IAM. */
  readonly resourceId: string;
  readonly resourceName?: string | undefined;
  readonly resourceArn?: string | undefined;
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly status: ComplianceType;
  /** The whole explanation (never cut by the caller). */
  readonly explanation: string | undefined;
  /** When the resource was observed: the item's capture time, or the periodic run's time. */
  readonly observedAt: Date;
}

export interface AsffOptions {
  /** When the finding is made (`CreatedAt`, `UpdatedAt`). */
  readonly generatedAt: Date;
  /**
   * Where the project's documentation is published (`https://…/`): with it, the remediation carries the
   * rule's documentation URL. Without it the link is left out (the docs path is in `ProductFields`).
   */
  readonly docsBaseUrl?: string | undefined;
}

/** Security Hub's limits on the fields the mapping fills. */
export const ASFF_LIMITS = {
  title: 256,
  description: 1024,
  recommendation: 512,
  productFieldValue: 2048,
  productFields: 50,
  otherValue: 1023,
} as const;

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

const LABEL: Readonly<Record<Severity, SeverityLabel>> = {
  critical: "CRITICAL",
  high: "HIGH",
  medium: "MEDIUM",
  low: "LOW",
  informational: "INFORMATIONAL",
};

const PREFIX = "ecr-access-rules";

/**
 * Cuts text to `limit` characters on a code point, ending with a visible marker.
 *
 * @example
 * cut("x".repeat(300), 256).length; // 256, ending in "…"
 */
export function cut(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let out = "";
  for (const ch of text) {
    if (out.length + ch.length + 1 > limit) break;
    out += ch;
  }
  return `${out}…`;
}

/** Splits text into pieces of at most `size` UTF-16 units, never inside a code point. */
function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  let piece = "";
  for (const ch of text) {
    if (piece.length + ch.length > size) {
      out.push(piece);
      piece = "";
    }
    piece += ch;
  }
  if (piece !== "") out.push(piece);
  return out;
}

/**
 * The stable finding `Id` of a rule's verdict on a resource: the same resource judged again by the same
 * rule updates the same finding.
 *
 * @example
 * findingId({ rule: "ecr-repository-policy-trusted", accountId: "111122223333", region: "us-east-1", resourceType: "AWS::ECR::Repository", resourceId: "api" });
 * // "ecr-repository-policy-trusted/111122223333/us-east-1/AWS::ECR::Repository/api"
 */
export function findingId(
  subject: Pick<AsffSubject, "rule" | "accountId" | "region" | "resourceType" | "resourceId">,
): string {
  return [subject.rule, subject.accountId, subject.region, subject.resourceType, subject.resourceId].join(
    "/",
  );
}

/**
 * The product ARN findings are imported under: the account's own default product.
 *
 * @example
 * productArn({ partition: "aws", region: "us-east-1", accountId: "111122223333" });
 * // "arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default"
 */
export function productArn(where: Pick<AsffSubject, "partition" | "region" | "accountId">): string {
  return `arn:${where.partition}:securityhub:${where.region}:${where.accountId}:product/${where.accountId}/default`;
}

/** The resource's ARN: the one given, else one derived where Config's id allows it (ECR repositories). */
function resourceArnOf(subject: AsffSubject): string | undefined {
  if (subject.resourceArn !== undefined && subject.resourceArn !== "") return subject.resourceArn;
  if (subject.resourceType === "AWS::ECR::Repository") {
    return `arn:${subject.partition}:ecr:${subject.region}:${subject.accountId}:repository/${subject.resourceId}`;
  }
  return undefined;
}

function partitionOf(partition: string): Partition {
  return partition === "aws-cn" || partition === "aws-us-gov" ? partition : "aws";
}

function explanationFields(explanation: string | undefined, room: number): Record<string, string> {
  if (explanation === undefined) return {};
  const parts = pieces(explanation, ASFF_LIMITS.productFieldValue);
  // Past the room left (a few hundred thousand characters), the last piece ends with a visible marker.
  const kept =
    parts.length <= room
      ? parts
      : [...parts.slice(0, room - 1), cut(`${parts[room - 1] ?? ""}…`, ASFF_LIMITS.productFieldValue)];
  return Object.fromEntries(
    kept.map((part, i) => [i === 0 ? `${PREFIX}/explanation` : `${PREFIX}/explanation/${i + 1}`, part]),
  );
}

/**
 * The ASFF finding of one verdict.
 *
 * @example
 * asffFinding(subject, { generatedAt: new Date() }).Compliance?.Status; // "FAILED"
 */
export function asffFinding(subject: AsffSubject, options: AsffOptions): AwsSecurityFinding {
  const { control } = subject;
  const failed = subject.status === "NON_COMPLIANT";
  const arn = resourceArnOf(subject);
  const observed = subject.observedAt.toISOString();
  const generated = options.generatedAt.toISOString();
  const label = failed ? LABEL[subject.severity] : "INFORMATIONAL";
  const type = `Software and Configuration Checks/Industry and Regulatory Standards/${control.framework}`;
  const docsUrl =
    options.docsBaseUrl === undefined || options.docsBaseUrl === ""
      ? undefined
      : `${options.docsBaseUrl.replace(/\/+$/u, "")}/${subject.docs}`;
  const fixed: Record<string, string> = {
    [`${PREFIX}/rule`]: subject.rule,
    [`${PREFIX}/resourceType`]: subject.resourceType,
    [`${PREFIX}/resourceId`]: subject.resourceId,
    [`${PREFIX}/docs`]: subject.docs,
    [`${PREFIX}/compliance`]: subject.status,
  };
  const room = ASFF_LIMITS.productFields - Object.keys(fixed).length;
  const details: Record<string, string> = {
    configResourceType: subject.resourceType,
    configResourceId: cut(subject.resourceId, ASFF_LIMITS.otherValue),
    ...(subject.resourceName === undefined || subject.resourceName === ""
      ? {}
      : { resourceName: cut(subject.resourceName, ASFF_LIMITS.otherValue) }),
  };
  return {
    SchemaVersion: "2018-10-08",
    Id: findingId(subject),
    ProductArn: productArn(subject),
    GeneratorId: `${PREFIX}/${subject.rule}`,
    AwsAccountId: subject.accountId,
    Types: [type],
    FirstObservedAt: observed,
    LastObservedAt: observed,
    CreatedAt: generated,
    UpdatedAt: generated,
    Severity: { Label: label, Original: subject.severity },
    FindingProviderFields: { Severity: { Label: label, Original: subject.severity }, Types: [type] },
    Title: cut(subject.title, ASFF_LIMITS.title),
    Description: cut(subject.explanation ?? `${subject.status}: ${subject.title}`, ASFF_LIMITS.description),
    Remediation: {
      Recommendation: {
        Text: cut(subject.remediation, ASFF_LIMITS.recommendation),
        ...(docsUrl === undefined ? {} : { Url: docsUrl }),
      },
    },
    ...(docsUrl === undefined ? {} : { SourceUrl: docsUrl }),
    ProductFields: { ...fixed, ...explanationFields(subject.explanation, room) },
    Resources: [
      {
        Type: RESOURCE_TYPES[subject.resourceType] ?? "Other",
        Id: arn ?? subject.resourceId,
        Partition: partitionOf(subject.partition),
        Region: subject.region,
        Details: { Other: details },
      },
    ],
    Compliance: {
      Status: STATUS[subject.status],
      RelatedRequirements: [`${control.framework} ${control.version}/${control.id}`],
    },
    RecordState: failed ? "ACTIVE" : "ARCHIVED",
    Workflow: { Status: failed ? "NEW" : "RESOLVED" },
  };
}

/**
 * The whole explanation a finding carries, put back together from its `ProductFields`.
 *
 * @example
 * explanationOf(asffFinding(subject, options)) === subject.explanation; // true
 */
export function explanationOf(finding: Pick<AwsSecurityFinding, "ProductFields">): string | undefined {
  const fields = finding.ProductFields ?? {};
  const first = fields[`${PREFIX}/explanation`];
  if (first === undefined) return undefined;
  let text = first;
  for (let i = 2; fields[`${PREFIX}/explanation/${i}`] !== undefined; i += 1) {
    text += fields[`${PREFIX}/explanation/${i}`];
  }
  return text;
}
