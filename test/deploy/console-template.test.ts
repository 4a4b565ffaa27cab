// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, on purpose.
/**
 * deploy/ecr-access-rules.yaml, the console template: generated from the rule definitions (the committed
 * file is what the generator writes now), valid against the CloudFormation resource specification, every
 * parameter described, labelled, grouped and constrained (the rule parameters' patterns agree with the
 * rules' own parser), and deployed as CloudFormation would deploy it — its conditions decided for a
 * region and parameter values — it creates per rule one function from the S3 code location, its log
 * group, its on-failure queue, and its Config rule in stack mode only.
 */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { RULES } from "../../rules/index.js";
import {
  buildConsoleTemplate,
  CONSOLE_TEMPLATE_FILE,
  consoleName,
  type ENTRY_PATTERNS,
  LOG_RETENTION_DAYS,
  listPattern,
  renderConsoleTemplate,
  toConsole,
} from "../../scripts/generate-console-template.js";
import { functionLogicalId, packParameters } from "../../scripts/generate-serverless-fragments.js";
import { type ParameterDefinition, parseParameters } from "../../shared/config/parameters.js";
import { parseCfnYaml } from "../support/cfn-yaml.js";
import { validateTemplate } from "../support/validate-template.js";

const root = new URL("../../", import.meta.url);
const text = readFileSync(new URL(CONSOLE_TEMPLATE_FILE, root), "utf8");

