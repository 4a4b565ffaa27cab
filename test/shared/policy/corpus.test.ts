/**
 * Walks the JSON corpus of identity and resource policy cases (test/fixtures/corpus, format in FORMAT.md): each case
 * is a policy and what the specification says the engine must answer.
 */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { EcrAccessRulesError } from "../../../shared/errors.js";
import {
  analyzeIdentityPolicies,
  analyzeResourcePolicy,
  type ResourceFinding,
  type ResourcePolicyKind,
} from "../../../shared/policy/index.js";
import { labelled } from "../../support/policies.js";

interface IdentityCase {
  name: string;
  partition?: string;
  documents: unknown[];
  boundary?: unknown[];
  exemptActions?: string[];
  expect: {
    grants?: Record<string, string>;
    notGranted?: string[];
    grantedCount?: number;
    sensitive?: Record<string, boolean>;
    error?: string;
  };
}

interface ResourceCase {
  name: string;
  kind: ResourcePolicyKind;
  owner: string;
  partition?: string;
  policy: unknown;
  parameters?: Record<string, string[]>;
  expect: {
    verdict?: "COMPLIANT" | "NON_COMPLIANT";
    findings?: Array<Record<string, unknown>>;
    exactFindings?: boolean;
    error?: string;
  };
}

function load<T>(name: string): T[] {
  return JSON.parse(readFileSync(new URL(`../../fixtures/corpus/${name}`, import.meta.url), "utf8")) as T[];
}

function expectEngineError(run: () => unknown, fragment: string): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, "the engine must reject this input").to.be.instanceOf(EcrAccessRulesError);
  expect((thrown as Error).message).to.include(fragment);
}

function findingMatches(actual: ResourceFinding, wanted: Record<string, unknown>): boolean {
  return Object.entries(wanted).every(([key, value]) => {
    const got = (actual as unknown as Record<string, unknown>)[key];
    if (key === "actions" && Array.isArray(value)) {
      return value.every((action) => (got as string[]).includes(action as string));
    }
    return got === value;
  });
}

const identityCases = load<IdentityCase>("identity-cases.json");
const resourceCases = load<ResourceCase>("resource-cases.json");

describe("policy corpus", () => {
  it("holds at least 60 identity cases and 40 resource cases", () => {
    expect(identityCases.length).to.be.at.least(60);
    expect(resourceCases.length).to.be.at.least(40);
  });

  describe("identity policies", () => {
    for (const c of identityCases) {
      it(c.name, () => {
        const run = () =>
          analyzeIdentityPolicies(labelled(c.documents), {
            ...(c.partition === undefined ? {} : { partition: c.partition }),
            ...(c.boundary === undefined ? {} : { boundary: labelled(c.boundary, "boundary") }),
            ...(c.exemptActions === undefined ? {} : { exemptActions: c.exemptActions }),
          });
        if (c.expect.error !== undefined) {
          expectEngineError(run, c.expect.error);
          return;
        }
        const { actions } = run();
        const byName = new Map(actions.map((a) => [a.action, a]));
        for (const [action, wanted] of Object.entries(c.expect.grants ?? {})) {
          const grant = byName.get(action);
          expect(grant, `${action} must be granted`).to.not.equal(undefined);
          const got = `${grant?.scope}${grant?.conditional ? " conditional" : ""}`;
          expect(got, action).to.equal(wanted);
        }
        for (const action of c.expect.notGranted ?? []) {
          expect(byName.has(action), `${action} must not be granted`).to.equal(false);
        }
        if (c.expect.grantedCount !== undefined)
          expect(actions.length, "granted actions").to.equal(c.expect.grantedCount);
        for (const [action, sensitive] of Object.entries(c.expect.sensitive ?? {})) {
          expect(byName.get(action)?.sensitive, `${action} sensitive`).to.equal(sensitive);
        }
      });
    }
  });

  describe("resource policies", () => {
    for (const c of resourceCases) {
      it(c.name, () => {
        const run = () =>
          analyzeResourcePolicy({
            policy: structuredClone(c.policy),
            owner: c.owner,
            kind: c.kind,
            ...(c.partition === undefined ? {} : { partition: c.partition }),
            trust: c.parameters ?? {},
          });
        if (c.expect.error !== undefined) {
          expectEngineError(run, c.expect.error);
          return;
        }
        const { verdict, findings } = run();
        const summary = JSON.stringify(findings.map(({ statement: _s, reason: _r, ...rest }) => rest));
        if (c.expect.verdict !== undefined) expect(verdict.compliance, summary).to.equal(c.expect.verdict);
        for (const wanted of c.expect.findings ?? []) {
          expect(
            findings.some((f) => findingMatches(f, wanted)),
            `finding ${JSON.stringify(wanted)} in ${summary}`,
          ).to.equal(true);
        }
        if (c.expect.exactFindings) {
          const extra = findings.filter((f) => !(c.expect.findings ?? []).some((w) => findingMatches(f, w)));
          expect(extra, `unexpected findings in ${summary}`).to.deep.equal([]);
        }
      });
    }
  });
});
