// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, on purpose.
/**
 * Remediation: the SSM Automation documents of deploy/remediation/ (their steps, parameters and
 * placeholders), the role the stacks give them (exactly their steps' actions, on this account's
 * repositories, assumed only by SSM for this account), and the remediation conformance pack (the pack
 * plus one `AWS::Config::RemediationConfiguration`, which passes exactly the parameters its document
 * takes and picks the document the rule's own parameters allow).
 */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { RULES } from "../../rules/index.js";
import {
  PACK_FILE,
  REMEDIATED_RULE,
  REMEDIATION_PACK_FILE,
  REMEDIATION_PARAMETERS,
  ruleKey,
  ruleParameter,
} from "../../scripts/generate-conformance-pack.js";
import { remediationDocuments, remediationRole } from "../../scripts/generate-serverless-fragments.js";
import {
  apiSteps,
  IMMUTABLE_DOCUMENT,
  INTEGRITY_DOCUMENT,
  REMEDIATION_DOCUMENTS,
  REMEDIATION_ROLE,
  readDocument,
  remediationActions,
  SCAN_ON_PUSH_DOCUMENT,
} from "../../scripts/remediation-documents.js";
import { parseCfnYaml } from "../support/cfn-yaml.js";

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
function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${what}: not a list`);
  return value;
}

/** Every `{{ name }}` placeholder in a value. */
function placeholders(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === "string")
    for (const m of value.matchAll(/\{\{\s*([\w.]+)\s*\}\}/gu)) into.add(m[1] ?? "");
  else if (Array.isArray(value)) for (const item of value) placeholders(item, into);
  else if (isObj(value)) for (const item of Object.values(value)) placeholders(item, into);
  return into;
}

/** A condition decided for parameter values, as CloudFormation would. */
function holds(conditions: Obj, expression: unknown, values: Readonly<Record<string, string>>): boolean {
  const e = obj(expression, "condition");
  const operand = (value: unknown): string => {
    if (typeof value === "string") return value;
    const name = obj(value, "operand").Ref;
    const given = typeof name === "string" ? values[name] : undefined;
    if (given === undefined) throw new Error(`no value for ${JSON.stringify(value)}`);
    return given;
  };
  const each = (key: string) => list(e[key], key);
  if (typeof e.Condition === "string") return holds(conditions, conditions[e.Condition], values);
  if ("Fn::Equals" in e) {
    const [a, b] = each("Fn::Equals");
    return operand(a) === operand(b);
  }
  if ("Fn::Not" in e) return !holds(conditions, each("Fn::Not")[0], values);
  if ("Fn::And" in e) return each("Fn::And").every((c) => holds(conditions, c, values));
  if ("Fn::Or" in e) return each("Fn::Or").some((c) => holds(conditions, c, values));
  throw new Error(`unknown condition ${JSON.stringify(e)}`);
}

/** A value with every `Fn::If` decided and every `Ref` to a parameter replaced by its value. */
function resolved(conditions: Obj, value: unknown, values: Readonly<Record<string, string>>): unknown {
  if (Array.isArray(value)) return value.map((item) => resolved(conditions, item, values));
  if (!isObj(value)) return value;
  if (Array.isArray(value["Fn::If"])) {
    const [name, yes, no] = value["Fn::If"];
    return resolved(conditions, holds(conditions, { Condition: name }, values) ? yes : no, values);
  }
  if (typeof value.Ref === "string" && value.Ref in values) return values[value.Ref];
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolved(conditions, v, values)]));
}

describe("remediation", () => {
  describe("the SSM Automation documents", () => {
    it("are the three documents, each an automation of schema 0.3 run as its AutomationAssumeRole", () => {
      expect(REMEDIATION_DOCUMENTS.map((d) => d.name)).to.deep.equal([
        IMMUTABLE_DOCUMENT,
        SCAN_ON_PUSH_DOCUMENT,
        INTEGRITY_DOCUMENT,
      ]);
      for (const { file } of REMEDIATION_DOCUMENTS) {
        const content = readDocument(file);
        expect(content.schemaVersion, file).to.equal("0.3");
        expect(content.assumeRole, file).to.equal("{{ AutomationAssumeRole }}");
        expect(content.description, file)
          .to.be.a("string")
          .and.match(/^### ecr-access-rules: /u);
        expect(Object.keys(obj(content.parameters, file)), file).to.deep.equal([
          "RepositoryName",
          "AutomationAssumeRole",
        ]);
      }
    });

    const STEPS: Readonly<Record<string, readonly [string, Obj][]>> = {
      [IMMUTABLE_DOCUMENT]: [
        [
          "ecr:PutImageTagMutability",
          { repositoryName: "{{ RepositoryName }}", imageTagMutability: "IMMUTABLE" },
        ],
      ],
      [SCAN_ON_PUSH_DOCUMENT]: [
        [
          "ecr:PutImageScanningConfiguration",
          { repositoryName: "{{ RepositoryName }}", imageScanningConfiguration: { scanOnPush: true } },
        ],
      ],
      [INTEGRITY_DOCUMENT]: [
        [
          "ecr:PutImageTagMutability",
          { repositoryName: "{{ RepositoryName }}", imageTagMutability: "IMMUTABLE" },
        ],
        [
          "ecr:PutImageScanningConfiguration",
          { repositoryName: "{{ RepositoryName }}", imageScanningConfiguration: { scanOnPush: true } },
        ],
      ],
    };

    for (const { file, name } of REMEDIATION_DOCUMENTS) {
      it(`${name} calls exactly its fixes, on the repository it is given, step after step to the end`, () => {
        const content = readDocument(file);
        const steps = apiSteps(content, file);
        expect(steps.map((s) => [s.action, s.inputs])).to.deep.equal(STEPS[name]);
        const raw = list(content.mainSteps, "mainSteps").map((s) => obj(s, "step"));
        raw.forEach((step, i) => {
          const next = raw[i + 1];
          if (next === undefined) expect(step.isEnd, `${step.name} ends the run`).to.equal(true);
          else expect(step.nextStep, `${step.name} goes on`).to.equal(next.name);
          expect(step.maxAttempts, String(step.name)).to.be.a("number").and.be.at.least(2);
        });
        const declared = Object.keys(obj(content.parameters, "parameters"));
        expect([...placeholders(content)].sort()).to.deep.equal([...declared].sort());
        const outputs = list(content.outputs, "outputs").map(String);
        for (const output of outputs) {
          const [step = "", value = ""] = output.split(".");
          const produced = raw.find((s) => s.name === step);
          const names = list(produced?.outputs, `${step}.outputs`).map((o) => obj(o, "output").Name);
          expect(names, output).to.include(value);
        }
      });
    }

    it("accepts as RepositoryName exactly ECR's repository names", () => {
      for (const { file } of REMEDIATION_DOCUMENTS) {
        const repositoryName = obj(obj(readDocument(file).parameters, "parameters").RepositoryName, "p");
        const pattern = new RegExp(String(repositoryName.allowedPattern), "u");
        for (const good of ["api", "team-a/api", "a/b/c.d_e-f", "x1"])
          expect(pattern.test(good), `${file} accepts ${good}`).to.equal(true);
        for (const bad of ["", "API", "team a", "-api", "api/", "/api", "a//b", "api;rm"])
          expect(pattern.test(bad), `${file} refuses ${JSON.stringify(bad)}`).to.equal(false);
      }
    });
  });

  describe("the remediation role (serverless.yml and the console template)", () => {
    it("is allowed exactly the documents' actions, on this account's repositories in this region", async () => {
      expect(remediationActions()).to.deep.equal([
        "ecr:PutImageScanningConfiguration",
        "ecr:PutImageTagMutability",
      ]);
      const role = obj((await remediationRole())[REMEDIATION_ROLE], "role");
      const properties = obj(role.Properties, "Properties");
      const policies = list(properties.Policies, "Policies");
      expect(policies).to.have.length(1);
      const statements = list(obj(obj(policies[0], "policy").PolicyDocument, "doc").Statement, "Statement");
      expect(statements).to.deep.equal([
        {
          Sid: "EcrRepositories",
          Effect: "Allow",
          Action: ["ecr:PutImageScanningConfiguration", "ecr:PutImageTagMutability"],
          Resource: [
            { "Fn::Sub": "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/*" },
          ],
        },
      ]);
    });

    it("can be assumed only by SSM Automation, for this account's executions", async () => {
      const role = obj((await remediationRole())[REMEDIATION_ROLE], "role");
      const trust = list(obj(obj(role.Properties, "P").AssumeRolePolicyDocument, "trust").Statement, "S");
      expect(trust).to.deep.equal([
        {
          Effect: "Allow",
          Principal: { Service: "ssm.amazonaws.com" },
          Action: "sts:AssumeRole",
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
      ]);
    });

    it("deploys each document as it is in deploy/remediation/, named with the rule prefix", () => {
      const resources = remediationDocuments();
      for (const { file, name, logicalId } of REMEDIATION_DOCUMENTS) {
        const properties = obj(obj(resources[logicalId], logicalId).Properties, "Properties");
        expect(properties.Name).to.equal(`\${param:rulePrefix}${name}`);
        expect(properties.DocumentType).to.equal("Automation");
        expect(properties.Content).to.deep.equal(readDocument(file));
      }
    });
  });

  describe(REMEDIATION_PACK_FILE, () => {
    const pack = obj(load(PACK_FILE), "pack");
    const template = obj(load(REMEDIATION_PACK_FILE), "template");
    const conditions = obj(template.Conditions, "Conditions");
    const parameters = obj(template.Parameters, "Parameters");
    const resources = obj(template.Resources, "Resources");
    const rule = RULES.find((r) => r.name === REMEDIATED_RULE);
    if (rule === undefined) throw new Error(`no rule ${REMEDIATED_RULE}`);
    const remediationId = `${ruleKey(rule)}Remediation`;
    const remediation = obj(resources[remediationId], remediationId);
    const properties = obj(remediation.Properties, "Properties");
    const exclusions = ruleParameter(rule, { name: "allowTagExclusions" });
    const scanning = ruleParameter(rule, { name: "requireScanning" });
    const P = REMEDIATION_PARAMETERS;
    const defaults = Object.fromEntries(
      Object.entries(parameters).map(([name, p]) => [name, String(obj(p, name).Default ?? "")]),
    );

    it("is the pack plus one remediation configuration and its parameters", () => {
      const { [remediationId]: _added, ...rest } = resources;
      expect(rest).to.deep.equal(pack.Resources);
      for (const [name, definition] of Object.entries(obj(pack.Parameters, "pack Parameters")))
        expect(parameters[name], name).to.deep.equal(definition);
      expect(
        Object.keys(parameters)
          .filter((name) => !(name in obj(pack.Parameters, "p")))
          .sort(),
      ).to.deep.equal(Object.values(P).sort());
    });

    it("remediates the repositories of ecr-repository-image-integrity, after the rule exists", () => {
      expect(remediation.Type).to.equal("AWS::Config::RemediationConfiguration");
      expect(remediation.DependsOn).to.equal(ruleKey(rule));
      expect(properties.ConfigRuleName).to.equal(REMEDIATED_RULE);
      expect(properties.ResourceType).to.equal("AWS::ECR::Repository");
      expect(properties.TargetType).to.equal("SSM_DOCUMENT");
    });

    it("is manual unless RemediationAutomatic is true", () => {
      expect(properties.Automatic).to.deep.equal({ Ref: P.automatic });
      expect(obj(parameters[P.automatic], P.automatic)).to.deep.include({
        Default: "false",
        AllowedValues: ["false", "true"],
      });
    });

    it("passes exactly the parameters each document takes: the repository's name and the role", () => {
      expect(properties.Parameters).to.deep.equal({
        AutomationAssumeRole: { StaticValue: { Values: [{ Ref: P.role }] } },
        RepositoryName: { ResourceValue: { Value: "RESOURCE_ID" } },
      });
      for (const { file } of REMEDIATION_DOCUMENTS) {
        const taken = Object.keys(obj(readDocument(file).parameters, file)).sort();
        expect(Object.keys(obj(properties.Parameters, "Parameters")).sort(), file).to.deep.equal(taken);
      }
    });

    // What Config would run, by the rule's own parameters and whether a role is given.
    const CASES: readonly {
      role: string;
      exclusions: string;
      scanning: string;
      target: string | undefined;
    }[] = [
      { role: "", exclusions: "false", scanning: "true", target: undefined },
      {
        role: "arn:aws:iam::111122223333:role/r",
        exclusions: "false",
        scanning: "true",
        target: INTEGRITY_DOCUMENT,
      },
      { role: "arn:aws:iam::111122223333:role/r", exclusions: "", scanning: "", target: INTEGRITY_DOCUMENT },
      {
        role: "arn:aws:iam::111122223333:role/r",
        exclusions: "true",
        scanning: "true",
        target: SCAN_ON_PUSH_DOCUMENT,
      },
      {
        role: "arn:aws:iam::111122223333:role/r",
        exclusions: "false",
        scanning: "false",
        target: IMMUTABLE_DOCUMENT,
      },
      { role: "arn:aws:iam::111122223333:role/r", exclusions: "true", scanning: "false", target: undefined },
    ];
    for (const { role, exclusions: allow, scanning: require, target } of CASES) {
      it(`runs ${target ?? "nothing"} with role ${role || "empty"}, allowTagExclusions "${allow}", requireScanning "${require}"`, () => {
        const values = { ...defaults, [P.role]: role, [exclusions]: allow, [scanning]: require };
        const condition = String(remediation.Condition);
        expect(holds(conditions, { Condition: condition }, values)).to.equal(target !== undefined);
        if (target !== undefined) expect(resolved(conditions, properties.TargetId, values)).to.equal(target);
      });
    }

    it("accepts a document's name or a shared document's ARN, and a role ARN or nothing", () => {
      const allows = (name: string, value: string) =>
        new RegExp(`^(?:${String(obj(parameters[name], name).AllowedPattern)})$`, "u").test(value);
      for (const name of [P.integrityDocument, P.scanOnPushDocument, P.immutableDocument]) {
        expect(allows(name, String(defaults[name])), name).to.equal(true);
        expect(
          allows(name, "arn:aws:ssm:eu-west-1:111122223333:document/acme-EcrAccessRules-X"),
          name,
        ).to.equal(true);
        for (const bad of ["", "a", "doc name", "arn:aws:ssm:eu-west-1:1:document/x"])
          expect(allows(name, bad), `${name} refuses ${bad}`).to.equal(false);
      }
      expect(allows(P.role, "")).to.equal(true);
      expect(
        allows(P.role, "arn:aws:iam::111122223333:role/ecr-access-rules/remediation-us-east-1"),
      ).to.equal(true);
      expect(allows(P.role, "arn:aws:iam::111122223333:user/alice")).to.equal(false);
    });
  });
});
