/**
 * IAM globs: `*` matches any run of characters (colons included), `?` exactly one, everything else itself.
 * Matching is linear-time (no regular expressions, so no backtracking blow-up on patterns such as
 * `ecr:*?*?*?*?*!`), and case-insensitive matching folds ASCII letters only, as IAM does.
 */

/** Whether a pattern holds a wildcard. */
export function hasWildcard(pattern: string): boolean {
  return pattern.includes("*") || pattern.includes("?");
}

/** ASCII-only lower case: `ſ` (U+017F) and `K` (U+212A) stay themselves. */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]/gu, (ch) => String.fromCharCode(ch.charCodeAt(0) + 32));
}

/**
 * Whether `text` matches the IAM glob `pattern` (case-sensitive unless `ignoreCase`, which folds ASCII
 * letters only). Runs in O(|pattern| × |text|) at worst: the classic greedy match that, on a mismatch,
 * resumes from the last `*` only.
 *
 * @example
 * globMatches("arn:aws:ecr:*:*:repository/team-a/*", "arn:aws:ecr:us-east-1:111122223333:repository/team-a/api"); // true
 * globMatches("ECR:put*", "ecr:PutImage", true); // true
 */
export function globMatches(pattern: string, text: string, ignoreCase = false): boolean {
  if (pattern === "*") return true;
  // Work on UTF-16 units unless a surrogate pair is present (then `?` must take a whole code point).
  if (SURROGATE.test(pattern) || SURROGATE.test(text)) {
    return matchUnits([...pattern], [...text], ignoreCase);
  }
  return matchUnits(pattern, text, ignoreCase);
}

const SURROGATE = /[\u{10000}-\u{10FFFF}]/u; // a code point beyond the BMP (a surrogate pair)
const STAR = 42; // "*"
const QUESTION = 63; // "?"

function unitAt(units: string | readonly string[], i: number, ignoreCase: boolean): number {
  const code = typeof units === "string" ? units.charCodeAt(i) : (units[i]?.codePointAt(0) ?? Number.NaN);
  return ignoreCase && code >= 65 && code <= 90 ? code + 32 : code;
}

function matchUnits(
  p: string | readonly string[],
  t: string | readonly string[],
  ignoreCase: boolean,
): boolean {
  let pi = 0;
  let ti = 0;
  let star = -1;
  let resume = 0;
  while (ti < t.length) {
    const c = pi < p.length ? unitAt(p, pi, ignoreCase) : Number.NaN;
    if (c === STAR) {
      star = pi;
      resume = ti;
      pi += 1;
    } else if (c === QUESTION || (!Number.isNaN(c) && c === unitAt(t, ti, ignoreCase))) {
      pi += 1;
      ti += 1;
    } else if (star >= 0) {
      pi = star + 1;
      resume += 1;
      ti = resume;
    } else {
      return false;
    }
  }
  while (pi < p.length && unitAt(p, pi, false) === STAR) pi += 1;
  return pi === p.length;
}

/**
 * Whether every text that `inner` (itself a glob) matches is matched by `outer` — decided exactly for a
 * literal `inner`, and otherwise only in the shapes that can be shown simply (equal globs, or `outer` a
 * literal prefix followed by one `*` that `inner`'s literal head already spells out). Anything else
 * answers `false`: callers use it to grant trust, so it errs toward "not contained".
 *
 * @example
 * globContains("arn:aws:iam::111122223333:role/ci-*", "arn:aws:iam::111122223333:role/ci-deploy-*"); // true
 * globContains("arn:aws:iam::111122223333:role/ci-?", "arn:aws:iam::111122223333:role/ci-*"); // false
 */
export function globContains(outer: string, inner: string): boolean {
  if (!hasWildcard(inner)) return globMatches(outer, inner);
  if (outer === inner || outer === "*") return true;
  const prefix = outer.slice(0, -1);
  if (!outer.endsWith("*") || hasWildcard(prefix)) return false;
  const innerHead = inner.slice(0, inner.search(/[*?]/u));
  return innerHead.startsWith(prefix);
}

const VARIABLE = /\$\{([^}]*)\}/gu;

/**
 * Resolves IAM policy variables in a pattern: `${*}`, `${?}` and `${$}` stand for a literal `*`, `?`, `$`
 * (given here as `literal`, since the glob language has no escape); a variable named in `known` (names
 * compared case-insensitively) becomes its value; any other becomes `unknown`.
 *
 * @example
 * resolvePolicyVariables("arn:aws:iam::1:user/${aws:username}", { "aws:username": "eve" }, "*", "\u0001");
 * // "arn:aws:iam::1:user/eve"
 */
export function resolvePolicyVariables(
  pattern: string,
  known: Readonly<Record<string, string>>,
  unknown: string,
  literal: string,
): string {
  if (!pattern.includes("${")) return pattern;
  const lowerKnown = new Map(Object.entries(known).map(([name, value]) => [asciiLower(name), value]));
  return pattern.replace(VARIABLE, (_, name: string) => {
    if (name === "*" || name === "?" || name === "$") return literal;
    // A default value (`${aws:username, 'none'}`) does not change what the variable may be.
    const bare = asciiLower(name.split(",")[0]?.trim() ?? "");
    return lowerKnown.get(bare) ?? unknown;
  });
}
