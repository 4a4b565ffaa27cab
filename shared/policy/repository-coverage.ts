/**
 * Which ECR repositories a set of `Resource` globs matches, decided exactly with automata.
 *
 * A repository ARN is `arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME`, where PARTITION is the policy
 * owner's, REGION is any non-empty `[a-z0-9-]` text, ACCOUNT is twelve digits and NAME is any name ECR
 * accepts: lowercase components `[a-z0-9]+([._-][a-z0-9]+)*` joined by `/`, at least two characters long.
 * The globs are run together as one nondeterministic automaton; the set of states it can be in after every
 * possible `arn:…:repository/` prefix is enumerated (few, since characters that no pattern names behave
 * alike), and from each such set the product with the name automaton tells whether every name, or some
 * name, is accepted. Known simplification: the 256-character upper bound on names is not modelled.
 */
import { globMatches, resolvePolicyVariables } from "./glob.js";
import { PolicyParseError } from "./parse.js";

/**
 * The patterns need more automaton states than the budget allows (adversarial wildcards such as
 * `arn:aws:ecr:*a????????????????:*:repository/*`). Raised as a parse error, so a rule reports the policy
 * NON_COMPLIANT ("too complex to analyse") instead of running out of time.
 */
export class PatternTooComplexError extends PolicyParseError {}

/** Automaton steps one coverage question may take: real policies need a few thousand at most. */
export const STEP_BUDGET = 200_000;

/** What a set of `Resource` patterns covers among repository ARNs. */
export interface RepositoryCoverage {
  /** At least one repository ARN matches (in some region and account). */
  readonly matchesSome: boolean;
  /** In at least one region and account, every repository name matches. */
  readonly coversAllSomewhere: boolean;
  /** In every region and every account, every repository name matches. */
  readonly coversAllEverywhere: boolean;
}

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
const REGION_CHARS = `${LOWER}${DIGITS}-`;
const NAME_SEPARATORS = "._-";

type StateSet = readonly number[];

/** The patterns compiled into one automaton; states are offsets into `chars` (one slot past each pattern's end). */
class GlobAutomaton {
  private readonly chars: string[] = [];
  private readonly ends = new Set<number>();
  readonly start: StateSet;
  /** Every character that some pattern names literally. */
  readonly literals = new Set<string>();

  constructor(private readonly source: readonly string[]) {
    const patterns = source;
    const starts: number[] = [];
    for (const pattern of patterns) {
      starts.push(this.chars.length);
      for (const ch of pattern) {
        this.chars.push(ch);
        if (ch !== "*" && ch !== "?") this.literals.add(ch);
      }
      this.ends.add(this.chars.length);
      this.chars.push(""); // end marker
    }
    this.start = this.closure(starts);
  }

  private closure(states: Iterable<number>): StateSet {
    const out = new Set<number>();
    for (let state of states) {
      out.add(state);
      while (this.chars[state] === "*") {
        state += 1;
        out.add(state);
      }
    }
    return [...out].sort((a, b) => a - b);
  }

  private steps = 0;

  step(states: StateSet, ch: string): StateSet {
    this.steps += 1;
    if (this.steps > STEP_BUDGET) {
      throw new PatternTooComplexError(
        "Resource",
        `the patterns ${JSON.stringify(this.source.slice(0, 3))}${this.source.length > 3 ? "…" : ""} are too complex to analyse (more than ${STEP_BUDGET} automaton steps): simplify their wildcards`,
      );
    }
    const next: number[] = [];
    for (const state of states) {
      const c = this.chars[state];
      if (c === "*") next.push(state);
      else if (c === "?" || c === ch) next.push(state + 1);
    }
    return next.length === 0 ? next : this.closure(next);
  }

  read(states: StateSet, text: string): StateSet {
    let current = states;
    for (const ch of text) {
      if (current.length === 0) return current;
      current = this.step(current, ch);
    }
    return current;
  }

  accepts(states: StateSet): boolean {
    return states.some((state) => this.ends.has(state));
  }

  /** The characters of `universe` worth trying: each one a pattern names, and one that none names. */
  alphabet(universe: string): string[] {
    const named = [...universe].filter((ch) => this.literals.has(ch));
    const unnamed = [...universe].find((ch) => !this.literals.has(ch));
    return unnamed === undefined ? named : [...named, unnamed];
  }
}

const key = (states: StateSet): string => states.join(",");

function dedupe(sets: Iterable<StateSet>): StateSet[] {
  const seen = new Map<string, StateSet>();
  for (const set of sets) seen.set(key(set), set);
  return [...seen.values()];
}

