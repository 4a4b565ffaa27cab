/** Short explanations for annotations: action lists and statement references a person can act on. */
import type { StatementRef } from "./identity.js";

/**
 * `Statement[2] (Sid PushAll)`, prefixed with the document label when `withDocument` is set.
 *
 * @example
 * describeStatement({ document: "inline:ci", index: 0, sid: "Push" }, true); // "inline:ci Statement[0] (Sid Push)"
 */
export function describeStatement(ref: StatementRef, withDocument = false): string {
  const base = `Statement[${ref.index}]${ref.sid ? ` (Sid ${ref.sid})` : ""}`;
  return withDocument ? `${ref.document} ${base}` : base;
}

/**
 * A short list of actions: the first `max` names without the `ecr:` prefix, and how many more.
 *
 * @example
 * shortActions(["ecr:PutImage", "ecr:BatchDeleteImage", "ecr:TagResource"], 2); // "PutImage, BatchDeleteImage +1 more"
 */
export function shortActions(actions: readonly string[], max = 4): string {
  const names = actions.map((action) => action.replace(/^ecr:/u, ""));
  const shown = names.slice(0, max).join(", ");
  return names.length > max ? `${shown} +${names.length - max} more` : shown;
}
