/**
 * `npm run update-conformance-pack`: generates, from the rules' definitions (rules/index.ts):
 *
 * - conformance-packs/cis-eks-5-1-2-ecr-access.yaml — the AWS Config conformance pack (one
 *   `AWS::Config::ConfigRule` per rule, one pack parameter per rule parameter, `Fn::If` to omit empty ones);
 * - deploy/organization/organization-conformance-pack.yaml — deploys that pack across an organization;
 * - deploy/organization/organization-invoke-permissions.yaml — lets Config in the member accounts invoke
 *   the central functions;
 * - deploy/organization/member-execution-role.yaml — the StackSet template of the role the functions
 *   assume in every member account (`ASSUME_ROLE_NAME`), with exactly the rules' read permissions.
 *
 * All four are committed; test/deploy/conformance-pack.test.ts fails when one is stale. The templates use
 * CloudFormation's long forms (`Ref:`, `Fn::If:`) so that any YAML parser reads them.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dump } from "js-yaml";
import { RULES } from "../rules/index.js";
import { EXECUTION_ROLE_NAME, type ParameterDefinition } from "../shared/config/parameters.js";
import type { RuleDefinition } from "../shared/runtime/rule.js";
import { FUNCTION_ROLE_PATH, scopedStatements } from "./generate-serverless-fragments.js";
import { IMMUTABLE_DOCUMENT, INTEGRITY_DOCUMENT, SCAN_ON_PUSH_DOCUMENT } from "./remediation-documents.js";

export const PACK_NAME = "cis-eks-5-1-2-ecr-access";
export const PACK_FILE = `conformance-packs/${PACK_NAME}.yaml`;
export const ORGANIZATION_PACK_FILE = "deploy/organization/organization-conformance-pack.yaml";
export const INVOKE_PERMISSIONS_FILE = "deploy/organization/organization-invoke-permissions.yaml";
export const MEMBER_ROLE_FILE = "deploy/organization/member-execution-role.yaml";
/** The pack with an `AWS::Config::RemediationConfiguration` for `ecr-repository-image-integrity`. */
export const REMEDIATION_PACK_FILE = `conformance-packs/${PACK_NAME}-remediation.yaml`;
/** The rule the remediation pack remediates; the policy rules get no automatic fix (docs/deployment.md). */
export const REMEDIATED_RULE = "ecr-repository-image-integrity";

/** The member accounts' role name, unless the StackSet is given another (`ASSUME_ROLE_NAME`). */
export const DEFAULT_EXECUTION_ROLE_NAME = "ecr-access-rules-execution";
/**
 * One central function role's ARN, exactly: the path serverless.yml gives the roles, a name, no wildcard
 * (CloudFormation applies a list parameter's pattern to each element).
 */
export const FUNCTION_ROLE_ARN_PATTERN = `arn:aws(-[a-z]+)*:iam::[0-9]{12}:role${FUNCTION_ROLE_PATH}[\\w+=.@-]{1,64}`;
/** What every rule's runtime calls besides the rule's own `permissions` (docs/config-contract.md). */
export const RUNTIME_PERMISSIONS = ["config:PutEvaluations", "config:GetResourceConfigHistory"] as const;
/** Config's limit on a rule's description. */
export const CONFIG_RULE_DESCRIPTION_LIMIT = 256;

/** Where the IAM rules evaluate unless told otherwise: the stack's `globalResourcesRegion` default too. */
export const DEFAULT_GLOBAL_RESOURCES_REGION = "us-east-1";
/** One region code (`us-east-1`, `us-gov-west-1`, `eusc-de-east-1`); never empty. */
export const REGION_PATTERN = "[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}";

const FREQUENCIES = ["One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours"];
const CHANGE_MESSAGE_TYPES = [
  "ConfigurationItemChangeNotification",
  "OversizedConfigurationItemChangeNotification",
] as const;
const LAMBDA_ARN_PATTERN =
  "arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]+)?";

type Template = Record<string, unknown>;
type Parameter = Record<string, unknown>;

const ref = (name: string) => ({ Ref: name });
const NO_VALUE = ref("AWS::NoValue");
const notEmpty = (name: string) => ({ "Fn::Not": [{ "Fn::Equals": [ref(name), ""] }] });

