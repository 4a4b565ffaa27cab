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
  // On ASCII text the built-in lowering is exactly ASCII folding, and much faster than a replace.
  if (!NON_ASCII.test(text)) return text.toLowerCase();
  return text.replace(/[A-Z]/gu, (ch) => String.fromCharCode(ch.charCodeAt(0) + 32));
}

const NON_ASCII = /[\u0080-\u{10FFFF}]/u;

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

/**
 * ECR's WILDCARD repository filter (registry scanning and replication rules): `*` matches any run of
 * characters and the filter must match the whole name; a filter with no `*` matches every name that
 * contains it. Every other character, `?` included, stands for itself. Linear in the filter's and the
 * name's lengths together: the pieces between `*`s are found left to right with Knuth–Morris–Pratt, each
 * at its earliest place (taking the earliest place never loses a match, since what follows is free to
 * start anywhere later).
 *
 * @example
 * ecrWildcardFilterMatches("team-*", "team-a/api"); // true
 * ecrWildcardFilterMatches("prod", "repo-prod"); // true
 * ecrWildcardFilterMatches("*a*a*b", "aaaa"); // false
 */
export function ecrWildcardFilterMatches(filter: string, name: string): boolean {
  if (!filter.includes("*")) return indexOfFrom(name, filter, 0, name.length) >= 0;
  const pieces = filter.split("*");
  const first = pieces[0] ?? "";
  const last = pieces[pieces.length - 1] ?? "";
  if (first.length + last.length > name.length) return false;
  if (!name.startsWith(first) || !name.endsWith(last)) return false;
  let at = first.length;
  const end = name.length - last.length;
  for (let i = 1; i < pieces.length - 1; i += 1) {
    const piece = pieces[i] ?? "";
    if (piece === "") continue;
    const found = indexOfFrom(name, piece, at, end);
    if (found < 0) return false;
    at = found + piece.length;
  }
  return true;
}

/**
 * The first index ≥ `from` where `needle` occurs in `text` ending at or before `end`, or -1
 * (Knuth–Morris–Pratt: linear time).
 */
function indexOfFrom(text: string, needle: string, from: number, end: number): number {
  if (needle === "") return from <= end ? from : -1;
  const failure = new Int32Array(needle.length);
  for (let i = 1, k = 0; i < needle.length; i += 1) {
    while (k > 0 && needle.charCodeAt(i) !== needle.charCodeAt(k)) k = failure[k - 1] ?? 0;
    if (needle.charCodeAt(i) === needle.charCodeAt(k)) k += 1;
    failure[i] = k;
  }
  for (let i = from, k = 0; i < end; i += 1) {
    while (k > 0 && text.charCodeAt(i) !== needle.charCodeAt(k)) k = failure[k - 1] ?? 0;
    if (text.charCodeAt(i) === needle.charCodeAt(k)) k += 1;
    if (k === needle.length) return i - needle.length + 1;
  }
  return -1;
}

/** A compiled pattern's tokens: a code point (a literal character), or one of these (negative) markers. */
export const STAR_TOKEN = -1;
export const ONE_TOKEN = -2;
export const VARIABLE_TOKEN = -3;

/**
 * A resource pattern as tokens: code points for literal characters, {@link STAR_TOKEN} for `*`,
 * {@link ONE_TOKEN} for `?`, and {@link VARIABLE_TOKEN} for a policy variable (`${aws:username}`,
 * `${aws:PrincipalTag/team, 'none'}`: a default does not make it less of a variable), which stands for one
 * value resolved at request time. `${*}`, `${?}` and `${$}` are the literal characters `*`, `?`, `$` (the
 * only escape IAM's pattern language has). Works on code points, so `?` takes a whole astral character.
 *
 * @example
 * patternTokens("a${*}*${aws:username}"); // [97, 42, STAR_TOKEN, VARIABLE_TOKEN]
 */
export function patternTokens(pattern: string): number[] {
  const tokens: number[] = [];
  let i = 0;
  while (i < pattern.length) {
    if (pattern.startsWith("${", i)) {
      const close = pattern.indexOf("}", i + 2);
      if (close >= 0) {
        const name = pattern.slice(i + 2, close);
        tokens.push(name === "*" || name === "?" || name === "$" ? name.charCodeAt(0) : VARIABLE_TOKEN);
        i = close + 1;
        continue;
      }
    }
    const code = pattern.codePointAt(i) ?? 0;
    tokens.push(code === 42 ? STAR_TOKEN : code === 63 ? ONE_TOKEN : code);
    i += code > 0xffff ? 2 : 1;
  }
  return tokens;
}
