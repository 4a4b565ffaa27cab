/**
 * The moto emulator (installed by `scripts/install-emulator.sh` into `.emulator/`) as a test server: started
 * on a free loopback port with AWS managed policies loaded, reset between suites, stopped after. Also what
 * the end-to-end tests do with it: seed a realistic account through the SDK, read it back the way AWS
 * Config records it, export it as a `scan --snapshot` file, and stand in (at the HTTP layer) for the two
 * Config operations moto lacks.
 *
 * @example
 * let moto: Moto | undefined;
 * before(async function () {
 *   moto = await startMoto();
 *   if (moto === undefined) this.skip();
 * });
 * after(async () => moto?.stop());
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer as createHttpServer, type ServerResponse } from "node:http";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import {
  CreateRepositoryCommand,
  ECRClient,
  GetRegistryPolicyCommand,
  GetRegistryScanningConfigurationCommand,
  GetRepositoryPolicyCommand,
  PutRegistryPolicyCommand,
  PutRegistryScanningConfigurationCommand,
  paginateDescribeRepositories,
  RegistryPolicyNotFoundException,
  type RegistryScanningRule,
  RepositoryPolicyNotFoundException,
  SetRepositoryPolicyCommand,
} from "@aws-sdk/client-ecr";
import {
  AddUserToGroupCommand,
  type AttachedPermissionsBoundary,
  type AttachedPolicy,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetAccountAuthorizationDetailsCommand,
  GetGroupCommand,
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  PutGroupPolicyCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  paginateListAttachedGroupPolicies,
  paginateListAttachedRolePolicies,
  paginateListAttachedUserPolicies,
  paginateListGroupPolicies,
  paginateListGroupsForUser,
  paginateListPolicyVersions,
  paginateListRolePolicies,
  paginateListUserPolicies,
} from "@aws-sdk/client-iam";

/** Where the install script extracts moto. */
export const EMULATOR_DIR = fileURLToPath(new URL("../../.emulator/", import.meta.url));
const SITE_PACKAGES = `${EMULATOR_DIR}moto/usr/lib/python3/dist-packages`;
/** Debian's Python: apt installs moto's dependencies into its dist-packages. */
const PYTHON = "/usr/bin/python3";
const HOST = "127.0.0.1";

/** Printed (once per file) when a suite skips. */
export const MOTO_MISSING = "moto not installed: run scripts/install-emulator.sh";

/** Dummy credentials moto accepts (it checks no signatures). */
export const MOTO_CREDENTIALS: { readonly accessKeyId: string; readonly secretAccessKey: string } = {
  accessKeyId: "test",
  secretAccessKey: "test",
};
/** The account moto answers for by default. */
export const MOTO_ACCOUNT = "123456789012";
export const MOTO_REGION = "us-east-1";

/** A running emulator. */
export interface Moto {
  /** `http://127.0.0.1:PORT`, for the SDK's `endpoint` or `AWS_ENDPOINT_URL`. */
  readonly endpoint: string;
  /** Forgets every resource (`POST /moto-api/reset`); AWS managed policies come back. */
  reset(): Promise<void>;
  /** Kills the server and waits for it to exit. */
  stop(): Promise<void>;
  /** What the server printed (its request log), for failure messages. */
  output(): string;
}

/** Whether the install script has finished here (it writes its marker last, after checking moto imports). */
export function motoInstalled(): boolean {
  return (
    existsSync(`${EMULATOR_DIR}installed`) &&
    existsSync(`${SITE_PACKAGES}/moto/server.py`) &&
    existsSync(PYTHON)
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port === 0 ? reject(new Error("no port assigned")) : resolve(port)));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/**
 * Starts moto on a free loopback port and waits until it answers (`GET /moto-api/`), or returns
 * `undefined` when it is not installed. Throws when it does not come up within `timeoutMs`.
 */