function capitalize(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/**
 * A rule's name as a CloudFormation logical id.
 *
 * @example
 * ruleKey({ name: "ecr-repository-policy-trusted" }); // "EcrRepositoryPolicyTrusted"
 */
export function ruleKey(rule: Pick<RuleDefinition, "name">): string {
  return rule.name.split("-").map(capitalize).join("");
}

/** The pack parameter holding the ARN of the rule's function. */
export function lambdaArnParameter(rule: Pick<RuleDefinition, "name">): string {
  return `${ruleKey(rule)}LambdaArn`;
}

/** The pack parameter holding a periodic rule's frequency. */
export function frequencyParameter(rule: Pick<RuleDefinition, "name">): string {
  return `${ruleKey(rule)}Frequency`;
}

/** The pack parameter for one of the rule's parameters (`EcrIamPolicyNoUnscopedWriteExemptActions`). */
export function ruleParameter(
  rule: Pick<RuleDefinition, "name">,
  parameter: Pick<ParameterDefinition, "name">,
): string {
  return `${ruleKey(rule)}${capitalize(parameter.name)}`;
}

/** The pack parameter shared by every rule for `executionRoleName` (docs/config-contract.md). */
export const EXECUTION_ROLE_PARAMETER = "ExecutionRoleName";
/** The pack parameter naming the one region where the IAM rules run (docs/deployment.md). */
export const GLOBAL_REGION_PARAMETER = "GlobalResourcesRegion";

/** IAM resource types are recorded in one region only: such a rule runs there only. */
export function isGlobalResourceRule(rule: Pick<RuleDefinition, "resourceTypes">): boolean {
  return rule.resourceTypes.every((type) => type.startsWith("AWS::IAM::"));
}

const hasCondition = (parameter: string) => `Has${parameter}`;
const deployCondition = (rule: Pick<RuleDefinition, "name">) => `Deploy${ruleKey(rule)}`;
const IN_GLOBAL_REGION = "InGlobalResourcesRegion";

/**
 * The rule's Config description, from its definition data: the control it automates, its severity and
 * its description, within Config's 256 characters (cut between words, with a visible "..." marker).
 *
 * @example
 * configDescription(rule); // "CIS Amazon EKS Benchmark v1.5.0 5.1.2 (severity high). NON_COMPLIANT when …"
 */
export function configDescription(
  rule: Pick<RuleDefinition, "description" | "control" | "severity">,
): string {
  const { framework, version, id } = rule.control;
  const text = `${framework} ${version} ${id} (severity ${rule.severity}). ${rule.description}`;
  if (text.length <= CONFIG_RULE_DESCRIPTION_LIMIT) return text;
  const marker = "...";
  const cut = text.slice(0, CONFIG_RULE_DESCRIPTION_LIMIT - marker.length + 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > 0 ? cut.slice(0, space) : cut).replace(/[\s,;:(]+$/u, "")}${marker}`;
}

function parameterDescription(rule: RuleDefinition, parameter: ParameterDefinition): string {
  const how =
    parameter.kind === "boolean"
      ? `true or false; empty: the rule's default (${String(parameter.defaultValue ?? false)}).`
      : "Comma-separated; empty: not set.";
  return `${rule.name} ${parameter.name}: ${parameter.description} ${how}`;
}

/** The pack's parameters, in order: shared ones, then per rule. */
export function packParameters(rules: readonly RuleDefinition[]): Record<string, Parameter> {
  const parameters: Record<string, Parameter> = {
    [EXECUTION_ROLE_PARAMETER]: {
      Type: "String",
      Default: "",
      AllowedPattern: "[\\w+=,.@-]{0,64}",
      Description: `Every rule's ${EXECUTION_ROLE_NAME.name}: the role the functions assume in the evaluated account (deploy/organization/member-execution-role.yaml). Empty: the functions' ASSUME_ROLE_NAME, else their own credentials.`,
    },
    [GLOBAL_REGION_PARAMETER]: {
      Type: "String",
      Default: DEFAULT_GLOBAL_RESOURCES_REGION,
      AllowedPattern: REGION_PATTERN,
      ConstraintDescription: "one region code, such as us-east-1",
      Description:
        "The one region where the rules on IAM resource types are deployed: IAM is global, so a rule on it in every region would evaluate the same principals once per region (docs/deployment.md). The region whose configuration recorder records IAM resource types; the functions' GLOBAL_RESOURCES_REGION.",
    },
  };
  for (const rule of rules) {
    const global = isGlobalResourceRule(rule);
    parameters[lambdaArnParameter(rule)] = {
      Type: "String",
      ...(global ? { Default: "" } : {}),
      AllowedPattern: global ? `(${LAMBDA_ARN_PATTERN})?` : LAMBDA_ARN_PATTERN,
      ConstraintDescription: "a Lambda function ARN",
      Description: `ARN of the ${rule.name} function, in this region.${global ? ` Empty: the rule is not deployed here (it runs in the ${GLOBAL_REGION_PARAMETER} region only).` : ""}`,
    };
    if (rule.periodic) {
      parameters[frequencyParameter(rule)] = {
        Type: "String",
        Default: "TwentyFour_Hours",
        AllowedValues: FREQUENCIES,
        Description: `How often ${rule.name} also runs on a schedule.`,
      };
    }
    for (const parameter of rule.parameters) {
      parameters[ruleParameter(rule, parameter)] = {
        Type: "String",
        Default: parameter.kind === "boolean" ? String(parameter.defaultValue ?? false) : "",
        ...(parameter.kind === "boolean" ? { AllowedValues: ["", "true", "false"] } : {}),
        Description: parameterDescription(rule, parameter),
      };
    }
  }
  return parameters;
}

function configRule(rule: RuleDefinition): Template {
  const sourceDetails: Template[] = CHANGE_MESSAGE_TYPES.map((messageType) => ({
    EventSource: "aws.config",
    MessageType: messageType,
  }));
  if (rule.periodic) {
    sourceDetails.push({
      EventSource: "aws.config",
      MessageType: "ScheduledNotification",
      MaximumExecutionFrequency: ref(frequencyParameter(rule)),
    });
  }
  const inputParameters: Template = {};
  for (const parameter of rule.parameters) {
    const name = ruleParameter(rule, parameter);
    inputParameters[parameter.name] = { "Fn::If": [hasCondition(name), ref(name), NO_VALUE] };
  }
  inputParameters[EXECUTION_ROLE_NAME.name] = {
    "Fn::If": [hasCondition(EXECUTION_ROLE_PARAMETER), ref(EXECUTION_ROLE_PARAMETER), NO_VALUE],
  };
  return {
    Type: "AWS::Config::ConfigRule",
    ...(isGlobalResourceRule(rule) ? { Condition: deployCondition(rule) } : {}),
    Properties: {
      ConfigRuleName: rule.name,
      Description: configDescription(rule),
      Scope: { ComplianceResourceTypes: [...rule.resourceTypes] },
      Source: {
        Owner: "CUSTOM_LAMBDA",
        SourceIdentifier: ref(lambdaArnParameter(rule)),
        SourceDetails: sourceDetails,
      },
      InputParameters: inputParameters,
    },
  };
}

/** The pack's sections, for the pack and its remediation variant. */
function packSections(rules: readonly RuleDefinition[]): {
  parameters: Record<string, Parameter>;
  conditions: Template;
  resources: Template;
} {
  const conditions: Template = {
    [IN_GLOBAL_REGION]: { "Fn::Equals": [ref(GLOBAL_REGION_PARAMETER), ref("AWS::Region")] },
    [hasCondition(EXECUTION_ROLE_PARAMETER)]: notEmpty(EXECUTION_ROLE_PARAMETER),
  };
  for (const rule of rules) {
    if (isGlobalResourceRule(rule)) {
      conditions[hasCondition(lambdaArnParameter(rule))] = notEmpty(lambdaArnParameter(rule));
      conditions[deployCondition(rule)] = {
        "Fn::And": [{ Condition: IN_GLOBAL_REGION }, { Condition: hasCondition(lambdaArnParameter(rule)) }],
      };
    }
    for (const parameter of rule.parameters) {
      const name = ruleParameter(rule, parameter);
      conditions[hasCondition(name)] = notEmpty(name);
    }
  }
  return {
    parameters: packParameters(rules),
    conditions,
    resources: Object.fromEntries(rules.map((rule) => [ruleKey(rule), configRule(rule)])),
  };
}

/** The conformance pack template. */
export function buildConformancePack(rules: readonly RuleDefinition[]): Template {
  const { parameters, conditions, resources } = packSections(rules);
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description:
      "CIS Amazon EKS Benchmark 5.1.2 (minimize user access to Amazon ECR): AWS Config custom Lambda rules of ecr-access-rules.",
    Parameters: parameters,
    Conditions: conditions,
    Resources: resources,
  };
}

