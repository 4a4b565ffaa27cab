/**
 * Policy documents, parsed once at the boundary into a typed form. This is the one place that decodes
 * JSON text and URL-encoded JSON text (IAM and AWS Config deliver policy documents URL-encoded).
 */

import { UnreadableInputError } from "../errors.js";
import { asciiLower } from "./glob.js";

/** A policy document failed to parse. `path` names the fault: `Statement[2].Effect`. */
export class PolicyParseError extends UnreadableInputError {
  readonly path: string;
  readonly detail: string;
  constructor(path: string, detail: string, options?: { cause?: unknown }) {
    super(path ? `${path}: ${detail}` : detail, options);
    this.path = path;
    this.detail = detail;
  }
}

export type Effect = "Allow" | "Deny";

/** `Action` / `NotAction`, `Resource` / `NotResource`: which one, and its values as a list. */
export interface ElementValues<K extends string> {
  readonly kind: K;
  readonly values: readonly string[];
}

/** One value of `Principal` / `NotPrincipal`: `"*"`, or a key (`AWS`, `Service`, …) with one of its values. */
export type PrincipalValue = { readonly type: "*" } | { readonly type: string; readonly value: string };

export interface PrincipalElement {
  readonly kind: "Principal" | "NotPrincipal";
  readonly values: readonly PrincipalValue[];
}

/** One `"Operator": { "Key": values }` pair of a `Condition` block. Values are kept as text. */
export interface ConditionEntry {
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
}

export interface Statement {
  /** Position in the document's `Statement` list (0 for a single-statement object). */
  readonly index: number;
  readonly sid?: string;
  readonly effect: Effect;
  readonly action: ElementValues<"Action" | "NotAction">;
  readonly resource?: ElementValues<"Resource" | "NotResource">;
  readonly principal?: PrincipalElement;
  readonly conditions: readonly ConditionEntry[];
}

export interface PolicyDocument {
  readonly version?: string;
  readonly statements: readonly Statement[];
}

/**
 * `identity`: IAM identity policies (Resource or NotResource required, no Principal).
 * `resource`: ECR repository and registry policies (Principal or NotPrincipal required, Resource optional).
 */
export type PolicyKind = "identity" | "resource";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const CONDITION_BASE_OPERATORS = new Set(
  [
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
  ].map((operator) => asciiLower(operator)),
);

/** Whether IAM knows a condition operator: a base operator, optionally `ForAnyValue:`/`ForAllValues:`, optionally `…IfExists`. */
export function isKnownConditionOperator(operator: string): boolean {
  let base = asciiLower(operator);
  if (base.startsWith("foranyvalue:")) base = base.slice("foranyvalue:".length);
  else if (base.startsWith("forallvalues:")) base = base.slice("forallvalues:".length);
  if (base.endsWith("ifexists") && base !== "ifexists") base = base.slice(0, -"ifexists".length);
  return CONDITION_BASE_OPERATORS.has(base);
}

function describe(value: Json | undefined): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Decodes a policy given as text: JSON, or URL-encoded JSON (`%7B%22Version%22…`). A JSON string that
 * itself holds a JSON document (double-encoded, as some Config items carry) is decoded once more.
 */
export function decodePolicyText(text: string, path = ""): unknown {
  return decodeJsonText(text, path);
}

function decodeJsonText(text: string, path: string): Json {
  const trimmed = text.trim();
  if (trimmed === "") throw new PolicyParseError(path, "the policy text is empty");
  let json = trimmed;
  if (!trimmed.startsWith("{") && !trimmed.startsWith("[") && !trimmed.startsWith('"')) {
    if (!trimmed.includes("%")) {
      throw new PolicyParseError(
        path,
        `not JSON and not URL-encoded JSON (starts with ${JSON.stringify(trimmed.slice(0, 20))})`,
      );
    }
    try {
      json = decodeURIComponent(trimmed).trim();
    } catch (cause) {
      throw new PolicyParseError(path, "bad % escape in URL-encoded policy text", { cause });
    }
  }
  let value: Json;
  try {
    // JSON.parse yields JSON values only: this is the parser boundary the type describes.
    value = JSON.parse(json) as Json;
    checkDepth(value, path);
    const duplicate = duplicateKeyPath(json);
    if (duplicate !== undefined) {
      throw new PolicyParseError(
        duplicate,
        "duplicate key: which of the values AWS would use is not defined; remove one of them",
      );
    }
  } catch (cause) {
    if (cause instanceof PolicyParseError) throw cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new PolicyParseError(path, `not valid JSON (${reason})`, { cause });
  }
  if (typeof value === "string") {
    if (value.trim().startsWith("{") || value.trim().startsWith("%7B") || value.trim().startsWith("%7b")) {
      return decodeJsonText(value, path);
    }
  }
  return value;
}

/** One string or a list of strings. An empty list matches nothing (AWS's own data has `"Action": []`). */
interface Container {
  readonly kind: "object" | "array";
  readonly path: string;
  readonly keys: Set<string>;
  expectingKey: boolean;
  lastKey: string;
  index: number;
}

