/**
 * Narrowing conditions of resource policies (SPEC §4): condition entries that limit who a statement admits
 * to named accounts, organizations, principal ARNs or trusted VPC endpoints.
 */

import { assertNever } from "../assert-never.js";
import { splitOperator } from "./conditions.js";
import { hasWildcard } from "./glob.js";
import type { ConditionEntry } from "./parse.js";

/** One value a narrowing entry admits. */
export type NarrowValue =
  | { readonly type: "account"; readonly account: string }
  | { readonly type: "organization"; readonly organization: string }
  /** `aws:PrincipalArn`: a principal ARN (possibly a glob in its name part) in `account`. */
  | { readonly type: "principal-arn"; readonly arn: string; readonly account: string }
  | { readonly type: "vpce"; readonly value: string };

/** A condition entry that narrows: the key it reads and every value it admits. */
export interface Narrowing {
  readonly key: string;
  readonly values: readonly NarrowValue[];
}

/** The one policy variable a narrowing value may hold: it stands for the policy's owner. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template literal.
const RESOURCE_ACCOUNT_VARIABLE = "${aws:ResourceAccount}";

type KeyKind = "org-id" | "org-path" | "account" | "principal-arn" | "source-arn" | "network";

const KEYS: Readonly<Record<string, KeyKind>> = {
  "aws:principalorgid": "org-id",
  "aws:principalorgpaths": "org-path",
  "aws:principalaccount": "account",
  "aws:sourceaccount": "account",
  "aws:sourceowner": "account",
  "aws:principalarn": "principal-arn",
  "aws:sourcearn": "source-arn",
  "aws:sourceorgid": "org-id",
  "aws:sourceorgpaths": "org-path",
  "aws:sourcevpce": "network",
  "aws:sourcevpc": "network",
  "aws:sourcevpcarn": "network",
  "aws:vpceaccount": "network",
  "aws:vpceorgid": "network",
  "aws:vpceorgpaths": "network",
};

/** The keys that guard a service principal against the confused deputy (SPEC §4). */
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
  return KEYS[key.toLowerCase()] !== undefined;
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
  context: NarrowingContext,
): NarrowValue | undefined {
  const value = raw.replaceAll(RESOURCE_ACCOUNT_VARIABLE, context.owner);
  if (value.includes("${")) return undefined; // any other policy variable: not narrowing
  switch (kind) {
    case "org-id":
      return value === "" || hasWildcard(value) ? undefined : { type: "organization", organization: value };
    case "org-path": {
      const organization = value.split("/")[0] ?? "";
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
  const kind = KEYS[entry.key.toLowerCase()];
  if (kind === undefined) return undefined;
  const arnOperator = splitOperator(entry.operator).base.startsWith("arn");
  const values: NarrowValue[] = [];
  for (const raw of entry.values) {
    const value = narrowValue(kind, raw, arnOperator, context);
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
 * // { key: "aws:PrincipalOrgID", values: [{ type: "organization", organization: "o-a1b2c3d4e5" }] }
 */
export function allowNarrowing(entry: ConditionEntry, context: NarrowingContext): Narrowing | undefined {
  const { set, base } = splitOperator(entry.operator);
  if (set === "ForAllValues" || !POSITIVE.has(base)) return undefined;
  const values = valuesOf(entry, context);
  return values === undefined ? undefined : { key: entry.key, values };
}

/** What a Deny statement's conditions make of it (SPEC §4 data perimeter). */
export type DenyShape =
  | { readonly type: "unconditional" }
  /** Denies everyone outside the named values: narrows the Allows it covers to them. */
  | {
      readonly type: "perimeter";
      readonly narrowing: Narrowing | undefined;
      readonly exemptsServices: boolean;
    }
  | { readonly type: "other" };

function isServiceExemption(entry: ConditionEntry): boolean {
  return (
    entry.operator.toLowerCase() === "boolifexists" &&
    entry.key.toLowerCase() === "aws:principalisawsservice" &&
    entry.values.length === 1 &&
    entry.values[0]?.toLowerCase() === "false"
  );
}

/**
 * Classifies the conditions of a `Deny` whose principal is everyone. A perimeter's conditions are negated
 * entries on narrowing keys (`StringNotEquals`, …, with or without `IfExists`, or with `ForAllValues:`),
 * plus optionally `BoolIfExists aws:PrincipalIsAWSService: "false"`. Its entries combine with AND, so the
 * Allows it covers are narrowed to the union of their values; a value that could not narrow (a wildcard
 * reaching the account, a policy variable) leaves the perimeter with no narrowing (`narrowing: undefined`).
 *
 * @example
 * denyShape([{ operator: "StringNotEquals", key: "aws:PrincipalOrgID", values: ["o-a1b2c3d4e5"] }], ctx);
 * // { type: "perimeter", narrowing: { key: "aws:PrincipalOrgID", values: [...] }, exemptsServices: false }
 */
export function denyShape(entries: readonly ConditionEntry[], context: NarrowingContext): DenyShape {
  if (entries.length === 0) return { type: "unconditional" };
  let exemptsServices = false;
  const keys: string[] = [];
  const values: NarrowValue[] = [];
  let narrows = true;
  for (const entry of entries) {
    if (isServiceExemption(entry)) {
      exemptsServices = true;
      continue;
    }
    const { set, base } = splitOperator(entry.operator);
    const negated = base.endsWith("ifexists") ? base.slice(0, -"ifexists".length) : base;
    if (set === "ForAnyValue" || !NEGATED.has(negated) || !isNarrowingKey(entry.key))
      return { type: "other" };
    const entryValues = valuesOf(entry, context);
    if (entryValues === undefined) narrows = false;
    else values.push(...entryValues);
    keys.push(entry.key);
  }
  if (keys.length === 0) return { type: "other" };
  return {
    type: "perimeter",
    narrowing: narrows ? { key: keys.join(" / "), values } : undefined,
    exemptsServices,
  };
}
