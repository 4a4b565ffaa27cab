/**
 * Each rule README's header block is what `scripts/generate-rule-readmes.ts` makes of the rule's
 * definition data (severity, control, resource types, triggers, remediation): a change to rule.ts that is
 * not regenerated fails here.
 */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { RULES } from "../../rules/index.js";
import {
  HEADER_BEGIN,
  HEADER_END,
  readmeOf,
  ruleHeader,
  withHeader,
} from "../../scripts/generate-rule-readmes.js";

describe("rule README header blocks", () => {
  for (const rule of RULES) {
    it(`${rule.name}: the header block is up to date (else: npm run update-rule-readmes)`, () => {
      const readme = readFileSync(readmeOf(rule), "utf8");
      expect(readme).to.include(HEADER_BEGIN);
      expect(withHeader(readme, rule)).to.equal(readme);
      expect(readme).to.include(`**Severity:** ${rule.severity}`);
    });
  }

  it("fails on drift: a changed severity gives another block", () => {
    const [rule] = RULES;
    if (rule === undefined) throw new Error("no rule");
    const readme = readFileSync(readmeOf(rule), "utf8");
    const changed = withHeader(readme, { ...rule, severity: "low" });
    expect(changed).to.not.equal(readme);
    expect(changed).to.include("**Severity:** low");
    expect(ruleHeader(rule).endsWith(HEADER_END)).to.equal(true);
  });
});
