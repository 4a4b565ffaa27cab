/**
 * Configuration items, normalized. AWS Config delivers an item in two forms: in a change notification
 * (`awsAccountId`, `ARN`, `configuration` as an object, relationships with `name`) and from the
 * `GetResourceConfigHistory` API (`accountId`, `arn`, `configuration` as JSON text,
 * `supplementaryConfiguration` values as JSON text, relationships with `relationshipName`). Both become one
 * {@link ConfigurationItem}.
 */
import { ConfigInputError, isObj, jsonText, kindOf, type Obj, obj, optStr, str, timestamp } from "./read.js";

export type ItemStatus =
  | "OK"
  | "ResourceDiscovered"
  | "ResourceNotRecorded"
  | "ResourceDeleted"
  | "ResourceDeletedNotRecorded";

const STATUSES: readonly ItemStatus[] = [
  "OK",
  "ResourceDiscovered",
  "ResourceNotRecorded",
  "ResourceDeleted",
  "ResourceDeletedNotRecorded",
];

export interface Relationship {
  readonly resourceType: string;
  readonly resourceId?: string;
  readonly resourceName?: string;
  /** `Is attached to Group`, `Contains Policy`, … */
  readonly name: string;
}

export interface ConfigurationItem {
  readonly accountId: string;
  readonly arn?: string;
  readonly region: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly resourceName?: string;
  readonly captureTime: Date;
  readonly status: ItemStatus;
  /** The resource's configuration, parsed (`null` for deleted resources). */
  readonly configuration: unknown;
  /** Supplementary configuration, each value parsed. */
  readonly supplementaryConfiguration: Obj;
  readonly relationships: readonly Relationship[];
  readonly tags: Readonly<Record<string, string>>;
}

/** Which form an item came in. */
export type ItemForm = "notification" | "api";

function parseMaybeJson(value: unknown, path: string): unknown {
  if (typeof value !== "string") return value;
  const trimmed = value.trim();
  return trimmed.startsWith("{") || trimmed.startsWith("[") ? jsonText(value, path) : value;
}

function status(value: unknown, path: string): ItemStatus {
  const text = str(value, path);
  const found = STATUSES.find((s) => s === text);
  if (found === undefined)
    throw new ConfigInputError(path, `unknown configuration item status ${JSON.stringify(text)}`);
  return found;
}

function relationships(value: unknown, path: string, form: ItemForm): Relationship[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ConfigInputError(path, `must be a list, got ${kindOf(value)}`);
  return value.map((raw, i) => {
    const at = `${path}[${i}]`;
    const r = obj(raw, at);
    const resourceId = optStr(r.resourceId, `${at}.resourceId`);
    const resourceName = optStr(r.resourceName, `${at}.resourceName`);
    const nameField = form === "api" ? "relationshipName" : "name";
    return {
      resourceType: str(r.resourceType, `${at}.resourceType`),
      ...(resourceId === undefined ? {} : { resourceId }),
      ...(resourceName === undefined ? {} : { resourceName }),
      name: str(r[nameField] ?? r.name ?? r.relationshipName, `${at}.${nameField}`),
    };
  });
}

function tags(value: unknown): Record<string, string> {
  if (!isObj(value)) return {};
  const out: Record<string, string> = {};
  for (const [key, tag] of Object.entries(value)) if (typeof tag === "string") out[key] = tag;
  return out;
}

/**
 * Normalizes a configuration item from either form. Throws `ConfigInputError` naming the faulty field.
 *
 * @example
 * const item = normalizeItem(JSON.parse(event.invokingEvent).configurationItem, "notification");
 * item.resourceType; // "AWS::IAM::Policy"
 */
export function normalizeItem(raw: unknown, form: ItemForm, path = "configurationItem"): ConfigurationItem {
  const item = obj(raw, path);
  const accountField = form === "api" ? "accountId" : "awsAccountId";
  const arnField = form === "api" ? "arn" : "ARN";
  const arn = optStr(item[arnField], `${path}.${arnField}`);
  const resourceName = optStr(item.resourceName, `${path}.resourceName`);
  const configuration =
    form === "api"
      ? parseMaybeJson(item.configuration ?? null, `${path}.configuration`)
      : (item.configuration ?? null);
  const supplementary: Record<string, unknown> = {};
  if (isObj(item.supplementaryConfiguration)) {
    for (const [key, value] of Object.entries(item.supplementaryConfiguration)) {
      supplementary[key] =
        form === "api" ? parseMaybeJson(value, `${path}.supplementaryConfiguration.${key}`) : value;
    }
  }
  return {
    accountId: str(item[accountField], `${path}.${accountField}`),
    ...(arn === undefined ? {} : { arn }),
    region: str(item.awsRegion, `${path}.awsRegion`),
    resourceType: str(item.resourceType, `${path}.resourceType`),
    resourceId: str(item.resourceId, `${path}.resourceId`),
    ...(resourceName === undefined ? {} : { resourceName }),
    captureTime: timestamp(item.configurationItemCaptureTime, `${path}.configurationItemCaptureTime`),
    status: status(item.configurationItemStatus, `${path}.configurationItemStatus`),
    configuration,
    supplementaryConfiguration: supplementary,
    relationships: relationships(item.relationships, `${path}.relationships`, form),
    tags: tags(item.tags),
  };
}

/** The partition of an item, from its ARN (`aws` when unknown). */
export function partitionOf(item: Pick<ConfigurationItem, "arn">): string {
  const partition = item.arn?.split(":")[1];
  return partition !== undefined && /^aws(-[a-z]+)*$/u.test(partition) ? partition : "aws";
}
