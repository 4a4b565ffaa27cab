/** Action matching: case-insensitive globs over the whole `service:action` text. */
import type { EcrActionInfo } from "./catalogue-types.js";
import { ECR_ACTIONS } from "./ecr-actions.generated.js";
import { asciiLower, globMatches, hasWildcard } from "./glob.js";
import type { ElementValues } from "./parse.js";

/**
 * Whether an `Action` / `NotAction` element covers an action. `NotAction` covers every action its patterns
 * do not match — including actions no catalogue knows yet.
 *
 * @example
 * actionElementCovers({ kind: "NotAction", values: ["iam:*"] }, "ecr:PutImage"); // true
 * actionElementCovers({ kind: "Action", values: ["ECR:put*"] }, "ecr:PutImage"); // true
 */
export function actionElementCovers(element: ElementValues<"Action" | "NotAction">, action: string): boolean {
  // A catalogue action is matched by the catalogue names the list covers; any other by its patterns.
  const matched = KNOWN.has(action)
    ? ecrNamesMatched(element.values).has(action)
    : otherActionMatched(element.values, action);
  return element.kind === "Action" ? matched : !matched;
}

const KNOWN = new Set(ECR_ACTIONS.map((action) => action.name));

const otherByList = new WeakMap<readonly string[], Map<string, boolean>>();

/** Whether some pattern of a list matches an action outside the catalogue, remembered per list. */
function otherActionMatched(patterns: readonly string[], action: string): boolean {
  let byAction = otherByList.get(patterns);
  if (byAction === undefined) {
    byAction = new Map();
    otherByList.set(patterns, byAction);
  }
  let matched = byAction.get(action);
  if (matched === undefined) {
    matched = patterns.some((p) => globMatches(p, action, true));
    byAction.set(action, matched);
  }
  return matched;
}

/** Whether a text starts with `ecr:`, ASCII letters in any case. */
function startsWithEcr(text: string): boolean {
  return (
    text.length > 4 &&
    (text.charCodeAt(0) | 32) === 101 && // e
    (text.charCodeAt(1) | 32) === 99 && // c
    (text.charCodeAt(2) | 32) === 114 && // r
    text.charCodeAt(3) === 58 // :
  );
}
const BY_LOWER_NAME = new Map(ECR_ACTIONS.map((action) => [asciiLower(action.name), action.name]));
const matchedByList = new WeakMap<readonly string[], ReadonlySet<string>>();

/**
 * The catalogue action names that some pattern of a list matches, computed once per list: a pattern with no
 * wildcard is a map lookup, and only patterns with a wildcard are tried against the catalogue.
 */
function ecrNamesMatched(patterns: readonly string[]): ReadonlySet<string> {
  const cached = matchedByList.get(patterns);
  if (cached) return cached;
  const names = new Set<string>();
  for (const pattern of patterns) {
    if (!hasWildcard(pattern)) {
      // Every catalogue name starts with "ecr:": a literal of another service is no lookup.
      if (!startsWithEcr(pattern)) continue;
      const name = BY_LOWER_NAME.get(asciiLower(pattern));
      if (name !== undefined) names.add(name);
      continue;
    }
    // A wildcard pattern can match an ecr: action only if its text before the first wildcard is a
    // prefix of "ecr:…" (or the pattern starts with a wildcard).
    const head = asciiLower(pattern.slice(0, pattern.search(/[*?]/u)));
    if (!(head === "" || head.startsWith("ecr:") || "ecr:".startsWith(head))) continue;
    for (const action of ECR_ACTIONS) if (globMatches(pattern, action.name, true)) names.add(action.name);
  }
  matchedByList.set(patterns, names);
  return names;
}

/**
 * The catalogue actions an element covers, in catalogue order.
 *
 * @example
 * ecrActionsCovered({ kind: "Action", values: ["ecr:*Image"] }).map((a) => a.name); // ["ecr:BatchDeleteImage", "ecr:BatchGetImage", …]
 */
export function ecrActionsCovered(element: ElementValues<"Action" | "NotAction">): EcrActionInfo[] {
  const matched = ecrNamesMatched(element.values);
  return ECR_ACTIONS.filter((action) => matched.has(action.name) === (element.kind === "Action"));
}
