// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub and osls ${param:…} syntax, on purpose.
/**
 * Generates `deploy/ecr-access-rules.yaml`: the whole deployment as one CloudFormation template that the
 * console (or `aws cloudformation deploy`) takes, with every tunable value a parameter. It is the
 * serverless.yml stack rebuilt from the same generator (scripts/generate-serverless-fragments.ts): the
 * same roles, permissions, Config rules, queue and remediation documents, each `${param:name}` turned into
 * a `Ref` to the parameter `Name` (or `${Name}` in an `Fn::Sub`). What osls would add is written here:
 * the functions, from the zips `npm run package` leaves in `.serverless/` and you upload to S3 (one per
 * rule, `<rule name>.zip`, under `CodeS3KeyPrefix`), their log groups and their invoke configurations.
 *
 * `npm run update-console-template` rewrites the file; test/deploy/console-template.test.ts
 * fails while it is stale.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { RULES } from "../rules/index.js";
import type { ParameterDefinition, ParameterKind } from "../shared/config/parameters.js";
import type { RuleDefinition } from "../shared/runtime/rule.js";
import {
  DEFAULT_GLOBAL_RESOURCES_REGION,
  REGION_PATTERN,
  renderTemplate,
} from "./generate-conformance-pack.js";
import {
  configRulesFragment,
  FAILED_EVALUATIONS_QUEUE,
  functionLogicalId,
  GLOBAL_REGION_CONDITION,
  isGlobalRule,
  MAXIMUM_RETRY_ATTEMPTS,
  MODES,
  packParameters,
  RESERVED_CONCURRENCY_CONDITION,
  resourcesFragment,
  SECURITY_HUB_CONDITION,
  type Yaml,
} from "./generate-serverless-fragments.js";

export const CONSOLE_TEMPLATE_FILE = "deploy/ecr-access-rules.yaml";

/** The condition that holds in stack mode: the template creates the Config rules. */
export const CREATES_RULES_CONDITION = "CreatesConfigRules";
/** Stack mode, in the global resources region: the IAM rules' Config rules. */
export const CREATES_GLOBAL_RULES_CONDITION = "CreatesGlobalConfigRules";

/** The values CloudWatch Logs takes as a retention (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
const FREQUENCIES = ["One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours"];

/**
 * One entry of a list parameter, as the rules accept it (shared/config/parameters.ts), in the syntax
 * CloudFormation's `AllowedPattern` takes (Java regular expressions, applied to the whole value). A test
 * checks each against the rules' own parser on valid and invalid values.
 */
export const ENTRY_PATTERNS: Readonly<Record<Exclude<ParameterKind, "boolean" | "roleName">, string>> = {
  accountIds: "[0-9]{12}",
  organizationIds: "o-[a-z0-9]{10,32}",
  vpceIds: "vpce-[0-9a-f]{8,17}",
  principalArnGlobs: "arn:[a-z*?-]*:(iam|sts|\\*):[^:,\\s]*:[0-9*?]{1,12}:[^,\\s]+",
  policyArnGlobs: "arn:[a-z*?-]*:iam::[0-9*?]{1,12}:[^,\\s]*",
  actionGlobs: "\\*|[A-Za-z0-9*?-]+:[A-Za-z0-9*?]+",
  oidcSubjectGlobs: "([a-z][a-z0-9_]*=)?[^\\s=,][^\\s,]*",
};

/** A comma-separated list of entries, or nothing. */
export function listPattern(entry: string): string {
  return `((${entry})( *, *(${entry}))*)?`;
}

/** serverless.yml's `camelCase` parameter → the template's `PascalCase` one. */
export function consoleName(param: string): string {
  if (param === "sls:stage") return "Stage";
  return `${param.charAt(0).toUpperCase()}${param.slice(1)}`;
}

const MARKER = /\$\{(param:([A-Za-z0-9]+)|sls:stage)\}/gu;
const WHOLE_MARKER = /^\$\{(param:([A-Za-z0-9]+)|sls:stage)\}$/u;

