/**
 * Identity policy analysis (docs/policy-semantics.md#identity-policy-analysis): what ECR access a set of policies grants one principal, per action,
 * with its scope (`all` / `some` repositories), whether it rests on a condition, and the statements behind it.
 */
import { ecrActionsCovered } from "./actions.js";
import { ECR_ACTIONS, isSensitive } from "./catalogue.js";
import type { AccessLevel, EcrActionInfo } from "./catalogue-types.js";
import { narrowsToTaggedRepositories } from "./conditions.js";
import type { PolicyDocument, Statement } from "./parse.js";
import { CoverageBudget, matchesLiteralStar, repositoryCoverage } from "./repository-coverage.js";

/** `all`: every repository (in some region and account); `some`: some repositories only. */
export type Scope = "all" | "some";

/** Where a statement stands: the document's label (a file, a policy name) and the statement's index and Sid. */
export interface StatementRef {
  readonly document: string;
  readonly index: number;
  readonly sid?: string;
}

/** A policy document with the label its statements are reported under. */
export interface LabelledPolicy {
  readonly label: string;
  readonly document: PolicyDocument;
}

/** One ECR action a principal is granted. */
export interface ActionGrant {
  readonly action: string;
  readonly accessLevels: readonly AccessLevel[];
  readonly sensitive: boolean;
  readonly scope: Scope;
  /** The scope rests on a condition (with unconditional statements alone it would be narrower or nothing). */
  readonly conditional: boolean;
  /** The Allow statements that grant it. */
  readonly grantedBy: readonly StatementRef[];
  /** Deny statements (or a boundary) that lowered it from `all` to `some`. */
  readonly limitedBy: readonly StatementRef[];
}

/** An action some Allow granted and an unconditional Deny, or the permissions boundary, took away. */
export interface DeniedAction {
  readonly action: string;
  /** The unconditional Deny statements that removed it (of the policies or of the boundary). */
  readonly deniedBy: readonly StatementRef[];
  /** The permissions boundary does not grant it. */
  readonly outsideBoundary: boolean;
}

export interface IdentityAnalysis {
  /** Granted actions, in catalogue order. */
  readonly actions: readonly ActionGrant[];
  readonly denied: readonly DeniedAction[];
}

export interface IdentityOptions {
  /** The partition of the policies' owner (`aws` when unknown). */
  readonly partition?: string;
  /** The permissions boundary's documents: an action counts only if the boundary grants it too. */
  readonly boundary?: readonly LabelledPolicy[];
  /** Action globs that are not sensitive. */
  readonly exemptActions?: readonly string[];
}

const RANK = { none: 0, some: 1, all: 2 } as const;
type Level = keyof typeof RANK;

const narrower = (a: Level, b: Level): Level => (RANK[a] <= RANK[b] ? a : b);
const wider = (a: Level, b: Level): Level => (RANK[a] >= RANK[b] ? a : b);

/** The scope an action has under one set of documents, before boundaries. */
interface Outcome {
  level: Level;
  /** The level from unconditional Allow statements only. */
  unconditionalLevel: Level;
  grantedBy: StatementRef[];
  limitedBy: StatementRef[];
  deniedBy: StatementRef[];
}

/** A statement with what every action's evaluation needs of it, worked out once. */
interface Located {
  readonly ref: StatementRef;
  readonly statement: Statement;
  /** A condition narrows it to tagged repositories. */
  readonly tagNarrowed: boolean;
  /** A condition other than tag narrowing applies: the grant rests on it. */
  readonly conditional: boolean;
  /** The catalogue actions its Action / NotAction covers. */
  readonly covers: ReadonlySet<string>;
}

function refOf(label: string, statement: Statement): StatementRef {
  return {
    document: label,
    index: statement.index,
    ...(statement.sid === undefined ? {} : { sid: statement.sid }),
  };
}

/** What one Allow statement contributes for one action: nothing, a fixed level, or patterns to pool. */
type Contribution =
  | { readonly kind: "level"; readonly level: Level }
  | { readonly kind: "patterns"; readonly patterns: readonly string[] };

