/**
 * Verdicts (what a rule decides) and evaluations (what Config is told) (docs/config-contract.md#putevaluations).
 */

export type ComplianceType = "COMPLIANT" | "NON_COMPLIANT" | "NOT_APPLICABLE";

/** A rule's decision on one resource. NON_COMPLIANT cannot be built without a reason. */
export type Verdict =
  | { readonly compliance: "COMPLIANT"; readonly annotation?: string }
  | { readonly compliance: "NON_COMPLIANT"; readonly annotation: string }
  | { readonly compliance: "NOT_APPLICABLE"; readonly annotation?: string };

export const compliant = (annotation?: string): Verdict =>
  annotation === undefined ? { compliance: "COMPLIANT" } : { compliance: "COMPLIANT", annotation };
export const nonCompliant = (annotation: string): Verdict => ({ compliance: "NON_COMPLIANT", annotation });
export const notApplicable = (annotation?: string): Verdict =>
  annotation === undefined ? { compliance: "NOT_APPLICABLE" } : { compliance: "NOT_APPLICABLE", annotation };

/** A verdict on a named resource, ready to become an evaluation. */
export interface ResourceVerdict {
  readonly resourceType: string;
  readonly resourceId: string;
  readonly verdict: Verdict;
  readonly orderingTimestamp: Date;
}

/** One evaluation as `PutEvaluations` takes it. */
export interface Evaluation {
  readonly ComplianceResourceType: string;
  readonly ComplianceResourceId: string;
  readonly ComplianceType: ComplianceType;
  readonly Annotation?: string;
  readonly OrderingTimestamp: Date;
}

export const ANNOTATION_LIMIT = 256;
const MARKER = "…";

/**
 * Fits an annotation to Config's limit of 256 characters, counted both as code points and as UTF-16
 * units (whichever is stricter), cutting on a code point and ending with a visible marker. Empty or
 * whitespace-only text gives `undefined` (the annotation is omitted rather than sent empty).
 *
 * @example
 * fitAnnotation("x".repeat(300)).length; // 256, ending in "…"
 */
export function fitAnnotation(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  if (trimmed.length <= ANNOTATION_LIMIT) return trimmed;
  let out = "";
  for (const ch of trimmed) {
    if (out.length + ch.length + MARKER.length > ANNOTATION_LIMIT) break;
    out += ch;
  }
  return `${out}${MARKER}`;
}

/**
 * Turns a resource verdict into a `PutEvaluations` entry.
 *
 * @example
 * toEvaluation({ resourceType: "AWS::ECR::Repository", resourceId: "api", verdict: compliant(), orderingTimestamp: new Date() });
 */
export function toEvaluation(result: ResourceVerdict): Evaluation {
  const annotation = fitAnnotation(result.verdict.annotation);
  return {
    ComplianceResourceType: result.resourceType,
    ComplianceResourceId: result.resourceId,
    ComplianceType: result.verdict.compliance,
    ...(annotation === undefined ? {} : { Annotation: annotation }),
    OrderingTimestamp: result.orderingTimestamp,
  };
}
