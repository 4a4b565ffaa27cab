/**
 * The one Config rule handler (SPEC §6): event → item → facts → verdict → evaluations → PutEvaluations.
 * Everything about Config lives here and in shared/config; rules only judge.
 */
import { GetResourceConfigHistoryCommand, ResourceType } from "@aws-sdk/client-config-service";
import { type AccountFacts, ApiAccountFacts } from "../account/facts.js";
import {
  type Evaluation,
  nonCompliant,
  notApplicable,
  type ResourceVerdict,
  toEvaluation,
  type Verdict,
} from "../config/evaluation.js";
import { type ConfigEvent, type ItemSummary, parseConfigEvent } from "../config/event.js";
import { type ConfigurationItem, normalizeItem, partitionOf } from "../config/item.js";
import { parseParameters } from "../config/parameters.js";
import { ConfigInputError } from "../config/read.js";
import { type EvaluationReporter, PutEvaluationsReporter } from "../config/reporter.js";
import { EcrAccessRulesError } from "../errors.js";
import { PolicyParseError } from "../policy/parse.js";
import { ApiCallCounter, type AwsClients, ClientFactory, type ClientTarget } from "./clients.js";
import { powertoolsLogger, type RuleLogger } from "./logger.js";
import type { RuleContext, RuleDefinition } from "./rule.js";

/** Everything the handler takes from outside; each has a default for Lambda. */
export interface RuntimeDeps {
  readonly clients: ClientFactory;
  readonly logger: RuleLogger;
  readonly now: () => Date;
  /** `ASSUME_ROLE_NAME`: the role to assume in the event's account (the parameter `executionRoleName` wins). */
  readonly assumeRoleName: string | undefined;
  /** The function's region (`AWS_REGION`), used when the event does not name one. */
  readonly defaultRegion: string;
  /** Where evaluations go (default: `PutEvaluations` through the event account's Config client). */
  readonly reporter: (clients: AwsClients) => EvaluationReporter;
  /** The facts of one account (default: its API, cached per container). */
  readonly facts: (target: ClientTarget) => AccountFacts;
}

const DELETED_STATUSES = new Set(["ResourceDeleted", "ResourceDeletedNotRecorded", "ResourceNotRecorded"]);

/** The oversized item could not be fetched. */
export class ItemFetchError extends EcrAccessRulesError {}

function regionFromArn(arn: string | undefined): string | undefined {
  const region = arn?.split(":")[3];
  return region === undefined || region === "" ? undefined : region;
}

/** The outcome of one event before it is reported. */
export interface EventOutcome {
  readonly event: ConfigEvent;
  readonly target: ClientTarget;
  readonly verdicts: readonly ResourceVerdict[];
}

function ruleRegion(event: ConfigEvent, fallback: string): string {
  const fromRule = regionFromArn(event.configRuleArn);
  if (fromRule) return fromRule;
  const invoking = event.invoking;
  const itemRegion =
    invoking.messageType === "ConfigurationItemChangeNotification"
      ? invoking.item.region
      : invoking.messageType === "OversizedConfigurationItemChangeNotification"
        ? invoking.summary.region
        : undefined;
  return itemRegion !== undefined && itemRegion !== "global" ? itemRegion : fallback;
}

const RESOURCE_TYPES: ReadonlySet<string> = new Set(Object.values(ResourceType));

function isResourceType(value: string): value is ResourceType {
  return RESOURCE_TYPES.has(value);
}

async function fetchOversized(summary: ItemSummary, clients: AwsClients): Promise<ConfigurationItem> {
  const resourceType = summary.resourceType;
  if (!isResourceType(resourceType)) {
    throw new ConfigInputError(
      "invokingEvent.configurationItemSummary.resourceType",
      `unknown type ${resourceType}`,
    );
  }
  let items: readonly unknown[];
  try {
    const response = await clients.config.send(
      new GetResourceConfigHistoryCommand({
        resourceType,
        resourceId: summary.resourceId,
        laterTime: summary.captureTime,
        limit: 1,
      }),
    );
    items = response.configurationItems ?? [];
  } catch (cause) {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    throw new ItemFetchError(
      `config:GetResourceConfigHistory for ${summary.resourceType} ${summary.resourceId} failed: ${reason}`,
      { cause },
    );
  }
  const [first] = items;
  if (first === undefined) {
    throw new ItemFetchError(
      `config:GetResourceConfigHistory returned no item for ${summary.resourceType} ${summary.resourceId} at ${summary.captureTime.toISOString()}`,
    );
  }
  return normalizeItem(first, "api", "configurationItems[0]");
}

