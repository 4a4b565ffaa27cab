/**
 * The one evaluation path: a rule, a trigger and a source of facts in, verdicts out. The Lambda handler,
 * `ecr-access-rules evaluate` and `ecr-access-rules scan` only choose the trigger, the facts source and
 * where the verdicts go, so the command line shows exactly what the deployed rule would put.
 *
 * Decided here, once for every rule:
 * - NOT_APPLICABLE for a resource that left the rule's scope, is gone, is not recorded or is of a type the
 *   rule does not evaluate, and for IAM (global) resources outside the global-resources region;
 * - NON_COMPLIANT "could not be read" for a resource whose input throws an {@link UnreadableInputError}
 *   (one bad resource never sinks a sweep or a group's batch); any other error fails the run;
 * - after a sweep, NOT_APPLICABLE for evaluated resources that no longer exist, for rules that ask it.
 */
import type { AccountFacts } from "../account/facts.js";
import { type IamFacts, WalkedIamFacts } from "../account/iam.js";
import { assertNever } from "../assert-never.js";
import { nonCompliant, notApplicable, type ResourceVerdict, type Verdict } from "../config/evaluation.js";
import { type ItemSummary, isReadable, type UnreadableItem } from "../config/event.js";
import type { ConfigurationItem } from "../config/item.js";
import type { RuleParameters } from "../config/parameters.js";
import { type FetchedItem, inapplicable, type Trigger } from "../config/trigger.js";
import { UnreadableInputError } from "../errors.js";
import type { Pending, Rule, RuleEnv, RuleScope } from "./rule.js";

/** What one run of a rule uses besides the trigger. */
export interface RunEnv {
  readonly facts: AccountFacts;
  readonly scope: RuleScope;
  readonly parameters: RuleParameters;
  /** Fetches the item an oversized notification summarizes (`GetResourceConfigHistory`). */
  readonly fetchOversized: (summary: ItemSummary) => Promise<FetchedItem>;
  /**
   * The one region where IAM (global) resources are evaluated (`GLOBAL_RESOURCES_REGION`); elsewhere an
   * IAM rule's change is NOT_APPLICABLE and its periodic run reports nothing. `undefined`: every region.
   */
  readonly globalResourcesRegion: string | undefined;
}

const isGlobalType = (resourceType: string): boolean => resourceType.startsWith("AWS::IAM::");

function outsideGlobalRegion(env: RunEnv): boolean {
  return env.globalResourcesRegion !== undefined && env.scope.region !== env.globalResourcesRegion;
}

function globalGuard(resourceType: string, env: RunEnv): Verdict | undefined {
  if (!isGlobalType(resourceType) || !outsideGlobalRegion(env)) return undefined;
  return notApplicable(
    `IAM resources are global: they are evaluated in ${env.globalResourcesRegion} only, not in ${env.scope.region}`,
  );
}

/** A verdict, and whether the resource's input could be read at all. */
interface Judged {
  readonly verdict: Verdict;
  readonly readable: boolean;
}

async function judged(evaluate: () => Promise<Verdict>): Promise<Judged> {
  try {
    return { verdict: await evaluate(), readable: true };
  } catch (error) {
    // Never COMPLIANT for input that could not be read, and never a crash: the annotation names the fault.
    if (error instanceof UnreadableInputError)
      return { verdict: nonCompliant(error.annotation), readable: false };
    throw error;
  }
}

function ruleEnv(env: RunEnv, facts: AccountFacts = env.facts): RuleEnv {
  return { facts, scope: env.scope, parameters: env.parameters };
}

async function pendingVerdicts(
  pending: readonly Pending[],
  env: RuleEnv,
  orderingTimestamp: Date,
): Promise<ResourceVerdict[]> {
  const out: ResourceVerdict[] = [];
  for (const p of pending) {
    const { verdict } = await judged(() => p.evaluate(env));
    out.push({ resourceType: p.resourceType, resourceId: p.resourceId, verdict, orderingTimestamp });
  }
  return out;
}