export async function startMoto(options: { readonly timeoutMs?: number } = {}): Promise<Moto | undefined> {
  if (!motoInstalled()) return undefined;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const port = await freePort();
  const endpoint = `http://${HOST}:${port}`;
  const child = spawn(PYTHON, ["-m", "moto.server", "-H", HOST, "-p", String(port)], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      PYTHONPATH: SITE_PACKAGES,
      PYTHONDONTWRITEBYTECODE: "1",
      MOTO_IAM_LOAD_MANAGED_POLICIES: "true",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString("utf8")).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const gone = exited(child);
  // Never outlive the test run, even when it ends without calling stop().
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  const stop = async () => {
    process.off("exit", killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const escalate = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await gone;
      clearTimeout(escalate);
    }
    await gone;
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`moto exited (${child.exitCode ?? child.signalCode}) before answering:\n${log}`);
    }
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto did not answer on ${endpoint} within ${timeoutMs} ms:\n${log}`);
    }
    await sleep(100);
  }

  return {
    endpoint,
    reset: async () => {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`POST /moto-api/reset answered ${response.status}`);
    },
    stop,
    output: () => log,
  };
}

// ---------------------------------------------------------------------------------------------------------
// The Config operations moto lacks, at the HTTP layer
// ---------------------------------------------------------------------------------------------------------

/** A resource a rule evaluated before (what `GetComplianceDetailsByConfigRule` lists). */
export interface EvaluatedResourceKey {
  readonly resourceType: string;
  readonly resourceId: string;
}

/** What the gap answers; everything else goes to moto unchanged. */
export interface ConfigGapAnswers {
  /**
   * `GetResourceConfigHistory`: the item in the notification form (it is sent in the API form: `accountId`,
   * `arn`, `configuration` as JSON text, epoch-second timestamps), or `undefined` for
   * `ResourceNotDiscoveredException`. moto's own answer has timestamps SDK v3 cannot parse.
   */
  readonly history?: (resourceType: string, resourceId: string) => Record<string, unknown> | undefined;
  /** `GetComplianceDetailsByConfigRule` (moto does not implement it): the resources the rule evaluated. */
  readonly evaluated?: (ruleName: string) => readonly EvaluatedResourceKey[];
}

/** One request through the gap: `Service.Operation`, and who answered it. */
export interface GapRequest {
  readonly operation: string;
  readonly answeredBy: "moto" | "gap";
}

export interface ConfigGap {
  /** Point the SDK here instead of at moto. */
  readonly endpoint: string;
  readonly requests: readonly GapRequest[];
  stop(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  "host",
  "connection",
  "content-length",
  "transfer-encoding",
  "keep-alive",
  "expect",
  "content-encoding",
]);

function epochSeconds(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

/** A notification-form item as `GetResourceConfigHistory` returns it. */
export function apiFormItem(item: Record<string, unknown>): Record<string, unknown> {
  const {
    awsAccountId,
    ARN,
    configuration,
    configurationItemCaptureTime,
    resourceCreationTime,
    configurationItemVersion,
    configurationStateId,
    configurationStateMd5Hash,
    ...rest
  } = item;
  return {
    ...rest,
    version: configurationItemVersion ?? "1.3",
    configurationStateId: String(configurationStateId ?? "1"),
    accountId: awsAccountId,
    arn: ARN,
    configuration: JSON.stringify(configuration),
    configurationItemCaptureTime: epochSeconds(configurationItemCaptureTime),
    resourceCreationTime: epochSeconds(resourceCreationTime),
    configurationItemMD5Hash: typeof configurationStateMd5Hash === "string" ? configurationStateMd5Hash : "",
  };
}

function operationOf(target: string | undefined, body: string): string {
  if (target !== undefined) {
    const [prefix = "", name = ""] = target.split(".");
    const service =
      prefix === "StarlingDoveService"
        ? "Config"
        : prefix.startsWith("AmazonEC2ContainerRegistry")
          ? "ECR"
          : prefix;
    return `${service}.${name}`;
  }
  const form = new URLSearchParams(body);
  const version = form.get("Version");
  return `${version === "2011-06-15" ? "STS" : "IAM"}.${form.get("Action") ?? "Unknown"}`;
}

/**
 * A loopback HTTP server in front of moto that answers `GetResourceConfigHistory` and
 * `GetComplianceDetailsByConfigRule` itself and forwards every other request to moto unchanged.
 *
 * @example
 * const gap = await startConfigGap(moto.endpoint, { history: (type, id) => items.get(`${type}|${id}`) });
 * const clients = new ClientFactory({ endpoint: gap.endpoint, credentials: MOTO_CREDENTIALS });
 */
export async function startConfigGap(upstream: string, answers: ConfigGapAnswers): Promise<ConfigGap> {
  const requests: GapRequest[] = [];
  const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
    response.end(JSON.stringify(body));
  };
  const answer = (target: string | undefined, body: string, response: ServerResponse): boolean => {
    if (target === undefined) return false; // a query-protocol request (IAM, STS): moto's
    const input: unknown = body === "" ? {} : JSON.parse(body);
    const fields = new Map<string, unknown>(
      typeof input === "object" && input !== null ? Object.entries(input) : [],
    );
    if (target === "StarlingDoveService.GetResourceConfigHistory" && answers.history !== undefined) {
      const resourceType = String(fields.get("resourceType"));
      const resourceId = String(fields.get("resourceId"));
      const item = answers.history(resourceType, resourceId);
      if (item === undefined) {
        json(response, 400, {
          __type: "ResourceNotDiscoveredException",
          message: `Resource ${resourceId} of resourceType:${resourceType} is unknown or has not been discovered`,
        });
      } else {
        json(response, 200, { configurationItems: [apiFormItem(item)] });
      }
      return true;
    }
    if (
      target === "StarlingDoveService.GetComplianceDetailsByConfigRule" &&
      answers.evaluated !== undefined
    ) {
      const ruleName = String(fields.get("ConfigRuleName"));
      json(response, 200, {
        EvaluationResults: answers.evaluated(ruleName).map((resource) => ({
          EvaluationResultIdentifier: {
            EvaluationResultQualifier: {
              ConfigRuleName: ruleName,
              ResourceType: resource.resourceType,
              ResourceId: resource.resourceId,
            },
            OrderingTimestamp: 1_700_000_000,
          },
          ComplianceType: "COMPLIANT",
          ResultRecordedTime: 1_700_000_000,
          ConfigRuleInvokedTime: 1_700_000_000,
        })),
      });
      return true;
    }
    return false;
  };

  const server = createHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const targetHeader = request.headers["x-amz-target"];
      const target = typeof targetHeader === "string" ? targetHeader : undefined;
      const operation = operationOf(target, body);
      try {
        if (answer(target, body, response)) {
          requests.push({ operation, answeredBy: "gap" });
          return;
        }
      } catch (error) {
        requests.push({ operation, answeredBy: "gap" });
        json(response, 500, { __type: "InternalFailure", message: `gap: ${String(error)}` });
        return;
      }
      requests.push({ operation, answeredBy: "moto" });
      const headers = new Headers();
      for (const [name, value] of Object.entries(request.headers)) {
        if (HOP_BY_HOP.has(name) || value === undefined) continue;
        headers.set(name, Array.isArray(value) ? value.join(", ") : value);
      }
      fetch(`${upstream}${request.url ?? "/"}`, {
        method: request.method ?? "POST",
        headers,
        ...(request.method === "GET" || request.method === "HEAD" ? {} : { body }),
      })
        .then(async (upstreamResponse) => {
          const text = Buffer.from(await upstreamResponse.arrayBuffer());
          const out: Record<string, string> = {};
          upstreamResponse.headers.forEach((value, name) => {
            if (!HOP_BY_HOP.has(name)) out[name] = value;
          });
          response.writeHead(upstreamResponse.status, out);
          response.end(text);
        })
        .catch((error: unknown) => {
          response.writeHead(502, { "content-type": "text/plain" });
          response.end(`gap: moto did not answer: ${String(error)}`);
        });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, HOST, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    endpoint: `http://${HOST}:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------------------
