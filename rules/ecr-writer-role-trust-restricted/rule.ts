/**
 * ecr-writer-role-trust-restricted (docs/rules.md#ecr-writer-role-trust-restricted): a role that can push,
 * delete or re-permission ECR images may be assumed only through trusted doors — no public door, no
 * untrusted account or principal, no web identity (GitHub Actions, GitLab, EKS IRSA, Cognito, …) that any
 * tenant of its provider could use.
 */
import { PRINCIPAL_RESOURCE_TYPES, type PrincipalRecord } from "../../shared/account/iam.js";
import {
  type PrincipalFacts,
  principalFromItem,
  principalNoun,
} from "../../shared/account/principal-facts.js";
import { type ExplainedInheritance, gatherReachedPrincipal } from "../../shared/account/reach-source.js";
import { compliant, nonCompliant, notApplicable, type Verdict } from "../../shared/config/evaluation.js";
import { readingAs, UnreadableInputError } from "../../shared/errors.js";
import { effectiveAccess } from "../../shared/policy/effective-access.js";
import { describeStatement, shortActions } from "../../shared/policy/explain.js";
import { catalogueAction, isSensitive } from "../../shared/policy/index.js";
import { analyzeTrustPolicy, type Door } from "../../shared/policy/trust.js";
import { CIS_EKS_5_1_2, defineRule, type ParametersOf, type RuleScope } from "../../shared/runtime/rule.js";

export const RESOURCE_TYPES = ["AWS::IAM::Role"] as const;

const PARAMETERS = [
  { name: "trustedAccountIds", kind: "accountIds", description: "Accounts trusted besides the owner." },
  {
    name: "trustedOrganizationIds",
    kind: "organizationIds",
    description: "Organizations whose members are trusted.",
  },
  {
    name: "trustedOidcSubjects",
    kind: "oidcSubjectGlobs",
    description: "sub globs (or CLAIM=GLOB) a web identity must stay within (repo:acme/*).",
  },
  { name: "exemptActions", kind: "actionGlobs", description: "Action globs not treated as sensitive." },
] as const;

function describeDoor(door: Door): string {
  return `trust ${describeStatement(door.statement)}: ${door.reason}`;
}

/**
 * The verdict on a role (pure): not a writer → COMPLIANT; a writer whose trust policy opens an untrusted
 * door → NON_COMPLIANT naming each door and what to change. A trust policy that cannot be read throws
 * (the runtime makes it NON_COMPLIANT, naming the fault).
 *
 * @example
 * judgeWriterRole(await gatherPrincipal(role, facts), parameters, { accountId: "111122223333", partition: "aws" });
 */
export function judgeWriterRole(
  facts: PrincipalFacts & { readonly inherited?: readonly ExplainedInheritance[] },
  parameters: ParametersOf<typeof PARAMETERS>,
  scope: Pick<RuleScope, "accountId" | "partition">,
): Verdict {
  const { principal } = facts;
  const noun = principalNoun(principal);
  if (principal.path.startsWith("/aws-service-role/")) {
    return notApplicable("service-linked role: AWS fixes its trust policy");
  }
  const exempt = parameters.list("exemptActions");
  const access = effectiveAccess(facts, { ...scope, exemptActions: exempt });
  // A role is a writer also through the writers it can act as (docs/policy-semantics.md#reach).
  const inherited = (facts.inherited ?? []).filter((item) => {
    const info = catalogueAction(item.action);
    return info !== undefined && isSensitive(info, exempt);
  });
  const [reached] = inherited;
  if (access.sensitive.length === 0 && access.escalations.length === 0 && reached === undefined) {
    return compliant(`${noun} holds no sensitive ECR action.${access.boundaryNote}`);
  }
  if (principal.trustPolicy === undefined) {
    throw new UnreadableInputError("the configuration records no assumeRolePolicyDocument", {
      what: `${noun}: trust policy`,
    });
  }
  const trustPolicy = principal.trustPolicy;
  const analysis = readingAs(`${noun}: trust policy`, () =>
    analyzeTrustPolicy({
      policy: trustPolicy,
      owner: scope.accountId,
      partition: scope.partition,
      trust: {
        trustedAccountIds: parameters.list("trustedAccountIds"),
        trustedOrganizationIds: parameters.list("trustedOrganizationIds"),
        trustedOidcSubjects: parameters.list("trustedOidcSubjects"),
      },
    }),
  );
  const unscoped = access.sensitive.some((grant) => grant.scope === "all") || access.escalations.length > 0;
  const holds =
    access.escalations.length > 0
      ? "can change its own permissions, so holds every sensitive ECR action on all repositories"
      : access.sensitive.length > 0
        ? `holds ${shortActions(
            access.sensitive.map((grant) => grant.action),
            3,
          )} on ${unscoped ? "all" : "some"} repositories`
        : (reached?.explanation ?? "");
  const [first, ...more] = analysis.openDoors;
  if (first === undefined) {
    const kinds = [...new Set(analysis.doors.map((door) => door.kind))].join(", ") || "none";
    return compliant(
      `${noun} ${holds}; its trust policy opens only trusted doors (${kinds}).${access.boundaryNote}`,
    );
  }
  // The open doors come first: a long annotation is cut at 256 characters, and they must survive.
  const extra = more.length > 0 ? ` (+${more.length} more open door${more.length > 1 ? "s" : ""})` : "";
  return nonCompliant(`${noun}: ${describeDoor(first)}${extra}. It ${holds}.${access.boundaryNote}`);
}

const found = (role: PrincipalRecord) => ({
  resourceType: PRINCIPAL_RESOURCE_TYPES.role,
  resourceId: role.id,
  subject: role,
});

export const rule = defineRule({
  name: "ecr-writer-role-trust-restricted",
  title: "Roles that can write to ECR can be assumed only by trusted principals and pinned workloads",
  description:
    "NON_COMPLIANT when a role that holds a sensitive ECR action (itself or through a role it can act as) has a trust policy admitting the public, an untrusted account or principal, or a web identity (GitHub, GitLab, EKS, Cognito, …) not pinned to one tenant.",
  severity: "high",
  control: CIS_EKS_5_1_2,
  remediation:
    "Narrow the trust policy: pin each web identity to its repositories or service accounts (a :sub condition), list or remove other accounts, and replace Principal * with the principals that need the role.",
  docs: "rules/ecr-writer-role-trust-restricted/README.md",
  resourceTypes: RESOURCE_TYPES,
  permissions: [
    "config:GetComplianceDetailsByConfigRule",
    "config:ListDiscoveredResources",
    "iam:GetAccountAuthorizationDetails",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
  ],
  periodic: true,
  parameters: PARAMETERS,
  vanished: "the role no longer exists",
  reads: ["iam"],
  read: principalFromItem,
  gather: gatherReachedPrincipal,
  judge: judgeWriterRole,
  sweep: async (facts) =>
    (await facts.iam().everything()).principals.filter((p) => p.type === "role").map(found),
});