/** The parameter a marker stands for: `${param:rulePrefix}` → `RulePrefix`, `${sls:stage}` → `Stage`. */
function markerName(param: string | undefined): string {
  return consoleName(param ?? "sls:stage");
}

/**
 * The fragment value with osls's variables made CloudFormation parameters: a string that is exactly one
 * `${param:x}` becomes `{ Ref: X }`, a string holding some becomes an `Fn::Sub`, and inside an `Fn::Sub`
 * `${param:x}` becomes `${X}`.
 *
 * @example
 * toConsole({ Name: "${param:rulePrefix}rule" }); // { Name: { "Fn::Sub": "${RulePrefix}rule" } }
 */
export function toConsole(value: Yaml, inSub = false): Yaml {
  if (typeof value === "string") {
    const replaced = value.replace(
      MARKER,
      (_match, _marker, param: string | undefined) => `\${${markerName(param)}}`,
    );
    if (inSub || replaced === value) return replaced;
    const whole = WHOLE_MARKER.exec(value);
    if (whole !== null) return { Ref: markerName(whole[2]) };
    return { "Fn::Sub": replaced };
  }
  if (typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item: Yaml) => toConsole(item, inSub));
  const out: Record<string, Yaml> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === "Fn::Sub" && typeof item === "string") out[key] = toConsole(item, true);
    else out[key] = toConsole(item, inSub);
  }
  return out;
}

type Parameter = Record<string, Yaml>;

/** The template's parameters of where and how it deploys (serverless.yml's `params`, by the same names). */
function deploymentParameters(): Record<string, Parameter> {
  return {
    Mode: {
      Type: "String",
      Default: "stack",
      AllowedValues: [...MODES],
      Description:
        "stack: the functions and their Config rules. functions-only: the functions, roles, invoke permissions, queue and remediation documents, no Config rule; the rules come from the conformance pack (conformance-packs/) or the organization pack. Never both on one function: each rule would exist twice.",
    },
    GlobalResourcesRegion: {
      Type: "String",
      Default: DEFAULT_GLOBAL_RESOURCES_REGION,
      AllowedPattern: REGION_PATTERN,
      ConstraintDescription: "one region code, such as us-east-1",
      Description:
        "The one region where the IAM rules (and their functions) deploy: the region whose configuration recorder records IAM resource types. Use the same value in every region's stack.",
    },
    RulePrefix: {
      Type: "String",
      Default: "",
      AllowedPattern: "[A-Za-z0-9_-]{0,15}",
      ConstraintDescription: "at most 15 letters, digits, - or _",
      Description:
        "Prepended to every Config rule, function, role, queue and document name. At most 15 characters (IAM role names are limited to 64).",
    },
    Stage: {
      Type: "String",
      Default: "prod",
      AllowedPattern: "[a-z0-9-]{1,16}",
      ConstraintDescription: "1 to 16 lower-case letters, digits or -",
      Description:
        "The last part of the failed-evaluations queue's name (serverless.yml's stage): <prefix>ecr-access-rules-failed-evaluations-<stage>.",
    },
    CodeS3Bucket: {
      Type: "String",
      AllowedPattern: "[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]",
      ConstraintDescription: "an S3 bucket name",
      Description:
        "Bucket in this region holding the functions' zips (npm run package writes them to .serverless/; docs/deployment.md says how to upload them).",
    },
    CodeS3KeyPrefix: {
      Type: "String",
      Default: "",
      AllowedPattern: "([A-Za-z0-9!_.*'()-]+/)*",
      ConstraintDescription: "empty, or folders ending with /",
      Description:
        "Key prefix of the zips in CodeS3Bucket, ending with / (such as ecr-access-rules/0.1.0/): each function's code is <prefix><rule name>.zip.",
    },
    PeriodicFrequency: {
      Type: "String",
      Default: "TwentyFour_Hours",
      AllowedValues: FREQUENCIES,
      Description: "How often the periodic rules run (stack mode).",
    },
    LogRetentionInDays: {
      Type: "Number",
      Default: 30,
      AllowedValues: [...LOG_RETENTION_DAYS],
      Description: "Days the functions' log groups keep their logs.",
    },
    MemorySize: {
      Type: "Number",
      Default: 512,
      MinValue: 128,
      MaxValue: 10240,
      Description: "Memory of each function, in MB (the periodic IAM sweep reads every principal).",
    },
    Timeout: {
      Type: "Number",
      Default: 300,
      MinValue: 30,
      MaxValue: 900,
      Description: "Timeout of each function, in seconds.",
    },
    ReservedConcurrency: {
      Type: "String",
      Default: "5",
      AllowedPattern: "([1-9][0-9]{0,3})?",
      ConstraintDescription: "a number from 1 to 9999, or empty",
      Description:
        "Reserved concurrency of each function: at most this many run at once (IAM's and Config's API rates are low; Lambda keeps throttled events up to six hours). Empty: unreserved (an account whose concurrency limit is 10 cannot reserve any).",
    },
    ExecutionRoleName: {
      Type: "String",
      Default: "",
      AllowedPattern: "[\\w+=,.@-]{0,64}",
      ConstraintDescription: "an IAM role name (no wildcard), or empty",
      Description:
        "The role the functions assume in the evaluated account (ASSUME_ROLE_NAME; deploy/organization/member-execution-role.yaml). Empty: they read with their own roles.",
    },
    SecurityHubFindings: {
      Type: "String",
      Default: "false",
      AllowedValues: ["false", "true"],
      Description:
        "true: each handler also sends its findings to Security Hub (BatchImportFindings on this account's product only).",
    },
  };
}

