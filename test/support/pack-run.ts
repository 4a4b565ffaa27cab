/**
 * What the deployed pack would hold for an account: every rule's handler run as Config runs it — one
 * periodic run for the periodic rules, then one change notification per resource — keeping the latest
 * evaluation of each resource, as Config does. `scan` must print exactly this.
 */
import type { Evaluation } from "../../shared/config/evaluation.js";
import type { ConfigurationItem } from "../../shared/config/item.js";
import type { HandlerResult } from "../../shared/runtime/handler.js";
import type { Rule } from "../../shared/runtime/rule.js";
import { changeEvent, scheduledEvent } from "./events.js";

/** One evaluation, without its ordering timestamp (each run's own clock). */
export interface PackRow {
  readonly configRuleName: string;
  readonly complianceResourceType: string;
  readonly complianceResourceId: string;
  readonly complianceType: string;
  readonly annotation: string | undefined;
}

/** The notification form of a normalized item, as Config would send it. */
export function notification(item: ConfigurationItem): Record<string, unknown> {
  return {
    relatedEvents: [],
    relationships: [],
    configuration: item.configuration,
    supplementaryConfiguration: {},
    tags: {},
    configurationItemVersion: "1.3",
    configurationItemCaptureTime: item.captureTime.toISOString(),
    configurationStateId: 1,
    awsAccountId: item.accountId,
    configurationItemStatus: item.status,
    resourceType: item.resourceType,
    resourceId: item.resourceId,
    resourceName: item.resourceName ?? null,
    ARN: item.arn ?? null,
    awsRegion: item.region,
    availabilityZone: "Not Applicable",
    configurationStateMd5Hash: "",
  };
}

/** Rows sorted by rule, resource type and id, with only the compared fields. */
export function sortedRows(rows: readonly PackRow[]): PackRow[] {
  return rows
    .map((r) => ({
      configRuleName: r.configRuleName,
      complianceResourceType: r.complianceResourceType,
      complianceResourceId: r.complianceResourceId,
      complianceType: r.complianceType,
      annotation: r.annotation,
    }))
    .sort((a, b) =>
      `${a.configRuleName}|${a.complianceResourceType}|${a.complianceResourceId}`.localeCompare(
        `${b.configRuleName}|${b.complianceResourceType}|${b.complianceResourceId}`,
      ),
    );
}

/**
 * Runs each rule's handler over the account (a periodic run if the rule has one, then a change of every
 * item of its types) and returns the latest evaluation of each resource.
 */
export async function deployedPackRows(
  rules: readonly Rule[],
  items: readonly ConfigurationItem[],
  handlerOf: (rule: Rule) => (event: unknown) => Promise<HandlerResult>,
  where: { readonly region: string; readonly accountId: string },
): Promise<PackRow[]> {
  const rows: PackRow[] = [];
  for (const rule of rules) {
    const handler = handlerOf(rule);
    const options = { region: where.region, accountId: where.accountId, ruleName: rule.name };
    const latest = new Map<string, Evaluation>();
    const keep = (result: HandlerResult) => {
      for (const e of result.evaluations)
        latest.set(`${e.ComplianceResourceType}|${e.ComplianceResourceId}`, e);
    };
    if (rule.periodic) keep(await handler(scheduledEvent(options)));
    for (const item of items.filter((i) => rule.resourceTypes.includes(i.resourceType))) {
      keep(await handler(changeEvent(notification(item), options)));
    }
    for (const e of latest.values()) {
      rows.push({
        configRuleName: rule.name,
        complianceResourceType: e.ComplianceResourceType,
        complianceResourceId: e.ComplianceResourceId,
        complianceType: e.ComplianceType,
        annotation: e.Annotation,
      });
    }
  }
  return sortedRows(rows);
}