type Obj = Record<string, unknown>;
function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function obj(value: unknown, what: string): Obj {
  if (!isObj(value)) throw new Error(`${what}: not a mapping`);
  return value;
}
function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${what}: not a list`);
  return value;
}

const template = obj(parseCfnYaml(text, CONSOLE_TEMPLATE_FILE), "template");
const parameters = obj(template.Parameters, "Parameters");
const conditions = obj(template.Conditions, "Conditions");
const resources = obj(template.Resources, "Resources");

/** Each parameter's default, as a string (what a console user gets by not touching it). */
const DEFAULTS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(parameters).map(([name, p]) => [name, String(obj(p, name).Default ?? "")]),
);

interface Situation {
  readonly region: string;
  readonly values: Readonly<Record<string, string>>;
}

function operand(value: unknown, at: Situation): string {
  if (typeof value === "string") return value;
  const name = obj(value, "operand").Ref;
  if (name === "AWS::Region") return at.region;
  const given = typeof name === "string" ? at.values[name] : undefined;
  if (given === undefined) throw new Error(`no value for ${JSON.stringify(value)}`);
  return given;
}

function holds(expression: unknown, at: Situation): boolean {
  const e = obj(expression, "condition");
  const each = (key: string) => list(e[key], key);
  if (typeof e.Condition === "string") return holds(conditions[e.Condition], at);
  if ("Fn::Equals" in e) {
    const [a, b] = each("Fn::Equals");
    return operand(a, at) === operand(b, at);
  }
  if ("Fn::Not" in e) return !holds(each("Fn::Not")[0], at);
  if ("Fn::And" in e) return each("Fn::And").every((c) => holds(c, at));
  if ("Fn::Or" in e) return each("Fn::Or").some((c) => holds(c, at));
  throw new Error(`unknown condition ${JSON.stringify(e)}`);
}

const NO_VALUE = Symbol("AWS::NoValue");

/** A value with `Fn::If` decided, `AWS::NoValue` dropped, and `Ref`s to parameters replaced by values. */
function resolve(value: unknown, at: Situation): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, at)).filter((v) => v !== NO_VALUE);
  if (!isObj(value)) return value;
  if (value.Ref === "AWS::NoValue") return NO_VALUE;
  if (typeof value.Ref === "string" && value.Ref in at.values) return at.values[value.Ref];
  if (Array.isArray(value["Fn::If"])) {
    const [name, yes, no] = value["Fn::If"];
    return resolve(holds({ Condition: name }, at) ? yes : no, at);
  }
  const sub = value["Fn::Sub"];
  if (typeof sub === "string") {
    const substituted = sub.replace(
      /\$\{([A-Za-z0-9]+)\}/gu,
      (whole, name: string) => at.values[name] ?? whole,
    );
    return substituted.includes("${") ? { "Fn::Sub": substituted } : substituted;
  }
  const out: Obj = {};
  for (const [key, item] of Object.entries(value)) {
    const resolved = resolve(item, at);
    if (resolved !== NO_VALUE) out[key] = resolved;
  }
  return out;
}

/** The resources CloudFormation would create, by type, with resolved properties. */
function deployed(at: Situation): { id: string; type: string; properties: Obj }[] {
  return Object.entries(resources)
    .map(([id, r]) => ({ id, resource: obj(r, id) }))
    .filter(
      ({ resource }) =>
        typeof resource.Condition !== "string" || holds({ Condition: resource.Condition }, at),
    )
    .map(({ id, resource }) => ({
      id,
      type: String(resource.Type),
      properties: obj(resolve(resource.Properties ?? {}, at), id),
    }));
}

const at = (region: string, values: Readonly<Record<string, string>> = {}): Situation => ({
  region,
  values: { ...DEFAULTS, CodeS3Bucket: "acme-artifacts", ...values },
});
const ruleNames = (situation: Situation) =>
  deployed(situation)
    .filter((r) => r.type === "AWS::Config::ConfigRule")
    .map((r) => r.properties.ConfigRuleName);
const isGlobal = (rule: (typeof RULES)[number]) =>
  rule.resourceTypes.every((t) => t.startsWith("AWS::IAM::"));

describe(`console template ${CONSOLE_TEMPLATE_FILE}`, () => {
  it("is what the generator writes now (else: npm run update-console-template)", async () => {
    expect(text === (await renderConsoleTemplate()), `${CONSOLE_TEMPLATE_FILE} is stale`).to.equal(true);
  });

  it("validates against the CloudFormation resource specification and Config's enum values", () => {
    expect(validateTemplate(template)).to.deep.equal([]);
  });

  it("fits what CloudFormation takes from S3, and says in its Description what it deploys", () => {
    expect(Buffer.byteLength(text)).to.be.below(1024 * 1024);
    const description = String(template.Description);
    expect(Buffer.byteLength(description)).to.be.at.most(1024);
    expect(description).to.match(/CIS Amazon EKS Benchmark 5\.1\.2/u);
    for (const word of ["Lambda", "Config rules", "functions-only", "queue", "SSM"])
      expect(description, word).to.include(word);
  });

  describe("parameters", () => {
    const interfaceMetadata = obj(obj(template.Metadata, "Metadata")["AWS::CloudFormation::Interface"], "ui");
    const groups = list(interfaceMetadata.ParameterGroups, "ParameterGroups").map((g) => obj(g, "group"));
    const labels = obj(interfaceMetadata.ParameterLabels, "ParameterLabels");

    it("are each in exactly one group, with a label and a description", () => {
      const grouped = groups.flatMap((g) => list(g.Parameters, "group Parameters").map(String));
      expect([...grouped].sort()).to.deep.equal(Object.keys(parameters).sort());
      expect(new Set(grouped).size).to.equal(grouped.length);
      for (const group of groups)
        expect(obj(group.Label, "Label").default).to.be.a("string").and.not.equal("");
      for (const [name, definition] of Object.entries(parameters)) {
        expect(obj(labels[name], `label of ${name}`).default, name)
          .to.be.a("string")
          .and.not.equal("");
        expect(obj(definition, name).Description, name).to.be.a("string").and.have.length.above(20);
      }
    });

    it("are each constrained: AllowedValues, an AllowedPattern or a number range", () => {
      for (const [name, p] of Object.entries(parameters)) {
        const definition = obj(p, name);
        const constrained =
          Array.isArray(definition.AllowedValues) ||
          typeof definition.AllowedPattern === "string" ||
          (definition.MinValue !== undefined && definition.MaxValue !== undefined);
        expect(constrained, name).to.equal(true);
      }
    });

    it("hold every rule parameter once, with the rules that take it", () => {
      const expected = packParameters(RULES).map((p) => consoleName(p.name));
      const declared = Object.keys(parameters).filter((name) => expected.includes(name));
      expect(declared.sort()).to.deep.equal([...expected].sort());
      for (const parameter of packParameters(RULES)) {
        const description = String(obj(parameters[consoleName(parameter.name)], parameter.name).Description);
        for (const rule of RULES.filter((r) => r.parameters.some((p) => p.name === parameter.name)))
          expect(description, parameter.name).to.include(rule.name);
      }
    });

    it("takes the log retentions CloudWatch Logs accepts, and the deployment modes", () => {
      expect(obj(parameters.LogRetentionInDays, "LogRetentionInDays").AllowedValues).to.deep.equal([
        ...LOG_RETENTION_DAYS,
      ]);
      expect(obj(parameters.Mode, "Mode")).to.deep.include({
        Default: "stack",
        AllowedValues: ["stack", "functions-only"],
      });
      expect(obj(parameters.CodeS3Bucket, "CodeS3Bucket"), "the bucket must be given").not.to.have.property(
        "Default",
      );
    });

    // Values the rules accept, and values they refuse, per kind: the pattern must agree with the parser.
    const SAMPLES: Readonly<Record<keyof typeof ENTRY_PATTERNS, { good: string[]; bad: string[] }>> = {
      accountIds: {
        good: ["111122223333", "111122223333, 444455556666"],
        bad: ["1111", "11112222333a", "*"],
      },
      organizationIds: {
        good: ["o-a1b2c3d4e5", "o-a1b2c3d4e5,o-zzzzzzzzzz99"],
        bad: ["o-short", "a1b2c3d4e5"],
      },
      vpceIds: { good: ["vpce-0a1b2c3d", "vpce-0123456789abcdef0"], bad: ["vpce-xyz", "0a1b2c3d"] },
      principalArnGlobs: {
        good: [
          "arn:aws:iam::111122223333:role/ci-*",
          "arn:aws:iam::*:role/a,arn:aws:sts::111122223333:assumed-role/x/y",
        ],
        bad: ["role/ci-*", "arn:aws:s3:::bucket", "arn:aws:iam::111122223333"],
      },
      policyArnGlobs: {
        good: ["arn:aws:iam::*:policy/legacy-*", "arn:aws:iam::111122223333:policy/team/*"],
        bad: ["legacy-*", "arn:aws:s3::1:policy/x"],
      },
      actionGlobs: {
        good: ["ecr:TagResource,ecr:UntagResource", "ecr:Tag*", "*"],
        bad: ["ecr", "ecr:Put Image"],
      },
      oidcSubjectGlobs: {
        good: ["repo:acme/*", "repository=acme/*,repo:acme/app:ref:refs/heads/main"],
        bad: ["=x"],
      },
    };

    for (const [kind, { good, bad }] of Object.entries(SAMPLES)) {
      it(`accept for a ${kind} parameter what the rules accept, and refuse what they refuse`, () => {
        const parameter = packParameters(RULES).find((p) => p.kind === kind);
        if (parameter === undefined) throw new Error(`no rule parameter of kind ${kind}`);
        const pattern = String(obj(parameters[consoleName(parameter.name)], parameter.name).AllowedPattern);
        const allows = (value: string) => new RegExp(`^(?:${pattern})$`, "u").test(value);
        const parses = (value: string, definition: ParameterDefinition) => {
          try {
            parseParameters([definition], { [definition.name]: value });
            return true;
          } catch {
            return false;
          }
        };
        expect(allows(""), "empty: not set").to.equal(true);
        for (const value of good) {
          expect(parses(value, parameter), `the rules accept ${value}`).to.equal(true);
          expect(allows(value), `the template accepts ${value}`).to.equal(true);
        }
        for (const value of bad) {
          expect(parses(value, parameter), `the rules refuse ${value}`).to.equal(false);
          expect(allows(value), `the template refuses ${value}`).to.equal(false);
        }
      });
    }

    it("builds a list pattern that needs every entry to match", () => {
      const pattern = new RegExp(`^(?:${listPattern("[0-9]{3}")})$`, "u");
      expect(["", "123", "123,456", "123 , 456"].map((v) => pattern.test(v))).to.deep.equal([
        true,
        true,
        true,
        true,
      ]);
      expect(["12", "123,", "123,45", ",123"].map((v) => pattern.test(v))).to.deep.equal([
        false,
        false,
        false,
        false,
      ]);
    });
  });

  describe("toConsole", () => {
    it("makes a whole ${param:x} a Ref, a string holding some an Fn::Sub, and renames them inside Fn::Sub", () => {
      expect(
        toConsole({
          A: "${param:rulePrefix}",
          B: "${param:rulePrefix}rule-${sls:stage}",
          C: { "Fn::Sub": "arn:${AWS::Partition}:iam::*:role/${param:executionRoleName}" },
          D: ["plain", "${sls:stage}"],
        }),
      ).to.deep.equal({
        A: { Ref: "RulePrefix" },
        B: { "Fn::Sub": "${RulePrefix}rule-${Stage}" },
        C: { "Fn::Sub": "arn:${AWS::Partition}:iam::*:role/${ExecutionRoleName}" },
        D: ["plain", { Ref: "Stage" }],
      });
    });

    it("leaves no osls variable in the template", async () => {
      expect(JSON.stringify(await buildConsoleTemplate())).not.to.match(/\$\{(param|sls|self|opt):/u);
    });
  });

  describe("deployed", () => {
    it("creates each rule's Config rule once in stack mode (the IAM rules in the global resources region only), none in functions-only mode", () => {
      expect(ruleNames(at("us-east-1")).sort()).to.deep.equal(RULES.map((r) => r.name).sort());
      expect(ruleNames(at("eu-west-1")).sort()).to.deep.equal(
        RULES.filter((r) => !isGlobal(r))
          .map((r) => r.name)
          .sort(),
      );
      expect(
        ruleNames(at("eu-west-1", { GlobalResourcesRegion: "eu-west-1", RulePrefix: "acme-" })).sort(),
      ).to.deep.equal(RULES.map((r) => `acme-${r.name}`).sort());
      for (const region of ["us-east-1", "eu-west-1"])
        expect(ruleNames(at(region, { Mode: "functions-only" })), region).to.deep.equal([]);
    });

    it("keeps every other resource in functions-only mode", () => {
      for (const region of ["us-east-1", "eu-west-1"]) {
        const others = (situation: Situation) =>
          deployed(situation)
            .filter((r) => r.type !== "AWS::Config::ConfigRule")
            .map((r) => r.id)
            .sort();
        expect(others(at(region, { Mode: "functions-only" })), region).to.deep.equal(others(at(region)));
      }
    });

    it("runs each function from its zip in the code location, with its log group, retention and environment", () => {
      const situation = at("us-east-1", {
        CodeS3KeyPrefix: "ecr-access-rules/0.1.0/",
        LogRetentionInDays: "90",
        ExecutionRoleName: "ecr-access-rules-execution",
        SecurityHubFindings: "true",
        RulePrefix: "acme-",
      });
      const resourcesThere = deployed(situation);
      for (const rule of RULES) {
        const fn = resourcesThere.find((r) => r.id === functionLogicalId(rule.name));
        if (fn === undefined) throw new Error(`no function for ${rule.name}`);
        expect(fn.properties.Code, rule.name).to.deep.equal({
          S3Bucket: "acme-artifacts",
          S3Key: `ecr-access-rules/0.1.0/${rule.name}.zip`,
        });
        expect(fn.properties.Handler).to.equal(`rules/${rule.name}/handler.handler`);
        expect(fn.properties.Runtime).to.equal("nodejs22.x");
        expect(fn.properties.Environment).to.deep.equal({
          Variables: {
            ASSUME_ROLE_NAME: "ecr-access-rules-execution",
            GLOBAL_RESOURCES_REGION: "us-east-1",
            SECURITY_HUB_FINDINGS: "true",
          },
        });
        expect(fn.properties.ReservedConcurrentExecutions).to.equal("5");
        const logGroup = resourcesThere.find(
          (r) =>
            r.type === "AWS::Logs::LogGroup" &&
            r.id === `${functionLogicalId(rule.name).replace(/LambdaFunction$/u, "")}LogGroup`,
        );
        expect(logGroup?.properties).to.deep.equal({
          LogGroupName: `/aws/lambda/acme-${rule.name}`,
          RetentionInDays: "90",
        });
      }
    });

    it("sends each function's failed invocations to the queue after two retries, and reserves no concurrency when told", () => {
      const situation = at("us-east-1", { ReservedConcurrency: "" });
      const resourcesThere = deployed(situation);
      const configs = resourcesThere.filter((r) => r.type === "AWS::Lambda::EventInvokeConfig");
      expect(configs.map((c) => obj(c.properties.FunctionName, "FunctionName").Ref).sort()).to.deep.equal(
        RULES.map((r) => functionLogicalId(r.name)).sort(),
      );
      for (const config of configs) {
        expect(config.properties.MaximumRetryAttempts).to.equal(2);
        expect(config.properties.DestinationConfig).to.deep.equal({
          OnFailure: { Destination: { "Fn::GetAtt": ["FailedEvaluationsQueue", "Arn"] } },
        });
      }
      for (const fn of resourcesThere.filter((r) => r.type === "AWS::Lambda::Function"))
        expect(fn.properties, fn.id).not.to.have.property("ReservedConcurrentExecutions");
      const queue = resourcesThere.find((r) => r.id === "FailedEvaluationsQueue");
      expect(queue?.properties).to.deep.equal({
        QueueName: "ecr-access-rules-failed-evaluations-prod",
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 1_209_600,
      });
    });

    it("passes a rule parameter to every rule that takes it, only when set", () => {
      const values: Readonly<Record<string, string>> = {
        TrustedAccountIds: "111122223333",
        AllowTagExclusions: "true",
      };
      const rules = deployed(at("us-east-1", values)).filter((r) => r.type === "AWS::Config::ConfigRule");
      for (const rule of RULES) {
        const resource = rules.find((r) => r.properties.ConfigRuleName === rule.name);
        const wanted = Object.fromEntries(
          rule.parameters
            .filter((p) => consoleName(p.name) in values)
            .map((p) => [p.name, values[consoleName(p.name)]]),
        );
        expect(resource?.properties.InputParameters, rule.name).to.deep.equal(wanted);
      }
    });

    it("outputs each function's ARN under the name of the conformance pack's parameter", () => {
      const outputs = obj(template.Outputs, "Outputs");
      for (const rule of RULES) {
        const key = `${rule.name
          .split("-")
          .map((p) => `${p.charAt(0).toUpperCase()}${p.slice(1)}`)
          .join("")}LambdaArn`;
        expect(obj(outputs[key], key).Value, key).to.deep.equal({
          "Fn::GetAtt": [functionLogicalId(rule.name), "Arn"],
        });
      }
      for (const name of [
        "FailedEvaluationsQueueUrl",
        "FailedEvaluationsQueueArn",
        "FunctionRoleArns",
        "RemediationRoleArn",
      ])
        expect(outputs, name).to.have.property(name);
    });
  });

  it("derives each rule's triggers from its definition: a schedule of PeriodicFrequency exactly for the periodic ones", async () => {
    for (const rules of [RULES, RULES.map((rule) => ({ ...rule, periodic: true }))]) {
      const built = obj(await buildConsoleTemplate(rules), "template");
      const configRules = Object.values(obj(built.Resources, "Resources"))
        .map((r) => obj(r, "resource"))
        .filter((r) => r.Type === "AWS::Config::ConfigRule");
      expect(configRules).to.have.length(rules.length);
      for (const rule of rules) {
        const found = configRules.find(
          (r) =>
            JSON.stringify(obj(r.Properties, "Properties").ConfigRuleName) ===
            JSON.stringify({ "Fn::Sub": `\${RulePrefix}${rule.name}` }),
        );
        const details = list(
          obj(obj(found?.Properties, rule.name).Source, "Source").SourceDetails,
          "SourceDetails",
        );
        const scheduled = details
          .map((d) => obj(d, "detail"))
          .filter((d) => d.MessageType === "ScheduledNotification");
        expect(scheduled, rule.name).to.deep.equal(
          rule.periodic
            ? [
                {
                  EventSource: "aws.config",
                  MessageType: "ScheduledNotification",
                  MaximumExecutionFrequency: { Ref: "PeriodicFrequency" },
                },
              ]
            : [],
        );
      }
    }
  });

  it("uses every parameter it declares", () => {
    const referenced = new Set<string>();
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (isObj(value)) {
        if (typeof value.Ref === "string") referenced.add(value.Ref);
        Object.values(value).forEach(walk);
      }
    };
    walk(resources);
    walk(conditions);
    const unused = Object.keys(parameters).filter(
      (name) => !referenced.has(name) && !text.includes(`\${${name}}`),
    );
    expect(unused).to.deep.equal([]);
  });
});
