/**
 * What a Config event asks a rule to do, and the Config quirks around it (docs/config-contract.md): which
 * region and partition the rule runs in, when a resource is NOT_APPLICABLE, and how the item an oversized
 * notification only summarizes is fetched (`GetResourceConfigHistory`, whose item has the API's field names).
 */
import {
  type ConfigServiceClient,
  GetResourceConfigHistoryCommand,
  ResourceType,
} from "@aws-sdk/client-config-service";
import { assertNever } from "../assert-never.js";
import { EcrAccessRulesError } from "../errors.js";
import { notApplicable, type Verdict } from "./evaluation.js";
import { type ConfigEvent, type ItemSummary, isReadable, type UnreadableItem } from "./event.js";
import { type ConfigurationItem, normalizeItem, partitionOf } from "./item.js";
import { ConfigInputError } from "./read.js";

/** One run of a rule: on a changed item, on an oversized item's summary, or on the schedule. */
export type Trigger =
  | {
      readonly kind: "change";
      readonly item: ConfigurationItem | UnreadableItem;
      /** The event's `eventLeftScope`. */
      readonly leftScope: boolean;
    }
  | { readonly kind: "oversized"; readonly summary: ItemSummary; readonly leftScope: boolean }
  | { readonly kind: "periodic"; readonly time: Date };

/**
 * The trigger a parsed event carries.
 *
 * @example
 * triggerOf(parseConfigEvent(lambdaEvent)).kind; // "change"
 */
export function triggerOf(event: ConfigEvent): Trigger {
  const invoking = event.invoking;
  switch (invoking.messageType) {
    case "ConfigurationItemChangeNotification":
      return { kind: "change", item: invoking.item, leftScope: event.eventLeftScope };
    case "OversizedConfigurationItemChangeNotification":
      return { kind: "oversized", summary: invoking.summary, leftScope: event.eventLeftScope };
    case "ScheduledNotification":
      return { kind: "periodic", time: invoking.notificationTime };
    default:
      return assertNever(invoking, "invokingEvent");
  }
}

function regionFromArn(arn: string | undefined): string | undefined {
  const region = arn?.split(":")[3];
  return region === undefined || region === "" ? undefined : region;
}

/** The region and ARN the event names for its resource, if any. */
function eventResource(event: ConfigEvent): { region?: string; arn?: string } {
  const invoking = event.invoking;
  switch (invoking.messageType) {
    case "ConfigurationItemChangeNotification":
      return isReadable(invoking.item)
        ? {
            region: invoking.item.region,
            ...(invoking.item.arn === undefined ? {} : { arn: invoking.item.arn }),
          }
        : {};
    case "OversizedConfigurationItemChangeNotification":
      return {
        region: invoking.summary.region,
        ...(invoking.summary.arn === undefined ? {} : { arn: invoking.summary.arn }),
      };
    case "ScheduledNotification":
      return {};
    default:
      return assertNever(invoking, "invokingEvent");
  }
}

/**
 * The region the rule runs in: its ARN's, else the item's (unless `global`, as IAM items say), else
 * `fallback` (the function's own region).
 *
 * @example
 * ruleRegion(event, process.env.AWS_REGION ?? "us-east-1"); // "eu-west-1"
 */
export function ruleRegion(event: ConfigEvent, fallback: string): string {
  const fromRule = regionFromArn(event.configRuleArn);
  if (fromRule !== undefined) return fromRule;
  const { region } = eventResource(event);
  return region !== undefined && region !== "global" ? region : fallback;
}

/**
 * The partition of the evaluated account: the rule's ARN's, else the item's, else `aws`.
 *
 * @example
 * eventPartition(event); // "aws-us-gov"
 */
export function eventPartition(event: ConfigEvent): string {
  const arn = event.configRuleArn ?? eventResource(event).arn;
  return partitionOf(arn === undefined ? {} : { arn });
}

const DELETED_STATUSES: ReadonlySet<string> = new Set([
  "ResourceDeleted",
  "ResourceDeletedNotRecorded",
  "ResourceNotRecorded",
]);

/**
 * NOT_APPLICABLE when a resource left the rule's scope, is gone or not recorded, or is of a type the rule
 * does not evaluate; `undefined` when the rule should judge it.
 *
 * @example
 * inapplicable(rule, false, { status: "ResourceDeleted", resourceType: "AWS::IAM::Role" }); // NOT_APPLICABLE
 */
export function inapplicable(
  rule: { readonly name: string; readonly resourceTypes: readonly string[] },
  leftScope: boolean,
  resource: { readonly status?: string; readonly resourceType: string },
): Verdict | undefined {
  if (leftScope) return notApplicable("the resource left the rule's scope");
  if (resource.status !== undefined && DELETED_STATUSES.has(resource.status)) {
    return notApplicable(`configuration item status ${resource.status}`);
  }
  if (!rule.resourceTypes.includes(resource.resourceType)) {
    return notApplicable(`${resource.resourceType} is not evaluated by ${rule.name}`);
  }
  return undefined;
}

/** The oversized item could not be fetched (a failed call: the invocation fails, Config retries it). */
export class ItemFetchError extends EcrAccessRulesError {}

/** What `GetResourceConfigHistory` gave for an oversized item. */
export type FetchedItem =
  | { readonly kind: "item"; readonly item: ConfigurationItem | UnreadableItem }
  /** Config no longer knows the resource (`ResourceNotDiscoveredException`): it is gone. */
  | { readonly kind: "gone"; readonly reason: string };

const RESOURCE_TYPES: ReadonlySet<string> = new Set(Object.values(ResourceType));

/** Whether `value` is a resource type Config knows (the SDK's `ResourceType` names). */
export function isResourceType(value: string): value is ResourceType {
  return RESOURCE_TYPES.has(value);
}

/**
 * Fetches the item an oversized notification summarizes (the latest at or before its capture time). An
 * item that cannot be normalized is returned as unreadable (the resource is then NON_COMPLIANT naming the
 * fault); a resource Config no longer knows is `gone`; a failed call throws {@link ItemFetchError}.
 *
 * @example
 * const fetched = await fetchOversized(summary, clients.config);
 */
export async function fetchOversized(
  summary: ItemSummary,
  config: ConfigServiceClient,
): Promise<FetchedItem> {
  const resourceType = summary.resourceType;
  if (!isResourceType(resourceType)) {
    throw new ConfigInputError(
      "invokingEvent.configurationItemSummary.resourceType",
      `unknown type ${resourceType}`,
    );
  }
  let items: readonly unknown[];
  try {
    const response = await config.send(
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
    if (cause instanceof Error && cause.name === "ResourceNotDiscoveredException") {
      return { kind: "gone", reason: `Config no longer knows the resource (${reason})` };
    }
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
  try {
    return { kind: "item", item: normalizeItem(first, "api", "configurationItems[0]") };
  } catch (fault) {
    if (!(fault instanceof ConfigInputError)) throw fault;
    return {
      kind: "item",
      item: {
        resourceType: summary.resourceType,
        resourceId: summary.resourceId,
        captureTime: summary.captureTime,
        fault,
      },
    };
  }
}