/** Which rules take a parameter. */
function rulesTaking(rules: readonly RuleDefinition[], name: string): string[] {
  return rules.filter((rule) => rule.parameters.some((p) => p.name === name)).map((rule) => rule.name);
}

/** A rule parameter as a template parameter: its pattern, its meaning and the rules that take it. */
export function ruleParameterDefinition(
  rules: readonly RuleDefinition[],
  parameter: ParameterDefinition,
): Parameter {
  const takers = rulesTaking(rules, parameter.name).join(", ");
  if (parameter.kind === "boolean") {
    return {
      Type: "String",
      Default: "",
      AllowedValues: ["", "true", "false"],
      Description: `${parameter.description} true or false; empty: the rule's default (${String(parameter.defaultValue ?? false)}). Rules: ${takers}.`,
    };
  }
  if (parameter.kind === "roleName")
    throw new Error(`${parameter.name}: a role name is not a rule parameter here`);
  return {
    Type: "String",
    Default: "",
    AllowedPattern: listPattern(ENTRY_PATTERNS[parameter.kind]),
    ConstraintDescription: `comma-separated ${parameter.kind}, or empty`,
    Description: `${parameter.description} Comma-separated; empty: not set. Rules: ${takers}.`,
  };
}

const LABELS: Readonly<Record<string, string>> = {
  Mode: "Deployment mode",
  GlobalResourcesRegion: "Global resources region (IAM rules)",
  RulePrefix: "Name prefix",
  Stage: "Stage (queue name suffix)",
  CodeS3Bucket: "Code bucket",
  CodeS3KeyPrefix: "Code key prefix",
  PeriodicFrequency: "Periodic frequency",
  LogRetentionInDays: "Log retention (days)",
  MemorySize: "Memory (MB)",
  Timeout: "Timeout (s)",
  ReservedConcurrency: "Reserved concurrency per function",
  ExecutionRoleName: "Execution role name (member accounts)",
  SecurityHubFindings: "Send findings to Security Hub",
};

/** "trustedOidcSubjects" → "Trusted oidc subjects". */
function words(name: string): string {
  const spaced = name.replace(/([A-Z])/gu, " $1").toLowerCase();
  return `${spaced.charAt(0).toUpperCase()}${spaced.slice(1)}`;
}

