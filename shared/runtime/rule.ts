/**
 * What a rule is (one rule, one folder): its Config definition and three named steps.
 *
 * - `read(item, scope) → subject` — pure: what the rule judges, taken from one configuration item.
 * - `gather(subject, facts, scope) → facts` — the facts beyond the item (a principal's groups and managed
 *   policies, the registry's scanning configuration), from a {@link AccountFacts} source that is the AWS
 *   API or a snapshot; rules that judge the item alone pass the subject through ({@link itemOnly}).
 * - `judge(facts, parameters, scope) → Verdict` — pure.
 *
 * Optional: `related` (other resources a change re-evaluates: a group's members) and `sweep` (every
 * subject of the account, for the periodic run). No SDK, no environment, no clock here: the runtime
 * (`shared/runtime/evaluate.ts`) runs the steps, turns an {@link UnreadableInputError} into that resource's
 * NON_COMPLIANT verdict, and marks vanished resources NOT_APPLICABLE for rules that ask it to.
 */
import type { AccountFacts } from "../account/facts.js";
import type { Verdict } from "../config/evaluation.js";
import type { ConfigurationItem } from "../config/item.js";
import type { ParameterDefinition, RuleParameters } from "../config/parameters.js";

/** Where a rule runs: the evaluated account, the rule's region, and its deployed name. */
export interface RuleScope {
  readonly accountId: string;
  /** The region the rule runs in (IAM items themselves say "global"). */
  readonly region: string;
  readonly partition: string;
  /** The Config rule's name as deployed (the event's `configRuleName`, else the rule's own name). */
  readonly ruleName: string;
}

/**
 * The kinds of facts a rule's `gather` reads beyond the item. The Lambda handler of a rule is built with a
 * reader for each kind it declares and no other, so its bundle carries only the AWS clients it calls.
 */
export type FactKind = "iam" | "ecr";

/** A resource found by a sweep or a change, with the subject to judge. */
export interface Found<S> {
  readonly resourceType: string;
  readonly resourceId: string;
  readonly subject: S;
}

/** How much a NON_COMPLIANT finding of a rule matters (the scale Security Hub, SARIF and OCSF map onto). */
export type Severity = "critical" | "high" | "medium" | "low" | "informational";

/** The severities from the most to the least serious. */
export const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low", "informational"];

/** The benchmark control a rule automates. */
export interface Control {
  /** `CIS Amazon EKS Benchmark` */
  readonly framework: string;
  /** The benchmark version the mapping was made against: `v1.5.0`. */
  readonly version: string;
  /** The control's number in the benchmark: `5.1.2`. */
  readonly id: string;
  /** The control's title in the benchmark. */
  readonly title: string;
}

/**
 * CIS Amazon EKS Benchmark 5.1.2, the control every rule of the pack automates (its number and title are the
 * same in v1.1.0 through v1.5.0; the mapping was checked against v1.5.0).
 */
export const CIS_EKS_5_1_2: Control = {
  framework: "CIS Amazon EKS Benchmark",
  version: "v1.5.0",
  id: "5.1.2",
  title: "Minimize user access to Amazon ECR",
};

/** The Config definition of a rule: what the deployment, the docs and the command line show. */
export interface RuleInfo {
  /** The Config rule name: also the folder name and the serverless function key (≤ 64 characters). */
  readonly name: string;
  /** One line, shown as the finding title's explanation. */
  readonly title: string;
  readonly description: string;
  /** How much a NON_COMPLIANT finding matters. */
  readonly severity: Severity;
  /** The benchmark control the rule automates. */
  readonly control: Control;
  /** One sentence a person can act on: what to change so the resource becomes COMPLIANT. */
  readonly remediation: string;
  /**
   * Where the rule is documented, as a path from the repository's root (`rules/NAME/README.md`): the project
   * has no published site, so formats that need an absolute URL leave the link out.
   */
  readonly docs: string;
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
  /**
   * After a periodic sweep, the resources Config holds evaluations for that the sweep did not find are
   * NOT_APPLICABLE with this annotation (absent: the rule does not mark them).
   */
  readonly vanished?: string;
}

