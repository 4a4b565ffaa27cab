/**
 * The Lambda end of the one evaluation path (docs/config-contract.md): event → trigger → `runRule` →
 * evaluations → `PutEvaluations`, then (with `SECURITY_HUB_FINDINGS=true`) the same verdicts as Security
 * Hub findings → `BatchImportFindings`. Only the orchestration lives here: the Config quirks are in
 * `shared/config`, the facts in `shared/account`, the findings in `shared/findings`, the judging in the
 * rules.
 */
import type { AccountFacts } from "../account/facts.js";
import { ApiAccountFacts, type ReadersFor } from "../account/sources.js";
import { ApiCallCounter, ClientFactory, type ClientTarget } from "../aws/clients.js";
import { type Evaluation, type ResourceVerdict, toEvaluation } from "../config/evaluation.js";
import { type ConfigEvent, parseConfigEvent } from "../config/event.js";
import { parseParameters } from "../config/parameters.js";
import { type EvaluationReporter, PutEvaluationsReporter } from "../config/reporter.js";
import { eventPartition, fetchOversized, ruleRegion, triggerOf } from "../config/trigger.js";
import { EcrAccessRulesError } from "../errors.js";
import { type FindingsReporter, securityHubReporter } from "../findings/security-hub.js";
import { type FindingsSetting, findingsOf, findingsSetting } from "../findings/verdicts.js";
import { type RunEnv, runRule } from "./evaluate.js";
import { powertoolsLogger, type RuleLogger } from "./logger.js";
import type { FactKind, Rule } from "./rule.js";

/** Everything the handler takes from outside; each has a default for Lambda. */
export interface RuntimeDeps {
  readonly clients: ClientFactory;
  readonly logger: RuleLogger;
  readonly now: () => Date;
  /** `ASSUME_ROLE_NAME`: the role to assume in the event's account (the parameter `executionRoleName` wins). */
  readonly assumeRoleName: string | undefined;
  /** The function's region (`AWS_REGION`), used when the event does not name one. */
  readonly defaultRegion: string;
  /** `GLOBAL_RESOURCES_REGION`: the one region where IAM rules evaluate (`undefined`: every region). */
  readonly globalResourcesRegion: string | undefined;
  /** Where evaluations go (default: `PutEvaluations` through the event account's Config client). */
  readonly reporter: (clients: ClientFactory, target: ClientTarget) => EvaluationReporter;
  /** The facts of one account (default: its API through the rule's readers, cached per container). */
  readonly facts: (target: ClientTarget) => AccountFacts;
  /** `SECURITY_HUB_FINDINGS`: whether the verdicts also go to Security Hub after `PutEvaluations`. */
  readonly securityHubFindings: FindingsSetting;
  /**
   * Where findings go (default: `BatchImportFindings` through the event account's Security Hub client,
   * built on the first use, so a function with findings off never builds one).
   */
  readonly findings: (clients: ClientFactory, target: ClientTarget) => FindingsReporter;
  /** `DOCS_BASE_URL`: where the project's documentation is published, for the findings' remediation link. */
  readonly docsBaseUrl: string | undefined;
}

/** `SECURITY_HUB_FINDINGS` holds neither "true" nor "false": the deployment is wrong, and says so. */
export class FindingsSettingError extends EcrAccessRulesError {}

/** The outcome of one event before it is reported. */
export interface EventOutcome {
  readonly event: ConfigEvent;
  readonly target: ClientTarget;
  readonly verdicts: readonly ResourceVerdict[];
}

/**
 * Runs a rule on one raw Config event and returns its verdicts, reporting nothing. Parameter errors,
 * unreadable events and failed AWS reads throw (the invocation fails and Config retries it).
 *
 * @example
 * const { verdicts } = await evaluateEvent(rule, lambdaEvent, deps);
 */
export async function evaluateEvent(rule: Rule, raw: unknown, deps: RuntimeDeps): Promise<EventOutcome> {
  const event = parseConfigEvent(raw);
  const parameters = parseParameters(rule.parameters, event.ruleParameters);
  const region = ruleRegion(event, deps.defaultRegion);
  const partition = eventPartition(event);
  const roleName = parameters.text("executionRoleName") ?? deps.assumeRoleName;
  const target: ClientTarget = {
    accountId: event.accountId,
    region,
    partition,
    ...(roleName === undefined ? {} : { roleName }),
  };
  const trigger = triggerOf(event);
  const facts = deps.facts(target);
  // A periodic run judges what it reads now: cached facts from earlier invocations are dropped.
  if (trigger.kind === "periodic") facts.invalidate?.();
  const env: RunEnv = {
    facts,
    scope: { accountId: event.accountId, region, partition, ruleName: event.configRuleName ?? rule.name },
    parameters,
    fetchOversized: (summary) => fetchOversized(summary, deps.clients.config(target)),
    globalResourcesRegion: deps.globalResourcesRegion,
  };
  return { event, target, verdicts: await runRule(rule, trigger, env) };
}

/**
 * Dependencies for Lambda: the given overrides, and defaults for the rest, built once per container (on
 * the first invocation). Account facts are cached per account and role for the container's life.
 *
 * @example
 * const deps = resolveDeps({ iam: iamReader }, { logger: silentLogger });
 */
