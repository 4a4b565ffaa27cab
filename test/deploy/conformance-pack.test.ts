/**
 * The conformance pack (conformance-packs/cis-eks-5-1-2-ecr-access.yaml) and the organization templates are
 * generated from the rules' definitions: the committed files are what the generator produces now, the pack
 * fits Config's limits, and every rule parameter reaches its rule through a pack parameter.
 */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { RULES } from "../../rules/index.js";
import {
  CONFIG_RULE_DESCRIPTION_LIMIT,
  EXECUTION_ROLE_PARAMETER,
  frequencyParameter,
  GLOBAL_REGION_PARAMETER,
  generatedFiles,
  INVOKE_PERMISSIONS_FILE,
  isGlobalResourceRule,
  lambdaArnParameter,
  MEMBER_ROLE_FILE,
  ORGANIZATION_PACK_FILE,
  PACK_FILE,
  REMEDIATION_PACK_FILE,
  ruleKey,
  ruleParameter,
} from "../../scripts/generate-conformance-pack.js";
import { parseCfnYaml } from "../support/cfn-yaml.js";
import { CONFORMANCE_PACK_LIMITS } from "../support/validate-template.js";

const root = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");

type Obj = Record<string, unknown>;
function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function obj(value: unknown, what: string): Obj {
  if (!isObj(value)) throw new Error(`${what}: not a mapping`);
  return value;
}

/** Every name a `Ref` (or `Fn::Sub`) in the value refers to. */
function referencedNames(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const element of value) referencedNames(element, into);
  else if (isObj(value)) {
    for (const [key, element] of Object.entries(value)) {
      if (key === "Ref" && typeof element === "string") into.add(element);
      else if (key === "Fn::Sub") {
        const text = Array.isArray(element) ? element[0] : element;
        if (typeof text === "string")
          for (const match of text.matchAll(/\$\{([^}!.]+)\}/gu)) into.add(match[1] ?? "");
        referencedNames(element, into);
      } else referencedNames(element, into);
    }
  }
  return into;
}

/** A parameter's AllowedPattern as CloudFormation applies it: to the whole value. */
function allows(parameter: Obj, value: string): boolean {
  const pattern = parameter.AllowedPattern;
  return typeof pattern !== "string" || new RegExp(`^(?:${pattern})$`, "u").test(value);
}

/** A condition of the pack decided for one region and parameter values, as CloudFormation would. */
function holds(expression: unknown, region: string, values: Readonly<Record<string, string>>): boolean {
  const e = obj(expression, "condition");
  const operand = (value: unknown): string => {
    if (typeof value === "string") return value;
    const name = obj(value, "operand").Ref;
    if (name === "AWS::Region") return region;
    const given = typeof name === "string" ? values[name] : undefined;
    if (given === undefined) throw new Error(`no value for ${JSON.stringify(value)}`);
    return given;
  };
  const each = (key: string) => (Array.isArray(e[key]) ? e[key] : []);
  if (typeof e.Condition === "string")
    return holds(obj(pack.Conditions, "Conditions")[e.Condition], region, values);
  if ("Fn::Equals" in e) {
    const [a, b] = each("Fn::Equals");
    return operand(a) === operand(b);
  }
  if ("Fn::Not" in e) return !holds(each("Fn::Not")[0], region, values);
  if ("Fn::And" in e) return each("Fn::And").every((c) => holds(c, region, values));
  if ("Fn::Or" in e) return each("Fn::Or").some((c) => holds(c, region, values));
  throw new Error(`unknown condition ${JSON.stringify(e)}`);
}

const GENERATED_FILES = [
  PACK_FILE,
  REMEDIATION_PACK_FILE,
  ORGANIZATION_PACK_FILE,
  INVOKE_PERMISSIONS_FILE,
  MEMBER_ROLE_FILE,
];
const packText = read(PACK_FILE);
const pack = obj(parseCfnYaml(packText, PACK_FILE), PACK_FILE);
const parameters = obj(pack.Parameters, "Parameters");
const resources = obj(pack.Resources, "Resources");

