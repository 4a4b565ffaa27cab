/**
 * ecr-iam-principal-write-authorized (docs/rules.md#ecr-iam-principal-write-authorized): a user's, role's or group's effective ECR access — its
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
import { ConfigInputError } from "../../shared/config/read.js";
import { readingAs, UnreadableInputError } from "../../shared/errors.js";
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
import { CIS_EKS_5_1_2, defineRule, type ParametersOf, type RuleScope } from "../../shared/runtime/rule.js";

export const RESOURCE_TYPES = ["AWS::IAM::User", "AWS::IAM::Role", "AWS::IAM::Group"] as const;

const TYPE_BY_RESOURCE: Readonly<Record<string, PrincipalType>> = {
  "AWS::IAM::User": "user",
  "AWS::IAM::Role": "role",
  "AWS::IAM::Group": "group",
};

/** Everything the verdict on one principal needs. */
export interface PrincipalFacts {
  readonly principal: PrincipalRecord;
  /** For users: their groups. */
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
 * Gathers a principal's groups and managed policies (each managed policy read once). A group the user
 * belongs to that cannot be found makes the principal unreadable: what it passes on is unknown.
 *
 * @example
 * const facts = await gatherPrincipal(principalFromItem(item), accountFacts);
 */
export async function gatherPrincipal(
  principal: PrincipalRecord,
  facts: AccountFacts,
): Promise<PrincipalFacts> {
  const iam = facts.iam();
  const groups = await Promise.all(
    principal.groups.map(async (name) => {
      const group = await iam.group(name);
      if (group === undefined) {
        throw new UnreadableInputError("it is not in the account", {
          what: `${NOUN[principal.type]} ${principal.name}: group ${name}`,
        });
      }
      return group;
    }),
  );
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

function parse(label: string, document: unknown): LabelledPolicy {
  return { label, document: parsePolicyDocument(document, "identity") };
}

/** Every identity policy of the principal; one that cannot be read makes the principal unreadable. */
function policiesOf(facts: PrincipalFacts): LabelledPolicy[] {
  const { principal, groups, managed } = facts;
  const noun = `${NOUN[principal.type]} ${principal.name}`;
  const managedDoc = (prefix: string, name: string, arn: string): LabelledPolicy => {
    const record = managed.get(arn);
    if (record === undefined) {
      throw new UnreadableInputError("it does not exist in the account", {
        what: `${noun}: ${prefix}managed policy ${name} (${arn})`,
      });
    }
    return readingAs(`${noun}: ${prefix}managed policy ${name}`, () =>
      parse(`${prefix}managed policy ${name}`, record.document),
    );
  };
  const inline = (prefix: string, policy: { name: string; document: unknown }): LabelledPolicy =>
    readingAs(`${noun}: ${prefix}inline policy ${policy.name}`, () =>
      parse(`${prefix}inline policy ${policy.name}`, policy.document),
    );
  return [
    ...principal.inline.map((policy) => inline("", policy)),
    ...principal.attached.map((policy) => managedDoc("", policy.name, policy.arn)),
    ...groups.flatMap((group) => [
      ...group.inline.map((policy) => inline(`group ${group.name} `, policy)),
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
  facts: PrincipalFacts,
  parameters: ParametersOf<typeof PARAMETERS>,
  scope: Pick<RuleScope, "accountId" | "partition">,
): Verdict {
  const { accountId, partition } = scope;
  const { principal } = facts;
  const noun = `${NOUN[principal.type]} ${principal.name}`;
  if (principal.type === "role" && principal.path.startsWith("/aws-service-role/")) {
    return notApplicable("service-linked role: AWS manages its permissions");
  }
  const policies = policiesOf(facts);
  let boundary: LabelledPolicy[] | undefined;
  let boundaryNote = "";
  if (principal.boundaryArn !== undefined) {
    // Never taken as granting nothing: a boundary that cannot be read is ignored, and the annotation says so.
    const record = facts.managed.get(principal.boundaryArn);
    if (record === undefined) {
      boundaryNote = ` Permissions boundary ignored (${principal.boundaryArn} could not be found).`;
    } else {
      try {
        boundary = [parse(`boundary ${record.name}`, record.document)];
      } catch (error) {
        if (!(error instanceof PolicyParseError)) throw error;
        boundaryNote = ` Permissions boundary ignored (boundary ${record.name}: ${error.message}).`;
      }
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
  gather: gatherPrincipal,
  judge: judgePrincipal,
  // A change to a group re-evaluates its member users: the group's policies are theirs too.
  related: async (principal, facts) =>
    principal.type === "group" ? (await facts.iam().groupMembers(principal.name)).map(found) : [],
  sweep: async (facts) => (await facts.iam().everything()).principals.map(found),
});
