/** Every rule of the pack, by Config rule name. */

import type { Rule } from "../shared/runtime/rule.js";
import { rule as iamPolicyNoUnscopedWrite } from "./ecr-iam-policy-no-unscoped-write/rule.js";
import { rule as iamPrincipalWriteAuthorized } from "./ecr-iam-principal-write-authorized/rule.js";
import { rule as repositoryImageIntegrity } from "./ecr-repository-image-integrity/rule.js";
import { rule as repositoryPolicyTrusted } from "./ecr-repository-policy-trusted/rule.js";
import { rule as writerRoleTrustRestricted } from "./ecr-writer-role-trust-restricted/rule.js";

export const RULES: readonly Rule[] = [
  iamPolicyNoUnscopedWrite,
  iamPrincipalWriteAuthorized,
  repositoryPolicyTrusted,
  repositoryImageIntegrity,
  writerRoleTrustRestricted,
];

/**
 * The rule with a Config rule name, or `undefined`.
 *
 * @example
 * ruleByName("ecr-repository-policy-trusted")?.resourceTypes; // ["AWS::ECR::Repository", "AWS::ECR::RegistryPolicy"]
 */
export function ruleByName(name: string): Rule | undefined {
  return RULES.find((rule) => rule.name === name);
}
