/**
 * Running a rule in a test through the one evaluation path (`runRule`): a change of one item, the related
 * resources of a change, or a periodic sweep, with the facts and parameters a test gives.
 */
import type { AccountFacts } from "../../shared/account/facts.js";
import type { ResourceVerdict, Verdict } from "../../shared/config/evaluation.js";
import type { ConfigurationItem } from "../../shared/config/item.js";
import type { RuleParameters } from "../../shared/config/parameters.js";
import { type RunEnv, runRule } from "../../shared/runtime/evaluate.js";
import type { Rule } from "../../shared/runtime/rule.js";

/** What a test gives a rule: the account it runs in, its facts and its parameters. */
export interface RuleContext {
  readonly parameters: RuleParameters;
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly facts: AccountFacts;
  readonly ruleName: string;
}

function envOf(context: RuleContext): RunEnv {
  return {
    facts: context.facts,
    scope: {
      accountId: context.accountId,
      region: context.region,
      partition: context.partition,
      ruleName: context.ruleName,
    },
    parameters: context.parameters,
    fetchOversized: () => {
      throw new Error("this test has no oversized items");
    },
    globalResourcesRegion: undefined,
  };
}

/** Every verdict a change of `item` gives: the item's first, then its related resources'. */
export function changeVerdicts(
  rule: Rule,
  item: ConfigurationItem,
  context: RuleContext,
): Promise<ResourceVerdict[]> {
  return runRule(rule, { kind: "change", item, leftScope: false }, envOf(context));
}

/** The verdict on `item` after a change of it. */
export async function verdictOf(rule: Rule, item: ConfigurationItem, context: RuleContext): Promise<Verdict> {
  const [own] = await changeVerdicts(rule, item, context);
  if (own === undefined) throw new Error(`${rule.name} gave no verdict on ${item.resourceId}`);
  return own.verdict;
}

/** The verdicts of a periodic run. */
export function sweepVerdicts(
  rule: Rule,
  context: RuleContext,
  time = new Date(),
): Promise<ResourceVerdict[]> {
  return runRule(rule, { kind: "periodic", time }, envOf(context));
}
