/**
 * What the deployment's users check before they deploy it, over every generated template (the serverless
 * fragments, the console template, the conformance packs, the organization templates): no IAM statement
 * allows `*` or `service:*` (nor uses NotAction); every queue is encrypted; every function of the console
 * template has a reserved concurrency (a parameter) and a log group with a retention; and each way of
 * deploying that the documentation describes declares each Config rule once.
 */
import { readdirSync, readFileSync } from "node:fs";
import { expect } from "chai";
import { RULES } from "../../rules/index.js";
import {
  ORGANIZATION_PACK_FILE,
  PACK_FILE,
  REMEDIATION_PACK_FILE,
} from "../../scripts/generate-conformance-pack.js";
import {
  CONSOLE_TEMPLATE_FILE,
  CREATES_GLOBAL_RULES_CONDITION,
  CREATES_RULES_CONDITION,
} from "../../scripts/generate-console-template.js";
import { type Mode, modeFragment } from "../../scripts/generate-serverless-fragments.js";
import { parseCfnYaml } from "../support/cfn-yaml.js";

const root = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");
const load = (path: string) => parseCfnYaml(read(path), path);

type Obj = Record<string, unknown>;
function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function obj(value: unknown, what: string): Obj {
  if (!isObj(value)) throw new Error(`${what}: not a mapping`);
  return value;
}

/** Every generated template of the repository (the SSM documents of deploy/remediation/ are not templates). */
const TEMPLATES = [
  ...["deploy/serverless/", "deploy/organization/", "conformance-packs/"].flatMap((folder) =>
    readdirSync(new URL(folder, root))
      .filter((file) => /\.ya?ml$/u.test(file))
      .map((file) => `${folder}${file}`),
  ),
  CONSOLE_TEMPLATE_FILE,
];

/** The statements of every policy document in a value, both branches of an `Fn::If` around a statement. */
function statements(value: unknown, path: string): { path: string; statement: Obj }[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => statements(item, `${path}[${i}]`));
  if (!isObj(value)) return [];
  const own: { path: string; statement: Obj }[] = [];
  if (Array.isArray(value.Statement)) {
    value.Statement.forEach((item: unknown, i: number) => {
      const at = `${path}.Statement[${i}]`;
      const branches = isObj(item) && Array.isArray(item["Fn::If"]) ? item["Fn::If"].slice(1) : [item];
      for (const branch of branches) {
        if (isObj(branch) && branch.Ref !== "AWS::NoValue") own.push({ path: at, statement: branch });
      }
    });
  }
  const nested = Object.entries(value)
    .filter(([key]) => key !== "Statement")
    .flatMap(([key, item]) => statements(item, `${path}.${key}`));
  return [...own, ...nested];
}

function resourcesOf(path: string): [string, Obj][] {
  const template = obj(load(path), path);
  if (template.Resources === undefined) return [];
  // Fn::ForEach loops (the organization's invoke permissions) hold no queue, function or Config rule.
  return Object.entries(obj(template.Resources, `${path} Resources`))
    .filter(([id]) => !id.startsWith("Fn::ForEach::"))
    .map(([id, r]) => [id, obj(r, id)]);
}