/** The remediation pack's own parameters. */
export const REMEDIATION_PARAMETERS = {
  role: "RemediationAssumeRoleArn",
  automatic: "RemediationAutomatic",
  integrityDocument: "RemediateImageIntegrityDocument",
  scanOnPushDocument: "EnableScanOnPushDocument",
  immutableDocument: "SetImageTagImmutableDocument",
} as const;

/** An SSM document's name, or its ARN when it is shared from another account. */
const DOCUMENT_PATTERN = "(arn:aws[a-z-]*:ssm:[a-z0-9-]+:[0-9]{12}:document/)?[a-zA-Z0-9_.-]{3,128}";

/**
 * The conformance pack with remediation: the pack, plus an `AWS::Config::RemediationConfiguration` that
 * runs an SSM Automation document of deploy/remediation/ on each NON_COMPLIANT repository of
 * `ecr-repository-image-integrity`, manual unless `RemediationAutomatic` is true, and only when
 * `RemediationAssumeRoleArn` is given. Which document follows the rule's own parameters: with tag
 * exclusions allowed, only scan on push is fixed (setting IMMUTABLE would drop someone's exclusions);
 * with scanning not required, only the tags; with both, nothing is left that a document could fix
 * without guessing, so no remediation is configured.
 */
export function buildRemediationPack(rules: readonly RuleDefinition[]): Template {
  const pack = packSections(rules);
  const rule = rules.find((candidate) => candidate.name === REMEDIATED_RULE);
  if (rule === undefined) throw new Error(`no rule ${REMEDIATED_RULE} to remediate`);
  const exclusions = ruleParameter(rule, { name: "allowTagExclusions" });
  const scanning = ruleParameter(rule, { name: "requireScanning" });
  const P = REMEDIATION_PARAMETERS;
  const documentParameter = (name: string, what: string) => ({
    Type: "String",
    Default: name,
    AllowedPattern: DOCUMENT_PATTERN,
    ConstraintDescription: "an SSM document name, or a shared document's ARN",
    Description: `The SSM Automation document that ${what}: its name in this account (the stack's, with its rulePrefix), or its ARN when shared from the functions' account.`,
  });
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description:
      "CIS Amazon EKS Benchmark 5.1.2 (minimize user access to Amazon ECR): AWS Config custom Lambda rules of ecr-access-rules, with an SSM Automation remediation for ecr-repository-image-integrity (manual unless RemediationAutomatic is true).",
    Parameters: {
      ...pack.parameters,
      [P.role]: {
        Type: "String",
        Default: "",
        AllowedPattern: "(arn:aws[a-z-]*:iam::[0-9]{12}:role/[\\w+=,.@/-]{1,512})?",
        ConstraintDescription: "a role ARN, or empty",
        Description:
          "The AutomationAssumeRole of the remediation: the stack's RemediationRoleArn output (ecr:PutImageTagMutability and ecr:PutImageScanningConfiguration on this account's repositories, nothing else). Empty: no remediation is configured.",
      },
      [P.automatic]: {
        Type: "String",
        Default: "false",
        AllowedValues: ["false", "true"],
        Description:
          "true: Config runs the remediation on every NON_COMPLIANT repository by itself. false: a person starts it from the Config console (Remediate).",
      },
      [P.integrityDocument]: documentParameter(
        INTEGRITY_DOCUMENT,
        "makes tags immutable and turns on scan on push",
      ),
      [P.scanOnPushDocument]: documentParameter(
        SCAN_ON_PUSH_DOCUMENT,
        "turns on scan on push (used when tag exclusions are allowed)",
      ),
      [P.immutableDocument]: documentParameter(
        IMMUTABLE_DOCUMENT,
        "makes tags immutable (used when scanning is not required)",
      ),
    },
    Conditions: {
      ...pack.conditions,
      HasRemediationAssumeRoleArn: notEmpty(P.role),
      ImageIntegrityAllowsTagExclusions: { "Fn::Equals": [ref(exclusions), "true"] },
      ImageIntegrityScanningNotRequired: { "Fn::Equals": [ref(scanning), "false"] },
      RemediatesImageIntegrity: {
        "Fn::And": [
          { Condition: "HasRemediationAssumeRoleArn" },
          {
            "Fn::Not": [
              {
                "Fn::And": [
                  { Condition: "ImageIntegrityAllowsTagExclusions" },
                  { Condition: "ImageIntegrityScanningNotRequired" },
                ],
              },
            ],
          },
        ],
      },
    },
    Resources: {
      ...pack.resources,
      [`${ruleKey(rule)}Remediation`]: {
        Type: "AWS::Config::RemediationConfiguration",
        Condition: "RemediatesImageIntegrity",
        DependsOn: ruleKey(rule),
        Properties: {
          ConfigRuleName: rule.name,
          ResourceType: "AWS::ECR::Repository",
          TargetType: "SSM_DOCUMENT",
          TargetId: {
            "Fn::If": [
              "ImageIntegrityAllowsTagExclusions",
              ref(P.scanOnPushDocument),
              {
                "Fn::If": [
                  "ImageIntegrityScanningNotRequired",
                  ref(P.immutableDocument),
                  ref(P.integrityDocument),
                ],
              },
            ],
          },
          Parameters: {
            AutomationAssumeRole: { StaticValue: { Values: [ref(P.role)] } },
            // Config's resource id of a repository is its name.
            RepositoryName: { ResourceValue: { Value: "RESOURCE_ID" } },
          },
          Automatic: ref(P.automatic),
          MaximumAutomaticAttempts: 3,
          RetryAttemptSeconds: 60,
          ExecutionControls: {
            SsmControls: { ConcurrentExecutionRatePercentage: 10, ErrorPercentage: 10 },
          },
        },
      },
    },
  };
}

