/**
 * Narrowing conditions of resource policies (docs/policy-semantics.md#narrowing-conditions): condition entries that limit who a statement admits
 * to named accounts, organizations, principal ARNs or trusted VPC endpoints.
 */

import { assertNever } from "../assert-never.js";
import { splitOperator } from "./conditions.js";
import { asciiLower, hasWildcard } from "./glob.js";
import type { ConditionEntry } from "./parse.js";

/** One value a narrowing entry admits. */
export type NarrowValue =
  | { readonly type: "account"; readonly account: string }
  | { readonly type: "organization"; readonly organization: string }
  /** `${aws:ResourceOrgID}` (or `${aws:ResourceOrgPaths}`): the organization of the policy's owner. */
  | { readonly type: "owner-organization" }
  /** `aws:PrincipalArn`: a principal ARN (possibly a glob in its name part) in `account`. */
  | { readonly type: "principal-arn"; readonly arn: string; readonly account: string }
  | { readonly type: "vpce"; readonly value: string };

/** A condition entry that narrows: the key it reads and every value it admits. */
export interface Narrowing {
  /** The condition keys it reads (several for a perimeter whose entries read different keys). */
  readonly keys: readonly string[];
  readonly values: readonly NarrowValue[];
}

/** The policy variables a narrowing value may hold: the owner account, and the owner's organization. */
const RESOURCE_ACCOUNT_VARIABLE = /\$\{aws:resourceaccount\}/giu;
const RESOURCE_ORG_ID = /^\$\{aws:resourceorgid\}$/iu;
const RESOURCE_ORG_PATHS = /^\$\{aws:resourceorgpaths\}/iu;

type KeyKind = "org-id" | "org-path" | "account" | "principal-arn" | "source-arn" | "network";

const KEYS: ReadonlyMap<string, KeyKind> = new Map<string, KeyKind>([
  ["aws:principalorgid", "org-id"],
  ["aws:principalorgpaths", "org-path"],
  ["aws:principalaccount", "account"],
  ["aws:sourceaccount", "account"],
  ["aws:sourceowner", "account"],
  ["aws:principalarn", "principal-arn"],
  ["aws:sourcearn", "source-arn"],
  ["aws:sourceorgid", "org-id"],
  ["aws:sourceorgpaths", "org-path"],
  ["aws:sourcevpce", "network"],
  ["aws:sourcevpc", "network"],
  ["aws:sourcevpcarn", "network"],
  ["aws:vpceaccount", "network"],
  ["aws:vpceorgid", "network"],
  ["aws:vpceorgpaths", "network"],
]);

/** The keys that guard a service principal against the confused deputy. */
export const SOURCE_GUARD_KEYS: ReadonlySet<string> = new Set([
  "aws:sourceaccount",
  "aws:sourcearn",
  "aws:sourceorgid",
]);

const POSITIVE = new Set(["stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"]);
const NEGATED = new Set([
  "stringnotequals",
  "stringnotequalsignorecase",
  "stringnotlike",
  "arnnotequals",
  "arnnotlike",
]);

/** Whether a key is one that can narrow (identity, organization, source or network key). */
export function isNarrowingKey(key: string): boolean {
  return KEYS.has(asciiLower(key));
}

export interface NarrowingContext {
  /** The account that owns the policy: what `${aws:ResourceAccount}` stands for. */
  readonly owner: string;
  readonly trustedVpceIds: readonly string[];
}

function arnAccount(arn: string, arnOperator: boolean): string | undefined {
  const parts = arn.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return undefined;
  // ArnLike matches each of the six parts on its own; StringLike's `*` may run across colons, so a
  // wildcard before the account part could move it.
  const before = arnOperator ? [] : parts.slice(0, 4);
  const account = parts[4] ?? "";
  if (account === "" || hasWildcard(account) || before.some(hasWildcard)) return undefined;
  return account;
}

