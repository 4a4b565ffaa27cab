/** Property tests (fast-check) for the parser, the matchers and the identity analysis. */
import { expect } from "chai";
import fc from "fast-check";
import { EcrAccessRulesError } from "../../../shared/errors.js";
import {
  analyzeIdentityPolicies,
  analyzeResourcePolicy,
  ECR_ACTIONS,
  globMatches,
  type IdentityAnalysis,
  type LabelledPolicy,
  PolicyParseError,
  parsePolicyDocument,
  repositoryCoverage,
} from "../../../shared/policy/index.js";

const RUNS = 300;

function onlyEngineErrors(run: () => unknown): boolean {
  try {
    run();
    return true;
  } catch (error) {
    if (error instanceof EcrAccessRulesError) return true;
    throw error;
  }
}

// Vocabulary close to real policies, so that generated statements hit the interesting paths.
const actionPattern = fc.constantFrom(
  "*",
  "*:*",
  "ecr:*",
  "ECR:Put*",
  "ecr:*Image*",
  "ecr:Batch*",
  "ecr:PutImag?",
  "ecr:GetAuthorizationToken",
  "ecr:SetRepositoryPolicy",
  "ecr:BatchGetImage",
  "iam:*",
  "s3:GetObject",
  "ecr:Describe*",
  "ecr:?ag*",
);
const resourcePattern = fc.constantFrom(
  "*",
  "arn:aws:ecr:*",
  "arn:*:ecr:*:*:repository/*",
  "arn:aws:ecr:us-east-1:111122223333:repository/*",
  "arn:aws:ecr:*:*:repository/team-a/*",
  "arn:aws:ecr:eu-west-1:111122223333:repository/api",
  "arn:aws:ecr:*:*:repository/?",
  "arn:aws:ecr:*:*:repository/??*",
  "arn:aws:ecr:*:*:repository/a*",
  "arn:aws-cn:ecr:*",
  "arn:aws:s3:::bucket/*",
  "arn:aws:ecr:*:*:repository/Prod*",
);
const conditionBlock = fc.constantFrom(
  undefined,
  { StringEquals: { "aws:ResourceTag/team": "a" } },
  { StringNotEquals: { "ecr:ResourceTag/team": "a" } },
  { Null: { "aws:ResourceTag/team": "false" } },
  { Bool: { "aws:MultiFactorAuthPresent": "true" } },
  { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
  { "ForAllValues:StringEquals": { "aws:ResourceTag/team": ["a"] } },
);
const list = <T>(arb: fc.Arbitrary<T>) => fc.array(arb, { minLength: 1, maxLength: 3 });

function statementArb(effect: "Allow" | "Deny", conditions: fc.Arbitrary<object | undefined>) {
  return fc
    .record({
      notAction: fc.boolean(),
      actions: list(actionPattern),
      notResource: fc.boolean(),
      resources: list(resourcePattern),
      condition: conditions,
    })
    .map(({ notAction, actions, notResource, resources, condition }) => ({
      Effect: effect,
      [notAction ? "NotAction" : "Action"]: actions,
      [notResource ? "NotResource" : "Resource"]: resources,
      ...(condition === undefined ? {} : { Condition: condition }),
    }));
}

const anyStatement = fc.oneof(statementArb("Allow", conditionBlock), statementArb("Deny", conditionBlock));
const policyArb = fc
  .array(anyStatement, { minLength: 0, maxLength: 4 })
  .map((Statement) => ({ Version: "2012-10-17", Statement }));

function analyze(documents: readonly object[]): IdentityAnalysis {
  const policies: LabelledPolicy[] = documents.map((document, i) => ({
    label: `doc${i}`,
    document: parsePolicyDocument(document, "identity"),
  }));
  return analyzeIdentityPolicies(policies);
}

const RANK = { some: 1, all: 2 } as const;
function scopes(analysis: IdentityAnalysis): Map<string, number> {
  return new Map(analysis.actions.map((a) => [a.action, RANK[a.scope]]));
}

describe("policy engine properties", () => {
  it("parsing arbitrary JSON throws nothing but the engine's own error", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom("identity", "resource" as const), (value, kind) =>
        onlyEngineErrors(() => parsePolicyDocument(value, kind === "identity" ? "identity" : "resource")),
      ),
      { numRuns: 1000 },
    );
  });

  it("parsing arbitrary text (and URL-encoded text) throws nothing but the engine's own error", () => {
    fc.assert(
      fc.property(fc.string(), (text) =>
        [text, encodeURIComponent(text), `%${text}`, `{${text}`].every((input) =>
          onlyEngineErrors(() => parsePolicyDocument(input, "identity")),
        ),
      ),
      { numRuns: 1000 },
    );
  });

  it("parsing statement-shaped JSON with arbitrary values throws nothing but the engine's own error", () => {
    const statement = fc.dictionary(
      fc.constantFrom(
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Principal",
        "NotPrincipal",
        "Condition",
        "Sid",
      ),
      fc.jsonValue({ maxDepth: 3 }),
    );
    fc.assert(
      fc.property(fc.oneof(statement, fc.array(statement)), fc.boolean(), (Statement, resource) =>
        onlyEngineErrors(() => {
          if (resource)
            analyzeResourcePolicy({ policy: { Statement }, owner: "111122223333", kind: "repository" });
          else analyze([{ Statement }]);
        }),
      ),
      { numRuns: 1000 },
    );
  });

  it("adding an Allow statement never removes a grant nor narrows its scope", () => {
    fc.assert(
      fc.property(policyArb, statementArb("Allow", conditionBlock), (policy, extra) => {
        const before = scopes(analyze([policy]));
        const after = scopes(analyze([{ ...policy, Statement: [...policy.Statement, extra] }]));
        for (const [action, rank] of before) expect(after.get(action) ?? 0, action).to.be.at.least(rank);
      }),
      { numRuns: RUNS },
    );
  });

  it("adding an unconditional Deny statement never adds a grant nor widens its scope", () => {
    fc.assert(
      fc.property(policyArb, statementArb("Deny", fc.constant(undefined)), (policy, deny) => {
        const before = scopes(analyze([policy]));
        const after = scopes(analyze([policy, { Statement: [deny] }]));
        for (const [action, rank] of after) expect(rank, action).to.be.at.most(before.get(action) ?? 0);
      }),
      { numRuns: RUNS },
    );
  });

  it("a permissions boundary never adds a grant nor widens its scope", () => {
    fc.assert(
      fc.property(policyArb, policyArb, (policy, boundary) => {
        const before = scopes(analyze([policy]));
        const policies = [{ label: "p", document: parsePolicyDocument(policy, "identity") }];
        const bounded = analyzeIdentityPolicies(policies, {
          boundary: [{ label: "b", document: parsePolicyDocument(boundary, "identity") }],
        });
        for (const [action, rank] of scopes(bounded))
          expect(rank, action).to.be.at.most(before.get(action) ?? 0);
      }),
      { numRuns: RUNS },
    );
  });

  it("NotAction: X grants exactly the catalogue actions that Action: X does not", () => {
    const anyActionPattern = fc.oneof(
      actionPattern,
      fc.stringMatching(/^[a-zA-Z*?]{0,4}:?[a-zA-Z*?]{0,8}$/),
      fc.constantFrom(...ECR_ACTIONS.map((a) => a.name)),
    );
    fc.assert(
      fc.property(list(anyActionPattern), (patterns) => {
        const granted = (element: "Action" | "NotAction") =>
          new Set(
            analyze([{ Statement: [{ Effect: "Allow", [element]: patterns, Resource: "*" }] }]).actions.map(
              (a) => a.action,
            ),
          );
        const positive = granted("Action");
        const negative = granted("NotAction");
        for (const { name } of ECR_ACTIONS) expect(negative.has(name), name).to.equal(!positive.has(name));
      }),
      { numRuns: RUNS },
    );
  });

  describe("repository coverage agrees with matching sampled repository ARNs", () => {
    const component = fc.stringMatching(/^[a-z0-9]{1,3}([._-][a-z0-9]{1,2})?$/);
    const repoName = fc
      .array(component, { minLength: 1, maxLength: 3 })
      .map((parts) => parts.join("/"))
      .filter((name) => name.length >= 2);
    const region = fc.constantFrom("us-east-1", "eu-west-1", "ap-south-2", "us-gov-west-1");
    const account = fc.constantFrom("111122223333", "444455556666", "000000000000");
    const arn = fc
      .tuple(region, account, repoName)
      .map(([r, a, n]) => ({ region: r, account: a, arn: `arn:aws:ecr:${r}:${a}:repository/${n}` }));
    const patternPiece = fc.constantFrom(
      "*",
      "?",
      "a",
      "-",
      "/",
      "team",
      "1",
      "us-east-1",
      "111122223333",
      ":",
      "repository/",
      "ecr:",
    );
    const pattern = fc.oneof(
      resourcePattern,
      fc.array(patternPiece, { maxLength: 6 }).map((pieces) => `arn:aws:ecr:${pieces.join("")}`),
      fc
        .tuple(
          fc.constantFrom("*", "us-east-1", "us-*"),
          fc.constantFrom("*", "111122223333", "1111*"),
          fc.array(patternPiece, { maxLength: 4 }),
        )
        .map(([r, a, pieces]) => `arn:aws:ecr:${r}:${a}:repository/${pieces.join("")}`),
    );

    it("matchesSome is false only when no sampled ARN matches; coversAllEverywhere only when every one does", () => {
      fc.assert(
        fc.property(
          fc.array(pattern, { minLength: 1, maxLength: 3 }),
          fc.array(arn, { minLength: 1, maxLength: 20 }),
          (patterns, samples) => {
            const coverage = repositoryCoverage(patterns, "aws");
            for (const sample of samples) {
              const matched = patterns.some((p) => globMatches(p, sample.arn));
              if (matched) expect(coverage.matchesSome, `${sample.arn} matches ${patterns}`).to.equal(true);
              if (coverage.coversAllEverywhere)
                expect(matched, `${sample.arn} vs ${patterns}`).to.equal(true);
            }
          },
        ),
        { numRuns: 500 },
      );
    });

    it("coversAllSomewhere holds only when every sampled name matches in one region and account", () => {
      // Region and account parts drawn from a small set, so that the witnesses are known: us-east-1 or
      // us-west-2 (for "*" and "us-*"), and 111122223333 or 111100000000 (for "*" and "1111*").
      const structured = fc
        .tuple(
          fc.constantFrom("*", "us-east-1", "us-*"),
          fc.constantFrom("*", "111122223333", "1111*"),
          fc.array(fc.constantFrom("*", "?", "a", "-", "/", "team", "1", "."), { maxLength: 4 }),
        )
        .map(([r, a, pieces]) => `arn:aws:ecr:${r}:${a}:repository/${pieces.join("")}`);
      fc.assert(
        fc.property(
          fc.array(structured, { minLength: 1, maxLength: 3 }),
          fc.array(repoName, { minLength: 1, maxLength: 20 }),
          (patterns, names) => {
            const coverage = repositoryCoverage(patterns, "aws");
            if (!coverage.coversAllSomewhere) return;
            const somewhere = ["us-east-1", "us-west-2"].some((r) =>
              ["111122223333", "111100000000"].some((a) =>
                names.every((n) =>
                  patterns.some((p) => globMatches(p, `arn:aws:ecr:${r}:${a}:repository/${n}`)),
                ),
              ),
            );
            expect(somewhere, `${patterns} over ${names}`).to.equal(true);
          },
        ),
        { numRuns: 500 },
      );
    });

    it("coversAllSomewhere is false when a sampled name fails in every region and account", () => {
      // The converse on the same structured patterns: if for each witness some name is unmatched, then
      // (with names covering the shapes the patterns distinguish) not all names can be covered anywhere.
      const structured = fc
        .tuple(
          fc.constantFrom("*", "us-east-1"),
          fc.constantFrom("*", "111122223333"),
          fc.constantFrom("*", "a*", "?", "??*", "team/*", "*a", "*/*", "a?"),
        )
        .map(([r, a, name]) => `arn:aws:ecr:${r}:${a}:repository/${name}`);
      const probes = ["ab", "a1", "x", "xy", "ba", "team/x", "a/b", "zz", "abc", "a.b"].filter(
        (n) => n.length >= 2,
      );
      fc.assert(
        fc.property(fc.array(structured, { minLength: 1, maxLength: 3 }), (patterns) => {
          const coverage = repositoryCoverage(patterns, "aws");
          const everywhereFails = ["us-east-1", "us-west-2"].every((r) =>
            ["111122223333", "444455556666"].every((a) =>
              probes.some(
                (n) => !patterns.some((p) => globMatches(p, `arn:aws:ecr:${r}:${a}:repository/${n}`)),
              ),
            ),
          );
          if (everywhereFails) expect(coverage.coversAllSomewhere, String(patterns)).to.equal(false);
        }),
        { numRuns: 300 },
      );
    });
  });
});

