/**
 * What a rule is (DESIGN: one rule, one folder): its Config definition and its evaluation, which receives
 * a parsed item and injected facts and returns a verdict — no SDK, no environment, no clock.
 */
import type { AccountFacts } from "../account/facts.js";
import type { Verdict } from "../config/evaluation.js";
import type { ConfigurationItem } from "../config/item.js";
import type { ParameterDefinition, RuleParameters } from "../config/parameters.js";

/** What a rule's evaluation may use besides the item. */
export interface RuleContext {
  readonly parameters: RuleParameters;
  /** The evaluated account. */
  readonly accountId: string;
  /** The region the rule runs in (IAM items say "global"). */
  readonly region: string;
  readonly partition: string;
  readonly facts: AccountFacts;
  /** The Config rule's name as deployed (the event's `configRuleName`, else the rule's own name). */
  readonly ruleName: string;
}

/** A verdict on one resource found by a periodic sweep. */
export interface SweepResult {
  readonly resourceType: string;
  readonly resourceId: string;
  readonly verdict: Verdict;
}

export interface RuleDefinition {
  /** The Config rule name: also the folder name and the serverless function key (≤ 64 characters). */
  readonly name: string;
  /** One line, shown as the finding title's explanation. */
  readonly title: string;
  readonly description: string;
  readonly resourceTypes: readonly string[];
  /** Also runs on a schedule (`ScheduledNotification`). */
  readonly periodic: boolean;
  readonly parameters: readonly ParameterDefinition[];
  /**
   * The IAM actions the rule's own reads call (`ecr:DescribeRepositories`), besides those every rule's
   * runtime calls (`config:PutEvaluations`, `config:GetResourceConfigHistory`, and `sts:AssumeRole` for an
   * execution role). The deployment grants exactly these; a test checks them against the calls made.
   */
  readonly permissions: readonly string[];
  /** A verdict on an item that exists, is recorded and is of one of `resourceTypes`. */
  evaluateChange(item: ConfigurationItem, context: RuleContext): Promise<Verdict>;
  /**
   * Other resources a change re-evaluates (a group's member users): their verdicts go in the same
   * `PutEvaluations` batch. Called only for items the rule applies to.
   */
  evaluateRelated?(item: ConfigurationItem, context: RuleContext): Promise<readonly SweepResult[]>;
  /** The periodic sweep: a verdict for every resource of the account in the rule's region. */
  evaluatePeriodic?(context: RuleContext): Promise<readonly SweepResult[]>;
}