/**
 * Whether a parameter can be empty (Config rejects an empty input parameter value, so such a parameter
 * is passed only when set): it has a default and neither its AllowedValues nor its AllowedPattern rule
 * out "".
 *
 * @example
 * acceptsEmpty({ Type: "String", Default: "" }); // true
 */
export function acceptsEmpty(definition: Parameter): boolean {
  if (definition.Default === undefined) return false;
  const values = definition.AllowedValues;
  if (Array.isArray(values) && !values.includes("")) return false;
  const pattern = definition.AllowedPattern;
  return typeof pattern !== "string" || new RegExp(`^(?:${pattern})$`, "u").test("");
}

/** The organization template: the pack in every account of the organization. */
export function buildOrganizationConformancePack(rules: readonly RuleDefinition[]): Template {
  const pack = packParameters(rules);
  const conditions: Template = {
    HasDeliveryS3Bucket: notEmpty("DeliveryS3Bucket"),
    HasDeliveryS3KeyPrefix: notEmpty("DeliveryS3KeyPrefix"),
    HasExcludedAccounts: {
      "Fn::Not": [{ "Fn::Equals": [{ "Fn::Join": [",", ref("ExcludedAccounts")] }, ""] }],
    },
  };
  const inputs: unknown[] = [];
  for (const [name, definition] of Object.entries(pack)) {
    const input = { ParameterName: name, ParameterValue: ref(name) };
    if (!acceptsEmpty(definition)) {
      inputs.push(input);
      continue;
    }
    conditions[hasCondition(name)] = notEmpty(name);
    inputs.push({ "Fn::If": [hasCondition(name), input, NO_VALUE] });
  }
  const passedThrough = Object.fromEntries(
    Object.entries(pack).map(([name, definition]) => [
      name,
      name === EXECUTION_ROLE_PARAMETER
        ? {
            ...definition,
            Default: DEFAULT_EXECUTION_ROLE_NAME,
            Description: `The role the functions assume in each member account: the ExecutionRoleName of the ${MEMBER_ROLE_FILE} StackSet. Empty: the functions' ASSUME_ROLE_NAME.`,
          }
        : definition,
    ]),
  );
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: `Deploys the ${PACK_NAME} conformance pack (AWS::Config::OrganizationConformancePack) to every account of the organization. Run in the management account or Config's delegated administrator, in each region, after member-execution-role.yaml (StackSet) and organization-invoke-permissions.yaml. See the comments at the top of this file for why a conformance pack rather than organization custom rules.`,
    Parameters: {
      OrganizationConformancePackName: {
        Type: "String",
        Default: PACK_NAME,
        AllowedPattern: "[a-zA-Z][-a-zA-Z0-9]{0,127}",
        Description: "Name of the organization conformance pack.",
      },
      TemplateS3Uri: {
        Type: "String",
        AllowedPattern: "s3://.+",
        ConstraintDescription: "an s3:// URI",
        Description: `s3:// URI of ${PACK_FILE}, uploaded to a bucket in this region that Config can read (a parameter cannot carry the pack itself: CloudFormation parameter values are limited to 4,096 bytes).`,
      },
      DeliveryS3Bucket: {
        Type: "String",
        Default: "",
        AllowedPattern: "(awsconfigconforms[a-z0-9.-]*)?",
        Description:
          "Optional bucket (its name starts with awsconfigconforms) for the pack's deployment artifacts.",
      },
      DeliveryS3KeyPrefix: {
        Type: "String",
        Default: "",
        Description: "Optional key prefix in DeliveryS3Bucket.",
      },
      ExcludedAccounts: {
        Type: "CommaDelimitedList",
        Default: "",
        Description:
          "Account ids that do not get the pack (for instance accounts without a configuration recorder).",
      },
      ...passedThrough,
    },
    Conditions: conditions,
    Resources: {
      OrganizationConformancePack: {
        Type: "AWS::Config::OrganizationConformancePack",
        Properties: {
          OrganizationConformancePackName: ref("OrganizationConformancePackName"),
          TemplateS3Uri: ref("TemplateS3Uri"),
          DeliveryS3Bucket: { "Fn::If": ["HasDeliveryS3Bucket", ref("DeliveryS3Bucket"), NO_VALUE] },
          DeliveryS3KeyPrefix: { "Fn::If": ["HasDeliveryS3KeyPrefix", ref("DeliveryS3KeyPrefix"), NO_VALUE] },
          ExcludedAccounts: { "Fn::If": ["HasExcludedAccounts", ref("ExcludedAccounts"), NO_VALUE] },
          ConformancePackInputParameters: inputs,
        },
      },
    },
    Outputs: {
      OrganizationConformancePackName: { Value: ref("OrganizationConformancePack") },
    },
  };
}