/** The names of a rule's parameters of the given kinds (`executionRoleName` is every rule's). */
type NamesOf<D extends readonly ParameterDefinition[], K> = Extract<D[number], { readonly kind: K }>["name"];

/** Parameters as a rule with definitions `D` reads them: a name it does not declare does not compile. */
export type ParametersOf<D extends readonly ParameterDefinition[]> = RuleParameters<
  NamesOf<D, Exclude<ParameterDefinition["kind"], "boolean" | "roleName">>,
  NamesOf<D, "boolean">
>;

/** A rule as its author writes it (see the module comment), typed end to end. */
export interface RuleSpec<D extends readonly ParameterDefinition[], S, F, R extends FactKind>
  extends RuleInfo {
  readonly parameters: D;
  /** The fact kinds `gather`, `related` and `sweep` read. */
  readonly reads: readonly R[];
  read(item: ConfigurationItem, scope: RuleScope): S;
  gather(subject: S, facts: AccountFacts, scope: RuleScope): Promise<F>;
  judge(facts: F, parameters: ParametersOf<D>, scope: RuleScope): Verdict;
  /** Other resources a change of this subject re-evaluates (their verdicts go in the same batch). */
  related?(subject: S, facts: AccountFacts, scope: RuleScope): Promise<readonly Found<S>[]>;
  /** The periodic sweep: every subject of the account in the rule's region. */
  sweep?(facts: AccountFacts, scope: RuleScope): Promise<readonly Found<S>[]>;
}

/** What the runtime hands each step besides the resource. */
export interface RuleEnv {
  readonly facts: AccountFacts;
  readonly scope: RuleScope;
  readonly parameters: RuleParameters<string, string>;
}

/** One resource to evaluate: its identity and a thunk running gather and judge. */
export interface Pending {
  readonly resourceType: string;
  readonly resourceId: string;
  evaluate(env: RuleEnv): Promise<Verdict>;
}

/**
 * A rule as the runtime runs it: the steps composed, with the subject's type hidden. Build one with
 * {@link defineRule}.
 */
export interface Rule<R extends FactKind = FactKind> extends RuleInfo {
  readonly reads: readonly R[];
  /** read → gather → judge for one applicable item. */
  evaluate(item: ConfigurationItem, env: RuleEnv): Promise<Verdict>;
  /** The resources a change of `item` re-evaluates besides itself (empty when the rule has none). */
  related(item: ConfigurationItem, env: RuleEnv): Promise<readonly Pending[]>;
  /** Every resource of the account, for the periodic run; `undefined` when the rule has no sweep. */
  sweep: ((env: RuleEnv) => Promise<readonly Pending[]>) | undefined;
}

/**
 * Composes a rule's steps into the {@link Rule} the runtime runs.
 *
 * @example
 * export const rule = defineRule({ name: "ecr-…", …, reads: [], read: policyFacts, gather: itemOnly, judge: judgePolicy });
 */
export function defineRule<const D extends readonly ParameterDefinition[], S, F, R extends FactKind = never>(
  spec: RuleSpec<D, S, F, R>,
): Rule<R> {
  const judged = async (subject: S, env: RuleEnv): Promise<Verdict> =>
    spec.judge(await spec.gather(subject, env.facts, env.scope), env.parameters, env.scope);
  const pending = (found: Found<S>): Pending => ({
    resourceType: found.resourceType,
    resourceId: found.resourceId,
    evaluate: (env) => judged(found.subject, env),
  });
  const { read, gather, judge, related, sweep, ...info } = spec;
  return {
    ...info,
    evaluate: async (item, env) => judged(read(item, env.scope), env),
    related: async (item, env) =>
      related === undefined ? [] : (await related(read(item, env.scope), env.facts, env.scope)).map(pending),
    sweep: sweep === undefined ? undefined : async (env) => (await sweep(env.facts, env.scope)).map(pending),
  };
}

/**
 * The `gather` of a rule that judges the item alone: the subject is the facts.
 *
 * @example
 * defineRule({ …, read: resourcePolicyFacts, gather: itemOnly, judge: judgeResourcePolicy });
 */
export async function itemOnly<S>(subject: S): Promise<S> {
  return subject;
}

/** The definition part of a rule: what the deployment generators and the docs read. */
export type RuleDefinition = RuleInfo;