/** NOT_APPLICABLE when a resource is gone, not recorded, out of the rule's scope or left it (SPEC §6). */
function inapplicable(
  rule: RuleDefinition,
  event: Pick<ConfigEvent, "eventLeftScope">,
  resource: { readonly status: string; readonly resourceType: string },
): Verdict | undefined {
  if (event.eventLeftScope) return notApplicable("the resource left the rule's scope");
  if (DELETED_STATUSES.has(resource.status))
    return notApplicable(`configuration item status ${resource.status}`);
  if (!rule.resourceTypes.includes(resource.resourceType)) {
    return notApplicable(`${resource.resourceType} is not evaluated by ${rule.name}`);
  }
  return undefined;
}

/**
 * A rule's verdict on one item, as the handler gives it for a change notification: NOT_APPLICABLE for a
 * deleted or out-of-scope item, NON_COMPLIANT naming the fault for input that cannot be read. `scan` uses
 * it for every resource of an account.
 *
 * @example
 * const verdict = await evaluateItem(rule, item, context);
 */
export async function evaluateItem(
  rule: RuleDefinition,
  item: ConfigurationItem,
  context: RuleContext,
): Promise<Verdict> {
  return inapplicable(rule, { eventLeftScope: false }, item) ?? (await judgeItem(rule, item, context));
}

/** The rule's verdict on an applicable item; input it could not read is NON_COMPLIANT, naming the fault. */
async function judgeItem(
  rule: RuleDefinition,
  item: ConfigurationItem,
  context: RuleContext,
): Promise<Verdict> {
  try {
    return await rule.evaluateChange(item, context);
  } catch (error) {
    // Never COMPLIANT for unread input, and never a crash: the annotation names the fault.
    if (error instanceof PolicyParseError || error instanceof ConfigInputError) {
      return nonCompliant(`Could not read the resource's configuration: ${error.message}`);
    }
    throw error;
  }
}

/**
 * Runs a rule on one raw Config event and returns its verdicts, reporting nothing. Parameter errors,
 * unreadable events and failed AWS reads throw (the invocation fails and Config retries it).
 *
 * @example
 * const { verdicts } = await evaluateEvent(rule, lambdaEvent, deps);
 */