/** The central account's grants to Config in each member account, one per function and account. */
export function buildInvokePermissions(rules: readonly RuleDefinition[]): Template {
  const parameters: Record<string, Parameter> = {
    MemberAccountIds: {
      Type: "CommaDelimitedList",
      AllowedPattern: "[0-9]{12}",
      ConstraintDescription: "12-digit account ids",
      Description:
        "Every account whose Config rules invoke the functions: the accounts the organization pack deploys to (this one too if it is evaluated).",
    },
  };
  const conditions: Template = {};
  const resources: Template = {};
  for (const rule of rules) {
    const arn = lambdaArnParameter(rule);
    const global = isGlobalResourceRule(rule);
    parameters[arn] = {
      Type: "String",
      ...(global ? { Default: "" } : {}),
      AllowedPattern: global ? `(${LAMBDA_ARN_PATTERN})?` : LAMBDA_ARN_PATTERN,
      ConstraintDescription: "a Lambda function ARN",
      Description: `ARN of the ${rule.name} function in this region.${global ? " Empty: no grant (the function runs in the global resources region only)." : ""}`,
    };
    if (global) conditions[hasCondition(arn)] = notEmpty(arn);
    resources[`Fn::ForEach::Invoke${ruleKey(rule)}`] = [
      "AccountId",
      ref("MemberAccountIds"),
      {
        [`Invoke${ruleKey(rule)}From&{AccountId}`]: {
          Type: "AWS::Lambda::Permission",
          ...(global ? { Condition: hasCondition(arn) } : {}),
          Properties: {
            Action: "lambda:InvokeFunction",
            FunctionName: ref(arn),
            Principal: "config.amazonaws.com",
            SourceAccount: ref("AccountId"),
          },
        },
      },
    ];
  }
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Transform: "AWS::LanguageExtensions",
    Description:
      "Lets AWS Config in each member account invoke the ecr-access-rules functions of this (central) account: one AWS::Lambda::Permission per function and account, for config.amazonaws.com with SourceAccount. Deploy in the functions' account, in each region, before organization-conformance-pack.yaml; update MemberAccountIds when accounts join.",
    Parameters: parameters,
    ...(Object.keys(conditions).length > 0 ? { Conditions: conditions } : {}),
    Resources: resources,
  };
}