function childPath(parent: Container | undefined): string {
  if (parent === undefined) return "";
  if (parent.kind === "array") return `${parent.path}[${parent.index}]`;
  return parent.path ? `${parent.path}.${parent.lastKey}` : parent.lastKey;
}

/**
 * The path of the first duplicate object key in valid JSON text, if any. `JSON.parse` silently keeps the
 * last value, while a policy's reader might keep another: a duplicate `Effect` or condition block would
 * make this analysis and AWS disagree, so it is refused.
 */
export function duplicateKeyPath(json: string): string | undefined {
  const stack: Container[] = [];
  for (let i = 0; i < json.length; i += 1) {
    const c = json[i];
    const top = stack.at(-1);
    if (c === '"') {
      let end = i + 1;
      while (end < json.length && json[end] !== '"') end += json[end] === "\\" ? 2 : 1;
      if (top?.kind === "object" && top.expectingKey) {
        const key: unknown = JSON.parse(json.slice(i, end + 1));
        const text = String(key);
        if (top.keys.has(text)) return top.path ? `${top.path}.${text}` : text;
        top.keys.add(text);
        top.lastKey = text;
        top.expectingKey = false;
      }
      i = end;
    } else if (c === "{" || c === "[") {
      stack.push({
        kind: c === "{" ? "object" : "array",
        path: childPath(top),
        keys: new Set(),
        expectingKey: c === "{",
        lastKey: "",
        index: 0,
      });
    } else if (c === "}" || c === "]") {
      stack.pop();
    } else if (c === "," && top !== undefined) {
      if (top.kind === "object") top.expectingKey = true;
      else top.index += 1;
    }
  }
  return undefined;
}

function stringList(value: Json | undefined, path: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (value === undefined) throw new PolicyParseError(path, "missing");
  return list.map((item, i) => {
    if (typeof item !== "string") {
      const at = Array.isArray(value) ? `${path}[${i}]` : path;
      throw new PolicyParseError(at, `must be a string, got ${describe(item)}`);
    }
    return item;
  });
}

function conditionValues(value: Json | undefined, path: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((item, i) => {
    if (typeof item === "string") return item;
    if (typeof item === "number" || typeof item === "boolean") return String(item);
    const at = Array.isArray(value) ? `${path}[${i}]` : path;
    throw new PolicyParseError(at, `must be a string, number or boolean, got ${describe(item)}`);
  });
}

function parsePrincipal(value: Json | undefined, path: string): PrincipalValue[] {
  if (value === "*") return [{ type: "*" }];
  if (!isObject(value))
    throw new PolicyParseError(path, `must be "*" or an object such as {"AWS": …}, got ${describe(value)}`);
  const keys = Object.keys(value);
  if (keys.length === 0) throw new PolicyParseError(path, "must name at least one principal");
  const principals: PrincipalValue[] = [];
  for (const type of keys) {
    for (const entry of stringList(value[type], `${path}.${type}`)) principals.push({ type, value: entry });
  }
  return principals;
}

function parseConditions(value: Json | undefined, path: string): ConditionEntry[] {
  if (value === undefined) return [];
  if (!isObject(value)) throw new PolicyParseError(path, `must be an object, got ${describe(value)}`);
  const entries: ConditionEntry[] = [];
  for (const [operator, block] of Object.entries(value)) {
    const at = `${path}.${operator}`;
    if (!isKnownConditionOperator(operator)) throw new PolicyParseError(at, "unknown condition operator");
    if (!isObject(block))
      throw new PolicyParseError(at, `must be an object of condition keys, got ${describe(block)}`);
    for (const [key, values] of Object.entries(block)) {
      entries.push({ operator, key, values: conditionValues(values, `${at}.${key}`) });
    }
  }
  return entries;
}

function pair<A extends string, B extends string>(
  statement: { [key: string]: Json },
  path: string,
  positive: A,
  negative: B,
  required: boolean,
): ElementValues<A | B> | undefined {
  const hasPositive = statement[positive] !== undefined;
  const hasNegative = statement[negative] !== undefined;
  if (hasPositive && hasNegative)
    throw new PolicyParseError(path, `has both ${positive} and ${negative}; use one`);
  if (hasPositive) return { kind: positive, values: stringList(statement[positive], `${path}.${positive}`) };
  if (hasNegative) return { kind: negative, values: stringList(statement[negative], `${path}.${negative}`) };
  if (required) throw new PolicyParseError(path, `has neither ${positive} nor ${negative}`);
  return undefined;
}

