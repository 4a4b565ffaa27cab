/** How condition entries bear on a grant (docs/policy-semantics.md#tag-conditions, #narrowing-conditions). */
import { asciiLower } from "./glob.js";
import type { ConditionEntry } from "./parse.js";

/** The operator without its `ForAnyValue:` / `ForAllValues:` prefix, lowercased, and which prefix it had. */
export function splitOperator(operator: string): {
  set: "ForAnyValue" | "ForAllValues" | undefined;
  base: string;
} {
  const lower = asciiLower(operator);
  if (lower.startsWith("foranyvalue:"))
    return { set: "ForAnyValue", base: lower.slice("foranyvalue:".length) };
  if (lower.startsWith("forallvalues:"))
    return { set: "ForAllValues", base: lower.slice("forallvalues:".length) };
  return { set: undefined, base: lower };
}

const TAG_KEY = /^(aws|ecr):resourcetag\/./iu;

/**
 * Whether an entry limits a grant to tagged repositories (docs/policy-semantics.md#tag-conditions): a key `aws:ResourceTag/…` or
 * `ecr:ResourceTag/…`, and an operator that (after an optional `ForAnyValue:`) contains neither `Not` nor
 * `IfExists`; `Null` narrows only when every value is `"false"`. `ForAllValues:`, `…IfExists` and
 * `Null: "true"` let untagged repositories through.
 *
 * @example
 * narrowsToTaggedRepositories({ operator: "StringEquals", key: "aws:ResourceTag/team", values: ["a"] }); // true
 * narrowsToTaggedRepositories({ operator: "StringNotEquals", key: "aws:ResourceTag/team", values: ["a"] }); // false
 */
export function narrowsToTaggedRepositories(entry: ConditionEntry): boolean {
  if (!TAG_KEY.test(entry.key)) return false;
  const { set, base } = splitOperator(entry.operator);
  if (set === "ForAllValues") return false;
  if (base.includes("not") || base.includes("ifexists")) return false;
  if (base === "null") return entry.values.every((value) => asciiLower(value) === "false");
  return true;
}