// A realistic account, seeded through the SDK
// ---------------------------------------------------------------------------------------------------------

/** An account outside the emulated one that some policies trust. */
export const OTHER_ACCOUNT = "444455556666";
export const ORGANIZATION_ID = "o-a1b2c3d4e5";

export const AWS_MANAGED = {
  powerUser: "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser",
  fullAccess: "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess",
  readOnly: "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
  administrator: "arn:aws:iam::aws:policy/AdministratorAccess",
} as const;

const PUSH = [
  "ecr:PutImage",
  "ecr:InitiateLayerUpload",
  "ecr:UploadLayerPart",
  "ecr:CompleteLayerUpload",
  "ecr:BatchCheckLayerAvailability",
];
const PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"];

function policy(...statements: Record<string, unknown>[]): Record<string, unknown> {
  return { Version: "2012-10-17", Statement: statements };
}

export const DOCUMENTS = {
  pushEverywhere: policy({ Sid: "PushEverywhere", Effect: "Allow", Action: PUSH, Resource: "*" }),
  pushTeamA: policy(
    { Sid: "RegistryToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
    {
      Sid: "PushTeamA",
      Effect: "Allow",
      Action: PUSH,
      Resource: `arn:aws:ecr:*:${MOTO_ACCOUNT}:repository/team-a/*`,
    },
  ),
  pull: policy(
    { Sid: "RegistryToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
    { Sid: "Pull", Effect: "Allow", Action: PULL, Resource: "*" },
  ),
  ecrEverything: policy({ Sid: "EcrAdmin", Effect: "Allow", Action: "ecr:*", Resource: "*" }),
  trustEc2: policy({
    Effect: "Allow",
    Principal: { Service: "ec2.amazonaws.com" },
    Action: "sts:AssumeRole",
  }),
  publicPull: policy({ Sid: "Public", Effect: "Allow", Principal: "*", Action: PULL }),
  otherAccountPull: policy({
    Sid: "PartnerPull",
    Effect: "Allow",
    Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` },
    Action: PULL,
  }),
  organizationPull: policy({
    Sid: "OrganizationPull",
    Effect: "Allow",
    Principal: "*",
    Action: PULL,
    Condition: { StringEquals: { "aws:PrincipalOrgID": ORGANIZATION_ID } },
  }),
  replication: policy({
    Sid: "Replication",
    Effect: "Allow",
    Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` },
    Action: ["ecr:CreateRepository", "ecr:ReplicateImage"],
    Resource: `arn:aws:ecr:${MOTO_REGION}:${MOTO_ACCOUNT}:repository/*`,
  }),
} as const;

interface InlineSpec {
  readonly name: string;
  readonly document: Record<string, unknown>;
}

interface PrincipalSpec {
  readonly name: string;
  /** AWS managed policy ARNs, or names of the customer managed policies below. */
  readonly managed?: readonly string[];
  readonly inline?: readonly InlineSpec[];
  /** A customer managed policy name (roles only: moto 5.1 lacks PutUserPermissionsBoundary). */
  readonly boundary?: string;
  readonly groups?: readonly string[];
}

interface RepositorySpec {
  readonly name: string;
  readonly mutability: "MUTABLE" | "IMMUTABLE";
  readonly scanOnPush: boolean;
  readonly policy?: Record<string, unknown>;
}

interface PolicySpec {
  readonly name: string;
  /** Its versions, oldest first; the last is the default. */
  readonly versions: readonly Record<string, unknown>[];
}

export interface AccountSpec {
  readonly policies: readonly PolicySpec[];
  readonly roles: readonly PrincipalSpec[];
  readonly groups: readonly PrincipalSpec[];
  readonly users: readonly PrincipalSpec[];
  readonly repositories: readonly RepositorySpec[];
  readonly registryScanningRules: readonly RegistryScanningRule[];
  readonly registryPolicy: Record<string, unknown>;
}

/** The named resources of the seeded account (bulk principals come on top). */
export const ACCOUNT_SPEC: AccountSpec = {
  policies: [
    { name: "ecr-push-all", versions: [DOCUMENTS.pushEverywhere] },
    { name: "ecr-push-team-a", versions: [DOCUMENTS.pushTeamA] },
    { name: "ecr-pull-boundary", versions: [DOCUMENTS.pull] },
    // v1 pushed everywhere; v2, the default, pulls only: the rule judges the default version.
    { name: "ecr-rotated", versions: [DOCUMENTS.pushEverywhere, DOCUMENTS.pull] },
  ],
  roles: [
    { name: "ecr-power-user", managed: [AWS_MANAGED.powerUser] },
    { name: "ecr-full-access", managed: [AWS_MANAGED.fullAccess] },
    { name: "ecr-read-only", managed: [AWS_MANAGED.readOnly] },
    { name: "break-glass-admin", managed: [AWS_MANAGED.administrator] },
    { name: "bounded-admin", managed: [AWS_MANAGED.administrator], boundary: "ecr-pull-boundary" },
    { name: "ci-team-a", managed: ["ecr-push-team-a"] },
    { name: "ci-push-all", managed: ["ecr-push-all"], inline: [{ name: "pull", document: DOCUMENTS.pull }] },
    { name: "release-pipeline", managed: [AWS_MANAGED.powerUser] },
  ],
  groups: [
    { name: "ecr-admins", inline: [{ name: "ecr-everything", document: DOCUMENTS.ecrEverything }] },
    { name: "ecr-readers", managed: [AWS_MANAGED.readOnly] },
  ],
  users: [
    { name: "alice", groups: ["ecr-admins"] },
    { name: "bob", groups: ["ecr-readers"], managed: [AWS_MANAGED.readOnly] },
    { name: "carol", inline: [{ name: "push-team-a", document: DOCUMENTS.pushTeamA }] },
  ],
  repositories: [
    { name: "api", mutability: "IMMUTABLE", scanOnPush: true },
    { name: "web", mutability: "MUTABLE", scanOnPush: false, policy: DOCUMENTS.publicPull },
    {
      name: "shared/base-images",
      mutability: "IMMUTABLE",
      scanOnPush: true,
      policy: DOCUMENTS.otherAccountPull,
    },
    { name: "org/images", mutability: "IMMUTABLE", scanOnPush: false, policy: DOCUMENTS.organizationPull },
    { name: "team-a/app", mutability: "IMMUTABLE", scanOnPush: false },
  ],
  /** BASIC scanning plus a scan-on-push rule for team-a's repositories. */
  registryScanningRules: [
    {
      scanFrequency: "SCAN_ON_PUSH",
      repositoryFilters: [{ filter: "team-a/*", filterType: "WILDCARD" }],
    },
  ],
  registryPolicy: DOCUMENTS.replication,
};

/** Bulk principals: read-only users in `ecr-readers` and read-only roles, named with these prefixes. */
export const BULK_USER_PREFIX = "dev-";
export const BULK_ROLE_PREFIX = "svc-reader-";

function sdkConfig(endpoint: string) {
  return { region: MOTO_REGION, endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 2 };
}

/** Runs `work` over `items`, `width` at a time. */
async function inBatches<T>(items: readonly T[], width: number, work: (item: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(work));
}

function policyArn(nameOrArn: string): string {
  return nameOrArn.startsWith("arn:") ? nameOrArn : `arn:aws:iam::${MOTO_ACCOUNT}:policy/${nameOrArn}`;
}

/** The seeded account's size. */
export interface SeededAccount {
  readonly users: number;
  readonly roles: number;
  readonly groups: number;
  readonly customerPolicies: number;
  readonly repositories: number;
}

/**
 * Seeds moto with {@link ACCOUNT_SPEC} and `bulkUsers` / `bulkRoles` read-only principals, through the SDK.
 *
 * @example
 * await seedAccount(moto.endpoint, { bulkUsers: 1_000, bulkRoles: 20 });
 */
export async function seedAccount(
  endpoint: string,
  bulk: { readonly bulkUsers?: number; readonly bulkRoles?: number } = {},
): Promise<SeededAccount> {
  const iam = new IAMClient(sdkConfig(endpoint));
  const ecr = new ECRClient(sdkConfig(endpoint));
  const spec = ACCOUNT_SPEC;
  for (const p of spec.policies) {
    const [first, ...later] = p.versions;
    await iam.send(new CreatePolicyCommand({ PolicyName: p.name, PolicyDocument: JSON.stringify(first) }));
    for (const document of later) {
      await iam.send(
        new CreatePolicyVersionCommand({
          PolicyArn: policyArn(p.name),
          PolicyDocument: JSON.stringify(document),
          SetAsDefault: true,
        }),
      );
    }
  }
  const trust = JSON.stringify(DOCUMENTS.trustEc2);
  const roles: PrincipalSpec[] = [
    ...spec.roles,
    ...Array.from({ length: bulk.bulkRoles ?? 0 }, (_, i) => ({
      name: `${BULK_ROLE_PREFIX}${String(i + 1).padStart(4, "0")}`,
      managed: [AWS_MANAGED.readOnly],
    })),
  ];
  await inBatches(roles, 8, async (role) => {
    await iam.send(new CreateRoleCommand({ RoleName: role.name, AssumeRolePolicyDocument: trust }));
    for (const arn of role.managed ?? [])
      await iam.send(new AttachRolePolicyCommand({ RoleName: role.name, PolicyArn: policyArn(arn) }));
    for (const inline of role.inline ?? []) {
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: role.name,
          PolicyName: inline.name,
          PolicyDocument: JSON.stringify(inline.document),
        }),
      );
    }
    if (role.boundary !== undefined) {
      await iam.send(
        new PutRolePermissionsBoundaryCommand({
          RoleName: role.name,
          PermissionsBoundary: policyArn(role.boundary),
        }),
      );
    }
  });
  const groups = spec.groups;
  for (const group of groups) {
    await iam.send(new CreateGroupCommand({ GroupName: group.name }));
    for (const arn of group.managed ?? [])
      await iam.send(new AttachGroupPolicyCommand({ GroupName: group.name, PolicyArn: policyArn(arn) }));
    for (const inline of group.inline ?? []) {
      await iam.send(
        new PutGroupPolicyCommand({
          GroupName: group.name,
          PolicyName: inline.name,
          PolicyDocument: JSON.stringify(inline.document),
        }),
      );
    }
  }
  const users: PrincipalSpec[] = [
    ...spec.users,
    ...Array.from({ length: bulk.bulkUsers ?? 0 }, (_, i) => ({
      name: `${BULK_USER_PREFIX}${String(i + 1).padStart(4, "0")}`,
      groups: ["ecr-readers"],
    })),
  ];
  await inBatches(users, 8, async (user) => {
    await iam.send(new CreateUserCommand({ UserName: user.name }));
    for (const group of user.groups ?? [])
      await iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: user.name }));
    for (const arn of user.managed ?? [])
      await iam.send(new AttachUserPolicyCommand({ UserName: user.name, PolicyArn: policyArn(arn) }));
    for (const inline of user.inline ?? []) {
      await iam.send(
        new PutUserPolicyCommand({
          UserName: user.name,
          PolicyName: inline.name,
          PolicyDocument: JSON.stringify(inline.document),
        }),
      );
    }
  });
  const repositories = spec.repositories;
  for (const repository of repositories) {
    await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: repository.name,
        imageTagMutability: repository.mutability,
        imageScanningConfiguration: { scanOnPush: repository.scanOnPush },
      }),
    );
    if (repository.policy !== undefined) {
      await ecr.send(
        new SetRepositoryPolicyCommand({
          repositoryName: repository.name,
          policyText: JSON.stringify(repository.policy),
        }),
      );
    }
  }
  await ecr.send(
    new PutRegistryScanningConfigurationCommand({
      scanType: "BASIC",
      rules: [...spec.registryScanningRules],
    }),
  );
  await ecr.send(new PutRegistryPolicyCommand({ policyText: JSON.stringify(spec.registryPolicy) }));
  iam.destroy();
  ecr.destroy();
  return {
    users: users.length,
    roles: roles.length,
    groups: groups.length,
    customerPolicies: spec.policies.length,
    repositories: repositories.length,
  };
}