/** Every state set reachable after reading a region (one or more characters) and the colon after it. */
function afterRegion(automaton: GlobAutomaton, start: StateSet): StateSet[] {
  const alphabet = automaton.alphabet(REGION_CHARS);
  const seen = new Map<string, StateSet>();
  let frontier: StateSet[] = [start];
  while (frontier.length > 0) {
    const next: StateSet[] = [];
    for (const set of frontier) {
      for (const ch of alphabet) {
        const stepped = automaton.step(set, ch);
        const k = key(stepped);
        if (seen.has(k)) continue;
        seen.set(k, stepped);
        if (stepped.length > 0) next.push(stepped);
      }
    }
    frontier = next;
  }
  return dedupe([...seen.values()].map((set) => automaton.read(set, ":")));
}

/** Every state set reachable after reading a twelve-digit account and `:repository/`. */
function afterAccount(automaton: GlobAutomaton, sets: readonly StateSet[]): StateSet[] {
  const alphabet = automaton.alphabet(DIGITS);
  let layer = dedupe(sets);
  for (let i = 0; i < 12; i += 1) {
    layer = dedupe(
      layer.flatMap((set) => (set.length === 0 ? [set] : alphabet.map((ch) => automaton.step(set, ch)))),
    );
  }
  return dedupe(layer.map((set) => automaton.read(set, ":repository/")));
}

type NameState = 0 | 1 | 2; // 0: a component may start; 1: inside a component (may end); 2: after a separator
type CharClass = "alnum" | "separator" | "slash";

function classOf(ch: string): CharClass {
  if (ch === "/") return "slash";
  if (NAME_SEPARATORS.includes(ch)) return "separator";
  return "alnum";
}

function nameStep(state: NameState, cls: CharClass): NameState | undefined {
  if (cls === "alnum") return 1;
  if (state !== 1) return undefined;
  return cls === "separator" ? 2 : 0;
}

/** From one prefix state set: does every valid name lead to acceptance, and does some name? */
function namesFrom(
  automaton: GlobAutomaton,
  alphabet: readonly string[],
  start: StateSet,
): { all: boolean; some: boolean } {
  let all = true;
  let some = false;
  const seen = new Set<string>();
  const queue: Array<[NameState, number, StateSet]> = [[0, 0, start]];
  seen.add(`0|0|${key(start)}`);
  while (queue.length > 0) {
    const item = queue.pop();
    if (item === undefined) break;
    const [state, length, set] = item;
    if (state === 1 && length >= 2) {
      if (automaton.accepts(set)) some = true;
      else all = false;
      if (!all && some) return { all, some };
    }
    for (const ch of alphabet) {
      const nextState = nameStep(state, classOf(ch));
      if (nextState === undefined) continue;
      const nextSet = automaton.step(set, ch);
      // Once no pattern is alive, every longer name is rejected too: one valid completion proves "not all".
      if (nextSet.length === 0) {
        all = false;
        if (some) return { all, some };
        continue;
      }
      const nextLength = Math.min(length + 1, 2);
      const k = `${nextState}|${nextLength}|${key(nextSet)}`;
      if (seen.has(k)) continue;
      seen.add(k);
      queue.push([nextState, nextLength, nextSet]);
    }
  }
  return { all, some };
}

const NOTHING: RepositoryCoverage = {
  matchesSome: false,
  coversAllSomewhere: false,
  coversAllEverywhere: false,
};
const EVERYTHING: RepositoryCoverage = {
  matchesSome: true,
  coversAllSomewhere: true,
  coversAllEverywhere: true,
};
const ONE_REPOSITORY: RepositoryCoverage = {
  matchesSome: true,
  coversAllSomewhere: false,
  coversAllEverywhere: false,
};
const VALID_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/u;
const REGION = /^[a-z0-9-]+$/u;
const ACCOUNT = /^\d{12}$/u;

/** Whether a pattern with no wildcard is itself a repository ARN of the partition. */
function isRepositoryArn(text: string, partition: string): boolean {
  const prefix = `arn:${partition}:ecr:`;
  if (!text.startsWith(prefix)) return false;
  const parts = text.slice(prefix.length).split(":");
  if (parts.length !== 3) return false;
  const [region = "", account = "", resource = ""] = parts;
  if (!resource.startsWith("repository/")) return false;
  const name = resource.slice("repository/".length);
  return REGION.test(region) && ACCOUNT.test(account) && name.length >= 2 && VALID_NAME.test(name);
}