function functionResources(rule: RuleDefinition): Record<string, Yaml> {
  const id = functionLogicalId(rule.name);
  const stem = id.slice(0, -"LambdaFunction".length);
  const condition: Record<string, Yaml> = isGlobalRule(rule) ? { Condition: GLOBAL_REGION_CONDITION } : {};
  const name = `\${RulePrefix}${rule.name}`;
  return {
    [`${stem}LogGroup`]: {
      Type: "AWS::Logs::LogGroup",
      ...condition,
      Properties: {
        LogGroupName: { "Fn::Sub": `/aws/lambda/${name}` },
        RetentionInDays: { Ref: "LogRetentionInDays" },
      },
    },
    [id]: {
      Type: "AWS::Lambda::Function",
      ...condition,
      DependsOn: [`${stem}LogGroup`],
      Properties: {
        FunctionName: { "Fn::Sub": name },
        Description: rule.title,
        Handler: `rules/${rule.name}/handler.handler`,
        Runtime: "nodejs22.x",
        Architectures: ["arm64"],
        MemorySize: { Ref: "MemorySize" },
        Timeout: { Ref: "Timeout" },
        Role: { "Fn::GetAtt": [`${stemOf(rule)}Role`, "Arn"] },
        Code: {
          S3Bucket: { Ref: "CodeS3Bucket" },
          S3Key: { "Fn::Sub": `\${CodeS3KeyPrefix}${rule.name}.zip` },
        },
        Environment: {
          Variables: {
            ASSUME_ROLE_NAME: { Ref: "ExecutionRoleName" },
            GLOBAL_RESOURCES_REGION: { Ref: "GlobalResourcesRegion" },
            SECURITY_HUB_FINDINGS: { "Fn::If": [SECURITY_HUB_CONDITION, "true", "false"] },
          },
        },
        ReservedConcurrentExecutions: {
          "Fn::If": [RESERVED_CONCURRENCY_CONDITION, { Ref: "ReservedConcurrency" }, { Ref: "AWS::NoValue" }],
        },
      },
    },
    [`${stem}LambdaEvConf`]: {
      Type: "AWS::Lambda::EventInvokeConfig",
      ...condition,
      Properties: {
        FunctionName: { Ref: id },
        Qualifier: "$LATEST",
        MaximumRetryAttempts: MAXIMUM_RETRY_ATTEMPTS,
        DestinationConfig: {
          OnFailure: { Destination: { "Fn::GetAtt": [FAILED_EVALUATIONS_QUEUE, "Arn"] } },
        },
      },
    },
  };
}

/** `ecr-repository-policy-trusted` → `EcrRepositoryPolicyTrusted`, as the fragments name the rule's role. */
function stemOf(rule: RuleDefinition): string {
  return rule.name
    .split("-")
    .map((part) => `${part.charAt(0).toUpperCase()}${part.slice(1)}`)
    .join("");
}

function isMapping(value: Yaml | undefined): value is { readonly [key: string]: Yaml } {
  return typeof value === "object" && !Array.isArray(value);
}

function section(fragment: Yaml, key: string): Record<string, Yaml> {
  if (!isMapping(fragment)) throw new Error("a fragment is not a mapping");
  const value = fragment[key];
  if (value === undefined) return {};
  if (!isMapping(value)) throw new Error(`a fragment's ${key} is not a mapping`);
  return { ...value };
}