function contribution(
  action: EcrActionInfo,
  located: Located,
  partition: string,
  budget: CoverageBudget,
): Contribution {
  const resource = located.statement.resource;
  if (resource === undefined) return { kind: "level", level: "none" };
  const tagNarrowed = located.tagNarrowed;
  if (!action.onRepository) {
    // Registry-level actions are authorized against the literal resource "*"; no repository tag applies.
    if (tagNarrowed) return { kind: "level", level: "none" };
    // A variable widens an Allow: it may match "*" in Resource, and is not certain to in NotResource.
    const granted =
      resource.kind === "Resource"
        ? matchesLiteralStar(resource.values, "allow")
        : !matchesLiteralStar(resource.values, "deny");
    return { kind: "level", level: granted ? "all" : "none" };
  }
  const coverage = repositoryCoverage(resource.values, partition, budget);
  if (resource.kind === "NotResource") {
    if (coverage.coversAllEverywhere) return { kind: "level", level: "none" };
    return { kind: "level", level: tagNarrowed ? "some" : "all" };
  }
  if (tagNarrowed) return { kind: "level", level: coverage.matchesSome ? "some" : "none" };
  return { kind: "patterns", patterns: resource.values };
}

function pooledLevel(
  contributions: readonly Contribution[],
  partition: string,
  budget: CoverageBudget,
): Level {
  let level: Level = "none";
  const lists: Array<readonly string[]> = [];
  for (const c of contributions) {
    if (c.kind === "level") level = wider(level, c.level);
    else if (repositoryCoverage(c.patterns, partition, budget).coversAllSomewhere) level = "all";
    else lists.push(c.patterns);
  }
  if (level === "all" || lists.length === 0) return level;
  // Each list alone matches some repositories (see contributes); only their union can reach "all".
  if (lists.length === 1) return wider(level, "some");
  const union = repositoryCoverage(lists.flat(), partition, budget);
  return wider(level, union.coversAllSomewhere ? "all" : "some");
}

function contributes(c: Contribution, partition: string, budget: CoverageBudget): boolean {
  return c.kind === "level"
    ? c.level !== "none"
    : repositoryCoverage(c.patterns, partition, budget).matchesSome;
}

function outcomeFor(
  action: EcrActionInfo,
  statements: readonly Located[],
  partition: string,
  budget: CoverageBudget,
): Outcome {
  const all: Contribution[] = [];
  const unconditional: Contribution[] = [];
  const grantedBy: StatementRef[] = [];
  const denyPatterns: string[] = [];
  const denyPatternRefs: StatementRef[] = [];
  const deniedBy: StatementRef[] = [];
  const limitedBy: StatementRef[] = [];
  let cap: Level = "all";

  for (const located of statements) {
    const { ref, statement } = located;
    if (!located.covers.has(action.name)) continue;
    if (statement.effect === "Allow") {
      const c = contribution(action, located, partition, budget);
      if (!contributes(c, partition, budget)) continue;
      all.push(c);
      if (!located.conditional) unconditional.push(c);
      grantedBy.push(ref);
      continue;
    }
    // Deny: only unconditional statements subtract (a conditional Deny may not apply).
    if (statement.conditions.length > 0 || statement.resource === undefined) continue;
    const { kind, values } = statement.resource;
    if (!action.onRepository) {
      // A variable narrows a Deny: not certain to match "*" in Resource, may match it in NotResource.
      if (kind === "Resource" ? matchesLiteralStar(values, "deny") : !matchesLiteralStar(values, "allow")) {
        cap = "none";
        deniedBy.push(ref);
      }
    } else if (kind === "Resource") {
      denyPatterns.push(...values);
      denyPatternRefs.push(ref);
    } else {
      // NotResource: everything but the spared patterns is denied.
      const spared = repositoryCoverage(values, partition, budget);
      if (!spared.matchesSome) {
        cap = "none";
        deniedBy.push(ref);
      } else if (!spared.coversAllSomewhere) {
        cap = narrower(cap, "some");
        limitedBy.push(ref);
      }
    }
  }
  if (denyPatterns.length > 0 && repositoryCoverage(denyPatterns, partition, budget).coversAllEverywhere) {
    cap = "none";
    deniedBy.push(...denyPatternRefs);
  }
  const level = narrower(pooledLevel(all, partition, budget), cap);
  const unconditionalLevel = narrower(pooledLevel(unconditional, partition, budget), cap);
  return { level, unconditionalLevel, grantedBy, limitedBy: cap === "some" ? limitedBy : [], deniedBy };
}