// ---------------------------------------------------------------------------------------------------------
// The account read back: as Config records it, and as a `scan --snapshot` file
// ---------------------------------------------------------------------------------------------------------

/** A resource as an AWS Config item would carry it (feed it to `notificationItem`). */
export interface RecordedResource {
  readonly resourceType: string;
  readonly resourceId: string;
  readonly resourceName: string;
  readonly arn: string;
  readonly region: string;
  readonly configuration: Record<string, unknown>;
}

/** A policy document as Config records it: URL-encoded JSON text. */
function urlEncoded(document: string | undefined): string {
  const text = (document ?? "").trim();
  return text.startsWith("{") ? encodeURIComponent(text) : text;
}

/** Parses a policy text as Config records it in an ECR item (an object). */
function policyObject(text: string | undefined): unknown {
  if (text === undefined || text.trim() === "") return null;
  const parsed: unknown = JSON.parse(text);
  return parsed;
}

async function inlinePolicies(
  names: AsyncIterable<{ PolicyNames?: string[] | undefined }>,
  read: (name: string) => Promise<{ PolicyDocument?: string | undefined }>,
): Promise<{ policyName: string; policyDocument: string }[]> {
  const out: { policyName: string; policyDocument: string }[] = [];
  for await (const page of names) {
    for (const name of page.PolicyNames ?? []) {
      // moto pads GetUserPolicy's document with whitespace; IAM does not.
      out.push({ policyName: name, policyDocument: urlEncoded((await read(name)).PolicyDocument) });
    }
  }
  return out;
}

