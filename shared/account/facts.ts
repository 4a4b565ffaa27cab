/**
 * "The facts about this account" that rules read beyond a configuration item — one interface, read
 * through the AWS API (`sources.ts`) or from an account snapshot (`snapshot.ts`).
 */
import type { EcrFacts } from "./ecr.js";
import type { IamFacts } from "./iam.js";

/** A resource a Config rule has evaluated before. */
export interface EvaluatedResource {
  readonly resourceType: string;
  readonly resourceId: string;
}

export interface AccountFacts {
  /** The ECR facts of this account in one region. */
  ecr(region: string): EcrFacts;
  /** The IAM facts of this account (IAM is global). */
  iam(): IamFacts;
  /**
   * The resources of `resourceTypes` a Config rule may hold evaluations for, so a sweep can mark those
   * that no longer exist NOT_APPLICABLE: the rule's own evaluations (`GetComplianceDetailsByConfigRule`),
   * or — for a rule name over that API's 64 characters, as an organization rule's can be — the resources
   * Config recorded as deleted (`ListDiscoveredResources`). `undefined` when they cannot be known (a
   * snapshot).
   */
  evaluatedResources(
    ruleName: string,
    resourceTypes: readonly string[],
  ): Promise<readonly EvaluatedResource[] | undefined>;
  /** Drops every cached fact, so the next read asks the source again (a periodic run reads fresh). */
  invalidate?(): void;
}
