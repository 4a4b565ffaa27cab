/**
 * The Lambda event AWS Config sends a custom rule (docs/config-contract.md#the-event), parsed once: `invokingEvent` and
 * `ruleParameters` are JSON strings; `ruleParameters` may be absent or `{}`.
 */
import { assertNever } from "../assert-never.js";
import { type ConfigurationItem, type ItemStatus, normalizeItem } from "./item.js";
import { ConfigInputError, isObj, jsonText, type Obj, obj, optStr, str, timestamp } from "./read.js";

/** What an oversized notification says of its item; the item itself is fetched with GetResourceConfigHistory. */
export interface ItemSummary {
  readonly accountId: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly resourceName?: string;
  readonly arn?: string;
  readonly region: string;
  readonly captureTime: Date;
  readonly status: ItemStatus | string;
}

/**
 * A change notification's item that names its resource but cannot be normalized (a field of the wrong
 * type, an unknown status): the resource is still evaluated — NON_COMPLIANT, naming the fault.
 */
export interface UnreadableItem {
  readonly resourceType: string;
  readonly resourceId: string;
  /** The item's capture time, else the notification's. */
  readonly captureTime: Date;
  readonly fault: ConfigInputError;
}

export type InvokingEvent =
  | {
      readonly messageType: "ConfigurationItemChangeNotification";
      readonly item: ConfigurationItem | UnreadableItem;
      readonly notificationTime: Date | undefined;
    }
  | {
      readonly messageType: "OversizedConfigurationItemChangeNotification";
      readonly summary: ItemSummary;
      readonly notificationTime: Date | undefined;
    }
  | {
      readonly messageType: "ScheduledNotification";
      readonly accountId: string;
      readonly notificationTime: Date;
    };

export interface ConfigEvent {
  readonly invoking: InvokingEvent;
  /** The raw rule parameters (validated by the rule's parameter spec). */
  readonly ruleParameters: Obj;
  readonly resultToken: string;
  readonly eventLeftScope: boolean;
  /** The account the rule runs in (the event's `accountId`). */
  readonly accountId: string;
  readonly configRuleName?: string;
  readonly configRuleArn?: string;
}

function optTime(value: unknown, path: string): Date | undefined {
  return value === undefined || value === null ? undefined : timestamp(value, path);
}

function summary(raw: unknown): ItemSummary {
  const path = "invokingEvent.configurationItemSummary";
  const s = obj(raw, path);
  const resourceName = optStr(s.resourceName, `${path}.resourceName`);
  const arn = optStr(s.ARN, `${path}.ARN`);
  return {
    accountId: str(s.awsAccountId, `${path}.awsAccountId`),
    resourceType: str(s.resourceType, `${path}.resourceType`),
    resourceId: str(s.resourceId, `${path}.resourceId`),
    ...(resourceName === undefined ? {} : { resourceName }),
    ...(arn === undefined ? {} : { arn }),
    region: str(s.awsRegion, `${path}.awsRegion`),
    captureTime: timestamp(s.configurationItemCaptureTime, `${path}.configurationItemCaptureTime`),
    status: str(s.configurationItemStatus, `${path}.configurationItemStatus`),
  };
}

/** Whether a change notification's item could be normalized. */
export function isReadable(item: ConfigurationItem | UnreadableItem): item is ConfigurationItem {
  return !("fault" in item);
}

function changedItem(raw: unknown, notificationTime: Date | undefined): ConfigurationItem | UnreadableItem {
  const path = "invokingEvent.configurationItem";
  try {
    return normalizeItem(raw, "notification", path);
  } catch (fault) {
    // Without its type and id the resource cannot be named: the event itself is unreadable.
    if (!(fault instanceof ConfigInputError) || !isObj(raw)) throw fault;
    const { resourceType, resourceId } = raw;
    if (typeof resourceType !== "string" || typeof resourceId !== "string") throw fault;
    let captureTime = notificationTime;
    try {
      captureTime = timestamp(raw.configurationItemCaptureTime, `${path}.configurationItemCaptureTime`);
    } catch {
      // the notification's time stands in
    }
    if (captureTime === undefined) throw fault;
    return { resourceType, resourceId, captureTime, fault };
  }
}

function invoking(raw: unknown): InvokingEvent {
  const value = typeof raw === "string" ? jsonText(raw, "invokingEvent") : raw;
  const event = obj(value, "invokingEvent");
  const messageType = str(event.messageType, "invokingEvent.messageType");
  const notificationTime = optTime(event.notificationCreationTime, "invokingEvent.notificationCreationTime");
  switch (messageType) {
    case "ConfigurationItemChangeNotification":
      return { messageType, item: changedItem(event.configurationItem, notificationTime), notificationTime };
    case "OversizedConfigurationItemChangeNotification":
      return { messageType, summary: summary(event.configurationItemSummary), notificationTime };
    case "ScheduledNotification":
      if (notificationTime === undefined) {
        throw new ConfigInputError(
          "invokingEvent.notificationCreationTime",
          "missing in a ScheduledNotification",
        );
      }
      return {
        messageType,
        accountId: str(event.awsAccountId, "invokingEvent.awsAccountId"),
        notificationTime,
      };
    default:
      throw new ConfigInputError(
        "invokingEvent.messageType",
        `unknown message type ${JSON.stringify(messageType)}`,
      );
  }
}

function parameters(raw: unknown): Obj {
  if (raw === undefined || raw === null || raw === "") return {};
  const value = typeof raw === "string" ? jsonText(raw, "ruleParameters") : raw;
  return obj(value, "ruleParameters");
}

function accountOf(invoking: InvokingEvent): string | undefined {
  switch (invoking.messageType) {
    case "ConfigurationItemChangeNotification":
      return isReadable(invoking.item) ? invoking.item.accountId : undefined;
    case "OversizedConfigurationItemChangeNotification":
      return invoking.summary.accountId;
    case "ScheduledNotification":
      return invoking.accountId;
    default:
      return assertNever(invoking, "invokingEvent");
  }
}

/**
 * Parses the event a Config rule's Lambda function receives. Throws `ConfigInputError` naming the field.
 *
 * @example
 * const event = parseConfigEvent(lambdaEvent);
 * if (event.invoking.messageType === "ScheduledNotification") { … }
 */
export function parseConfigEvent(raw: unknown): ConfigEvent {
  const event = obj(raw, "event");
  const configRuleName = optStr(event.configRuleName, "event.configRuleName");
  const configRuleArn = optStr(event.configRuleArn, "event.configRuleArn");
  const eventLeftScope = event.eventLeftScope;
  if (eventLeftScope !== undefined && eventLeftScope !== null && typeof eventLeftScope !== "boolean") {
    throw new ConfigInputError("event.eventLeftScope", "must be true or false");
  }
  const parsed = invoking(event.invokingEvent);
  const accountId = optStr(event.accountId, "event.accountId") ?? accountOf(parsed);
  if (accountId === undefined) throw new ConfigInputError("event.accountId", "missing");
  return {
    invoking: parsed,
    ruleParameters: parameters(event.ruleParameters),
    resultToken: str(event.resultToken, "event.resultToken"),
    eventLeftScope: eventLeftScope === true,
    accountId,
    ...(configRuleName === undefined ? {} : { configRuleName }),
    ...(configRuleArn === undefined ? {} : { configRuleArn }),
  };
}

/** Whether a value looks like a Config event (for the CLI's input checks). */
export function looksLikeConfigEvent(value: unknown): boolean {
  return isObj(value) && "invokingEvent" in value;
}