/** Every action the member role grants: the runtime's and every rule's, sorted. */
export function memberRoleActions(rules: readonly RuleDefinition[]): string[] {
  return [...new Set([...RUNTIME_PERMISSIONS, ...rules.flatMap((rule) => rule.permissions)])].sort();
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax.
const CENTRAL_ACCOUNT_ROOT = "arn:${AWS::Partition}:iam::${CentralAccountId}:root";

/**
 * The StackSet template of the role the functions assume in each member account: trusted by exactly the
 * central function roles listed in `CentralFunctionRoleArns`, allowed exactly the rules' reads, each on
 * this account's resources where the action takes a resource type (any region: the role is global).
 */
export async function buildMemberExecutionRole(rules: readonly RuleDefinition[]): Promise<Template> {
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description:
      "StackSet template for every member account: the role the ecr-access-rules functions assume there (their ASSUME_ROLE_NAME, or the rules' executionRoleName), trusted by exactly the central function roles listed in CentralFunctionRoleArns, with only the reads the rules make (on this account's resources), config:PutEvaluations, and (SecurityHubFindings=true) securityhub:BatchImportFindings on its own account's product. IAM is global: deploy each stack instance in one region.",
    Parameters: {
      ExecutionRoleName: {
        Type: "String",
        Default: DEFAULT_EXECUTION_ROLE_NAME,
        AllowedPattern: "[\\w+=,.@-]{1,64}",
        ConstraintDescription: "an IAM role name (no wildcard)",
        Description: "Name of the role: the functions' ASSUME_ROLE_NAME (or the pack's ExecutionRoleName).",
      },
      CentralAccountId: {
        Type: "String",
        AllowedPattern: "[0-9]{12}",
        ConstraintDescription: "a 12-digit account id",
        Description: "The account where the ecr-access-rules functions run.",
      },
      CentralFunctionRoleArns: {
        Type: "CommaDelimitedList",
        AllowedPattern: FUNCTION_ROLE_ARN_PATTERN,
        ConstraintDescription: `exact role ARNs under the path ${FUNCTION_ROLE_PATH}, no wildcard`,
        Description:
          "The central functions' execution role ARNs, exactly: the FunctionRoleArns output of the serverless.yml stack in every region it is deployed to, joined with commas. Only these roles may assume this one.",
      },
      SecurityHubFindings: {
        Type: "String",
        Default: "false",
        AllowedValues: ["true", "false"],
        Description:
          "true when the central stack sends Security Hub findings (its securityHubFindings): the functions then import each account's findings through this role, so it may call securityhub:BatchImportFindings on this account's own product (product/ACCOUNT/default), in any region.",
      },
    },
    Conditions: {
      SendsSecurityHubFindings: { "Fn::Equals": [ref("SecurityHubFindings"), "true"] },
    },
    Resources: {
      ExecutionRole: {
        Type: "AWS::IAM::Role",
        Properties: {
          RoleName: ref("ExecutionRoleName"),
          Description: "Assumed by the ecr-access-rules AWS Config rule functions of the central account.",
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: {
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "CentralFunctionRoles",
                Effect: "Allow",
                Principal: { AWS: { "Fn::Sub": CENTRAL_ACCOUNT_ROOT } },
                Action: "sts:AssumeRole",
                // By ARN in a condition rather than as principals: IAM would refuse a trust policy naming a
                // role that does not exist yet, and would silently stop matching a role deleted and created
                // again under the same name.
                Condition: { ArnEquals: { "aws:PrincipalArn": ref("CentralFunctionRoleArns") } },
              },
            ],
          },
          Policies: [
            {
              PolicyName: "ecr-access-rules-reads",
              PolicyDocument: {
                Version: "2012-10-17",
                Statement: await scopedStatements(memberRoleActions(rules), "*"),
              },
            },
            {
              "Fn::If": [
                "SendsSecurityHubFindings",
                {
                  PolicyName: "ecr-access-rules-security-hub-findings",
                  PolicyDocument: {
                    Version: "2012-10-17",
                    Statement: [
                      {
                        Sid: "OwnFindings",
                        Effect: "Allow",
                        Action: "securityhub:BatchImportFindings",
                        Resource: {
                          "Fn::Sub":
                            // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax.
                            "arn:${AWS::Partition}:securityhub:*:${AWS::AccountId}:product/${AWS::AccountId}/default",
                        },
                      },
                    ],
                  },
                },
                { Ref: "AWS::NoValue" },
              ],
            },
          ],
        },
      },
    },
    Outputs: {
      ExecutionRoleArn: { Value: { "Fn::GetAtt": ["ExecutionRole", "Arn"] } },
    },
  };
}

