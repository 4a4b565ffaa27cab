/** Account facts for pure rule tests: each method throws unless a test supplies it. */
import type { AccountFacts } from "../../shared/account/facts.js";

/**
 * Facts that fail loudly when read: proves a rule reads nothing it should not. Pass the parts a test needs.
 *
 * @example
 * const facts = factsFor({ ecr: () => myEcrFacts });
 */
export function factsFor(parts: Partial<AccountFacts> = {}): AccountFacts {
  const refuse = (what: string) => (): never => {
    throw new Error(`this test gives the rule no ${what} facts`);
  };
  return {
    ecr: parts.ecr ?? refuse("ECR"),
    iam: parts.iam ?? refuse("IAM"),
    evaluatedResources: parts.evaluatedResources ?? refuse("evaluated-resources"),
  };
}