async function attachedPolicies(
  pages: AsyncIterable<{ AttachedPolicies?: AttachedPolicy[] | undefined }>,
): Promise<{ policyName: string | undefined; policyArn: string | undefined }[]> {
  const out: { policyName: string | undefined; policyArn: string | undefined }[] = [];
  for await (const page of pages) {
    for (const p of page.AttachedPolicies ?? [])
      out.push({ policyName: p.PolicyName, policyArn: p.PolicyArn });
  }
  return out;
}

function boundary(value: AttachedPermissionsBoundary | undefined): Record<string, unknown> | null {
  return value?.PermissionsBoundaryArn === undefined
    ? null
    : {
        permissionsBoundaryType: value.PermissionsBoundaryType ?? "PermissionsBoundaryPolicy",
        permissionsBoundaryArn: value.PermissionsBoundaryArn,
      };
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`moto returned no ${what}`);
  return value;
}

/**
 * Reads resources back through the per-resource IAM and ECR APIs and shapes them as Config records them:
 * camelCase IAM configurations with URL-encoded documents, CloudFormation-style ECR ones with the policy as
 * an object. `names` picks the IAM resources (default: the named ones of {@link ACCOUNT_SPEC}).
 *
 * @example
 * const items = await recordResources(moto.endpoint);
 * items.find((r) => r.resourceName === "ecr-power-user")?.resourceType; // "AWS::IAM::Role"
 */