function narrowValue(
  kind: KeyKind,
  raw: string,
  arnOperator: boolean,
  ignoreCase: boolean,
  context: NarrowingContext,
): NarrowValue | undefined {
  // Policy variable names are case-insensitive.
  const value = raw.replace(RESOURCE_ACCOUNT_VARIABLE, context.owner);
  // The owner's own organization: `${aws:ResourceOrgID}`, or a path that starts with it (or with
  // `${aws:ResourceOrgPaths}`, whose first part is that organization).
  if (kind === "org-id" && RESOURCE_ORG_ID.test(value)) return { type: "owner-organization" };
  if (
    kind === "org-path" &&
    (RESOURCE_ORG_PATHS.test(value) || RESOURCE_ORG_ID.test(value.split("/")[0] ?? ""))
  ) {
    return { type: "owner-organization" };
  }
  if (value.includes("${")) return undefined; // any other policy variable: not narrowing
  // Organization ids are lowercase: under an …IgnoreCase operator `O-ABC…` names `o-abc…`.
  const fold = (text: string) => (ignoreCase ? asciiLower(text) : text);
  switch (kind) {
    case "org-id":
      return value === "" || hasWildcard(value)
        ? undefined
        : { type: "organization", organization: fold(value) };
    case "org-path": {
      const organization = fold(value.split("/")[0] ?? "");
      return organization === "" || hasWildcard(organization)
        ? undefined
        : { type: "organization", organization };
    }
    case "account":
      return value === "" || hasWildcard(value) ? undefined : { type: "account", account: value };
    case "principal-arn": {
      const account = arnAccount(value, arnOperator);
      return account === undefined ? undefined : { type: "principal-arn", arn: value, account };
    }
    case "source-arn": {
      const account = arnAccount(value, arnOperator);
      return account === undefined ? undefined : { type: "account", account };
    }
    case "network":
      return context.trustedVpceIds.includes(value) ? { type: "vpce", value } : undefined;
    default:
      return assertNever(kind, "kind");
  }
}

function valuesOf(entry: ConditionEntry, context: NarrowingContext): NarrowValue[] | undefined {
  const kind = KEYS.get(asciiLower(entry.key));
  if (kind === undefined) return undefined;
  const { base } = splitOperator(entry.operator);
  const arnOperator = base.startsWith("arn");
  const ignoreCase = base.includes("ignorecase");
  const values: NarrowValue[] = [];
  for (const raw of entry.values) {
    const value = narrowValue(kind, raw, arnOperator, ignoreCase, context);
    if (value === undefined) return undefined;
    values.push(value);
  }
  return values;
}

/**
 * The narrowing an Allow statement's condition entry makes, or `undefined` when it does not narrow:
 * a positive operator (`StringEquals`, `StringEqualsIgnoreCase`, `StringLike`, `ArnEquals`, `ArnLike`,
 * optionally `ForAnyValue:`; never `…IfExists` or `ForAllValues:`) on a narrowing key, with no value
 * whose wildcard or policy variable reaches the account or organization part. Network keys narrow only
 * when every value is a trusted VPC endpoint.
 *
 * @example
 * allowNarrowing({ operator: "StringEquals", key: "aws:PrincipalOrgID", values: ["o-a1b2c3d4e5"] }, ctx);
 * // { keys: ["aws:PrincipalOrgID"], values: [{ type: "organization", organization: "o-a1b2c3d4e5" }] }
 */
export function allowNarrowing(entry: ConditionEntry, context: NarrowingContext): Narrowing | undefined {
  const { set, base } = splitOperator(entry.operator);
  if (set === "ForAllValues" || !POSITIVE.has(base)) return undefined;
  const values = valuesOf(entry, context);
  return values === undefined ? undefined : { keys: [entry.key], values };
}

/**
 * What a perimeter does to one class of requester: `denied` (no entry reads a key such requests carry, so
 * every entry holds and the Deny applies to all of them), `unnarrowed` (some value could not narrow), or
 * a narrowing to the union of the values of the entries that read keys such requests carry.
 */
export type PerimeterEffect =
  | { readonly type: "denied" }
  | { readonly type: "unnarrowed" }
  | { readonly type: "narrowed"; readonly narrowing: Narrowing }
  | { readonly type: "exempt" };

