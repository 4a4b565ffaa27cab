/**
 * Whether a statement applies to one repository (docs/command-line.md#who-can-write): its `Resource` or
 * `NotResource` against the repository's ARN, and its conditions on resource tags (`aws:ResourceTag/K`,
 * `ecr:ResourceTag/K`) against the repository's tags — exactly, where the tags are known. Conditions on
 * other keys (the caller, the request, the network) cannot be known from policies: an Allow that rests on
 * them still applies ("under conditions"), a Deny that rests on them does not subtract (it may not apply).
 */
import type { RepositoryTags } from "../account/ecr.js";
import { actionElementCovers } from "../policy/actions.js";
import { splitOperator } from "../policy/conditions.js";
import type { Located, Variables } from "../policy/escalation.js";
import { asciiLower, globMatches, resolvePolicyVariables } from "../policy/glob.js";
import type { ConditionEntry, Statement } from "../policy/parse.js";

/** The repository a question is about. `tags` undefined: not known (a snapshot that did not record them). */
export interface RepositoryTarget {
  readonly name: string;
  readonly arn: string;
  readonly tags: RepositoryTags | undefined;
}

/** Three-valued: a tag condition holds, fails, or cannot be decided (tags not known, an operator not read). */
export type Truth = "holds" | "fails" | "unknown";

const TAG_KEY = /^(aws|ecr):resourcetag\/(.+)$/iu;

/** The tag key an entry reads (`aws:ResourceTag/team` → `team`), or `undefined` for any other key. */
export function resourceTagKey(entry: ConditionEntry): string | undefined {
  return TAG_KEY.exec(entry.key)?.[2];
}

/** The repository's value of a tag; condition keys are case-insensitive, so is the tag key in them. */
function tagValue(tags: RepositoryTags, key: string): string | undefined {
  const exact = tags.get(key);
  if (exact !== undefined) return exact;
  const lower = asciiLower(key);
  for (const [k, v] of tags) if (asciiLower(k) === lower) return v;
  return undefined;
}

const STRING_OPERATORS: Readonly<
  Record<string, { readonly negated: boolean; readonly test: (pattern: string, value: string) => boolean }>
> = {
  stringequals: { negated: false, test: (p, v) => p === v },
  stringnotequals: { negated: true, test: (p, v) => p === v },
  stringequalsignorecase: { negated: false, test: (p, v) => asciiLower(p) === asciiLower(v) },
  stringnotequalsignorecase: { negated: true, test: (p, v) => asciiLower(p) === asciiLower(v) },
  stringlike: { negated: false, test: (p, v) => globMatches(p, v) },
  stringnotlike: { negated: true, test: (p, v) => globMatches(p, v) },
};

/**
 * What a condition entry on a resource tag makes of a repository with `tags`; `undefined` when the entry
 * reads another key. A tag absent from the repository fails a positive operator and satisfies a negated
 * one, an `…IfExists` operator, `ForAllValues:` and `Null: "true"` (as IAM evaluates a missing key). A
 * value holding a policy variable (`${aws:PrincipalTag/team}`: session tags can set it) is unknown, and so
 * is an operator other than the string ones and `Null`.
 *
 * @example
 * tagConditionTruth({ operator: "StringEquals", key: "aws:ResourceTag/team", values: ["payments"] }, new Map([["team", "payments"]])); // "holds"
 * tagConditionTruth({ operator: "StringEquals", key: "aws:ResourceTag/team", values: ["payments"] }, undefined); // "unknown"
 */
export function tagConditionTruth(
  entry: ConditionEntry,
  tags: RepositoryTags | undefined,
): Truth | undefined {
  const key = resourceTagKey(entry);
  if (key === undefined) return undefined;
  if (tags === undefined) return "unknown";
  const { set, base: full } = splitOperator(entry.operator);
  const ifExists = full.endsWith("ifexists") && full !== "ifexists";
  const base = ifExists ? full.slice(0, -"ifexists".length) : full;
  const value = tagValue(tags, key);
  if (base === "null") {
    const wantsAbsent = entry.values.map((v) => asciiLower(v) === "true");
    if (wantsAbsent.length === 0) return "unknown";
    // Values combine with OR: "true" holds when the tag is absent, "false" when it is present.
    return wantsAbsent.some((absent) => absent === (value === undefined)) ? "holds" : "fails";
  }
  const operator = STRING_OPERATORS[base];
  if (value === undefined) {
    if (ifExists || set === "ForAllValues") return "holds";
    if (set === "ForAnyValue") return "fails";
    if (operator !== undefined) return operator.negated ? "holds" : "fails";
    return base.includes("not") ? "holds" : "fails";
  }
  if (operator === undefined) return "unknown";
  if (entry.values.some((v) => v.includes("${"))) return "unknown";
  // A tag has one value: ForAnyValue / ForAllValues over a one-element set reduce to the plain operator.
  const matched = entry.values.some((pattern) => operator.test(pattern, value));
  return operator.negated ? (matched ? "fails" : "holds") : matched ? "holds" : "fails";
}

/** What a statement's conditions make of it for one repository. */
export interface ConditionsOutcome {
  /** No tag condition fails for this repository (the statement may apply). */
  readonly mayHold: boolean;
  /** Every entry is a tag condition that holds for this repository (the statement certainly applies). */
  readonly certain: boolean;
  /** Tag conditions that could not be decided (`aws:ResourceTag/team`): "if its tags match". */
  readonly undecidedTags: readonly string[];
  /** The other keys it rests on (`aws:SourceIp`, `aws:PrincipalOrgID`): "under conditions". */
  readonly otherKeys: readonly string[];
}