export async function recordResources(
  endpoint: string,
  names: {
    readonly roles: readonly string[];
    readonly users: readonly string[];
    readonly groups: readonly string[];
    readonly policies: readonly string[];
  } = {
    roles: ACCOUNT_SPEC.roles.map((r) => r.name),
    users: ACCOUNT_SPEC.users.map((u) => u.name),
    groups: ACCOUNT_SPEC.groups.map((g) => g.name),
    policies: ACCOUNT_SPEC.policies.map((p) => p.name),
  },
): Promise<RecordedResource[]> {
  const iam = new IAMClient(sdkConfig(endpoint));
  const ecr = new ECRClient(sdkConfig(endpoint));
  const pages = { client: iam };
  const out: RecordedResource[] = [];
  const global = (
    resourceType: string,
    id: string,
    name: string,
    arn: string,
    configuration: Record<string, unknown>,
  ) => out.push({ resourceType, resourceId: id, resourceName: name, arn, region: "global", configuration });

  for (const name of names.policies) {
    const arn = policyArn(name);
    const found = need((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy, `policy ${name}`);
    const versions: Record<string, unknown>[] = [];
    for await (const page of paginateListPolicyVersions(pages, { PolicyArn: arn })) {
      for (const v of page.Versions ?? []) {
        const version = need(
          (await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: v.VersionId })))
            .PolicyVersion,
          `version ${v.VersionId} of ${name}`,
        );
        versions.push({
          document: urlEncoded(version.Document),
          versionId: version.VersionId,
          isDefaultVersion: version.IsDefaultVersion === true,
          createDate: version.CreateDate?.toISOString(),
        });
      }
    }
    global("AWS::IAM::Policy", need(found.PolicyId, "PolicyId"), name, arn, {
      policyName: found.PolicyName,
      policyId: found.PolicyId,
      arn,
      path: found.Path,
      defaultVersionId: found.DefaultVersionId,
      attachmentCount: found.AttachmentCount ?? 0,
      permissionsBoundaryUsageCount: found.PermissionsBoundaryUsageCount ?? 0,
      isAttachable: found.IsAttachable ?? true,
      description: found.Description ?? null,
      createDate: found.CreateDate?.toISOString(),
      updateDate: found.UpdateDate?.toISOString(),
      policyVersionList: versions,
    });
  }

  for (const name of names.roles) {
    const role = need((await iam.send(new GetRoleCommand({ RoleName: name }))).Role, `role ${name}`);
    const arn = need(role.Arn, "role Arn");
    global("AWS::IAM::Role", need(role.RoleId, "RoleId"), name, arn, {
      path: role.Path,
      roleName: name,
      roleId: role.RoleId,
      arn,
      createDate: role.CreateDate?.toISOString(),
      assumeRolePolicyDocument: urlEncoded(role.AssumeRolePolicyDocument),
      instanceProfileList: [],
      rolePolicyList: await inlinePolicies(
        paginateListRolePolicies(pages, { RoleName: name }),
        (policyName) => iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: policyName })),
      ),
      attachedManagedPolicies: await attachedPolicies(
        paginateListAttachedRolePolicies(pages, { RoleName: name }),
      ),
      permissionsBoundary: boundary(role.PermissionsBoundary),
      tags: [],
      roleLastUsed: null,
    });
  }

  for (const name of names.users) {
    const user = need((await iam.send(new GetUserCommand({ UserName: name }))).User, `user ${name}`);
    const arn = need(user.Arn, "user Arn");
    const groupList: string[] = [];
    for await (const page of paginateListGroupsForUser(pages, { UserName: name })) {
      for (const g of page.Groups ?? []) if (g.GroupName !== undefined) groupList.push(g.GroupName);
    }
    global("AWS::IAM::User", need(user.UserId, "UserId"), name, arn, {
      path: user.Path,
      userName: name,
      userId: user.UserId,
      arn,
      createDate: user.CreateDate?.toISOString(),
      userPolicyList: await inlinePolicies(
        paginateListUserPolicies(pages, { UserName: name }),
        (policyName) => iam.send(new GetUserPolicyCommand({ UserName: name, PolicyName: policyName })),
      ),
      groupList,
      attachedManagedPolicies: await attachedPolicies(
        paginateListAttachedUserPolicies(pages, { UserName: name }),
      ),
      permissionsBoundary: boundary(user.PermissionsBoundary),
      tags: [],
    });
  }

  for (const name of names.groups) {
    const group = need(
      (await iam.send(new GetGroupCommand({ GroupName: name, MaxItems: 1 }))).Group,
      `group ${name}`,
    );
    const arn = need(group.Arn, "group Arn");
    global("AWS::IAM::Group", need(group.GroupId, "GroupId"), name, arn, {
      path: group.Path,
      groupName: name,
      groupId: group.GroupId,
      arn,
      createDate: group.CreateDate?.toISOString(),
      groupPolicyList: await inlinePolicies(
        paginateListGroupPolicies(pages, { GroupName: name }),
        (policyName) => iam.send(new GetGroupPolicyCommand({ GroupName: name, PolicyName: policyName })),
      ),
      attachedManagedPolicies: await attachedPolicies(
        paginateListAttachedGroupPolicies(pages, { GroupName: name }),
      ),
    });
  }

  for await (const page of paginateDescribeRepositories({ client: ecr }, {})) {
    for (const repository of page.repositories ?? []) {
      const name = need(repository.repositoryName, "repositoryName");
      const arn = need(repository.repositoryArn, "repositoryArn");
      out.push({
        resourceType: "AWS::ECR::Repository",
        resourceId: name,
        resourceName: name,
        arn,
        region: MOTO_REGION,
        configuration: {
          RepositoryName: name,
          Arn: arn,
          ImageTagMutability: repository.imageTagMutability,
          ImageScanningConfiguration: {
            ScanOnPush: repository.imageScanningConfiguration?.scanOnPush === true,
          },
          EncryptionConfiguration: { EncryptionType: repository.encryptionConfiguration?.encryptionType },
          RepositoryPolicyText: await repositoryPolicy(ecr, name),
          LifecyclePolicy: {},
          Tags: [],
        },
      });
    }
  }
  const registry = await registryPolicy(ecr);
  if (registry !== null) {
    out.push({
      resourceType: "AWS::ECR::RegistryPolicy",
      resourceId: MOTO_ACCOUNT,
      resourceName: MOTO_ACCOUNT,
      arn: `arn:aws:ecr:${MOTO_REGION}:${MOTO_ACCOUNT}:registry`,
      region: MOTO_REGION,
      configuration: { RegistryId: MOTO_ACCOUNT, PolicyText: registry },
    });
  }
  iam.destroy();
  ecr.destroy();
  return out;
}

