/**
 * Which ECR repositories a set of `Resource` globs matches, decided exactly with automata.
 *
 * A repository ARN is `arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME`, where PARTITION is the policy
 * owner's, REGION is any non-empty `[a-z0-9-]` text, ACCOUNT is twelve digits and NAME is any name ECR
 * accepts: lowercase components `[a-z0-9]+([._-][a-z0-9]+)*` joined by `/`, at least two characters long.
 * The globs are run together as one nondeterministic automaton. Whether some repository matches is a
 * search over its single states paired with the position in the ARN's grammar (polynomial). Whether every
 * name is covered in some, or in every, region and account needs state sets: the sets it can be in after
 * the possible `arn:…:repository/` prefixes are enumerated lazily, breadth first (few, since characters
 * that no state names behave alike), and from each such set the product with the name automaton tells
 * whether every name is accepted; the search stops as soon as both answers are settled. Known
 * simplification: the 256-character upper bound on names is not modelled.
 *
 * Cost. Two exact reductions keep the state sets small: runs of wildcards are put in a normal form (`*?`
 * and `?*` match the same texts, so `?`s go first and repeated `*`s become one), and within one pattern a
 * state past a `*` makes every earlier state of that pattern redundant (whatever the earlier state can
 * still match, the `*` can match too — the greedy rule of glob matching), so `*a*a*a…` keeps two states,
 * not thousands. What remains is bounded by what it really costs, per analysis ({@link CoverageBudget}):
 * every state visited counts against {@link WORK_BUDGET}, and every state held in a distinct set kept (and
 * every transition remembered) against {@link MEMORY_BUDGET}. Patterns
 * that exceed either (only adversarial wildcards do, such as `*a????????????????` in the region, whose
 * automaton must remember which of the last seventeen characters were `a`) raise
 * {@link PatternTooComplexError} instead of running for minutes.
 */
import { ONE_TOKEN, patternTokens, STAR_TOKEN, VARIABLE_TOKEN } from "./glob.js";
import { PolicyParseError } from "./parse.js";

/**
 * The patterns need more work or memory than the budgets allow (adversarial wildcards such as
 * `arn:aws:ecr:*a????????????????:*:repository/*`). Raised as a parse error, so a rule reports the policy
 * NON_COMPLIANT ("too complex to analyse") instead of running out of time.
 */
export class PatternTooComplexError extends PolicyParseError {}

/** Automaton states one analysis may visit (each step visits every state of the set it starts from). */
export const WORK_BUDGET = 2_500_000;
/**
 * Memory one analysis may hold, in four-byte words: each state of each distinct set kept, plus
 * {@link SET_OVERHEAD} per set and {@link ENTRY_OVERHEAD} per remembered transition or search entry
 * (about 16 MB in all).
 */
export const MEMORY_BUDGET = 4_000_000;
const SET_OVERHEAD = 32;
const ENTRY_OVERHEAD = 16;

/**
 * What the coverage questions of one analysis may cost together: a policy of many statements asks many
 * questions, and the bound holds for the document, not for each question. Without one, each question gets
 * a budget of its own.
 *
 * @example
 * const budget = new CoverageBudget();
 * repositoryCoverage(["arn:aws:ecr:*:*:repository/a*"], "aws", budget);
 */
export class CoverageBudget {
  work = 0;
  held = 0;
  constructor(
    readonly workLimit = WORK_BUDGET,
    readonly memoryLimit = MEMORY_BUDGET,
  ) {}
}

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
const NAME_CODES: ReadonlySet<number> = new Set(
  [...`${LOWER}${DIGITS}${NAME_SEPARATORS}/`].map((ch) => ch.codePointAt(0) ?? 0),
);

/** Automaton tokens beyond the pattern tokens of `glob.ts`. */
const END = -4;
/** One character, while the ARN's prefix (before the repository name) is read; nothing in the name. */
const PREFIX_ONE = -5;
/** Any run of characters of the ARN's prefix; nothing in the name. */
const PREFIX_STAR = -6;
const DEAD = -7;