/** What a parsed statement is to the analysis, worked out once per statement (`null`: no catalogue action). */
const traitsOf = new WeakMap<Statement, Omit<Located, "ref" | "statement"> | null>();

function traits(statement: Statement): Omit<Located, "ref" | "statement"> | null {
  let found = traitsOf.get(statement);
  if (found === undefined) {
    const covers = new Set(ecrActionsCovered(statement.action).map((action) => action.name));
    found =
      covers.size === 0
        ? null
        : {
            covers,
            tagNarrowed: statement.conditions.some(narrowsToTaggedRepositories),
            conditional: statement.conditions.some((entry) => !narrowsToTaggedRepositories(entry)),
          };
    traitsOf.set(statement, found);
  }
  return found;
}

/** The statements that touch some catalogue action (most statements of broad policies do not). */
function locate(policies: readonly LabelledPolicy[]): Located[] {
  return policies.flatMap(({ label, document }) =>
    document.statements.flatMap((statement) => {
      const found = traits(statement);
      if (found === null) return [];
      return [{ ...found, ref: refOf(label, statement), statement }];
    }),
  );
}

/**
 * Analyses the identity policies of one principal.
 *
 * @example
 * const document = parsePolicyDocument({ Statement: [{ Effect: "Allow", Action: "ecr:*", Resource: "*" }] }, "identity");
 * const { actions } = analyzeIdentityPolicies([{ label: "inline", document }]);
 * actions.find((a) => a.action === "ecr:PutImage"); // { scope: "all", sensitive: true, conditional: false, … }
 */
export function analyzeIdentityPolicies(
  policies: readonly LabelledPolicy[],
  options: IdentityOptions = {},
): IdentityAnalysis {
  const partition = options.partition ?? "aws";
  const exempt = options.exemptActions ?? [];
  const statements = locate(policies);
  const boundary = options.boundary === undefined ? undefined : locate(options.boundary);
  const actions: ActionGrant[] = [];
  const denied: DeniedAction[] = [];
  // One budget for every coverage question of this analysis: the bound holds per principal, not per question.
  const budget = new CoverageBudget();

  for (const action of ECR_ACTIONS) {
    if (!statements.some((located) => located.covers.has(action.name))) continue;
    const own = outcomeFor(action, statements, partition, budget);
    let level = own.level;
    let unconditionalLevel = own.unconditionalLevel;
    const limitedBy = [...own.limitedBy];
    const deniedBy = [...own.deniedBy];
    let outsideBoundary = false;
    if (boundary !== undefined && own.level !== "none") {
      const bound = outcomeFor(action, boundary, partition, budget);
      if (bound.level === "none") {
        deniedBy.push(...bound.deniedBy);
        outsideBoundary = bound.deniedBy.length === 0;
      } else if (RANK[bound.level] < RANK[level]) {
        limitedBy.push(...bound.grantedBy, ...bound.limitedBy);
      }
      level = narrower(level, bound.level);
      unconditionalLevel = narrower(unconditionalLevel, bound.unconditionalLevel);
    }
    if (level === "none") {
      if (own.grantedBy.length > 0) denied.push({ action: action.name, deniedBy, outsideBoundary });
      continue;
    }
    actions.push({
      action: action.name,
      accessLevels: action.accessLevels,
      sensitive: isSensitive(action, exempt),
      scope: level,
      conditional: RANK[unconditionalLevel] < RANK[level],
      grantedBy: own.grantedBy,
      limitedBy,
    });
  }
  return { actions, denied };
}