async function repositoryPolicy(ecr: ECRClient, repositoryName: string): Promise<unknown> {
  try {
    return policyObject((await ecr.send(new GetRepositoryPolicyCommand({ repositoryName }))).policyText);
  } catch (error) {
    if (error instanceof RepositoryPolicyNotFoundException) return null;
    throw error;
  }
}

async function registryPolicy(ecr: ECRClient): Promise<unknown> {
  try {
    return policyObject((await ecr.send(new GetRegistryPolicyCommand({}))).policyText);
  } catch (error) {
    if (error instanceof RegistryPolicyNotFoundException) return null;
    throw error;
  }
}

export interface ExportedSnapshot {
  /** The file's content: `{"authorizationDetails": [pages…], "ecr": {…}}`. */
  readonly snapshot: { readonly authorizationDetails: unknown[]; readonly ecr: Record<string, unknown> };
  /** How many `GetAccountAuthorizationDetails` pages the walk took. */
  readonly gaadPages: number;
}

/**
 * Exports the emulated account as a `scan --snapshot` file: `GetAccountAuthorizationDetails` pages (users,
 * roles, groups, customer managed policies; `pageSize` items a page, markers followed), one more page with
 * the AWS managed policies the principals attach or take as boundary (`GetPolicy` + `GetPolicyVersion`),
 * and the `ecr` section. Documents stay as the API returned them (URL-encoded or not).
 *
 * @example
 * writeFileSync(file, JSON.stringify((await exportSnapshot(moto.endpoint)).snapshot));
 */