/** The console template. */
export async function buildConsoleTemplate(rules: readonly RuleDefinition[] = RULES): Promise<Yaml> {
  const common = await resourcesFragment(rules);
  const configRules = section(configRulesFragment(rules, "stack"), "Resources");
  const resources: Record<string, Yaml> = {};
  for (const [id, resource] of Object.entries(section(common, "Resources"))) resources[id] = resource;
  for (const rule of rules) Object.assign(resources, functionResources(rule));
  for (const [id, resource] of Object.entries(configRules)) {
    if (!isMapping(resource)) throw new Error(`${id} is not a mapping`);
    const { Type = "", Condition, ...rest } = resource;
    resources[id] = {
      Type,
      Condition:
        Condition === GLOBAL_REGION_CONDITION ? CREATES_GLOBAL_RULES_CONDITION : CREATES_RULES_CONDITION,
      ...rest,
    };
  }
  const ruleParameters: Record<string, Parameter> = {};
  for (const parameter of packParameters(rules))
    ruleParameters[consoleName(parameter.name)] = ruleParameterDefinition(rules, parameter);
  const deployment = deploymentParameters();
  const labels: Record<string, Yaml> = {};
  for (const name of Object.keys(deployment)) labels[name] = { default: LABELS[name] ?? name };
  for (const parameter of packParameters(rules))
    labels[consoleName(parameter.name)] = { default: words(parameter.name) };
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description:
      "ecr-access-rules: AWS Config custom rules for CIS Amazon EKS Benchmark 5.1.2 (minimize user access to Amazon ECR). One Lambda function per rule (code from S3: the zips of npm run package) with a least-privilege role, its log group and an encrypted queue for failed invocations; the Config rules (Mode stack) or none (Mode functions-only: the conformance pack brings them); SSM documents that make a repository's tags immutable and scan on push. Deploy once per region recorded by AWS Config.",
    Metadata: {
      "AWS::CloudFormation::Interface": {
        ParameterGroups: [
          {
            Label: { default: "Deployment" },
            Parameters: ["Mode", "GlobalResourcesRegion", "RulePrefix", "Stage"],
          },
          {
            Label: { default: "Function code (upload the zips first)" },
            Parameters: ["CodeS3Bucket", "CodeS3KeyPrefix"],
          },
          {
            Label: { default: "Functions" },
            Parameters: [
              "PeriodicFrequency",
              "LogRetentionInDays",
              "MemorySize",
              "Timeout",
              "ReservedConcurrency",
              "ExecutionRoleName",
              "SecurityHubFindings",
            ],
          },
          {
            Label: { default: "Rule parameters (empty: the rule's default; docs/rules.md)" },
            Parameters: Object.keys(ruleParameters),
          },
        ],
        ParameterLabels: labels,
      },
    },
    Parameters: { ...deployment, ...ruleParameters },
    Conditions: toConsole({
      ...section(common, "Conditions"),
      [CREATES_RULES_CONDITION]: { "Fn::Equals": [{ Ref: "Mode" }, "stack"] },
      [CREATES_GLOBAL_RULES_CONDITION]: {
        "Fn::And": [{ Condition: GLOBAL_REGION_CONDITION }, { Condition: CREATES_RULES_CONDITION }],
      },
    }),
    Resources: toConsole(resources),
    Outputs: toConsole(section(common, "Outputs")),
  };
}

const HEADER = [
  "Generated by scripts/generate-console-template.ts from rules/*/rule.ts: do not edit, run",
  "`npm run update-console-template`.",
  "",
  "The whole deployment as one CloudFormation template, for the console or `aws cloudformation deploy`:",
  "the serverless.yml stack with every tunable value a parameter. Upload the functions' zips first:",
  "  npm ci && npm run package",
  "  aws s3 cp .serverless/ s3://BUCKET/ecr-access-rules/0.1.0/ --recursive --exclude '*' --include '*.zip'",
  "  aws cloudformation deploy --stack-name ecr-access-rules --template-file deploy/ecr-access-rules.yaml \\",
  "    --s3-bucket BUCKET --capabilities CAPABILITY_NAMED_IAM \\",
  "    --parameter-overrides CodeS3Bucket=BUCKET CodeS3KeyPrefix=ecr-access-rules/0.1.0/",
  "The template is over CloudFormation's 51,200 bytes for an inline body: the console uploads it to S3 by",
  "itself; the CLI needs --s3-bucket. Mode=functions-only leaves the Config rules to the conformance pack.",
  "docs/deployment.md.",
];

/** The file's text. */
export async function renderConsoleTemplate(rules: readonly RuleDefinition[] = RULES): Promise<string> {
  const template = await buildConsoleTemplate(rules);
  if (!isMapping(template)) throw new Error("the template is not a mapping");
  return renderTemplate(HEADER, { ...template });
}

/** Writes the file. Not top-level `await`: the tests import this module. */
async function main(): Promise<void> {
  const target = fileURLToPath(new URL(`../${CONSOLE_TEMPLATE_FILE}`, import.meta.url));
  const text = await renderConsoleTemplate();
  writeFileSync(target, text);
  process.stdout.write(`wrote ${CONSOLE_TEMPLATE_FILE} (${Buffer.byteLength(text)} bytes)\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
  });
}
