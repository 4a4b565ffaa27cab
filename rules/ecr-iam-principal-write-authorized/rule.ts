/**
 * ecr-iam-principal-write-authorized (docs/rules.md#ecr-iam-principal-write-authorized): a user's, role's
 * or group's effective ECR access — its inline and attached policies, for a user its groups' too, within its
 * permissions boundary, and what it holds through the principals it can act as (docs/policy-semantics.md#reach)
 * — may hold sensitive actions only when the principal is authorized.
 */
import { PRINCIPAL_RESOURCE_TYPES, type PrincipalRecord } from "../../shared/account/iam.js";
import {
  type PrincipalFacts,
  principalFromItem,
  principalNoun,
} from "../../shared/account/principal-facts.js";
import {
  accountReach,
  type ExplainedInheritance,
  gatherReachedPrincipal,
} from "../../shared/account/reach-source.js";
import { compliant, nonCompliant, notApplicable, type Verdict } from "../../shared/config/evaluation.js";
import { effectiveAccess } from "../../shared/policy/effective-access.js";
import { describeStatement, shortActions } from "../../shared/policy/explain.js";
import {
  type ActionGrant,
  catalogueAction,
  globMatches,
  isSensitive,
  type StatementRef,
} from "../../shared/policy/index.js";
import { CIS_EKS_5_1_2, defineRule, type ParametersOf, type RuleScope } from "../../shared/runtime/rule.js";

export {
  gatherPrincipal,
  type PrincipalFacts,
  principalFromItem,
} from "../../shared/account/principal-facts.js";

export const RESOURCE_TYPES = ["AWS::IAM::User", "AWS::IAM::Role", "AWS::IAM::Group"] as const;

function where(refs: readonly StatementRef[]): string {
  const distinct = [...new Set(refs.map((ref) => describeStatement(ref, true)))];
  const [first, ...rest] = distinct;
  if (first === undefined) return "";
  return `${first}${rest.length > 0 ? ` +${rest.length} more` : ""}`;
}

const PARAMETERS = [
  {
    name: "authorizedPrincipalArns",
    kind: "principalArnGlobs",
    description: "Principal ARN globs authorized to hold sensitive ECR actions.",
  },
  { name: "exemptActions", kind: "actionGlobs", description: "Action globs not treated as sensitive." },
] as const;

/**
 * The verdict on a principal (pure). A policy that cannot be read throws (the runtime makes the principal
 * NON_COMPLIANT, naming it); a permissions boundary that cannot be read is ignored, and the annotation says so.
 *
 * @example
 * judgePrincipal(await gatherPrincipal(principal, facts), parameters, { accountId: "111122223333", partition: "aws" });
 */