/** What a Deny statement's conditions make of it (docs/policy-semantics.md#deny-statements-and-data-perimeters). */
export type DenyShape =
  | { readonly type: "unconditional" }
  /**
   * Denies everyone outside the named values. Principals (IAM users, roles, sessions) carry the principal
   * keys and, through a VPC endpoint, the network keys; services acting for someone carry the source keys.
   * A negated operator holds when its key is absent, so each class is narrowed by the entries on the keys
   * it carries — or denied outright when it carries none of them.
   */
  | { readonly type: "perimeter"; readonly principals: PerimeterEffect; readonly services: PerimeterEffect }
  | { readonly type: "other" };

/**
 * Which requests carry a key: `principal` for IAM callers (the principal keys, and the network keys when
 * they come through a VPC endpoint), `source` for services acting for someone (the source keys).
 */
function sideOf(key: string): "principal" | "source" | undefined {
  const lower = asciiLower(key);
  const kind = KEYS.get(lower);
  if (kind === undefined) return undefined;
  return kind === "network" || lower.startsWith("aws:principal") ? "principal" : "source";
}

function isServiceExemption(entry: ConditionEntry): boolean {
  return (
    asciiLower(entry.operator) === "boolifexists" &&
    asciiLower(entry.key) === "aws:principalisawsservice" &&
    entry.values.length === 1 &&
    asciiLower(entry.values[0] ?? "") === "false"
  );
}

/** `Bool` (or `BoolIfExists`) `aws:PrincipalIsAWSService: "true"`: the Deny applies to services only. */
function isServicesOnly(entry: ConditionEntry): boolean {
  const operator = asciiLower(entry.operator);
  return (
    (operator === "bool" || operator === "boolifexists") &&
    asciiLower(entry.key) === "aws:principalisawsservice" &&
    entry.values.length === 1 &&
    asciiLower(entry.values[0] ?? "") === "true"
  );
}

/**
 * `Null` `aws:SourceAccount: "false"`: the Deny applies only to a service acting for an account — the
 * confused deputy's case; a service acting on its own behalf carries no source account.
 */
function isActingForAccount(entry: ConditionEntry): boolean {
  return (
    asciiLower(entry.operator) === "null" &&
    asciiLower(entry.key) === "aws:sourceaccount" &&
    entry.values.length === 1 &&
    asciiLower(entry.values[0] ?? "") === "false"
  );
}

function effectFor(
  entries: ReadonlyArray<{ key: string; values: NarrowValue[] | undefined }>,
): PerimeterEffect {
  if (entries.length === 0) return { type: "denied" };
  if (entries.some((entry) => entry.values === undefined)) return { type: "unnarrowed" };
  return {
    type: "narrowed",
    narrowing: {
      keys: entries.map((entry) => entry.key),
      values: entries.flatMap((entry) => entry.values ?? []),
    },
  };
}

/**
 * Classifies the conditions of a `Deny` whose principal is everyone. A perimeter's conditions are negated
 * entries on narrowing keys (`StringNotEquals`, …, with or without `IfExists`, or with `ForAllValues:`),
 * plus optionally `BoolIfExists aws:PrincipalIsAWSService: "false"` (which exempts services). AWS's
 * confused-deputy perimeter — negated entries on source keys with `Bool aws:PrincipalIsAWSService: "true"`
 * (the Deny applies to services only) and optionally `Null aws:SourceAccount: "false"` (only to services
 * acting for an account) — narrows the services and leaves IAM principals alone. Its
 * entries combine with AND, so the requests it lets through are those matching a value of some entry
 * whose key they carry.
 *
 * @example
 * denyShape([{ operator: "StringNotEquals", key: "aws:PrincipalOrgID", values: ["o-a1b2c3d4e5"] }], ctx);
 * // { type: "perimeter", principals: { type: "narrowed", … }, services: { type: "denied" } }
 */
