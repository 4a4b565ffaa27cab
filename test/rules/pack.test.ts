/**
 * One rule, one folder, one name (DESIGN house rule 1): the folder, `rule.name`, the handler module and
 * the README title agree, and every rule is registered.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { expect } from "chai";
import { RULES } from "../../rules/index.js";
import { EXECUTION_ROLE_NAME } from "../../shared/config/parameters.js";

const rulesDir = new URL("../../rules/", import.meta.url);
const folders = readdirSync(rulesDir).filter((name) => statSync(new URL(name, rulesDir)).isDirectory());

describe("the rule pack", () => {
  it("registers exactly the rule folders", () => {
    expect(RULES.map((rule) => rule.name).sort()).to.deep.equal([...folders].sort());
  });

  for (const folder of folders) {
    describe(folder, () => {
      const rule = RULES.find((r) => r.name === folder);

      it("has rule.ts, handler.ts and README.md", () => {
        for (const file of ["rule.ts", "handler.ts", "README.md"]) {
          expect(existsSync(new URL(`${folder}/${file}`, rulesDir)), file).to.equal(true);
        }
      });

      it("names the rule as its folder, within Config's 64 characters", () => {
        expect(rule?.name).to.equal(folder);
        expect(folder.length).to.be.at.most(64);
        expect(folder).to.match(/^[a-z0-9-]+$/u);
      });

      it("exports a handler built from its rule", async () => {
        const module: { handler?: unknown } = await import(`../../rules/${folder}/handler.js`);
        expect(module.handler).to.be.a("function");
      });

      it("has a README titled with the rule name that documents every parameter", () => {
        const readme = readFileSync(new URL(`${folder}/README.md`, rulesDir), "utf8");
        expect(readme.split("\n")[0]).to.equal(`# ${folder}`);
        for (const parameter of [...(rule?.parameters ?? []), EXECUTION_ROLE_NAME]) {
          expect(readme, parameter.name).to.include(`\`${parameter.name}\``);
        }
      });

      it("keeps rule.ts pure: no AWS SDK import, no process.env, no clock", () => {
        const source = readFileSync(new URL(`${folder}/rule.ts`, rulesDir), "utf8");
        expect(source).to.not.match(/@aws-sdk\//u);
        expect(source).to.not.match(/process\.env/u);
        expect(source).to.not.match(/new Date\(\)|Date\.now\(\)/u);
      });
    });
  }
});

describe("rule definitions", () => {
  for (const rule of RULES) {
    it(`${rule.name} has a description within Config's 256 characters`, () => {
      expect(rule.description.length).to.be.within(1, 256);
    });
  }
});
