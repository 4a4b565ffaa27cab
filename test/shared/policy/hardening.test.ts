/**
 * Inputs an adversarial review found mishandled (crashes, hangs, parser differentials, over-trust), each
 * pinned with the answer our semantics (docs/policy-semantics.md) or AWS require.
 */
import { expect } from "chai";
import fc from "fast-check";
import { EcrAccessRulesError } from "../../../shared/errors.js";
import { globContains } from "../../../shared/policy/glob.js";
import {
  analyzeIdentityPolicies,
  analyzeResourcePolicy,
  globMatches,
  PolicyParseError,
  parsePolicyDocument,
  type ResourcePolicyInput,
} from "../../../shared/policy/index.js";
import { PatternTooComplexError } from "../../../shared/policy/repository-coverage.js";

const OWNER = "111122223333";

function grants(statements: object[]): Map<string, string> {
  const document = parsePolicyDocument({ Version: "2012-10-17", Statement: statements }, "identity");
  const { actions } = analyzeIdentityPolicies([{ label: "doc", document }]);
  return new Map(actions.map((a) => [a.action, a.scope]));
}

function findings(policy: unknown, trust: ResourcePolicyInput["trust"] = {}): string[] {
  const { findings: list } = analyzeResourcePolicy({ policy, owner: OWNER, kind: "repository", trust });
  return list.map((f) => f.kind);
}

/** A reference matcher: the glob as a regular expression (fine for the short patterns generated here). */
function reference(pattern: string, text: string, ignoreCase: boolean): boolean {
  const fold = (s: string) => (ignoreCase ? s.replace(/[A-Z]/gu, (c) => c.toLowerCase()) : s);
  const source = [...fold(pattern)]
    .map((ch) =>
      ch === "*" ? "[\\s\\S]*" : ch === "?" ? "[\\s\\S]" : ch.replace(/[\\^$.|+()[\]{}*?/]/gu, "\\$&"),
    )
    .join("");
  return new RegExp(`^${source}$`, "u").test(fold(text));
}

