/**
 * Exact inclusion of IAM globs: whether every text one glob matches is matched by another. Each glob is a
 * small nondeterministic automaton over its characters (`*` loops on any character, `?` takes one, anything
 * else itself); the inner automaton is run in product with the outer one's subset construction, over the
 * characters either glob names plus one that neither names (all such characters behave alike). A reachable
 * pair where the inner glob accepts and the outer does not is a counterexample.
 */
import { PolicyParseError } from "./parse.js";

/** Product states one inclusion question may visit before it is refused as too complex. */
export const INCLUSION_BUDGET = 100_000;

class Glob {
  readonly chars: readonly string[];
  constructor(pattern: string) {
    this.chars = [...pattern];
  }

  /** The states reachable from `states` without reading (a `*` may match nothing). */
  closure(states: Iterable<number>): number[] {
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

  step(states: readonly number[], ch: string): number[] {
    const next: number[] = [];
    for (const state of states) {
      const c = this.chars[state];
      if (c === "*") next.push(state);
      else if (c === "?" || c === ch) next.push(state + 1);
    }
    return this.closure(next);
  }

  accepts(states: readonly number[]): boolean {
    return states.includes(this.chars.length);
  }
}

/**
 * Whether every text that the glob `inner` matches is also matched by the glob `outer` (both with `*` and
 * `?`, case-sensitive), decided exactly. Throws `PolicyParseError` when the question needs more than
 * {@link INCLUSION_BUDGET} steps (only adversarial patterns do).
 *
 * @example
 * globIncludes("repo:acme/*", "repo:acme/app:ref:refs/heads/*"); // true
 * globIncludes("repo:acme/*", "repo:acme*"); // false: "repo:acme-evil/x" escapes
 * globIncludes("a?*", "a*?"); // true
 */
export function globIncludes(outer: string, inner: string): boolean {
  const o = new Glob(outer);
  const i = new Glob(inner);
  const named = new Set([...o.chars, ...i.chars].filter((ch) => ch !== "*" && ch !== "?"));
  // One character neither glob names stands for all of them.
  let other = 0xe000;
  while (named.has(String.fromCodePoint(other))) other += 1;
  const alphabet = [...named, String.fromCodePoint(other)];
  const start: [number[], number[]] = [i.closure([0]), o.closure([0])];
  const seen = new Set<string>();
  const queue: Array<[number[], number[]]> = [start];
  let steps = 0;
  while (queue.length > 0) {
    const pair = queue.pop();
    if (pair === undefined) break;
    const [inner, outerStates] = pair;
    const key = `${inner.join(",")}|${outerStates.join(",")}`;
    if (seen.has(key)) continue;
    seen.add(key);
    steps += 1;
    if (steps > INCLUSION_BUDGET) {
      throw new PolicyParseError(
        "Condition",
        `the patterns ${JSON.stringify(outer)} and ${JSON.stringify(inner)} are too complex to compare (more than ${INCLUSION_BUDGET} steps): simplify their wildcards`,
      );
    }
    if (i.accepts(inner) && !o.accepts(outerStates)) return false;
    for (const ch of alphabet) {
      const nextInner = i.step(inner, ch);
      if (nextInner.length === 0) continue;
      queue.push([nextInner, o.step(outerStates, ch)]);
    }
  }
  return true;
}

/**
 * Whether some text is matched by both globs (for "resource patterns that share an ARN").
 *
 * @example
 * globsIntersect("arn:aws:iam::1:role/ci-*", "arn:aws:iam::1:role/*-deploy"); // true
 * globsIntersect("arn:aws:iam::1:role/a*", "arn:aws:iam::1:role/b*"); // false
 */
export function globsIntersect(a: string, b: string): boolean {
  const x = new Glob(a);
  const y = new Glob(b);
  const named = new Set([...x.chars, ...y.chars].filter((ch) => ch !== "*" && ch !== "?"));
  let other = 0xe000;
  while (named.has(String.fromCodePoint(other))) other += 1;
  const alphabet = [...named, String.fromCodePoint(other)];
  const seen = new Set<string>();
  const queue: Array<[number[], number[]]> = [[x.closure([0]), y.closure([0])]];
  while (queue.length > 0) {
    const pair = queue.pop();
    if (pair === undefined) break;
    const [sx, sy] = pair;
    const key = `${sx.join(",")}|${sy.join(",")}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (seen.size > INCLUSION_BUDGET) {
      throw new PolicyParseError(
        "Resource",
        `the patterns ${JSON.stringify(a)} and ${JSON.stringify(b)} are too complex to compare`,
      );
    }
    if (x.accepts(sx) && y.accepts(sy)) return true;
    for (const ch of alphabet) {
      const nx = x.step(sx, ch);
      const ny = y.step(sy, ch);
      if (nx.length > 0 && ny.length > 0) queue.push([nx, ny]);
    }
  }
  return false;
}
