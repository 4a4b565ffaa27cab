/**
 * The ECR action catalogue (generated from the Service Authorization Reference) and what docs/policy-semantics.md#sensitive-actions makes
 * of it: which actions are sensitive.
 */
import type { EcrActionInfo } from "./catalogue-types.js";
import { ECR_ACTIONS } from "./ecr-actions.generated.js";
import { asciiLower, globMatches } from "./glob.js";

export type { AccessLevel, EcrActionInfo } from "./catalogue-types.js";
export { ECR_ACTIONS } from "./ecr-actions.generated.js";

/**
 * Write-level actions that change no image, policy or protective setting, so they are never counted as
 * sensitive. `BatchImportUpstreamImage` is part of pulling through a cache.
 */
export const NEVER_SENSITIVE: readonly string[] = [
  "ecr:BatchImportUpstreamImage",
  "ecr:StartImageScan",
  "ecr:StartLifecyclePolicyPreview",
];

const byLowerName = new Map(ECR_ACTIONS.map((action) => [asciiLower(action.name), action]));

/**
 * The catalogue entry for an action name, matched case-insensitively; `undefined` when unknown.
 *
 * @example
 * catalogueAction("ECR:putimage")?.name; // "ecr:PutImage"
 */
export function catalogueAction(name: string): EcrActionInfo | undefined {
  return byLowerName.get(asciiLower(name));
}

/**
 * Whether an action is sensitive: its access levels include Write, Permissions management or Tagging, it is
 * not one of {@link NEVER_SENSITIVE}, and no `exemptActions` glob matches it.
 *
 * @example
 * isSensitive(catalogueAction("ecr:PutImage")!, []); // true
 * isSensitive(catalogueAction("ecr:PutImage")!, ["ecr:Put*"]); // false
 */
export function isSensitive(action: EcrActionInfo, exemptActions: readonly string[] = []): boolean {
  if (NEVER_SENSITIVE.includes(action.name)) return false;
  if (exemptActions.some((pattern) => globMatches(pattern, action.name, true))) return false;
  return action.accessLevels.some(
    (level) => level === "Write" || level === "Permissions management" || level === "Tagging",
  );
}