describe("conformance pack", () => {
  describe("generated files", () => {
    let generated: ReadonlyMap<string, string>;
    before(async () => {
      generated = new Map((await generatedFiles()).map(({ path, text }) => [path, text]));
    });

    it("are the five templates", () => {
      expect([...generated.keys()]).to.deep.equal(GENERATED_FILES);
    });

    for (const path of GENERATED_FILES) {
      it(`${path} is up to date (else: npm run update-conformance-pack)`, () => {
        const text = generated.get(path);
        expect(read(path) === text, `${path} differs from what the generator produces`).to.equal(true);
      });
    }
  });

  describe("Config's limits", () => {
    it(`the template body is at most ${CONFORMANCE_PACK_LIMITS.templateBodyBytes} bytes, with remediation too`, () => {
      for (const path of [PACK_FILE, REMEDIATION_PACK_FILE])
        expect(Buffer.byteLength(read(path)), path).to.be.at.most(CONFORMANCE_PACK_LIMITS.templateBodyBytes);
    });

    it(`has at most ${CONFORMANCE_PACK_LIMITS.parameters} parameters, with remediation too`, () => {
      for (const path of [PACK_FILE, REMEDIATION_PACK_FILE]) {
        const declared = obj(obj(parseCfnYaml(read(path), path), path).Parameters, "Parameters");
        expect(Object.keys(declared).length, path).to.be.at.most(CONFORMANCE_PACK_LIMITS.parameters);
      }
    });

    it("holds Config rules only, each description within Config's 256 characters", () => {
      for (const [name, resource] of Object.entries(resources)) {
        const { Type, Properties } = obj(resource, name);
        expect(Type, name).to.equal("AWS::Config::ConfigRule");
        const description = obj(Properties, name).Description;
        expect(description, name).to.be.a("string");
        expect(String(description).length, name).to.be.at.most(CONFIG_RULE_DESCRIPTION_LIMIT);
      }
    });

    it("declares every parameter as a String, as Config passes them", () => {
      for (const [name, parameter] of Object.entries(parameters))
        expect(obj(parameter, name).Type, name).to.equal("String");
    });
  });

  describe("parameters", () => {
    const used = referencedNames({ Conditions: pack.Conditions, Resources: pack.Resources });

    it("uses every pack parameter", () => {
      expect(Object.keys(parameters).filter((name) => !used.has(name))).to.deep.equal([]);
    });

    it("declares every parameter it uses", () => {
      const declared = new Set([...Object.keys(parameters), "AWS::NoValue", "AWS::Region"]);
      expect([...used].filter((name) => !declared.has(name))).to.deep.equal([]);
    });

    it("has exactly one pack parameter per rule parameter, plus the functions, frequencies and shared ones", () => {
      const expected = [
        EXECUTION_ROLE_PARAMETER,
        GLOBAL_REGION_PARAMETER,
        ...RULES.flatMap((rule) => [
          lambdaArnParameter(rule),
          ...(rule.periodic ? [frequencyParameter(rule)] : []),
          ...rule.parameters.map((parameter) => ruleParameter(rule, parameter)),
        ]),
      ];
      expect(Object.keys(parameters).sort()).to.deep.equal([...expected].sort());
    });

    it(`defaults ${GLOBAL_REGION_PARAMETER} to a region and rejects an empty one`, () => {
      const declared = obj(parameters[GLOBAL_REGION_PARAMETER], GLOBAL_REGION_PARAMETER);
      expect(declared.Default).to.equal("us-east-1");
      for (const region of ["us-east-1", "eu-west-1", "ap-southeast-2", "us-gov-west-1", "eusc-de-east-1"])
        expect(allows(declared, region), region).to.equal(true);
      for (const value of ["", " ", "us-east-1,eu-west-1", "*", "us-east-*", "US-EAST-1", "us-east"])
        expect(allows(declared, value), JSON.stringify(value)).to.equal(false);
    });

    it("defaults a boolean to the rule's default and anything else to empty", () => {
      for (const rule of RULES) {
        for (const parameter of rule.parameters) {
          const declared = obj(parameters[ruleParameter(rule, parameter)], parameter.name);
          expect(declared.Default, `${rule.name} ${parameter.name}`).to.equal(
            parameter.kind === "boolean" ? String(parameter.defaultValue ?? false) : "",
          );
        }
      }
    });
  });

  for (const rule of RULES) {
    describe(rule.name, () => {
      const resource = obj(resources[ruleKey(rule)], rule.name);
      const properties = obj(resource.Properties, "Properties");
      const source = obj(properties.Source, "Source");
      const details = Array.isArray(source.SourceDetails)
        ? source.SourceDetails.map((d) => obj(d, "detail"))
        : [];
      const inputs = obj(properties.InputParameters, "InputParameters");

      it("is a custom Lambda rule named after the rule, on the function's ARN parameter", () => {
        expect(properties.ConfigRuleName).to.equal(rule.name);
        expect(source.Owner).to.equal("CUSTOM_LAMBDA");
        expect(source.SourceIdentifier).to.deep.equal({ Ref: lambdaArnParameter(rule) });
      });

      it("scopes the rule's resource types", () => {
        expect(properties.Scope).to.deep.equal({ ComplianceResourceTypes: [...rule.resourceTypes] });
      });

      it(`runs on both change message types${rule.periodic ? " and on a schedule" : " only"}`, () => {
        expect(details.map((detail) => detail.MessageType)).to.deep.equal([
          "ConfigurationItemChangeNotification",
          "OversizedConfigurationItemChangeNotification",
          ...(rule.periodic ? ["ScheduledNotification"] : []),
        ]);
        for (const detail of details) expect(detail.EventSource).to.equal("aws.config");
        const scheduled = details.find((detail) => detail.MessageType === "ScheduledNotification");
        if (rule.periodic)
          expect(scheduled?.MaximumExecutionFrequency).to.deep.equal({ Ref: frequencyParameter(rule) });
      });

      it("passes each of its parameters, and executionRoleName, only when set", () => {
        expect(Object.keys(inputs)).to.deep.equal([
          ...rule.parameters.map((p) => p.name),
          "executionRoleName",
        ]);
        for (const parameter of rule.parameters) {
          const name = ruleParameter(rule, parameter);
          expect(inputs[parameter.name], parameter.name).to.deep.equal({
            "Fn::If": [`Has${name}`, { Ref: name }, { Ref: "AWS::NoValue" }],
          });
          expect(obj(pack.Conditions, "Conditions")[`Has${name}`]).to.deep.equal({
            "Fn::Not": [{ "Fn::Equals": [{ Ref: name }, ""] }],
          });
        }
      });

      it(
        isGlobalResourceRule(rule)
          ? `deploys only in the ${GLOBAL_REGION_PARAMETER} region, with its default too, and only with a function`
          : "deploys in every region",
        () => {
          if (!isGlobalResourceRule(rule)) {
            expect(resource).not.to.have.property("Condition");
            return;
          }
          const condition = resource.Condition;
          expect(condition).to.be.a("string");
          const defaultRegion = String(obj(parameters[GLOBAL_REGION_PARAMETER], "region").Default);
          const arn = `arn:aws:lambda:us-east-1:111122223333:function:${rule.name}`;
          const cases = [
            { region: defaultRegion, global: defaultRegion, fn: arn, deployed: true },
            { region: "eu-west-1", global: defaultRegion, fn: arn, deployed: false },
            { region: "eu-west-1", global: "eu-west-1", fn: arn, deployed: true },
            { region: defaultRegion, global: "eu-west-1", fn: arn, deployed: false },
            { region: defaultRegion, global: defaultRegion, fn: "", deployed: false },
          ];
          for (const { region, global, fn, deployed } of cases) {
            const values = { [GLOBAL_REGION_PARAMETER]: global, [lambdaArnParameter(rule)]: fn };
            const what = `in ${region} with ${GLOBAL_REGION_PARAMETER}=${global}, function ${fn || "empty"}`;
            expect(holds({ Condition: condition }, region, values), what).to.equal(deployed);
          }
        },
      );
    });
  }
});