async function onChange(
  rule: Rule,
  item: ConfigurationItem | UnreadableItem,
  leftScope: boolean,
  env: RunEnv,
): Promise<ResourceVerdict[]> {
  const own = (verdict: Verdict): ResourceVerdict => ({
    resourceType: item.resourceType,
    resourceId: item.resourceId,
    verdict,
    orderingTimestamp: item.captureTime,
  });
  if (!isReadable(item)) {
    const skip = inapplicable(rule, leftScope, item);
    return [own(skip ?? nonCompliant(item.fault.annotation))];
  }
  const skip = inapplicable(rule, leftScope, item) ?? globalGuard(item.resourceType, env);
  if (skip !== undefined) return [own(skip)];
  const context = ruleEnv(env);
  const { verdict, readable } = await judged(() => rule.evaluate(item, context));
  if (!readable) return [own(verdict)];
  const related = await rule.related(item, context);
  return [own(verdict), ...(await pendingVerdicts(related, context, item.captureTime))];
}

/**
 * The facts a sweep reads: IAM from one authorization-details walk (what it holds is read once, and
 * consistently), the rest as given.
 */
function sweepFacts(facts: AccountFacts): AccountFacts {
  let iam: IamFacts | undefined;
  return {
    iam: () => {
      iam ??= new WalkedIamFacts(facts.iam());
      return iam;
    },
    ecr: (region) => facts.ecr(region),
    evaluatedResources: (ruleName, types) => facts.evaluatedResources(ruleName, types),
  };
}

async function onSchedule(rule: Rule, time: Date, env: RunEnv): Promise<ResourceVerdict[]> {
  if (rule.sweep === undefined) return [];
  if (rule.resourceTypes.every(isGlobalType) && outsideGlobalRegion(env)) return [];
  const context = ruleEnv(env, sweepFacts(env.facts));
  const results = await pendingVerdicts(await rule.sweep(context), context, time);
  if (rule.vanished === undefined) return results;
  const present = new Set(results.map((r) => `${r.resourceType}|${r.resourceId}`));
  const evaluated = (await env.facts.evaluatedResources(env.scope.ruleName, rule.resourceTypes)) ?? [];
  for (const resource of evaluated) {
    if (!rule.resourceTypes.includes(resource.resourceType)) continue;
    if (present.has(`${resource.resourceType}|${resource.resourceId}`)) continue;
    results.push({ ...resource, verdict: notApplicable(rule.vanished), orderingTimestamp: time });
  }
  return results;
}

/**
 * Runs `rule` for one trigger and returns its verdicts, reporting nothing. Faults of the run itself
 * (failed AWS reads, unreadable events) throw; a resource's unreadable input is that resource's verdict.
 *
 * @example
 * const verdicts = await runRule(rule, { kind: "periodic", time: new Date() }, env);
 */
export async function runRule(rule: Rule, trigger: Trigger, env: RunEnv): Promise<ResourceVerdict[]> {
  switch (trigger.kind) {
    case "change":
      return onChange(rule, trigger.item, trigger.leftScope, env);
    case "oversized": {
      const summary = trigger.summary;
      const skip = inapplicable(rule, trigger.leftScope, summary) ?? globalGuard(summary.resourceType, env);
      const own = (verdict: Verdict): ResourceVerdict[] => [
        {
          resourceType: summary.resourceType,
          resourceId: summary.resourceId,
          verdict,
          orderingTimestamp: summary.captureTime,
        },
      ];
      if (skip !== undefined) return own(skip);
      const fetched = await env.fetchOversized(summary);
      if (fetched.kind === "gone") return own(notApplicable(fetched.reason));
      // The resource may have been deleted between the notification and this read: judged as fetched.
      return onChange(rule, fetched.item, trigger.leftScope, env);
    }
    case "periodic":
      return onSchedule(rule, trigger.time, env);
    default:
      return assertNever(trigger, "trigger");
  }
}