describe("policy engine properties on adversarial input", () => {
  // Pieces an adversary repeats: wildcard runs, policy variables and IAM's escapes, NUL, astral and lone
  // surrogate characters, prototype-named text.
  const piece = fc.constantFrom(
    "*a",
    "*?",
    "?",
    "*-",
    "a",
    "-",
    "*",
    ["$", "{aws:username}"].join(""),
    ["$", "{*}"].join(""),
    "\u0000",
    "🔥",
    "\uD800",
    "/",
    ":",
    "__proto__",
  );
  const head = fc.constantFrom(
    "arn:aws:ecr:",
    "arn:aws:ecr:*:*:repository/",
    "arn:aws:ecr:us-east-1:111122223333:repository/",
    ["arn:$", "{aws:PrincipalTag/p}:ecr:"].join(""),
    "",
  );
  /** A pattern up to IAM's largest limit (10,240 characters): a head, then a run of pieces repeated. */
  const pattern = fc
    .tuple(head, fc.array(piece, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 2500 }))
    .map(([h, pieces, times]) => `${h}${pieces.join("").repeat(times)}`.slice(0, 10_240));
  const nested = fc.integer({ min: 0, max: 80 }).map((levels) => {
    let value: unknown = "x";
    for (let i = 0; i < levels; i += 1) value = levels % 2 === 0 ? [value] : { a: value };
    return value;
  });
  const oddKey = fc.constantFrom("__proto__", "constructor", "X", "\u0000", "🔥");
  const form = fc.constantFrom("object", "text", "url-encoded");

  function asInput(document: object, how: string): unknown {
    if (how === "object") return document;
    const text = JSON.stringify(document);
    return how === "text" ? text : encodeURIComponent(text);
  }

  /** Runs the engine; returns its result, or undefined when it refused the input with a parse error. */
  function refusedOr<T>(run: () => T): T | undefined {
    try {
      return run();
    } catch (error) {
      if (error instanceof PolicyParseError) return undefined;
      throw error;
    }
  }

  it("an identity policy granting PutImage everywhere stays granted everywhere, or is refused, whatever is added", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(pattern, { minLength: 1, maxLength: 2 }), { maxLength: 2 }),
        oddKey,
        nested,
        form,
        (resources, key, value, how) => {
          const extras = resources.map((Resource) => ({ Effect: "Allow", Action: "ecr:PutImage", Resource }));
          const document = {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "ecr:PutImage", Resource: "*" }, ...extras],
            [key]: value,
          };
          const result = refusedOr(() => {
            const parsed = parsePolicyDocument(asInput(document, how), "identity");
            return analyzeIdentityPolicies([{ label: "doc", document: parsed }]);
          });
          if (result === undefined) return;
          const put = result.actions.find((a) => a.action === "ecr:PutImage");
          expect(put?.scope, "PutImage").to.equal("all");
        },
      ),
      { numRuns: 25 },
    );
  });

  it("an identity policy of adversarial patterns is analysed or refused with a parse error, nothing else", () => {
    fc.assert(
      fc.property(fc.array(pattern, { minLength: 1, maxLength: 3 }), fc.boolean(), (patterns, deny) => {
        const document = {
          Statement: [
            { Effect: "Allow", Action: "ecr:*", Resource: patterns },
            ...(deny ? [{ Effect: "Deny", Action: "ecr:PutImage", NotResource: patterns }] : []),
          ],
        };
        refusedOr(() =>
          analyzeIdentityPolicies([{ label: "doc", document: parsePolicyDocument(document, "identity") }]),
        );
      }),
      { numRuns: 25 },
    );
  });

  it("a repository policy admitting everyone to push is never COMPLIANT, whatever is added", () => {
    const extra = fc.oneof(
      // A Deny that covers every repository would rightly remove the grant: only narrower ones are added.
      fc
        .constantFrom("repository/prod-*", "repository/team-a/api", "repository/??", "repository/*-x*")
        .map((p) => ({
          Effect: "Deny",
          Principal: "*",
          Action: "ecr:PutImage",
          Resource: `arn:aws:ecr:us-east-1:111122223333:${p}`,
        })),
      pattern.map((p) => ({ Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage", Resource: p })),
      pattern.map((p) => ({
        Effect: "Deny",
        Principal: "*",
        Action: "ecr:*",
        Condition: { StringNotEquals: { "aws:PrincipalOrgID": p } },
      })),
    );
    fc.assert(
      fc.property(fc.array(extra, { maxLength: 2 }), oddKey, nested, form, (extras, key, value, how) => {
        const policy = {
          Statement: [{ Effect: "Allow", Principal: "*", Action: "ecr:PutImage" }, ...extras],
          [key]: value,
        };
        const result = refusedOr(() =>
          analyzeResourcePolicy({ policy: asInput(policy, how), owner: "111122223333", kind: "repository" }),
        );
        if (result !== undefined) expect(result.verdict.compliance).to.equal("NON_COMPLIANT");
      }),
      { numRuns: 25 },
    );
  });

  it("parsing text with NUL, surrogates and prototype-named keys throws nothing but a parse error", () => {
    const value = fc.oneof(fc.string({ unit: "binary" }), fc.constantFrom("\u0000", "\uD800", "🔥"));
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(oddKey, fc.string()), value), (extra) => {
        const text = JSON.stringify({
          Statement: { Effect: "Allow", Action: "ecr:*", Resource: "*", ...extra },
        });
        for (const input of [text, encodeURIComponent(text), text.replaceAll('"', "'")]) {
          refusedOr(() => parsePolicyDocument(input, "identity"));
          refusedOr(() =>
            analyzeResourcePolicy({ policy: input, owner: "111122223333", kind: "repository" }),
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});