/**
 * How a policy variable is read. `wide`: as `*` (some value makes it match: for "matches some").
 * `fixed`: one value, the same for every repository — in the partition, region or account field it may be
 * any of them (one or more characters before the name), in the name it is a name some repositories have,
 * never every name (for "covers all somewhere"). `absent`: as nothing at all — a pattern holding a
 * variable never covers a repository for certain (for "covers all everywhere", which only narrows).
 */
type Reading = "wide" | "fixed" | "absent";

/** The tokens of one pattern under a reading, in normal form; `undefined` when it can match nothing. */
function compile(pattern: string, reading: Reading): number[] | undefined {
  const raw: number[] = [];
  for (const token of patternTokens(pattern)) {
    if (token !== VARIABLE_TOKEN) raw.push(token);
    else if (reading === "wide") raw.push(STAR_TOKEN);
    else if (reading === "fixed") raw.push(PREFIX_ONE, PREFIX_STAR);
    else raw.push(DEAD);
  }
  if (raw.includes(DEAD)) return undefined;
  // Normal form of each run of `*` and `?`: the `?`s first, then at most one `*` (the same texts match).
  const out: number[] = [];
  let ones = 0;
  let star = false;
  const flush = () => {
    for (; ones > 0; ones -= 1) out.push(ONE_TOKEN);
    if (star) out.push(STAR_TOKEN);
    star = false;
  };
  for (const token of raw) {
    if (token === ONE_TOKEN) ones += 1;
    else if (token === STAR_TOKEN) star = true;
    else {
      flush();
      out.push(token);
    }
  }
  flush();
  return out;
}

const isLoop = (token: number | undefined): boolean => token === STAR_TOKEN || token === PREFIX_STAR;

/** Raised inside the automaton when a budget runs out; turned into {@link PatternTooComplexError}. */
class BudgetExceeded extends Error {
  constructor(readonly what: string) {
    super(what);
  }
}

/**
 * The patterns compiled into one automaton. States are offsets into `tokens` (each pattern followed by an
 * END slot); state sets are interned, so each distinct set is stored once and named by a number.
 */
class GlobAutomaton {
  private readonly tokens: Int32Array;
  /** The pattern each state belongs to. */
  private readonly owner: Int32Array;
  /** Whether each state can still reach the end of its pattern reading name characters only. */
  private readonly nameLive: Uint8Array;
  /** Every character that some pattern names literally. */
  private readonly literals = new Set<number>();
  private readonly sets: Int32Array[] = [new Int32Array(0)];
  private readonly accepting: boolean[] = [false];
  private readonly byHash = new Map<number, number[]>();
  private readonly transitions = new Map<number, number>();
  private readonly mark: Uint32Array;
  private generation = 0;
  readonly start: number;

  constructor(
    patterns: readonly (readonly number[])[],
    private readonly budget: CoverageBudget,
  ) {
    const tokens: number[] = [];
    const owner: number[] = [];
    const starts: number[] = [];
    patterns.forEach((pattern, index) => {
      starts.push(tokens.length);
      for (const token of pattern) {
        tokens.push(token);
        owner.push(index);
        if (token >= 0) this.literals.add(token);
      }
      tokens.push(END);
      owner.push(index);
    });
    this.tokens = Int32Array.from(tokens);
    this.owner = Int32Array.from(owner);
    // A state can still reach the end while a name is read only if every token after it can match in a name.
    this.nameLive = new Uint8Array(tokens.length);
    for (let state = tokens.length - 1; state >= 0; state -= 1) {
      const token = tokens[state] ?? END;
      const fits =
        token === END ||
        token === STAR_TOKEN ||
        token === ONE_TOKEN ||
        token === PREFIX_STAR ||
        (token >= 0 && NAME_CODES.has(token));
      this.nameLive[state] = fits && (token === END || this.nameLive[state + 1] === 1) ? 1 : 0;
    }
    this.mark = new Uint32Array(tokens.length + 1);
    this.charge(tokens.length);
    this.generation += 1;
    const initial: number[] = [];
    for (const state of starts) this.add(initial, state, false);
    this.start = this.intern(initial);
  }

