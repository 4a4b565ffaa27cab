/**
 * ecr-iam-principal-write-authorized (SPEC §5): a user's, role's or group's effective ECR access — its
 * inline and attached policies, for a user its groups' too, within its permissions boundary — may hold
 * sensitive actions only when the principal is authorized.
 */
import type { AccountFacts } from "../../shared/account/facts.js";
import {
  isAwsManaged,
  type ManagedPolicyRecord,
  PRINCIPAL_RESOURCE_TYPES,
  type PrincipalRecord,
  type PrincipalType,
  principalRecord,
} from "../../shared/account/iam.js";
import { compliant, nonCompliant, notApplicable, type Verdict } from "../../shared/config/evaluation.js";
import type { RuleParameters } from "../../shared/config/parameters.js";
import { ConfigInputError } from "../../shared/config/read.js";
import { selfEscalations } from "../../shared/policy/escalation.js";
import { describeStatement, shortActions } from "../../shared/policy/explain.js";
import {
  type ActionGrant,
  analyzeIdentityPolicies,
  globMatches,
  type LabelledPolicy,
  PolicyParseError,
  parsePolicyDocument,
  type StatementRef,
} from "../../shared/policy/index.js";
import type { RuleContext, RuleDefinition, SweepResult } from "../../shared/runtime/rule.js";

export const RESOURCE_TYPES = ["AWS::IAM::User", "AWS::IAM::Role", "AWS::IAM::Group"] as const;

const TYPE_BY_RESOURCE: Readonly<Record<string, PrincipalType>> = {
  "AWS::IAM::User": "user",
  "AWS::IAM::Role": "role",
  "AWS::IAM::Group": "group",
};

/** Everything the verdict on one principal needs. */
export interface PrincipalFacts {
  readonly principal: PrincipalRecord;
  /** For users: their groups (a group that no longer exists is absent). */
  readonly groups: readonly PrincipalRecord[];
  /** Managed policies by ARN (attached ones and the boundary); `undefined`: it could not be found. */
  readonly managed: ReadonlyMap<string, ManagedPolicyRecord | undefined>;
}

/**
 * Reads the principal from an `AWS::IAM::User` / `Role` / `Group` item.
 *
 * @example
 * principalFromItem(item).type; // "role"
 */
export function principalFromItem(item: { resourceType: string; configuration: unknown }): PrincipalRecord {
  const type = TYPE_BY_RESOURCE[item.resourceType];
  if (type === undefined)
    throw new ConfigInputError("resourceType", `not an IAM principal: ${item.resourceType}`);
  return principalRecord(type, item.configuration, "camel", "configuration");
}

/**
 * Gathers a principal's groups and managed policies (each managed policy read once).
 *
 * @example
 * const facts = await gatherPrincipal(principalFromItem(item), context.facts);
 */
export async function gatherPrincipal(
  principal: PrincipalRecord,
  facts: AccountFacts,
  knownGroups?: ReadonlyMap<string, PrincipalRecord>,
): Promise<PrincipalFacts> {
  const iam = facts.iam();
  const groups = (
    await Promise.all(principal.groups.map(async (name) => knownGroups?.get(name) ?? (await iam.group(name))))
  ).filter((group): group is PrincipalRecord => group !== undefined);
  const arns = new Set<string>([
    ...principal.attached.map((policy) => policy.arn),
    ...groups.flatMap((group) => group.attached.map((policy) => policy.arn)),
    ...(principal.boundaryArn === undefined ? [] : [principal.boundaryArn]),
  ]);
  const entries = await Promise.all(
    [...arns].map(async (arn) => [arn, await iam.managedPolicy(arn)] as const),
  );
  return { principal, groups, managed: new Map(entries) };
}

const NOUN: Readonly<Record<PrincipalType, string>> = { user: "User", role: "Role", group: "Group" };

/** A policy that could not be read: the principal cannot be judged COMPLIANT. */
class UnreadablePolicy extends Error {}