const GENERATED =
  "Generated by scripts/generate-conformance-pack.ts from rules/*/rule.ts: do not edit, run `npm run update-conformance-pack`.";

const HEADERS: Readonly<Record<string, readonly string[]>> = {
  [PACK_FILE]: [
    GENERATED,
    "",
    "AWS Config conformance pack: one custom Lambda rule per ecr-access-rules rule. Each rule's function",
    "ARN is a parameter (<Rule>LambdaArn); each rule parameter is a pack parameter (<Rule><Parameter>),",
    "omitted from InputParameters when empty. The IAM rules deploy only in GlobalResourcesRegion.",
    "",
    "One account, one region:",
    "  aws configservice put-conformance-pack --conformance-pack-name cis-eks-5-1-2-ecr-access \\",
    "    --template-body file://conformance-packs/cis-eks-5-1-2-ecr-access.yaml \\",
    "    --conformance-pack-input-parameters ParameterName=EcrRepositoryPolicyTrustedLambdaArn,ParameterValue=arn:… …",
    "The functions need a permission for config.amazonaws.com (serverless.yml adds one for its own account).",
    "A whole organization: deploy/organization/.",
  ],
  [REMEDIATION_PACK_FILE]: [
    GENERATED,
    "",
    `${PACK_FILE} plus an AWS::Config::RemediationConfiguration for ${REMEDIATED_RULE}: an SSM`,
    "Automation document of deploy/remediation/ (deployed by serverless.yml in both modes) makes a",
    "NON_COMPLIANT repository's tags immutable and turns on its scan on push. Manual by default",
    "(RemediationAutomatic=false: Remediate in the Config console); configured only when",
    "RemediationAssumeRoleArn is given (the stack's RemediationRoleArn output). The policy rules get no",
    "automatic fix: a wrong fix to a policy locks people out; their annotations name the statement to change.",
    "",
    "  aws configservice put-conformance-pack --conformance-pack-name cis-eks-5-1-2-ecr-access \\",
    `    --template-body file://${REMEDIATION_PACK_FILE} \\`,
    "    --conformance-pack-input-parameters ParameterName=RemediationAssumeRoleArn,ParameterValue=arn:… …",
  ],
  [ORGANIZATION_PACK_FILE]: [
    GENERATED,
    "",
    "Deploys conformance-packs/cis-eks-5-1-2-ecr-access.yaml to every account of the organization.",
    "",
    "Why an organization conformance pack rather than organization custom rules",
    "(AWS::Config::OrganizationConfigRule with OrganizationCustomRuleMetadata):",
    "- one artifact: the organization deploys the very pack a single account deploys, with the same",
    "  parameters, conditions (IAM rules in one region only) and Fn::If omission of empty parameters;",
    "  organization custom rules would restate the four rules, with InputParameters as a hand-built JSON",
    "  string per rule, and the two definitions could drift;",
    "- one unit: one resource, one list of input parameters, one ExcludedAccounts, one deployment status",
    "  per account, and Config's conformance pack view (a compliance score per account);",
    "- both deploy the same AWS::Config::ConfigRule (CUSTOM_LAMBDA, same triggers) into each member, both",
    "  need the same invoke permissions and member role, and both rename the rule in member accounts",
    "  (Config adds a generated part to the name), so neither is better at run time.",
    "The pack goes in by TemplateS3Uri: a CloudFormation parameter value is limited to 4,096 bytes, too small",
    "for TemplateBody. The invoke permissions are another template (organization-invoke-permissions.yaml):",
    "they belong to the functions' account, which need not be the account that deploys the pack, and must",
    "exist before the pack (Config does not create a custom rule whose function it may not invoke).",
    "",
    "Deployment, in order:",
    "1. Central account (the functions' account): deploy serverless.yml in each region, with",
    "   executionRoleName set (their own roles then get sts:AssumeRole on that role name). The functions",
    "   assume the member role when their ASSUME_ROLE_NAME is set or when a rule gets executionRoleName",
    "   (this template's ExecutionRoleName, set by default). Note each stack's FunctionRoleArns output.",
    "2. Management account: StackSet of deploy/organization/member-execution-role.yaml (service-managed,",
    "   automatic deployment, one region) with CentralAccountId and CentralFunctionRoleArns (every",
    "   region's FunctionRoleArns, joined with commas); a service-managed StackSet skips the management",
    "   account: deploy it there as a stack too, or list it in ExcludedAccounts.",
    "3. Central account, each region: deploy/organization/organization-invoke-permissions.yaml.",
    "4. Upload the pack to S3, then deploy this template in the management account or Config's delegated",
    "   administrator (config-multiaccountsetup.amazonaws.com), in each region, with the functions' ARNs",
    "   of that region. Every member account needs a configuration recorder that records the rules'",
    "   resource types (IAM ones in GlobalResourcesRegion). The whole procedure: docs/deployment.md.",
  ],
  [INVOKE_PERMISSIONS_FILE]: [
    GENERATED,
    "",
    "Config in a member account invokes the central function as the service principal config.amazonaws.com,",
    "with aws:SourceAccount set to the member account. A grant with PrincipalOrgID (aws:PrincipalOrgID) does",
    "not fit: that key describes an IAM principal's organization and is absent when a service principal",
    "calls, so the grant would not match Config's calls; Lambda permissions take no aws:SourceOrgID. Hence one",
    "grant per function and member account, SourceAccount-restricted, generated by Fn::ForEach over",
    "MemberAccountIds (AWS::LanguageExtensions). Update the stack when accounts join the organization.",
    "A function policy is limited to 20 KB, roughly 60 such grants: beyond that, split the accounts over",
    "several deployments of the functions.",
  ],
  [MEMBER_ROLE_FILE]: [
    GENERATED,
    "",
    "StackSet template (deploy to every member account, one region): the role the functions assume.",
    "Trusted by exactly the central function roles in CentralFunctionRoleArns (the FunctionRoleArns output",
    "of the serverless.yml stack, every region), through the central account. Actions: config:PutEvaluations",
    "and config:GetResourceConfigHistory (every rule's runtime) plus the union of the rules' `permissions`",
    "(rules/*/rule.ts), all reads, on this account's resources where the action takes a resource type and",
    "on `*` where it takes none. The central functions' own roles need sts:AssumeRole on",
    "arn:<partition>:iam::*:role/<ExecutionRoleName> (serverless.yml executionRoleName). docs/deployment.md.",
  ],
};