export async function exportSnapshot(
  endpoint: string,
  options: { readonly pageSize?: number } = {},
): Promise<ExportedSnapshot> {
  const iam = new IAMClient(sdkConfig(endpoint));
  const ecr = new ECRClient(sdkConfig(endpoint));
  const pages: Record<string, unknown>[] = [];
  const awsManaged = new Set<string>();
  let marker: string | undefined;
  do {
    const page = await iam.send(
      new GetAccountAuthorizationDetailsCommand({
        Filter: ["User", "Role", "Group", "LocalManagedPolicy"],
        MaxItems: options.pageSize ?? 100,
        ...(marker === undefined ? {} : { Marker: marker }),
      }),
    );
    const principals = [
      ...(page.UserDetailList ?? []),
      ...(page.RoleDetailList ?? []),
      ...(page.GroupDetailList ?? []),
    ];
    for (const principal of principals) {
      for (const attached of principal.AttachedManagedPolicies ?? []) {
        if (attached.PolicyArn?.startsWith("arn:aws:iam::aws:") === true) awsManaged.add(attached.PolicyArn);
      }
    }
    for (const principal of [...(page.UserDetailList ?? []), ...(page.RoleDetailList ?? [])]) {
      const arn = principal.PermissionsBoundary?.PermissionsBoundaryArn;
      if (arn?.startsWith("arn:aws:iam::aws:") === true) awsManaged.add(arn);
    }
    pages.push({
      UserDetailList: page.UserDetailList ?? [],
      GroupDetailList: page.GroupDetailList ?? [],
      RoleDetailList: page.RoleDetailList ?? [],
      Policies: page.Policies ?? [],
      IsTruncated: page.IsTruncated === true,
      ...(page.Marker === undefined ? {} : { Marker: page.Marker }),
    });
    marker = page.IsTruncated === true ? page.Marker : undefined;
  } while (marker !== undefined);
  const managed: Record<string, unknown>[] = [];
  for (const arn of [...awsManaged].sort()) {
    const found = need((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy, `policy ${arn}`);
    const version = need(
      (await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: found.DefaultVersionId })))
        .PolicyVersion,
      `default version of ${arn}`,
    );
    managed.push({ ...found, PolicyVersionList: [version] });
  }
  const iamPages = [
    ...pages,
    { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: managed },
  ];

  const repositories: Record<string, unknown>[] = [];
  for await (const page of paginateDescribeRepositories({ client: ecr }, {})) {
    for (const repository of page.repositories ?? []) {
      const name = need(repository.repositoryName, "repositoryName");
      repositories.push({
        repositoryName: name,
        repositoryArn: repository.repositoryArn,
        imageTagMutability: repository.imageTagMutability,
        imageScanningConfiguration: {
          scanOnPush: repository.imageScanningConfiguration?.scanOnPush === true,
        },
        policyText: await repositoryPolicy(ecr, name),
      });
    }
  }
  const scanning = (await ecr.send(new GetRegistryScanningConfigurationCommand({}))).scanningConfiguration;
  const section = {
    region: MOTO_REGION,
    registryScanningConfiguration: { scanType: scanning?.scanType, rules: scanning?.rules ?? [] },
    registryPolicy: await registryPolicy(ecr),
    repositories,
  };
  iam.destroy();
  ecr.destroy();
  return { snapshot: { authorizationDetails: iamPages, ecr: section }, gaadPages: pages.length };
}