function parseStatement(raw: Json, index: number, path: string, kind: PolicyKind): Statement {
  if (!isObject(raw)) throw new PolicyParseError(path, `must be an object, got ${describe(raw)}`);
  const effect = raw.Effect;
  if (effect !== "Allow" && effect !== "Deny") {
    throw new PolicyParseError(`${path}.Effect`, `must be "Allow" or "Deny", got ${describe(effect)}`);
  }
  const sid = raw.Sid;
  if (sid !== undefined && typeof sid !== "string") {
    throw new PolicyParseError(`${path}.Sid`, `must be a string, got ${describe(sid)}`);
  }
  const action = pair(raw, path, "Action", "NotAction", true);
  if (action === undefined) throw new PolicyParseError(path, "has neither Action nor NotAction");
  const resource = pair(raw, path, "Resource", "NotResource", kind === "identity");
  let principal: PrincipalElement | undefined;
  const hasPrincipal = raw.Principal !== undefined;
  const hasNotPrincipal = raw.NotPrincipal !== undefined;
  if (kind === "identity" && (hasPrincipal || hasNotPrincipal)) {
    throw new PolicyParseError(
      path,
      `${hasPrincipal ? "Principal" : "NotPrincipal"} is not allowed in an identity policy`,
    );
  }
  if (kind === "resource") {
    if (hasPrincipal && hasNotPrincipal)
      throw new PolicyParseError(path, "has both Principal and NotPrincipal; use one");
    if (!hasPrincipal && !hasNotPrincipal)
      throw new PolicyParseError(path, "has neither Principal nor NotPrincipal");
    const element = hasPrincipal ? "Principal" : "NotPrincipal";
    principal = { kind: element, values: parsePrincipal(raw[element], `${path}.${element}`) };
  }
  const conditions = parseConditions(raw.Condition, `${path}.Condition`);
  return {
    index,
    ...(sid === undefined ? {} : { sid }),
    effect,
    action,
    ...(resource === undefined ? {} : { resource }),
    ...(principal === undefined ? {} : { principal }),
    conditions,
  };
}

/**
 * How deeply a policy document's values may nest. A real policy nests seven levels at most (document,
 * `Statement` list, statement, `Condition`, operator, key, value list); anything far deeper is not a
 * policy, and walking it must not exhaust the stack.
 */
export const MAX_DEPTH = 32;

function tooDeep(path: string): PolicyParseError {
  return new PolicyParseError(
    path,
    `nested more than ${MAX_DEPTH} levels deep: no policy element nests this far`,
  );
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Refuses a parsed value nested deeper than {@link MAX_DEPTH}, naming where (iteratively: no recursion). */
function checkDepth(value: Json, path: string): void {
  const stack: Array<[Json, string, number]> = [[value, path, 0]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [current, at, depth] = item;
    if (current === null || typeof current !== "object") continue;
    if (depth >= MAX_DEPTH) throw tooDeep(at);
    if (Array.isArray(current)) {
      for (let i = 0; i < current.length; i += 1) stack.push([current[i] ?? null, `${at}[${i}]`, depth + 1]);
    } else {
      for (const [key, child] of Object.entries(current)) stack.push([child, join(at, key), depth + 1]);
    }
  }
}

function toJson(value: unknown, path: string, depth = 0): Json {
  // Values from JSON.parse are already Json; objects handed in by callers are checked as we walk them.
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new PolicyParseError(path, "must be a finite number");
    return value;
  }
  // Recursion is bounded by the depth limit, far below what exhausts the stack.
  if (typeof value === "object" && depth >= MAX_DEPTH) throw tooDeep(path);
  if (Array.isArray(value)) return value.map((item, i) => toJson(item, `${path}[${i}]`, depth + 1));
  if (typeof value === "object") {
    const out: { [key: string]: Json } = {};
    for (const [key, item] of Object.entries(value)) {
      const copy = toJson(item, join(path, key), depth + 1);
      // defineProperty, not assignment, for "__proto__": it stays a key instead of replacing the prototype.
      if (key === "__proto__")
        Object.defineProperty(out, key, {
          value: copy,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else out[key] = copy;
    }
    return out;
  }
  throw new PolicyParseError(path, `must be JSON, got ${typeof value}`);
}

/**
 * Parses a policy document given as an object, JSON text, or URL-encoded JSON text.
 * `Statement`, `Action`, `NotAction`, `Resource`, `NotResource` and principal values may each be one value
 * or a list. Throws {@link PolicyParseError} naming the path of the first fault.
 *
 * @example
 * const doc = parsePolicyDocument('{"Statement":{"Effect":"Allow","Action":"ecr:*","Resource":"*"}}', "identity");
 * doc.statements[0]?.action; // { kind: "Action", values: ["ecr:*"] }
 */
export function parsePolicyDocument(input: unknown, kind: PolicyKind): PolicyDocument {
  // JSON.parse's output is JSON already; objects handed in by callers are checked as they are copied.
  const json = typeof input === "string" ? decodeJsonText(input, "") : toJson(input, "");
  if (!isObject(json))
    throw new PolicyParseError("", `a policy document must be a JSON object, got ${describe(json)}`);
  const version = json.Version;
  if (version !== undefined && typeof version !== "string") {
    throw new PolicyParseError("Version", `must be a string, got ${describe(version)}`);
  }
  const rawStatements = json.Statement;
  if (rawStatements === undefined)
    throw new PolicyParseError("Statement", "missing: a policy needs a Statement");
  const statements = Array.isArray(rawStatements)
    ? rawStatements.map((raw, i) => parseStatement(raw, i, `Statement[${i}]`, kind))
    : [parseStatement(rawStatements, 0, "Statement", kind)];
  return { ...(version === undefined ? {} : { version }), statements };
}