function parse(label: string, document: unknown): LabelledPolicy {
  try {
    return { label, document: parsePolicyDocument(document, "identity") };
  } catch (error) {
    if (error instanceof PolicyParseError) throw new UnreadablePolicy(`${label}: ${error.message}`);
    throw error;
  }
}

function policiesOf(facts: PrincipalFacts): LabelledPolicy[] {
  const { principal, groups, managed } = facts;
  const managedDoc = (prefix: string, name: string, arn: string): LabelledPolicy => {
    const record = managed.get(arn);
    if (record === undefined)
      throw new UnreadablePolicy(`${prefix}managed policy ${name} (${arn}) could not be read`);
    return parse(`${prefix}managed policy ${name}`, record.document);
  };
  return [
    ...principal.inline.map((policy) => parse(`inline policy ${policy.name}`, policy.document)),
    ...principal.attached.map((policy) => managedDoc("", policy.name, policy.arn)),
    ...groups.flatMap((group) => [
      ...group.inline.map((policy) =>
        parse(`group ${group.name} inline policy ${policy.name}`, policy.document),
      ),
      ...group.attached.map((policy) => managedDoc(`group ${group.name} `, policy.name, policy.arn)),
    ]),
  ];
}

function where(refs: readonly StatementRef[]): string {
  const distinct = [...new Set(refs.map((ref) => describeStatement(ref, true)))];
  const [first, ...rest] = distinct;
  if (first === undefined) return "";
  return `${first}${rest.length > 0 ? ` +${rest.length} more` : ""}`;
}

/**
 * The verdict on a principal (pure).
 *
 * @example
 * judgePrincipal(await gatherPrincipal(principal, facts), parameters, "111122223333", "aws");
 */
export function judgePrincipal(
  facts: PrincipalFacts,
  parameters: RuleParameters,
  accountId: string,
  partition: string,
): Verdict {
  const { principal } = facts;
  const noun = `${NOUN[principal.type]} ${principal.name}`;
  if (principal.type === "role" && principal.path.startsWith("/aws-service-role/")) {
    return notApplicable("service-linked role: AWS manages its permissions");
  }
  let policies: LabelledPolicy[];
  try {
    policies = policiesOf(facts);
  } catch (error) {
    if (error instanceof UnreadablePolicy) return nonCompliant(`${noun}: ${error.message}.`);
    throw error;
  }
  let boundary: LabelledPolicy[] | undefined;
  let boundaryNote = "";
  if (principal.boundaryArn !== undefined) {
    const record = facts.managed.get(principal.boundaryArn);
    try {
      if (record === undefined) throw new UnreadablePolicy(`${principal.boundaryArn} could not be found`);
      boundary = [parse(`boundary ${record.name}`, record.document)];
    } catch (error) {
      if (!(error instanceof UnreadablePolicy)) throw error;
      // Never taken as granting nothing: the boundary is ignored, and the annotation says so.
      boundaryNote = ` Permissions boundary ignored (${error.message}).`;
    }
  }
  const analysis = analyzeIdentityPolicies(policies, {
    partition,
    exemptActions: parameters.list("exemptActions"),
    ...(boundary === undefined ? {} : { boundary }),
  });
  const escalations = selfEscalations(policies, boundary, {
    type: principal.type,
    arn: principal.arn,
    groupArns: facts.groups.map((group) => group.arn),
    attachedPolicyArns: [...principal.attached, ...facts.groups.flatMap((group) => group.attached)]
      .map((policy) => policy.arn)
      .filter((arn) => !isAwsManaged(arn)),
    accountId,
    partition,
    id: principal.id,
  });
  const sensitive = analysis.actions.filter((grant) => grant.sensitive);
  if (sensitive.length === 0 && escalations.length === 0) {
    return compliant(`${noun} holds no sensitive ECR action.${boundaryNote}`);
  }
  const authorized = parameters.list("authorizedPrincipalArns");
  if (authorized.length > 0 && authorized.some((pattern) => globMatches(pattern, principal.arn))) {
    return compliant(`${noun} is authorized by authorizedPrincipalArns.${boundaryNote}`);
  }
  const unscoped: readonly ActionGrant[] = sensitive.filter((grant) => grant.scope === "all");
  const [escalation] = escalations;
  const allScoped = unscoped.length === 0 && escalation === undefined;
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
  const why =
    authorized.length > 0
      ? "not in authorizedPrincipalArns"
      : principal.type === "user"
        ? "users are never authorized (use roles, or authorizedPrincipalArns)"
        : "only grants scoped to some repositories are authorized";
  // The boundary note goes first here: a long annotation is cut at 256 characters, and it must survive.
  return nonCompliant(`${boundaryNote.trim()}${boundaryNote ? " " : ""}${noun} ${parts.join("; ")}: ${why}.`);
}