describe("deployment: the checks its users run", () => {
  it("walks every generated template", () => {
    expect(TEMPLATES).to.include.members([
      "deploy/serverless/resources.yml",
      CONSOLE_TEMPLATE_FILE,
      PACK_FILE,
      REMEDIATION_PACK_FILE,
      ORGANIZATION_PACK_FILE,
    ]);
  });

  for (const path of TEMPLATES) {
    it(`${path}: allows no \`*\` or \`service:*\` action, and uses no NotAction`, () => {
      const found = statements(load(path), path);
      if (path.endsWith("resources.yml") || path === CONSOLE_TEMPLATE_FILE)
        expect(found.length, "the roles' statements are found").to.be.above(RULES.length);
      for (const { path: at, statement } of found) {
        expect(statement, at).not.to.have.property("NotAction");
        if (statement.Effect !== "Allow") continue;
        const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
        for (const action of actions) {
          expect(action, at).to.be.a("string");
          expect(String(action), at).not.to.match(/^(\*|[^:]+:\*)$/u);
        }
      }
    });
  }

  it("catches a wildcard action where it hides (an Fn::If branch)", () => {
    const sneaky = {
      Statement: [
        { "Fn::If": ["C", { Effect: "Allow", Action: "ecr:*", Resource: "*" }, { Ref: "AWS::NoValue" }] },
      ],
    };
    expect(statements(sneaky, "x").map((s) => s.statement.Action)).to.deep.equal(["ecr:*"]);
  });

  it("encrypts every queue", () => {
    const queues = TEMPLATES.flatMap((path) =>
      resourcesOf(path)
        .filter(([, r]) => r.Type === "AWS::SQS::Queue")
        .map(([id, r]) => ({ at: `${path} ${id}`, properties: obj(r.Properties, id) })),
    );
    expect(queues.map((q) => q.at)).to.deep.equal([
      "deploy/serverless/resources.yml FailedEvaluationsQueue",
      `${CONSOLE_TEMPLATE_FILE} FailedEvaluationsQueue`,
    ]);
    for (const { at, properties } of queues) {
      const encrypted = properties.SqsManagedSseEnabled === true || properties.KmsMasterKeyId !== undefined;
      expect(encrypted, at).to.equal(true);
    }
  });

  it("gives every function of the console template a reserved concurrency parameter and a log group with a retention", () => {
    const resources = resourcesOf(CONSOLE_TEMPLATE_FILE);
    const functions = resources.filter(([, r]) => r.Type === "AWS::Lambda::Function");
    expect(functions).to.have.length(RULES.length);
    for (const [id, fn] of functions) {
      const properties = obj(fn.Properties, id);
      expect(properties.ReservedConcurrentExecutions, id).to.deep.equal({
        "Fn::If": ["HasReservedConcurrency", { Ref: "ReservedConcurrency" }, { Ref: "AWS::NoValue" }],
      });
      const logGroup = resources.find(([other]) => other === id.replace(/LambdaFunction$/u, "LogGroup"));
      expect(obj(logGroup?.[1].Properties, `${id} log group`).RetentionInDays, id).to.deep.equal({
        Ref: "LogRetentionInDays",
      });
    }
  });

  describe("each way of deploying declares each Config rule once", () => {
    const names = (path: string, accept: (resource: Obj) => boolean = () => true): string[] =>
      resourcesOf(path)
        .filter(([, r]) => r.Type === "AWS::Config::ConfigRule" && accept(r))
        .map(([id, r]) => {
          const name = obj(r.Properties, id).ConfigRuleName;
          const text = isObj(name) ? String(name["Fn::Sub"]) : String(name);
          return text.replace(/^\$\{(param:rulePrefix|RulePrefix)\}/u, "");
        });
    const mode = (m: Mode) => names(modeFragment(m));
    const inStackMode = (r: Obj) =>
      r.Condition === CREATES_RULES_CONDITION || r.Condition === CREATES_GLOBAL_RULES_CONDITION;
    const consoleIn = (m: Mode) => (m === "stack" ? names(CONSOLE_TEMPLATE_FILE, inStackMode) : []);

    it("creates a Config rule in the console template only in stack mode", () => {
      expect(names(CONSOLE_TEMPLATE_FILE).length).to.equal(RULES.length);
      expect(names(CONSOLE_TEMPLATE_FILE, (r) => !inStackMode(r))).to.deep.equal([]);
    });

    const PATHS: Readonly<Record<string, () => string[]>> = {
      "serverless.yml (stack)": () => mode("stack"),
      "serverless.yml --param mode=functions-only, then the conformance pack": () => [
        ...mode("functions-only"),
        ...names(PACK_FILE),
      ],
      "serverless.yml --param mode=functions-only, then the remediation pack": () => [
        ...mode("functions-only"),
        ...names(REMEDIATION_PACK_FILE),
      ],
      "the console template (Mode stack)": () => consoleIn("stack"),
      "the console template (Mode functions-only), then the conformance pack": () => [
        ...consoleIn("functions-only"),
        ...names(PACK_FILE),
      ],
    };
    for (const [path, declared] of Object.entries(PATHS)) {
      it(path, () => {
        expect(declared().sort()).to.deep.equal(RULES.map((r) => r.name).sort());
      });
    }

    it("would declare each twice with the stack in stack mode and the pack: the path the documentation must not take", () => {
      const both = [...mode("stack"), ...names(PACK_FILE)];
      expect(both.length).to.equal(2 * RULES.length);
    });
  });
});

/** The shell commands of a markdown section's code blocks, continuation lines joined. */
function commands(section: string): string[] {
  const blocks = [...section.matchAll(/```(?:sh|bash)?\n([\s\S]*?)```/gu)].map((m) => m[1] ?? "");
  return blocks.flatMap((block) =>
    block
      .replace(/\s*\\\n\s*/gu, " ")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== ""),
  );
}

/** A markdown file cut at every heading: each section's heading and text. */
function sections(markdown: string): { heading: string; text: string }[] {
  const parts = markdown.split(/^(?=#{1,6} )/mu);
  return parts.map((part) => ({ heading: part.split("\n")[0] ?? "", text: part }));
}

describe("deployment: the documented commands", () => {
  for (const file of ["README.md", "docs/deployment.md"]) {
    it(`${file}: deploys the functions in functions-only mode wherever a section also deploys a pack`, () => {
      let packSections = 0;
      for (const { heading, text } of sections(read(file))) {
        const lines = commands(text);
        const deploysPack = lines.some((line) =>
          /put-conformance-pack|put-organization-conformance-pack|organization-conformance-pack\.yaml/u.test(
            line,
          ),
        );
        if (!deploysPack) continue;
        packSections += 1;
        for (const line of lines.filter((l) => /serverless deploy/u.test(l)))
          expect(line, `${file} ${heading}`).to.include("--param mode=functions-only");
        for (const line of lines.filter((l) => /cloudformation deploy.*ecr-access-rules\.yaml/u.test(l)))
          expect(line, `${file} ${heading}`).to.include("Mode=functions-only");
      }
      expect(packSections, `${file} shows how to deploy a pack`).to.be.above(0);
    });
  }

  it("would catch a section that deploys the stack with its rules and a pack", () => {
    const bad =
      "## Both\n\n```sh\nnpx serverless deploy --region us-east-1\naws configservice put-conformance-pack \\\n  --template-body x\n```\n";
    const [section] = sections(bad).filter((s) => s.heading.startsWith("## "));
    const lines = commands(section?.text ?? "");
    expect(lines).to.deep.equal([
      "npx serverless deploy --region us-east-1",
      "aws configservice put-conformance-pack --template-body x",
    ]);
    expect(
      lines.filter((l) => /serverless deploy/u.test(l) && !l.includes("mode=functions-only")),
    ).to.have.length(1);
  });
});