  private charge(work: number): void {
    this.budget.work += work;
    if (this.budget.work > this.budget.workLimit)
      throw new BudgetExceeded(`more than ${this.budget.workLimit} automaton state visits`);
  }

  private keep(states: number): void {
    this.budget.held += states;
    if (this.budget.held > this.budget.memoryLimit)
      throw new BudgetExceeded(`more than ${(this.budget.memoryLimit * 4) / 1e6} MB of automaton states`);
  }

  /**
   * Adds a state and what it reaches without reading (past `*`s), marking them for this generation. While
   * a name is read, states that can no longer reach the end are left out (what follows them is not a name).
   */
  private add(out: number[], first: number, inName: boolean): void {
    let state = first;
    for (;;) {
      if (inName && this.nameLive[state] !== 1) return;
      if (this.mark[state] !== this.generation) {
        this.mark[state] = this.generation;
        out.push(state);
      }
      if (!isLoop(this.tokens[state])) return;
      state += 1;
    }
  }

  /** Interns a set (unsorted, duplicate-free), after dropping the states a later `*` of their pattern makes redundant. */
  private intern(states: number[]): number {
    if (states.length === 0) return 0;
    states.sort((a, b) => a - b);
    const kept: number[] = [];
    let pattern = -1;
    let cut = false;
    for (let i = states.length - 1; i >= 0; i -= 1) {
      const state = states[i] ?? 0;
      const own = this.owner[state] ?? -1;
      if (own !== pattern) {
        pattern = own;
        cut = false;
      }
      if (cut) continue;
      kept.push(state);
      cut = isLoop(this.tokens[state]);
    }
    kept.reverse();
    // A `*` at the end of its pattern accepts whatever follows: the set is as good as that one state.
    const universal = kept.find(
      (state) => this.tokens[state] === STAR_TOKEN && this.tokens[state + 1] === END,
    );
    if (universal !== undefined) kept.splice(0, kept.length, universal, universal + 1);
    let hash = 2166136261;
    for (const state of kept) hash = Math.imul(hash ^ state, 16777619);
    const bucket = this.byHash.get(hash);
    if (bucket !== undefined) {
      for (const id of bucket) {
        const set = this.sets[id];
        if (set !== undefined && set.length === kept.length && set.every((s, i) => s === kept[i])) return id;
      }
    }
    this.keep(kept.length + SET_OVERHEAD);
    const id = this.sets.length;
    this.sets.push(Int32Array.from(kept));
    this.accepting.push(kept.some((state) => this.tokens[state] === END));
    if (bucket === undefined) this.byHash.set(hash, [id]);
    else bucket.push(id);
    return id;
  }

  /** The set reached from set `id` by reading one character; `inName` once the repository name is being read. */
  step(id: number, code: number, inName: boolean): number {
    if (id === 0) return 0;
    const memoKey = (id * 2 + (inName ? 1 : 0)) * 0x110000 + code;
    const known = this.transitions.get(memoKey);
    if (known !== undefined) return known;
    const from = this.sets[id] ?? new Int32Array(0);
    this.charge(from.length + 1);
    this.generation += 1;
    const out: number[] = [];
    for (const state of from) {
      const token = this.tokens[state];
      if (token === STAR_TOKEN || (token === PREFIX_STAR && !inName)) this.add(out, state, inName);
      else if (token === ONE_TOKEN || (token === PREFIX_ONE && !inName) || token === code)
        this.add(out, state + 1, inName);
    }
    this.charge(out.length);
    const next = this.intern(out);
    this.keep(ENTRY_OVERHEAD);
    this.transitions.set(memoKey, next);
    return next;
  }

  read(id: number, text: string): number {
    let current = id;
    for (const ch of text) {
      if (current === 0) return 0;
      current = this.step(current, ch.codePointAt(0) ?? 0, false);
    }
    return current;
  }