export function resolveDeps<R extends FactKind>(
  readers: ReadersFor<R>,
  overrides: Partial<RuntimeDeps> = {},
  env: NodeJS.ProcessEnv = process.env,
  serviceName = "ecr-access-rules",
): RuntimeDeps {
  const clients = overrides.clients ?? new ClientFactory({});
  const factsByTarget = new Map<string, ApiAccountFacts>();
  const setting = (value: string | undefined) => value?.trim() || undefined;
  return {
    clients,
    logger: overrides.logger ?? powertoolsLogger(serviceName),
    now: overrides.now ?? (() => new Date()),
    assumeRoleName: "assumeRoleName" in overrides ? overrides.assumeRoleName : setting(env.ASSUME_ROLE_NAME),
    defaultRegion: overrides.defaultRegion ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
    globalResourcesRegion:
      "globalResourcesRegion" in overrides
        ? overrides.globalResourcesRegion
        : setting(env.GLOBAL_RESOURCES_REGION),
    reporter: overrides.reporter ?? ((factory, target) => new PutEvaluationsReporter(factory.config(target))),
    securityHubFindings: overrides.securityHubFindings ?? findingsSetting(env.SECURITY_HUB_FINDINGS),
    findings: overrides.findings ?? securityHubReporter,
    docsBaseUrl: "docsBaseUrl" in overrides ? overrides.docsBaseUrl : setting(env.DOCS_BASE_URL),
    facts:
      overrides.facts ??
      ((target) => {
        const key = `${target.accountId}|${target.roleName ?? ""}`;
        let facts = factsByTarget.get(key);
        if (facts === undefined) {
          facts = new ApiAccountFacts(clients, target, readers);
          factsByTarget.set(key, facts);
        }
        return facts;
      }),
  };
}

export interface HandlerResult {
  readonly evaluations: readonly Evaluation[];
  /** How many findings went to Security Hub (0 when findings are off, or for the `TESTMODE` token). */
  readonly findings: number;
}

/**
 * Sends the outcome's verdicts to Security Hub when findings are on, after `PutEvaluations` has delivered
 * them (so a Security Hub fault never costs an evaluation). A `TESTMODE` result token sends none: Config
 * records nothing for it either. Returns how many findings were imported.
 */
async function importFindings(rule: Rule, outcome: EventOutcome, deps: RuntimeDeps): Promise<number> {
  const setting = deps.securityHubFindings;
  if (setting.kind === "invalid") {
    throw new FindingsSettingError(
      `SECURITY_HUB_FINDINGS is ${JSON.stringify(setting.value)}: give "true" or "false" (the evaluations were delivered; no finding was sent)`,
    );
  }
  if (setting.kind === "disabled" || outcome.event.resultToken === "TESTMODE") return 0;
  const findings = findingsOf({
    rule,
    event: outcome.event,
    target: outcome.target,
    verdicts: outcome.verdicts,
    generatedAt: deps.now(),
    docsBaseUrl: deps.docsBaseUrl,
    globalResourcesRegion: deps.globalResourcesRegion,
  });
  if (findings.length > 0) await deps.findings(deps.clients, outcome.target).report(findings);
  return findings.length;
}

function counts(evaluations: readonly Evaluation[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of evaluations) out[e.ComplianceType] = (out[e.ComplianceType] ?? 0) + 1;
  return out;
}

/**
 * The Lambda handler for a rule, built with a reader for each kind of fact the rule reads (a missing one
 * does not compile). Dependencies default to the real ones, built once per container.
 *
 * @example
 * // rules/ecr-iam-principal-write-authorized/handler.ts
 * export const handler = createConfigRuleHandler(rule, { iam: iamReader });
 */
export function createConfigRuleHandler<R extends FactKind>(
  rule: Rule<R>,
  readers: ReadersFor<R>,
  overrides: Partial<RuntimeDeps> = {},
): (event: unknown) => Promise<HandlerResult> {
  let deps: RuntimeDeps | undefined;
  return async (event) => {
    deps ??= resolveDeps(readers, overrides, process.env, rule.name);
    const { logger, now } = deps;
    const started = now().getTime();
    const before = deps.clients.counter.snapshot();
    try {
      const outcome = await evaluateEvent(rule, event, deps);
      const evaluations = outcome.verdicts.map(toEvaluation);
      await deps.reporter(deps.clients, outcome.target).report(evaluations, outcome.event.resultToken);
      const findings = await importFindings(rule, outcome, deps);
      logger.info("evaluated", {
        rule: rule.name,
        messageType: outcome.event.invoking.messageType,
        resources:
          evaluations.length <= 5
            ? evaluations.map((e) => `${e.ComplianceResourceType} ${e.ComplianceResourceId}`)
            : `${evaluations.length} resources`,
        verdicts: counts(evaluations),
        findings,
        durationMs: now().getTime() - started,
        apiCalls: ApiCallCounter.difference(deps.clients.counter.snapshot(), before),
      });
      return { evaluations, findings };
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