export function denyShape(entries: readonly ConditionEntry[], context: NarrowingContext): DenyShape {
  if (entries.length === 0) return { type: "unconditional" };
  let exemptsServices = false;
  let servicesOnly = false;
  let actingForAccount = false;
  const principalSide: Array<{ key: string; values: NarrowValue[] | undefined }> = [];
  const sourceSide: Array<{ key: string; values: NarrowValue[] | undefined }> = [];
  for (const entry of entries) {
    if (isServiceExemption(entry)) {
      exemptsServices = true;
      continue;
    }
    if (isServicesOnly(entry)) {
      servicesOnly = true;
      continue;
    }
    if (isActingForAccount(entry)) {
      actingForAccount = true;
      continue;
    }
    const { set, base } = splitOperator(entry.operator);
    const negated = base.endsWith("ifexists") ? base.slice(0, -"ifexists".length) : base;
    const side = sideOf(entry.key);
    if (set === "ForAnyValue" || !NEGATED.has(negated) || side === undefined) return { type: "other" };
    const narrowed = { key: entry.key, values: valuesOf(entry, context) };
    if (side === "source") sourceSide.push(narrowed);
    else principalSide.push(narrowed);
  }
  if (principalSide.length === 0 && sourceSide.length === 0) return { type: "other" };
  if (servicesOnly) {
    // AWS's confused-deputy perimeter: services (acting for an account) must come from the named sources.
    if (exemptsServices || principalSide.length > 0 || sourceSide.length === 0) return { type: "other" };
    return { type: "perimeter", principals: { type: "exempt" }, services: effectFor(sourceSide) };
  }
  if (actingForAccount) return { type: "other" };
  return {
    type: "perimeter",
    principals: effectFor(principalSide),
    services: exemptsServices ? { type: "exempt" } : effectFor(sourceSide),
  };
}

/**
 * Whether an Allow statement's conditions leave AWS service principals out, although its principal
 * (`"*"`) admits them: an entry with a positive operator (not `…IfExists`, not `ForAllValues:`) on a key
 * that only IAM principals carry (`aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:PrincipalAccount`,
 * `aws:PrincipalArn`, the network keys) fails when the key is absent, as it is for a service; so does
 * `Bool aws:PrincipalIsAWSService: "false"`.
 *
 * @example
 * excludesServices([{ operator: "StringEquals", key: "aws:PrincipalOrgID", values: ["o-a1b2c3d4e5"] }]); // true
 * excludesServices([{ operator: "StringEqualsIfExists", key: "aws:PrincipalOrgID", values: ["o-a1b2c3d4e5"] }]); // false
 */
export function excludesServices(entries: readonly ConditionEntry[]): boolean {
  return entries.some((entry) => {
    const { set, base } = splitOperator(entry.operator);
    const key = asciiLower(entry.key);
    if ((base === "bool" || base === "boolifexists") && key === "aws:principalisawsservice") {
      return entry.values.length > 0 && entry.values.every((value) => asciiLower(value) === "false");
    }
    return set !== "ForAllValues" && POSITIVE.has(base) && sideOf(key) === "principal";
  });
}

/**
 * Whether a narrowing reads only keys that a service acting for someone carries (the source keys): what
 * can narrow the services a `Principal: "*"` admits.
 *
 * @example
 * narrowsServices({ keys: ["aws:SourceAccount"], values: [{ type: "account", account: "111122223333" }] }); // true
 */
export function narrowsServices(narrowing: Narrowing): boolean {
  return narrowing.keys.every((key) => sideOf(key) === "source");
}

/**
 * How an annotation names one narrowing value: the account, organization, principal ARN or endpoint.
 *
 * @example
 * describeValue({ type: "organization", organization: "o-a1b2c3d4e5" }); // "o-a1b2c3d4e5"
 */
export function describeValue(value: NarrowValue): string {
  switch (value.type) {
    case "account":
      return value.account;
    case "organization":
      return value.organization;
    case "owner-organization":
      return "the owner's own organization";
    case "principal-arn":
      return value.arn;
    case "vpce":
      return value.value;
    default:
      return assertNever(value, "value");
  }
}