  /** The set of the states of set `id` that a name can still lead to the end (the set a name starts from). */
  forName(id: number): number {
    const known = this.named.get(id);
    if (known !== undefined) return known;
    const from = this.sets[id] ?? new Int32Array(0);
    this.charge(from.length + 1);
    const next = this.intern([...from].filter((state) => this.nameLive[state] === 1));
    this.named.set(id, next);
    return next;
  }

  private readonly named = new Map<number, number>();

  accepts(id: number): boolean {
    return this.accepting[id] === true;
  }

  /**
   * Whether some repository ARN (any region, account and valid name) is accepted: a search over single
   * automaton states, not sets, paired with the position in the ARN's grammar — polynomial, however the
   * patterns are built.
   */
  matchesSomeArn(prefix: string): boolean {
    const prefixCodes = [...prefix].map((ch) => ch.codePointAt(0) ?? 0);
    const repository = [...":repository/"].map((ch) => ch.codePointAt(0) ?? 0);
    const region = this.alphabet(REGION_CHARS);
    const digits = this.alphabet(DIGITS);
    const names = [...this.alphabet(`${LOWER}${DIGITS}`), ...this.alphabet(NAME_SEPARATORS), 47];
    // Grammar positions: the literal prefix, region (none read yet / some read), twelve account digits,
    // ":repository/", then the name automaton's (state, length so far capped at 2).
    const REGION_START = prefixCodes.length;
    const IN_REGION = REGION_START + 1;
    const ACCOUNT = IN_REGION + 1; // ACCOUNT + k: k digits read
    const LITERAL = ACCOUNT + 12; // LITERAL + k: k characters of ":repository/" read
    const NAME = LITERAL + repository.length; // NAME + 3 * nameState + length
    const positions = NAME + 9;
    const moves = (position: number): Array<[number, number]> => {
      if (position < REGION_START) return [[prefixCodes[position] ?? 0, position + 1]];
      if (position === REGION_START) return region.map((code) => [code, IN_REGION]);
      if (position === IN_REGION)
        return [...region.map((code): [number, number] => [code, IN_REGION]), [58, ACCOUNT]];
      if (position < LITERAL) return digits.map((code) => [code, position + 1]);
      if (position < NAME) return [[repository[position - LITERAL] ?? 0, position + 1]];
      const row = Math.floor((position - NAME) / 3);
      const state: NameState = row === 0 ? 0 : row === 1 ? 1 : 2;
      const length = (position - NAME) % 3;
      const out: Array<[number, number]> = [];
      for (const code of names) {
        const next = nameStep(state, classOf(code));
        if (next !== undefined) out.push([code, NAME + 3 * next + Math.min(length + 1, 2)]);
      }
      return out;
    };
    const count = this.tokens.length;
    const seen = new Uint8Array(positions * count);
    const queue: number[] = [];
    const visit = (position: number, state: number) => {
      let s = state;
      for (;;) {
        if (position >= NAME && this.nameLive[s] !== 1) return;
        const key = position * count + s;
        if (seen[key] !== 1) {
          seen[key] = 1;
          queue.push(key);
        }
        if (!isLoop(this.tokens[s])) return;
        s += 1;
      }
    };
    for (const state of this.sets[this.start] ?? []) visit(0, state);
    for (let head = 0; head < queue.length; head += 1) {
      const key = queue[head] ?? 0;
      const position = Math.floor(key / count);
      const state = key % count;
      const token = this.tokens[state];
      if (position === NAME + 3 + 2 && token === END) return true;
      const inName = position >= NAME;
      const list = moves(position);
      this.charge(list.length + 1);
      for (const [code, next] of list) {
        if (token === STAR_TOKEN || (token === PREFIX_STAR && !inName)) visit(next, state);
        else if (token === ONE_TOKEN || (token === PREFIX_ONE && !inName) || token === code)
          visit(next, state + 1);
      }
    }
    return false;
  }

  /** Counts product states a search keeps (they are memory too). */
  hold(count: number): void {
    this.keep(count * ENTRY_OVERHEAD);
  }

