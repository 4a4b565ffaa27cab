/**
 * IAM globs: `*` matches any run of characters (colons included), `?` exactly one, everything else itself.
 */

/** Whether a pattern holds a wildcard. */
export function hasWildcard(pattern: string): boolean {
  return pattern.includes("*") || pattern.includes("?");
}

const compiled = new Map<string, RegExp>();

/**
 * Compiles an IAM glob to an anchored regular expression (cached).
 *
 * @example
 * globToRegExp("ecr:Put*", true).test("ECR:PUTIMAGE"); // true
 */
export function globToRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const cacheKey = `${ignoreCase ? "i" : "s"}${pattern}`;
  const cached = compiled.get(cacheKey);
  if (cached) return cached;
  let source = "^";
  for (const ch of pattern) {
    if (ch === "*") source += "[\\s\\S]*";
    else if (ch === "?") source += "[\\s\\S]";
    else source += ch.replace(/[\\^$.|+()[\]{}*?/]/g, "\\$&");
  }
  const regexp = new RegExp(`${source}$`, ignoreCase ? "iu" : "u");
  if (compiled.size > 50_000) compiled.clear();
  compiled.set(cacheKey, regexp);
  return regexp;
}

/**
 * Whether `text` matches the IAM glob `pattern`.
 *
 * @example
 * globMatches("arn:aws:ecr:*:*:repository/team-a/*", "arn:aws:ecr:us-east-1:111122223333:repository/team-a/api", false); // true
 */
export function globMatches(pattern: string, text: string, ignoreCase = false): boolean {
  if (pattern === "*") return true;
  if (!hasWildcard(pattern))
    return ignoreCase ? pattern.toLowerCase() === text.toLowerCase() : pattern === text;
  return globToRegExp(pattern, ignoreCase).test(text);
}
