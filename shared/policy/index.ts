/** The policy engine: parsing, matching, identity analysis and resource policy analysis (docs/policy-semantics.md). */
export { actionElementCovers, ecrActionsCovered } from "./actions.js";
export { catalogueAction, ECR_ACTIONS, isSensitive, NEVER_SENSITIVE } from "./catalogue.js";
export type { AccessLevel, EcrActionInfo } from "./catalogue-types.js";
export { narrowsToTaggedRepositories } from "./conditions.js";
export { ecrWildcardFilterMatches, globMatches } from "./glob.js";
export {
  type ActionGrant,
  analyzeIdentityPolicies,
  type DeniedAction,
  type IdentityAnalysis,
  type IdentityOptions,
  type LabelledPolicy,
  type Scope,
  type StatementRef,
} from "./identity.js";
export {
  decodePolicyText,
  type PolicyDocument,
  type PolicyKind,
  PolicyParseError,
  parsePolicyDocument,
  type Statement,
} from "./parse.js";
export { classifyPrincipal, type PrincipalClass } from "./principals.js";
export {
  CoverageBudget,
  matchesLiteralStar,
  PatternTooComplexError,
  type RepositoryCoverage,
  repositoryCoverage,
} from "./repository-coverage.js";
export {
  analyzeResourcePolicy,
  FINDING_KINDS,
  type FindingKind,
  type ResourceFinding,
  type ResourcePolicyAnalysis,
  type ResourcePolicyInput,
  type ResourcePolicyKind,
  type ResourcePolicyVerdict,
  type TrustParameters,
} from "./resource-policy.js";