  /**
   * The characters of `universe` worth trying from set `id`: each one that a literal token at one of its
   * states names, and one that none of them names (all such characters lead to the same set).
   */
  localAlphabet(id: number, universe: readonly number[]): number[] {
    const set = this.sets[id] ?? new Int32Array(0);
    this.charge(set.length + 1);
    const named = new Set<number>();
    for (const state of set) {
      const token = this.tokens[state] ?? END;
      if (token >= 0) named.add(token);
    }
    const out = universe.filter((code) => named.has(code));
    const other = universe.find((code) => !named.has(code));
    if (other !== undefined) out.push(other);
    return out;
  }

  /** The characters of `universe` worth trying: each one a pattern names, and one that none names. */
  alphabet(universe: string): number[] {
    const codes = [...universe].map((ch) => ch.codePointAt(0) ?? 0);
    const named = codes.filter((code) => this.literals.has(code));
    const unnamed = codes.find((code) => !this.literals.has(code));
    return unnamed === undefined ? named : [...named, unnamed];
  }
}

/**
 * Every distinct state set a name may start from, after `arn:PARTITION:ecr:`, a region (one or more
 * characters), `:`, a twelve-digit account and `:repository/`: produced lazily, breadth first over regions,
 * so that a caller with its answer stops early.
 */
function* namePrefixes(automaton: GlobAutomaton, afterService: number): Generator<number> {
  const regionChars = codesOf(REGION_CHARS);
  const digitChars = codesOf(DIGITS);
  const seenRegions = new Set<number>();
  const seenPrefixes = new Set<number>();
  let frontier = [afterService];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const set of frontier) {
      for (const code of automaton.localAlphabet(set, regionChars)) {
        const region = automaton.step(set, code, false);
        if (seenRegions.has(region)) continue;
        seenRegions.add(region);
        if (region !== 0) next.push(region);
        let layer = new Set([automaton.read(region, ":")]);
        for (let i = 0; i < 12; i += 1) {
          const stepped = new Set<number>();
          for (const s of layer) {
            for (const digit of automaton.localAlphabet(s, digitChars))
              stepped.add(automaton.step(s, digit, false));
          }
          layer = stepped;
        }
        for (const account of layer) {
          const prefix = automaton.forName(automaton.read(account, ":repository/"));
          if (seenPrefixes.has(prefix)) continue;
          seenPrefixes.add(prefix);
          yield prefix;
        }
      }
    }
    frontier = next;
  }
}

type NameState = 0 | 1 | 2; // 0: a component may start; 1: inside a component (may end); 2: after a separator
type CharClass = "alnum" | "separator" | "slash";

function classOf(code: number): CharClass {
  if (code === 47) return "slash";
  if (NAME_SEPARATORS.includes(String.fromCodePoint(code))) return "separator";
  return "alnum";
}

function nameStep(state: NameState, cls: CharClass): NameState | undefined {
  if (cls === "alnum") return 1;
  if (state !== 1) return undefined;
  return cls === "separator" ? 2 : 0;
}

/**
 * From one prefix state set: does every valid name lead to acceptance? Breadth first, so that the shortest
 * rejected name, usually two or three characters long, ends the search.
 */
const NAME_CLASSES: readonly (readonly number[])[] = [
  codesOf(`${LOWER}${DIGITS}`),
  codesOf(NAME_SEPARATORS),
  [47],
];

function codesOf(text: string): number[] {
  return [...text].map((ch) => ch.codePointAt(0) ?? 0);
}