export function judgePrincipal(
  facts: PrincipalFacts & { readonly inherited?: readonly ExplainedInheritance[] },
  parameters: ParametersOf<typeof PARAMETERS>,
  scope: Pick<RuleScope, "accountId" | "partition">,
): Verdict {
  const { accountId, partition } = scope;
  const { principal } = facts;
  const noun = principalNoun(principal);
  if (principal.type === "role" && principal.path.startsWith("/aws-service-role/")) {
    return notApplicable("service-linked role: AWS manages its permissions");
  }
  const { sensitive, escalations, boundaryNote } = effectiveAccess(facts, {
    accountId,
    partition,
    exemptActions: parameters.list("exemptActions"),
  });
  const exempt = parameters.list("exemptActions");
  // What it holds through principals it can act as (docs/policy-semantics.md#reach), before exemptions.
  const inherited = (facts.inherited ?? []).filter((item) => {
    const info = catalogueAction(item.action);
    return info !== undefined && isSensitive(info, exempt);
  });
  if (sensitive.length === 0 && escalations.length === 0 && inherited.length === 0) {
    return compliant(`${noun} holds no sensitive ECR action.${boundaryNote}`);
  }
  const authorized = parameters.list("authorizedPrincipalArns");
  if (authorized.length > 0 && authorized.some((pattern) => globMatches(pattern, principal.arn))) {
    return compliant(`${noun} is authorized by authorizedPrincipalArns.${boundaryNote}`);
  }
  const unscoped: readonly ActionGrant[] = sensitive.filter((grant) => grant.scope === "all");
  const [escalation] = escalations;
  const inheritedAll = inherited.filter((item) => item.scope === "all");
  const allScoped = unscoped.length === 0 && escalation === undefined && inheritedAll.length === 0;
  if (authorized.length === 0 && principal.type !== "user" && allScoped) {
    return compliant(`${noun} holds sensitive ECR actions on some repositories only.${boundaryNote}`);
  }
  const parts: string[] = [];
  if (escalation !== undefined) {
    const more = escalations.length > 1 ? ` +${escalations.length - 1} more` : "";
    const group = facts.groups.find((g) => g.arn === escalation.resource);
    const policy = [...principal.attached, ...facts.groups.flatMap((g) => g.attached)].find(
      (p) => p.arn === escalation.resource,
    );
    const on =
      escalation.resource === principal.arn
        ? "itself"
        : group !== undefined
          ? `its group ${group.name}`
          : policy !== undefined
            ? `its policy ${policy.name}`
            : escalation.resource;
    parts.push(
      `can change its own permissions (${escalation.action} on ${on}${more}, ${describeStatement(escalation.grantedBy, true)}), so holds every sensitive ECR action on all repositories`,
    );
  }
  const shown = unscoped.length > 0 ? unscoped : sensitive;
  if (shown.length > 0 && escalation === undefined) {
    parts.push(
      `holds ${shortActions(
        shown.map((grant) => grant.action),
        3,
      )} on ${unscoped.length > 0 ? "all" : "some"} repositories (${where(shown.flatMap((grant) => grant.grantedBy))})`,
    );
  }
  const [reached] = inheritedAll.length > 0 ? inheritedAll : inherited;
  if (
    reached !== undefined &&
    escalation === undefined &&
    (unscoped.length === 0 || inheritedAll.length > 0)
  ) {
    parts.unshift(reached.explanation);
  }
  const why =
    authorized.length > 0
      ? "not in authorizedPrincipalArns"
      : principal.type === "user"
        ? "users are never authorized (use roles, or authorizedPrincipalArns)"
        : "only grants scoped to some repositories are authorized";
  // The boundary note goes first here: a long annotation is cut at 256 characters, and it must survive.
  return nonCompliant(`${boundaryNote.trim()}${boundaryNote ? " " : ""}${noun} ${parts.join("; ")}: ${why}.`);
}

const found = (principal: PrincipalRecord) => ({
  resourceType: PRINCIPAL_RESOURCE_TYPES[principal.type],
  resourceId: principal.id,
  subject: principal,
});

export const rule = defineRule({
  name: "ecr-iam-principal-write-authorized",
  title: "Only authorized IAM principals can push, delete or re-permission ECR images",
  description:
    "NON_COMPLIANT when a user, role or group holds a sensitive ECR action (through its inline, attached and group policies, within its permissions boundary, or by being able to change its own permissions) and is not authorized.",
  severity: "high",
  control: CIS_EKS_5_1_2,
  remediation:
    "Take the sensitive ECR actions away from this principal (detach or narrow its policies, or set a permissions boundary), or list it in authorizedPrincipalArns if it is meant to write.",
  docs: "rules/ecr-iam-principal-write-authorized/README.md",
  resourceTypes: RESOURCE_TYPES,
  permissions: [
    "config:GetComplianceDetailsByConfigRule",
    "config:ListDiscoveredResources",
    "iam:GetAccountAuthorizationDetails",
    "iam:GetGroup",
    "iam:GetGroupPolicy",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:ListAttachedGroupPolicies",
    "iam:ListGroupPolicies",
  ],
  periodic: true,
  parameters: PARAMETERS,
  vanished: "the principal no longer exists",
  reads: ["iam"],
  read: principalFromItem,
  gather: gatherReachedPrincipal,
  judge: judgePrincipal,
  // A change to a group re-evaluates its member users: the group's policies are theirs too.
  // A change to a role's trust policy (or policies) re-evaluates the principals that can act as it.
  related: async (principal, facts, scope) => {
    if (principal.type === "group") return (await facts.iam().groupMembers(principal.name)).map(found);
    if (principal.type !== "role") return [];
    const graph = await accountReach(facts.iam(), scope);
    return [...graph.reachers(principal.arn)]
      .map((arn) => graph.principal(arn))
      .filter((p): p is PrincipalRecord => p !== undefined)
      .map(found);
  },
  sweep: async (facts) => (await facts.iam().everything()).principals.map(found),
});