/**
 * Evaluates a statement's condition entries (they combine with AND) for one repository.
 *
 * @example
 * conditionsFor(statement.conditions, new Map([["team", "web"]])).mayHold;
 */
export function conditionsFor(
  conditions: readonly ConditionEntry[],
  tags: RepositoryTags | undefined,
): ConditionsOutcome {
  let mayHold = true;
  const undecidedTags: string[] = [];
  const otherKeys: string[] = [];
  for (const entry of conditions) {
    const truth = tagConditionTruth(entry, tags);
    if (truth === undefined) {
      if (!otherKeys.includes(entry.key)) otherKeys.push(entry.key);
    } else if (truth === "fails") mayHold = false;
    else if (truth === "unknown" && !undecidedTags.includes(entry.key)) undecidedTags.push(entry.key);
  }
  return {
    mayHold,
    certain: mayHold && undecidedTags.length === 0 && otherKeys.length === 0,
    undecidedTags,
    otherKeys,
  };
}

/**
 * Whether a statement's `Resource` / `NotResource` names the repository's ARN. `effect` says which way an
 * unknown policy variable errs: it widens an Allow and narrows a Deny. A statement with neither element (a
 * repository policy's) applies to the resource it is attached to.
 */
export function resourceNames(
  statement: Statement,
  arn: string,
  variables: Variables,
  effect: "Allow" | "Deny",
): boolean {
  const resource = statement.resource;
  if (resource === undefined) return true;
  // Resource: an unknown variable may match (Allow) or not (Deny); NotResource the other way round.
  const wide = (effect === "Allow") === (resource.kind === "Resource");
  const matched = resource.values.some((pattern) =>
    globMatches(resolvePolicyVariables(pattern, variables, wide ? "*" : "\u0001", "\u0001"), arn),
  );
  return resource.kind === "Resource" ? matched : !matched;
}

/** An Allow that applies to the repository, with what it rests on. */
export interface RepositoryGrant {
  readonly statement: Located;
  readonly undecidedTags: readonly string[];
  readonly otherKeys: readonly string[];
}

/** What a set of identity statements makes of one action on one repository. */
export type StatementsOutcome =
  | { readonly type: "allowed"; readonly grant: RepositoryGrant }
  | { readonly type: "denied"; readonly by: Located }
  | { readonly type: "not-granted" };

/**
 * Whether identity statements allow `action` on the repository: an Allow whose resource names it and whose
 * tag conditions may hold (the one with the fewest caveats is reported), and no Deny whose resource
 * certainly names it and whose conditions certainly hold (unconditional, or only tag conditions that hold
 * for its known tags).
 *
 * @example
 * statementsOn(located, "ecr:PutImage", { name: "app-web", arn, tags: new Map() }, variables).type; // "allowed"
 */
export function statementsOn(
  statements: readonly Located[],
  action: string,
  repository: RepositoryTarget,
  variables: Variables,
): StatementsOutcome {
  return coveringStatementsOn(
    statements.filter((located) => actionElementCovers(located.statement.action, action)),
    repository,
    variables,
  );
}

/**
 * What one repository makes of statements' conditions and resources, computed once per statement: many
 * principals share the statements of a managed policy, and a question about one repository asks each of
 * them once. A resource with a policy variable depends on the principal, so it is not kept.
 */
export class RepositoryStatements {
  private readonly conditions = new Map<Statement, ConditionsOutcome>();
  private readonly named = new Map<Statement, boolean>();

  constructor(readonly repository: RepositoryTarget) {}

  /** {@link conditionsFor} of the statement's conditions for this repository. */
  conditionsOf(statement: Statement): ConditionsOutcome {
    let outcome = this.conditions.get(statement);
    if (outcome === undefined) {
      outcome = conditionsFor(statement.conditions, this.repository.tags);
      this.conditions.set(statement, outcome);
    }
    return outcome;
  }

  /** {@link resourceNames} for this repository's ARN. */
  resourceNamed(statement: Statement, variables: Variables, effect: "Allow" | "Deny"): boolean {
    if (statement.resource?.values.some((pattern) => pattern.includes("${")) === true)
      return resourceNames(statement, this.repository.arn, variables, effect);
    // Without a variable, `effect` does not change the answer.
    let named = this.named.get(statement);
    if (named === undefined) {
      named = resourceNames(statement, this.repository.arn, variables, effect);
      this.named.set(statement, named);
    }
    return named;
  }
}

/**
 * {@link statementsOn} over statements already known to cover the action (in their order), reading
 * conditions and resources through `memo` when given (one repository's answers, shared across principals).
 *
 * @example
 * coveringStatementsOn(located.filter((l) => actionElementCovers(l.statement.action, "ecr:PutImage")), target, variables);
 */
export function coveringStatementsOn(
  covering: readonly Located[],
  repository: RepositoryTarget,
  variables: Variables,
  memo: RepositoryStatements = new RepositoryStatements(repository),
): StatementsOutcome {
  let best: RepositoryGrant | undefined;
  for (const located of covering) {
    const { statement } = located;
    const outcome = memo.conditionsOf(statement);
    if (statement.effect === "Deny") {
      if (outcome.certain && memo.resourceNamed(statement, variables, "Deny"))
        return { type: "denied", by: located };
      continue;
    }
    if (!outcome.mayHold || !memo.resourceNamed(statement, variables, "Allow")) continue;
    const grant = { statement: located, undecidedTags: outcome.undecidedTags, otherKeys: outcome.otherKeys };
    const caveats = (g: RepositoryGrant) => g.undecidedTags.length + g.otherKeys.length;
    if (best === undefined || caveats(grant) < caveats(best)) best = grant;
  }
  return best === undefined ? { type: "not-granted" } : { type: "allowed", grant: best };
}