function namesFrom(automaton: GlobAutomaton, start: number): boolean {
  const seen = new Set<number>();
  const keyOf = (state: NameState, length: number, set: number) => set * 9 + state * 3 + length;
  const queue: Array<[NameState, number, number]> = [[0, 0, start]];
  seen.add(keyOf(0, 0, start));
  for (let head = 0; head < queue.length; head += 1) {
    const item = queue[head];
    if (item === undefined) break;
    const [state, length, set] = item;
    if (state === 1 && length >= 2 && !automaton.accepts(set)) return false;
    const alphabet = NAME_CLASSES.flatMap((codes) => automaton.localAlphabet(set, codes));
    for (const code of alphabet) {
      const nextState = nameStep(state, classOf(code));
      if (nextState === undefined) continue;
      const nextSet = automaton.step(set, code, true);
      // Once no pattern is alive, every longer name is rejected too: one valid completion proves "not all".
      if (nextSet === 0) return false;
      const nextLength = Math.min(length + 1, 2);
      const k = keyOf(nextState, nextLength, nextSet);
      if (seen.has(k)) continue;
      seen.add(k);
      automaton.hold(1);
      queue.push([nextState, nextLength, nextSet]);
    }
  }
  return true;
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

/** Whether compiled tokens could match an ARN starting `arn:PARTITION:ecr:` (their literal head agrees). */
function mayMatchEcr(tokens: readonly number[], prefix: readonly number[]): boolean {
  for (let i = 0; i < tokens.length && i < prefix.length; i += 1) {
    const token = tokens[i] ?? 0;
    if (token < 0) return true;
    if (token !== prefix[i]) return false;
  }
  return tokens.length >= prefix.length;
}

const cache = new Map<string, RepositoryCoverage>();
let cachedChars = 0;
const CACHE_CHARS = 4_000_000;
const byList = new WeakMap<readonly string[], Map<string, RepositoryCoverage>>();

/**
 * What a list of `Resource` globs covers among the repositories of a partition (matched case-sensitively).
 * Results are cached per list and per distinct set of patterns. Throws {@link PatternTooComplexError} for
 * patterns whose automaton exceeds the work or memory budget.
 *
 * A policy variable stands for one value resolved at request time: `matchesSome` reads it as `*`;
 * `coversAllSomewhere` reads it as any partition, region or account, but as one name in the repository
 * name (`…:${aws:PrincipalAccount}:repository/*` covers every repository of one account;
 * `…/repository/${aws:username}/*` does not); `coversAllEverywhere` reads a pattern holding one as
 * covering nothing, so a Deny on it never subtracts.
 *
 * @example
 * repositoryCoverage(["arn:aws:ecr:us-east-1:111122223333:repository/*"], "aws");
 * // { matchesSome: true, coversAllSomewhere: true, coversAllEverywhere: false }
 * repositoryCoverage(["arn:aws:ecr:*:*:repository/team-a/*"], "aws");
 * // { matchesSome: true, coversAllSomewhere: false, coversAllEverywhere: false }
 */
export function repositoryCoverage(
  patterns: readonly string[],
  partition: string,
  budget: CoverageBudget = new CoverageBudget(),
): RepositoryCoverage {
  let perList = byList.get(patterns);
  const known = perList?.get(partition);
  if (known) return known;
  const result = computeCoverage(patterns, partition, budget);
  if (perList === undefined) {
    perList = new Map();
    byList.set(patterns, perList);
  }
  perList.set(partition, result);
  return result;
}

function computeCoverage(
  patterns: readonly string[],
  partition: string,
  budget: CoverageBudget,
): RepositoryCoverage {
  if (!patterns.some((pattern) => patternTokens(pattern).includes(VARIABLE_TOKEN))) {
    return coverageUnder(patterns, partition, "wide", budget);
  }
  const wide = coverageUnder(patterns, partition, "wide", budget);
  const fixed = coverageUnder(patterns, partition, "fixed", budget);
  const absent = coverageUnder(patterns, partition, "absent", budget);
  return {
    matchesSome: wide.matchesSome,
    coversAllSomewhere: fixed.coversAllSomewhere,
    coversAllEverywhere: absent.coversAllEverywhere,
  };
}

function coverageUnder(
  patterns: readonly string[],
  partition: string,
  reading: Reading,
  budget: CoverageBudget,
): RepositoryCoverage {
  if (patterns.includes("*")) return EVERYTHING;
  const prefix = `arn:${partition}:ecr:`;
  const prefixCodes = [...prefix].map((ch) => ch.codePointAt(0) ?? 0);
  const relevant: Array<{ pattern: string; tokens: number[] }> = [];
  for (const pattern of new Set(patterns)) {
    const tokens = compile(pattern, reading);
    if (tokens !== undefined && mayMatchEcr(tokens, prefixCodes)) relevant.push({ pattern, tokens });
  }
  if (relevant.length === 0) return NOTHING;
  // Literal ARNs name one repository each (or none): no automaton needed.
  const wild = relevant.filter(({ tokens }) => tokens.some((token) => token < 0));
  if (wild.length === 0) {
    return relevant.some(({ tokens }) => isRepositoryArn(String.fromCodePoint(...tokens), partition))
      ? ONE_REPOSITORY
      : NOTHING;
  }
  const cacheKey = `${reading}\u0000${partition}\u0000${relevant
    .map(({ pattern }) => pattern)
    .sort()
    .join("\u0000")}`;
  const cached = cache.get(cacheKey);
  if (cached) return cached;

  let result: RepositoryCoverage;
  try {
    result = automatonCoverage(
      relevant.map(({ tokens }) => tokens),
      prefix,
      budget,
    );
  } catch (error) {
    if (!(error instanceof BudgetExceeded)) throw error;
    const shown = relevant
      .slice(0, 3)
      .map(({ pattern }) => (pattern.length > 120 ? `${pattern.slice(0, 120)}…` : pattern));
    throw new PatternTooComplexError(
      "Resource",
      `the patterns ${JSON.stringify(shown)}${relevant.length > 3 ? "…" : ""} are too complex to analyse (${error.what}): simplify their wildcards`,
      { cause: error },
    );
  }
  if (cachedChars + cacheKey.length > CACHE_CHARS) {
    cache.clear();
    cachedChars = 0;
  }
  cache.set(cacheKey, result);
  cachedChars += cacheKey.length;
  return result;
}

function automatonCoverage(
  patterns: readonly (readonly number[])[],
  prefix: string,
  budget: CoverageBudget,
): RepositoryCoverage {
  const automaton = new GlobAutomaton(patterns, budget);
  const afterService = automaton.read(automaton.start, prefix);
  if (afterService === 0) return NOTHING;
  if (!automaton.matchesSomeArn(prefix)) return NOTHING;
  let coversAllSomewhere = false;
  let coversAllEverywhere = true;
  for (const states of namePrefixes(automaton, afterService)) {
    const all = states !== 0 && namesFrom(automaton, states);
    coversAllSomewhere ||= all;
    coversAllEverywhere &&= all;
    // Both answers are settled: every name somewhere, and not every name everywhere.
    if (coversAllSomewhere && !coversAllEverywhere) break;
  }
  return { matchesSome: true, coversAllSomewhere, coversAllEverywhere };
}

/**
 * Whether some pattern matches the literal resource `*` — what a registry-level action (one with no
 * resource type, such as `ecr:GetAuthorizationToken`) is authorized against. `${*}` is a literal `*` and
 * matches it. A policy variable widens an Allow (`reading: "allow"`: it may be any value) and narrows a
 * Deny (`reading: "deny"`: a pattern holding one is not certain to match).
 *
 * @example
 * matchesLiteralStar(["arn:aws:ecr:*"], "allow"); // false
 * matchesLiteralStar(["*"], "deny"); // true
 */
export function matchesLiteralStar(patterns: readonly string[], reading: "allow" | "deny"): boolean {
  return patterns.some((pattern) => {
    const tokens = patternTokens(pattern);
    if (reading === "deny" && tokens.includes(VARIABLE_TOKEN)) return false;
    // The text "*" is one character: match it with the tokens, a variable read as `*`.
    let states = new Set([0]);
    const close = (set: Set<number>) => {
      for (const state of [...set]) {
        let s = state;
        while (tokens[s] === STAR_TOKEN || tokens[s] === VARIABLE_TOKEN) set.add(++s);
      }
      return set;
    };
    states = close(states);
    const next = new Set<number>();
    for (const state of states) {
      const token = tokens[state];
      if (token === STAR_TOKEN || token === VARIABLE_TOKEN) next.add(state);
      else if (token === ONE_TOKEN || token === 42) next.add(state + 1);
    }
    return close(next).has(tokens.length);
  });
}
