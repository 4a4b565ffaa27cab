/** Action matching: case-insensitive globs over the whole `service:action` text. */
import type { EcrActionInfo } from "./catalogue-types.js";
import { ECR_ACTIONS } from "./ecr-actions.generated.js";
import { globMatches } from "./glob.js";
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
  const matched = element.values.some((pattern) => globMatches(pattern, action, true));
  return element.kind === "Action" ? matched : !matched;
}

/**
 * The catalogue actions an element covers, in catalogue order.
 *
 * @example
 * ecrActionsCovered({ kind: "Action", values: ["ecr:*Image"] }).map((a) => a.name); // ["ecr:BatchDeleteImage", "ecr:BatchGetImage", …]
 */
export function ecrActionsCovered(element: ElementValues<"Action" | "NotAction">): EcrActionInfo[] {
  return ECR_ACTIONS.filter((action) => actionElementCovers(element, action.name));
}