/** Whether a pattern could match an ARN starting `arn:PARTITION:ecr:` (its text before the first wildcard agrees). */
function mayMatchEcr(pattern: string, prefix: string): boolean {
  const wildcard = pattern.search(/[*?]/u);
  const head = wildcard < 0 ? pattern : pattern.slice(0, wildcard);
  return head.length <= prefix.length ? prefix.startsWith(head) : head.startsWith(prefix);
}

const cache = new Map<string, RepositoryCoverage>();
const byList = new WeakMap<readonly string[], Map<string, RepositoryCoverage>>();

/**
 * What a list of `Resource` globs covers among the repositories of a partition (matched case-sensitively).
 * Results are cached per list and per distinct set of patterns.
 *
 * @example
 * repositoryCoverage(["arn:aws:ecr:us-east-1:111122223333:repository/*"], "aws");
 * // { matchesSome: true, coversAllSomewhere: true, coversAllEverywhere: false }
 * repositoryCoverage(["arn:aws:ecr:*:*:repository/team-a/*"], "aws");
 * // { matchesSome: true, coversAllSomewhere: false, coversAllEverywhere: false }
 */
export function repositoryCoverage(patterns: readonly string[], partition: string): RepositoryCoverage {
  let perList = byList.get(patterns);
  const known = perList?.get(partition);
  if (known) return known;
  const result = computeCoverage(patterns, partition);
  if (perList === undefined) {
    perList = new Map();
    byList.set(patterns, perList);
  }
  perList.set(partition, result);
  return result;
}

/**
 * A policy variable (`${aws:username}`) stands for one value that is not known here: some repository may
 * match (read as `*`), but not every one (read as one fixed name character). `${*}`, `${?}`, `${$}` are
 * literal characters no repository name holds.
 */
function computeCoverage(patterns: readonly string[], partition: string): RepositoryCoverage {
  if (patterns.some((pattern) => pattern.includes("${"))) {
    const some = literalCoverage(
      patterns.map((p) => resolvePolicyVariables(p, {}, "*", "\u0001")),
      partition,
    );
    const all = literalCoverage(
      patterns.map((p) => resolvePolicyVariables(p, {}, "v", "\u0001")),
      partition,
    );
    return {
      matchesSome: some.matchesSome,
      coversAllSomewhere: all.coversAllSomewhere,
      coversAllEverywhere: all.coversAllEverywhere,
    };
  }
  return literalCoverage(patterns, partition);
}

function literalCoverage(patterns: readonly string[], partition: string): RepositoryCoverage {
  if (patterns.includes("*")) return EVERYTHING;
  const prefix = `arn:${partition}:ecr:`;
  const relevant = patterns.filter((pattern) => mayMatchEcr(pattern, prefix));
  if (relevant.length === 0) return NOTHING;
  // Literal ARNs name one repository each (or none): no automaton needed.
  const literals = relevant.filter((pattern) => !pattern.includes("*") && !pattern.includes("?"));
  if (literals.length === relevant.length) {
    return literals.some((arn) => isRepositoryArn(arn, partition)) ? ONE_REPOSITORY : NOTHING;
  }
  const cacheKey = `${partition}\u0000${[...new Set(relevant)].sort().join("\u0000")}`;
  const cached = cache.get(cacheKey);
  if (cached) return cached;

  const automaton = new GlobAutomaton(relevant);
  const afterService = automaton.read(automaton.start, prefix);
  let result: RepositoryCoverage;
  if (afterService.length === 0) {
    result = NOTHING;
  } else {
    const prefixes = afterAccount(automaton, afterRegion(automaton, afterService));
    const alphabet = [
      ...automaton.alphabet(`${LOWER}${DIGITS}`),
      ...automaton.alphabet(NAME_SEPARATORS),
      "/",
    ];
    let matchesSome = false;
    let coversAllSomewhere = false;
    let coversAllEverywhere = true;
    for (const states of prefixes) {
      const names =
        states.length === 0 ? { all: false, some: false } : namesFrom(automaton, alphabet, states);
      matchesSome ||= names.some;
      coversAllSomewhere ||= names.all;
      coversAllEverywhere &&= names.all;
    }
    result = { matchesSome, coversAllSomewhere, coversAllEverywhere };
  }
  if (cache.size > 10_000) cache.clear();
  cache.set(cacheKey, result);
  return result;
}

/**
 * Whether some pattern matches the literal resource `*` — what a registry-level action (one with no
 * resource type, such as `ecr:GetAuthorizationToken`) is authorized against.
 *
 * @example
 * matchesLiteralStar(["arn:aws:ecr:*"]); // false
 * matchesLiteralStar(["*"]); // true
 */
export function matchesLiteralStar(patterns: readonly string[]): boolean {
  return patterns.some((pattern) => globMatches(pattern, "*"));
}