/** Verdicts on every member user of a group, after a change to the group. */
async function members(groupName: string, context: RuleContext): Promise<SweepResult[]> {
  const users = await context.facts.iam().groupMembers(groupName);
  return Promise.all(
    users.map(async (user) => ({
      resourceType: PRINCIPAL_RESOURCE_TYPES.user,
      resourceId: user.id,
      verdict: judgePrincipal(
        await gatherPrincipal(user, context.facts),
        context.parameters,
        context.accountId,
        context.partition,
      ),
    })),
  );
}

/** The periodic sweep: every principal, and NOT_APPLICABLE for evaluated principals that are gone. */
async function sweep(context: RuleContext): Promise<SweepResult[]> {
  const details = await context.facts.iam().everything();
  const groups = new Map(details.principals.filter((p) => p.type === "group").map((g) => [g.name, g]));
  const results: SweepResult[] = [];
  for (const principal of details.principals) {
    const facts = await gatherPrincipal(principal, context.facts, groups);
    results.push({
      resourceType: PRINCIPAL_RESOURCE_TYPES[principal.type],
      resourceId: principal.id,
      verdict: judgePrincipal(facts, context.parameters, context.accountId, context.partition),
    });
  }
  const present = new Set(results.map((r) => `${r.resourceType}|${r.resourceId}`));
  const evaluated = await context.facts.evaluatedResources(context.ruleName);
  for (const resource of evaluated ?? []) {
    if (!RESOURCE_TYPES.some((type) => type === resource.resourceType)) continue;
    if (present.has(`${resource.resourceType}|${resource.resourceId}`)) continue;
    results.push({ ...resource, verdict: notApplicable("the principal no longer exists") });
  }
  return results;
}

export const rule: RuleDefinition = {
  name: "ecr-iam-principal-write-authorized",
  title: "Only authorized IAM principals can push, delete or re-permission ECR images",
  description:
    "CIS Amazon EKS Benchmark 5.1.2. NON_COMPLIANT when a user, role or group holds a sensitive ECR action (through its inline, attached and group policies, within its permissions boundary, or by being able to change its own permissions) and is not authorized.",
  resourceTypes: RESOURCE_TYPES,
  permissions: [
    "config:GetComplianceDetailsByConfigRule",
    "iam:GetAccountAuthorizationDetails",
    "iam:GetGroup",
    "iam:GetGroupPolicy",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:ListAttachedGroupPolicies",
    "iam:ListGroupPolicies",
  ],
  periodic: true,
  parameters: [
    {
      name: "authorizedPrincipalArns",
      kind: "principalArnGlobs",
      description: "Principal ARN globs authorized to hold sensitive ECR actions.",
    },
    { name: "exemptActions", kind: "actionGlobs", description: "Action globs not treated as sensitive." },
  ],
  evaluateChange: async (item, context) => {
    const principal = principalFromItem(item);
    return judgePrincipal(
      await gatherPrincipal(principal, context.facts),
      context.parameters,
      context.accountId,
      context.partition,
    );
  },
  evaluateRelated: async (item, context) =>
    item.resourceType === PRINCIPAL_RESOURCE_TYPES.group
      ? members(principalFromItem(item).name, context)
      : [],
  evaluatePeriodic: sweep,
};
