/**
 * The Lambda event AWS Config sends a custom rule (SPEC §6), parsed once: `invokingEvent` and
 * `ruleParameters` are JSON strings; `ruleParameters` may be absent or `{}`.
 */
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

export type InvokingEvent =
  | {
      readonly messageType: "ConfigurationItemChangeNotification";
      readonly item: ConfigurationItem;
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

function invoking(raw: unknown): InvokingEvent {
  const value = typeof raw === "string" ? jsonText(raw, "invokingEvent") : raw;
  const event = obj(value, "invokingEvent");
  const messageType = str(event.messageType, "invokingEvent.messageType");
  const notificationTime = optTime(event.notificationCreationTime, "invokingEvent.notificationCreationTime");
  switch (messageType) {
    case "ConfigurationItemChangeNotification":
      return {
        messageType,
        item: normalizeItem(event.configurationItem, "notification", "invokingEvent.configurationItem"),
        notificationTime,
      };
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
  const accountId =
    optStr(event.accountId, "event.accountId") ??
    (parsed.messageType === "ConfigurationItemChangeNotification"
      ? parsed.item.accountId
      : parsed.messageType === "OversizedConfigurationItemChangeNotification"
        ? parsed.summary.accountId
        : parsed.accountId);
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