describe("policy engine hardening", () => {
  describe("glob matching", () => {
    it("agrees with a regular-expression reference on random patterns and texts", () => {
      const alphabet = fc.constantFrom("a", "B", "b", ":", "*", "?", "é", "🔥", "-");
      const textAlphabet = fc.constantFrom("a", "B", "b", ":", "é", "🔥", "-");
      fc.assert(
        fc.property(
          fc.array(alphabet, { maxLength: 8 }).map((a) => a.join("")),
          fc.array(textAlphabet, { maxLength: 10 }).map((a) => a.join("")),
          fc.boolean(),
          (pattern, text, ignoreCase) =>
            globMatches(pattern, text, ignoreCase) === reference(pattern, text, ignoreCase),
        ),
        { numRuns: 2000 },
      );
    });

    it("answers a backtracking-bomb action pattern (no regular expression, no blow-up)", () => {
      const scopes = grants([{ Effect: "Allow", Action: `ecr:${"*?".repeat(20)}*!`, Resource: "*" }]);
      expect(scopes.size).to.equal(0);
    });

    it("folds ASCII letters only: ſ (U+017F) in a Deny does not stand for s", () => {
      const scopes = grants([
        { Effect: "Allow", Action: "ecr:SetRepositoryPolicy", Resource: "*" },
        { Effect: "Deny", Action: "ecr:ſetRepositoryPolic?", Resource: "*" },
        { Effect: "Deny", Action: "ecr:ſetRepositoryPolicy", Resource: "*" },
      ]);
      expect(scopes.get("ecr:SetRepositoryPolicy")).to.equal("all");
    });
  });

  describe("coverage automaton", () => {
    it("refuses patterns too complex to analyse with a parse error, instead of running for minutes", () => {
      let failure: unknown;
      try {
        grants([
          {
            Effect: "Allow",
            Action: "ecr:PutImage",
            Resource: `arn:aws:ecr:*a${"?".repeat(16)}:*:repository/*`,
          },
        ]);
      } catch (error) {
        failure = error;
      }
      expect(failure).to.be.instanceOf(PatternTooComplexError);
      expect(failure).to.be.instanceOf(PolicyParseError);
      expect(String(failure)).to.include("too complex to analyse");
    });

    it("bounds the questions of one document together: many statements of costly patterns are too complex", () => {
      // Prepare: one statement per action pattern, each a region pattern whose automaton is large but
      // within a single question's means; together they are more than one document may cost.
      const letters = "abcdefghijklmnopqrstuvwxyz0123456789";
      const statements = Array.from({ length: 60 }, (_, i) => ({
        Effect: "Allow",
        Action: `ecr:${"*".repeat(1 + Math.floor(i / letters.length))}`,
        Resource: `arn:aws:ecr:*${letters[i % letters.length]}${"?".repeat(12)}:*:repository/*`,
      }));

      // Act
      let failure: unknown;
      try {
        grants(statements);
      } catch (error) {
        failure = error;
      }

      // Assess
      expect(failure).to.be.instanceOf(PatternTooComplexError);
    });

    const exact: Array<[string, string, string]> = [
      [
        "repository/ then *a repeated to IAM's inline limit",
        `arn:aws:ecr:*:*:repository/${"*a".repeat(5000)}`,
        "some",
      ],
      ["*- repeated in the region field", `arn:aws:ecr:${"*-".repeat(5000)}:*:repository/*`, "all"],
      ["repository/* then ? repeated", `arn:aws:ecr:*:*:repository/*${"?".repeat(10000)}`, "some"],
      ["repository/* then a long literal", `arn:aws:ecr:*:*:repository/*${"ab".repeat(5000)}*`, "some"],
      ["*? repeated in the name", `arn:aws:ecr:*:*:repository/${"*?".repeat(5000)}`, "some"],
      ["??* after a run of stars", `arn:aws:ecr:*:*:repository/${"*".repeat(5000)}??*`, "all"],
    ];
    for (const [name, resource, scope] of exact) {
      it(`judges ${name} exactly (${scope})`, () => {
        expect(
          grants([{ Effect: "Allow", Action: "ecr:PutImage", Resource: resource }]).get("ecr:PutImage"),
        ).to.equal(scope);
      });
    }
  });

  describe("parsing", () => {
    const deepValue = (levels: number): unknown => {
      let value: unknown = "10.0.0.0/8";
      for (let i = 0; i < levels; i += 1) value = [value];
      return value;
    };
    const deepRows: Array<[string, () => unknown]> = [
      [
        "an object-form document",
        () => ({
          Statement: {
            Effect: "Allow",
            Action: "ecr:*",
            Resource: "*",
            Condition: { IpAddress: { "aws:SourceIp": deepValue(5000) } },
          },
        }),
      ],
      [
        "JSON text",
        () =>
          `{"Statement":{"Effect":"Allow","Action":"ecr:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":${"[".repeat(5000)}"x"${"]".repeat(5000)}}}}}`,
      ],
    ];
    for (const [form, input] of deepRows) {
      it(`refuses ${form} nested thousands of levels deep with a parse error naming where`, () => {
        expect(() => parsePolicyDocument(input(), "identity")).to.throw(
          PolicyParseError,
          /^Statement\.Condition\.IpAddress\.aws:SourceIp(\[0\]){28}: nested more than 32 levels deep/,
        );
      });
    }

    it("refuses a duplicate Effect key, naming it", () => {
      const text = '{"Statement":{"Effect":"Allow","Action":"ecr:*","Resource":"*","Effect":"Deny"}}';
      expect(() => parsePolicyDocument(text, "identity")).to.throw(
        PolicyParseError,
        /^Statement\.Effect: duplicate key/,
      );
    });

    it("refuses duplicate condition operators in a resource policy", () => {
      const text =
        '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-evil123456"},"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]}';
      expect(() => findings(text, { trustedOrganizationIds: ["o-a1b2c3d4e5"] })).to.throw(
        PolicyParseError,
        /Statement\[0\]\.Condition\.StringEquals: duplicate key/,
      );
    });

    it("accepts the same key in different objects, and escaped quotes in keys and values", () => {
      const text =
        '{"Statement":[{"Sid":"a\\"b","Effect":"Allow","Action":"ecr:PutImage","Resource":"*"},{"Sid":"c","Effect":"Allow","Action":"ecr:BatchGetImage","Resource":"*"}]}';
      expect(parsePolicyDocument(text, "identity").statements).to.have.length(2);
    });

    it("keeps __proto__ in an object input as a key (an unknown operator, as in text)", () => {
      const condition = JSON.parse('{"__proto__": {"aws:SourceIp": "10.0.0.0/8"}}');
      const statement = { Effect: "Deny", Action: "ecr:*", Resource: "*", Condition: condition };
      expect(() => parsePolicyDocument({ Statement: [statement] }, "identity")).to.throw(
        PolicyParseError,
        /Condition\.__proto__: unknown condition operator/,
      );
    });

    it("throws nothing but its own errors for prototype-named keys anywhere", () => {
      for (const key of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
        const text = `{"Statement":{"Effect":"Allow","Principal":"*","Action":"ecr:PutImage","Condition":{"StringEquals":{"${key}":"x"}}}}`;
        try {
          findings(text);
        } catch (error) {
          expect(error, key).to.be.instanceOf(EcrAccessRulesError);
        }
      }
    });
  });

  describe("resource policies", () => {
    it("treats a condition on the key constructor as non-narrowing (public), not as a crash", () => {
      const policy = {
        Statement: {
          Effect: "Allow",
          Principal: "*",
          Action: "ecr:PutImage",
          Condition: { StringEquals: { constructor: "x" } },
        },
      };
      expect(findings(policy)).to.deep.equal(["public"]);
    });

    it("does not take a Deny on arn:aws:iam::*:root for a Deny on everyone", () => {
      const policy = {
        Statement: [
          { Effect: "Allow", Principal: "*", Action: "ecr:PutImage" },
          { Effect: "Deny", Principal: { AWS: "arn:aws:iam::*:root" }, Action: "ecr:*" },
        ],
      };
      expect(findings(policy)).to.deep.equal(["public"]);
    });

    it("flags a narrowing aws:PrincipalArn glob wider than every authorizedPrincipalArns pattern", () => {
      const policy = {
        Statement: {
          Effect: "Allow",
          Principal: "*",
          Action: "ecr:PutImage",
          Condition: { ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${OWNER}:role/ci-*` } },
        },
      };
      expect(
        findings(policy, { authorizedPrincipalArns: [`arn:aws:iam::${OWNER}:role/ci-?`] }),
      ).to.deep.equal(["unauthorized-principal"]);
      expect(
        findings(policy, { authorizedPrincipalArns: [`arn:aws:iam::${OWNER}:role/ci-*`] }),
      ).to.deep.equal([]);
      expect(findings(policy, { authorizedPrincipalArns: [`arn:aws:iam::${OWNER}:role/*`] })).to.deep.equal(
        [],
      );
    });

    it("reads the aws:resourceaccount policy variable case-insensitively, as IAM reads variables", () => {
      const policy = {
        Statement: {
          Effect: "Allow",
          Principal: "*",
          Action: "ecr:PutImage",
          // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable.
          Condition: { StringEquals: { "aws:PrincipalAccount": "${aws:resourceaccount}" } },
        },
      };
      expect(findings(policy)).to.deep.equal([]);
    });

    it("narrows a service by a perimeter on aws:SourceAccount, and reports the account it admits", () => {
      const policy = {
        Statement: [
          { Effect: "Allow", Principal: { Service: "codebuild.amazonaws.com" }, Action: "ecr:PutImage" },
          {
            Effect: "Deny",
            Principal: "*",
            Action: "ecr:*",
            Condition: { StringNotEquals: { "aws:SourceAccount": "444455556666" } },
          },
        ],
      };
      const { findings: list } = analyzeResourcePolicy({ policy, owner: OWNER, kind: "repository" });
      expect(list.map((f) => (f.kind === "untrusted-account" ? f.account : f.kind))).to.deep.equal([
        "444455556666",
      ]);
    });

    it("treats a perimeter on the owner's aws:SourceAccount as the confused-deputy guard", () => {
      const policy = {
        Statement: [
          { Effect: "Allow", Principal: { Service: "codebuild.amazonaws.com" }, Action: "ecr:PutImage" },
          {
            Effect: "Deny",
            Principal: "*",
            Action: "ecr:*",
            Condition: { StringNotEquals: { "aws:SourceAccount": OWNER } },
          },
        ],
      };
      expect(findings(policy)).to.deep.equal([]);
    });
  });

  describe("globContains", () => {
    const rows: Array<[string, string, boolean]> = [
      ["arn:aws:iam::1:role/ci-*", "arn:aws:iam::1:role/ci-deploy", true],
      ["arn:aws:iam::1:role/ci-*", "arn:aws:iam::1:role/ci-*", true],
      ["arn:aws:iam::1:role/ci-*", "arn:aws:iam::1:role/ci-deploy-*", true],
      ["arn:aws:iam::1:role/*", "arn:aws:iam::1:role/ci-?", true],
      ["arn:aws:iam::1:role/ci-?", "arn:aws:iam::1:role/ci-*", false],
      ["arn:aws:iam::1:role/ci-*", "arn:aws:iam::1:role/*", false],
      ["arn:aws:iam::1:role/c?-*", "arn:aws:iam::1:role/ci-*", false],
    ];
    for (const [outer, inner, contained] of rows) {
      it(`${contained ? "contains" : "does not contain"} ${inner} in ${outer}`, () => {
        expect(globContains(outer, inner)).to.equal(contained);
      });
    }
  });
});