export async function evaluateEvent(
  rule: RuleDefinition,
  raw: unknown,
  deps: RuntimeDeps,
): Promise<EventOutcome> {
  const event = parseConfigEvent(raw);
  const parameters = parseParameters(rule.parameters, event.ruleParameters);
  const region = ruleRegion(event, deps.defaultRegion);
  const invoking = event.invoking;
  const arnForPartition =
    event.configRuleArn ??
    (invoking.messageType === "ConfigurationItemChangeNotification"
      ? invoking.item.arn
      : invoking.messageType === "OversizedConfigurationItemChangeNotification"
        ? invoking.summary.arn
        : undefined);
  const partition = partitionOf(arnForPartition === undefined ? {} : { arn: arnForPartition });
  const roleName = parameters.text("executionRoleName") ?? deps.assumeRoleName;
  const target: ClientTarget = {
    accountId: event.accountId,
    region,
    partition,
    ...(roleName === undefined ? {} : { roleName }),
  };
  const context: RuleContext = {
    parameters,
    accountId: event.accountId,
    region,
    partition,
    facts: deps.facts(target),
    ruleName: event.configRuleName ?? rule.name,
  };
  /** The item's verdict, then those of the resources its change re-evaluates. */
  const judged = async (item: ConfigurationItem, skip: Verdict | undefined): Promise<ResourceVerdict[]> => {
    const verdict = skip ?? (await judgeItem(rule, item, context));
    const own: ResourceVerdict = {
      resourceType: item.resourceType,
      resourceId: item.resourceId,
      verdict,
      orderingTimestamp: item.captureTime,
    };
    if (skip !== undefined || rule.evaluateRelated === undefined) return [own];
    const related = await rule.evaluateRelated(item, context);
    return [own, ...related.map((result) => ({ ...result, orderingTimestamp: item.captureTime }))];
  };

  switch (invoking.messageType) {
    case "ConfigurationItemChangeNotification": {
      const item = invoking.item;
      return { event, target, verdicts: await judged(item, inapplicable(rule, event, item)) };
    }
    case "OversizedConfigurationItemChangeNotification": {
      const summary = invoking.summary;
      const skip = inapplicable(rule, event, summary);
      if (skip !== undefined) {
        const verdicts = [
          {
            resourceType: summary.resourceType,
            resourceId: summary.resourceId,
            verdict: skip,
            orderingTimestamp: summary.captureTime,
          },
        ];
        return { event, target, verdicts };
      }
      const item = await fetchOversized(summary, deps.clients.clients(target));
      // The resource may have been deleted between the notification and this read.
      return { event, target, verdicts: await judged(item, inapplicable(rule, event, item)) };
    }
    case "ScheduledNotification": {
      const results = rule.evaluatePeriodic ? await rule.evaluatePeriodic(context) : [];
      return {
        event,
        target,
        verdicts: results.map((result) => ({ ...result, orderingTimestamp: invoking.notificationTime })),
      };
    }
    default: {
      const unreachable: never = invoking;
      throw new ConfigInputError("invokingEvent.messageType", `unhandled ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * Dependencies for Lambda: the given overrides, and defaults for the rest, built once per container (on
 * the first invocation). Account facts are cached per account and role for the container's life.
 */
export function resolveDeps(
  rule: RuleDefinition,
  overrides: Partial<RuntimeDeps> = {},
  env: NodeJS.ProcessEnv = process.env,
): RuntimeDeps {
  const clients = overrides.clients ?? new ClientFactory({});
  const factsByTarget = new Map<string, AccountFacts>();
  return {
    clients,
    logger: overrides.logger ?? powertoolsLogger(rule.name),
    now: overrides.now ?? (() => new Date()),
    assumeRoleName:
      "assumeRoleName" in overrides ? overrides.assumeRoleName : env.ASSUME_ROLE_NAME?.trim() || undefined,
    defaultRegion: overrides.defaultRegion ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
    reporter: overrides.reporter ?? ((awsClients) => new PutEvaluationsReporter(awsClients.config)),
    facts:
      overrides.facts ??
      ((target) => {
        const key = `${target.accountId}|${target.roleName ?? ""}`;
        let facts = factsByTarget.get(key);
        if (facts === undefined) {
          facts = new ApiAccountFacts(clients, target);
          factsByTarget.set(key, facts);
        }
        return facts;
      }),
  };
}

export interface HandlerResult {
  readonly evaluations: readonly Evaluation[];
}

function counts(evaluations: readonly Evaluation[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of evaluations) out[e.ComplianceType] = (out[e.ComplianceType] ?? 0) + 1;
  return out;
}

/**
 * The Lambda handler for a rule. Dependencies default to the real ones, built once per container.
 *
 * @example
 * // rules/ecr-repository-policy-trusted/handler.ts
 * export const handler = createConfigRuleHandler(rule);
 */
export function createConfigRuleHandler(
  rule: RuleDefinition,
  overrides: Partial<RuntimeDeps> = {},
): (event: unknown) => Promise<HandlerResult> {
  let deps: RuntimeDeps | undefined;
  return async (event) => {
    deps ??= resolveDeps(rule, overrides);
    const { logger, now } = deps;
    const started = now().getTime();
    const before = deps.clients.counter.snapshot();
    try {
      const outcome = await evaluateEvent(rule, event, deps);
      const evaluations = outcome.verdicts.map(toEvaluation);
      await deps
        .reporter(deps.clients.clients(outcome.target))
        .report(evaluations, outcome.event.resultToken);
      logger.info("evaluated", {
        rule: rule.name,
        messageType: outcome.event.invoking.messageType,
        resources:
          evaluations.length <= 5
            ? evaluations.map((e) => `${e.ComplianceResourceType} ${e.ComplianceResourceId}`)
            : `${evaluations.length} resources`,
        verdicts: counts(evaluations),
        durationMs: now().getTime() - started,
        apiCalls: ApiCallCounter.difference(deps.clients.counter.snapshot(), before),
      });
      return { evaluations };
    } catch (error) {
      logger.error("invocation failed", {
        rule: rule.name,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        durationMs: now().getTime() - started,
        apiCalls: ApiCallCounter.difference(deps.clients.counter.snapshot(), before),
      });
      throw error;
    }
  };
}
