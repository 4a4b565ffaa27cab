/**
 * Rule parameters (docs/rules.md#parameters): declared per rule, validated before anything else. List parameters are
 * comma-separated strings (a JSON list of strings is accepted too). An unknown name or a bad value fails
 * the invocation with a {@link RuleParameterError} naming the parameter.
 */
import { EcrAccessRulesError } from "../errors.js";
import { kindOf, type Obj } from "./read.js";

export class RuleParameterError extends EcrAccessRulesError {
  readonly parameter: string;
  constructor(parameter: string, detail: string) {
    super(`rule parameter ${parameter}: ${detail}`);
    this.parameter = parameter;
  }
}

export type ParameterKind =
  | "accountIds"
  | "organizationIds"
  | "vpceIds"
  | "principalArnGlobs"
  | "policyArnGlobs"
  | "actionGlobs"
  | "oidcSubjectGlobs"
  | "boolean"
  | "roleName";

export interface ParameterDefinition {
  readonly name: string;
  readonly kind: ParameterKind;
  readonly description: string;
  /** For booleans: the value when absent. */
  readonly defaultValue?: boolean;
}

/** Every rule also accepts this one: the role to assume in the event's account. */
export const EXECUTION_ROLE_NAME = {
  name: "executionRoleName",
  kind: "roleName",
  description: "Name of the role to assume in the evaluated account (overrides ASSUME_ROLE_NAME).",
} as const satisfies ParameterDefinition;

/**
 * Validated parameter values. A rule sees them typed by its own definitions (`ParametersOf` in
 * `shared/runtime/rule.ts`): reading a list `L` or a flag `B` it does not declare does not compile.
 */
export interface RuleParameters<L extends string = string, B extends string = string> {
  /** A list parameter's values (empty when absent). */
  list(name: L): readonly string[];
  /** A boolean parameter's value (its default when absent). */
  flag(name: B): boolean;
  /** The execution role name (`undefined` when absent). */
  text(name: typeof EXECUTION_ROLE_NAME.name): string | undefined;
}

const LIST_RULES: Partial<Record<ParameterKind, { pattern: RegExp; what: string }>> = {
  accountIds: { pattern: /^\d{12}$/u, what: "a 12-digit account id" },
  organizationIds: { pattern: /^o-[a-z0-9]{10,32}$/u, what: "an organization id (o-…)" },
  vpceIds: { pattern: /^vpce-[0-9a-f]{8,17}$/u, what: "a VPC endpoint id (vpce-…)" },
  principalArnGlobs: {
    pattern: /^arn:[a-z*?-]*:(iam|sts|\*):[^:]*:[0-9*?]{1,12}:[^\s]+$/u,
    what: "an IAM or STS principal ARN glob (arn:aws:iam::111122223333:role/ci-*)",
  },
  policyArnGlobs: {
    pattern: /^arn:[a-z*?-]*:iam::[0-9*?]{1,12}(:|:policy\/[^\s]*)/u,
    what: "an IAM policy ARN glob (arn:aws:iam::*:policy/legacy-*)",
  },
  actionGlobs: {
    pattern: /^(\*|[A-Za-z0-9*?-]+:[A-Za-z0-9*?]+)$/u,
    what: "an action glob (ecr:PutImage, ecr:Tag*)",
  },
  oidcSubjectGlobs: {
    pattern: /^([a-z][a-z0-9_]*=)?[^\s=][^\s]*$/u,
    what: "a sub glob (repo:acme/*) or CLAIM=GLOB (repository=acme/*)",
  },
};

function listValues(name: string, raw: unknown): string[] {
  if (typeof raw === "string") {
    if (raw.trim() === "") return [];
    return raw.split(",").map((value) => value.trim());
  }
  if (Array.isArray(raw) && raw.every((value): value is string => typeof value === "string")) {
    return raw.map((value) => value.trim());
  }
  throw new RuleParameterError(name, `must be a comma-separated string, got ${kindOf(raw)}`);
}

function parseBoolean(name: string, raw: unknown): boolean {
  if (typeof raw === "boolean") return raw;
  if (typeof raw === "string" && /^(true|false)$/iu.test(raw.trim()))
    return raw.trim().toLowerCase() === "true";
  throw new RuleParameterError(name, `must be "true" or "false", got ${JSON.stringify(raw)}`);
}

/**
 * Validates raw rule parameters against definitions. Absent parameters take their defaults.
 *
 * @example
 * const params = parseParameters([{ name: "trustedAccountIds", kind: "accountIds", description: "…" }],
 *   { trustedAccountIds: "111122223333, 444455556666" });
 * params.list("trustedAccountIds"); // ["111122223333", "444455556666"]
 */
export function parseParameters(definitions: readonly ParameterDefinition[], raw: Obj): RuleParameters {
  const all: readonly ParameterDefinition[] = [...definitions, EXECUTION_ROLE_NAME];
  const byName = new Map(all.map((d) => [d.name, d]));
  for (const name of Object.keys(raw)) {
    if (!byName.has(name)) {
      const known = [...byName.keys()].sort().join(", ");
      throw new RuleParameterError(name, `unknown parameter (this rule takes: ${known})`);
    }
  }
  const lists = new Map<string, string[]>();
  const flags = new Map<string, boolean>();
  const texts = new Map<string, string>();
  for (const definition of byName.values()) {
    const value = raw[definition.name];
    const absent =
      value === undefined || value === null || (typeof value === "string" && value.trim() === "");
    const { name, kind } = definition;
    if (kind === "boolean") {
      flags.set(name, absent ? (definition.defaultValue ?? false) : parseBoolean(name, value));
      continue;
    }
    if (kind === "roleName") {
      if (absent) continue;
      if (typeof value !== "string" || !/^[\w+=,.@-]{1,64}$/u.test(value.trim())) {
        throw new RuleParameterError(name, `must be an IAM role name, got ${JSON.stringify(value)}`);
      }
      texts.set(name, value.trim());
      continue;
    }
    const rule = LIST_RULES[kind];
    if (rule === undefined) throw new RuleParameterError(name, `no validation for kind ${kind}`);
    const values = absent ? [] : listValues(name, value);
    values.forEach((entry, i) => {
      if (entry === "") throw new RuleParameterError(name, `entry ${i + 1} is empty`);
      if (!rule.pattern.test(entry)) {
        throw new RuleParameterError(name, `entry ${i + 1} ${JSON.stringify(entry)} is not ${rule.what}`);
      }
    });
    lists.set(name, values);
  }
  return {
    list: (name) => lists.get(name) ?? [],
    flag: (name) => flags.get(name) ?? false,
    text: (name) => texts.get(name),
  };
}
