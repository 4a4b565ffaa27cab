/** ECR's WILDCARD filter matcher and pattern tokens. */
import { expect } from "chai";
import fc from "fast-check";
import { wildcardFilterMatches } from "../../../rules/ecr-repository-image-integrity/rule.js";
import {
  ecrWildcardFilterMatches,
  ONE_TOKEN,
  patternTokens,
  STAR_TOKEN,
  VARIABLE_TOKEN,
} from "../../../shared/policy/glob.js";

/** A reference: the filter as a regular expression (fine for the short filters generated here). */
function reference(filter: string, name: string): boolean {
  if (!filter.includes("*")) return name.includes(filter);
  const source = filter
    .split("*")
    .map((part) => part.replace(/[\\^$.|?+()[\]{}/]/gu, "\\$&"))
    .join("[\\s\\S]*");
  return new RegExp(`^${source}$`, "u").test(name);
}

describe("Function: ecrWildcardFilterMatches", () => {
  const rows: Array<[string, string, boolean]> = [
    ["*", "anything", true],
    ["team-*", "team-a/api", true],
    ["team-*", "my-team-a", false],
    ["*-prod", "api-prod", true],
    ["*-prod", "api-prod-2", false],
    ["prod", "repo-prod-1", true],
    ["prod", "pro", false],
    ["a*a", "a", false],
    ["a*a", "aa", true],
    ["*a*b*", "xxbxxa", false],
    ["*a*b*", "xxaxxb", true],
    ["api?", "api?", true],
    ["api?*", "apix", false],
  ];
  for (const [filter, name, matches] of rows) {
    it(`${matches ? "matches" : "does not match"} ${name} with the filter ${filter}`, () => {
      expect(ecrWildcardFilterMatches(filter, name)).to.equal(matches);
    });
  }

  it("agrees with a regular-expression reference on random filters and names", () => {
    const piece = fc.constantFrom("a", "b", "-", "/", "*", "?", "ab");
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 8 }).map((a) => a.join("")),
        fc.array(fc.constantFrom("a", "b", "-", "/", "?"), { maxLength: 12 }).map((a) => a.join("")),
        (filter, name) => ecrWildcardFilterMatches(filter, name) === reference(filter, name),
      ),
      { numRuns: 3000 },
    );
  });

  it("answers *a*a*a*a*a*b against a 256-character name (a backtracking bomb for a regular expression)", () => {
    // Prepare
    const filter = `${"*a".repeat(40)}*b`;
    const name = "a".repeat(256);

    // Act
    const matched = [ecrWildcardFilterMatches(filter, name), wildcardFilterMatches(filter, name)];

    // Assess
    expect(matched).to.deep.equal([false, false]);
  }).timeout(10_000);
});

describe("Function: patternTokens", () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the test name spells IAM's escapes.
  it("reads *, ? and variables as tokens, and ${*}, ${?}, ${$} as the literal characters", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: IAM policy variables.
    const tokens = patternTokens("a*?${aws:username}${*}${?}${$}${aws:PrincipalTag/t, 'x'}🔥${");
    expect(tokens).to.deep.equal([
      97,
      STAR_TOKEN,
      ONE_TOKEN,
      VARIABLE_TOKEN,
      42,
      63,
      36,
      VARIABLE_TOKEN,
      0x1f525,
      36,
      123,
    ]);
  });
});