/**
 * Renders a template as YAML, with a comment header.
 *
 * @example
 * renderTemplate(["hello"], { Resources: {} }); // "# hello\nResources: {}\n"
 */
export function renderTemplate(header: readonly string[], template: Template): string {
  const comments = header.map((line) => (line === "" ? "#" : `# ${line}`)).join("\n");
  const body = dump(template, { lineWidth: -1, noRefs: true, quoteStyle: "double" });
  return `${comments}\n${body}`;
}

/** Every generated file: its path (from the repository root) and its text. */
export async function generatedFiles(
  rules: readonly RuleDefinition[] = RULES,
): Promise<{ path: string; text: string }[]> {
  const templates: [string, Template][] = [
    [PACK_FILE, buildConformancePack(rules)],
    [REMEDIATION_PACK_FILE, buildRemediationPack(rules)],
    [ORGANIZATION_PACK_FILE, buildOrganizationConformancePack(rules)],
    [INVOKE_PERMISSIONS_FILE, buildInvokePermissions(rules)],
    [MEMBER_ROLE_FILE, await buildMemberExecutionRole(rules)],
  ];
  return templates.map(([path, template]) => ({
    path,
    text: renderTemplate(HEADERS[path] ?? [GENERATED], template),
  }));
}

/** Writes every generated file. Not top-level `await`: the tests import this module. */
async function main(): Promise<void> {
  const root = fileURLToPath(new URL("../", import.meta.url));
  for (const { path, text } of await generatedFiles()) {
    const target = `${root}${path}`;
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
    process.stdout.write(`wrote ${path} (${Buffer.byteLength(text)} bytes)\n`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
  });
}
