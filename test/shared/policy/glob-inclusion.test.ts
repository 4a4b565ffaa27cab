/**
 * Glob inclusion is decided exactly: it agrees with brute force over every text up to a length no
 * counterexample of such short globs can exceed.
 */
import { expect } from "chai";
import fc from "fast-check";
import { globMatches } from "../../../shared/policy/glob.js";
import { globIncludes } from "../../../shared/policy/glob-inclusion.js";
import { PolicyParseError } from "../../../shared/policy/parse.js";

/** Every text over `alphabet` of length 0 … `max`. */
function texts(alphabet: readonly string[], max: number): string[] {
  let layer = [""];
  const out = [""];
  for (let n = 1; n <= max; n += 1) {
    layer = layer.flatMap((t) => alphabet.map((c) => t + c));
    out.push(...layer);
  }
  return out;
}

const ALL = texts(["a", "b", "c"], 7);

function bruteIncludes(outer: string, inner: string): boolean {
  return ALL.every((text) => !globMatches(inner, text) || globMatches(outer, text));
}

describe("Function: globIncludes", () => {
  const rows: ReadonlyArray<readonly [outer: string, inner: string, included: boolean]> = [
    ["repo:acme/*", "repo:acme/app:ref:refs/heads/main", true],
    ["repo:acme/*", "repo:acme/*", true],
    ["repo:acme/*", "repo:acme/app:*", true],
    ["repo:acme/*", "repo:acme*", false],
    ["repo:acme/*", "repo:*", false],
    ["repo:acme/app:*", "repo:acme/*", false],
    ["*", "anything*?", true],
    ["a?*", "a*?", true],
    ["a*b", "a*b*b", true],
    ["a*b", "a*", false],
    ["???", "a*", false],
    ["*:ref:refs/heads/main", "repo:acme/*:ref:refs/heads/main", true],
  ];
  for (const [outer, inner, included] of rows) {
    it(`${included ? "includes" : "does not include"} ${inner} in ${outer}`, () => {
      expect(globIncludes(outer, inner)).to.equal(included);
    });
  }

  it("agrees with brute force over every text of up to 7 characters (property)", () => {
    const glob = fc.stringMatching(/^[ab*?]{0,4}$/u);
    fc.assert(
      fc.property(glob, glob, (outer, inner) => {
        expect(globIncludes(outer, inner), `${inner} ⊆ ${outer}`).to.equal(bruteIncludes(outer, inner));
      }),
      { numRuns: 400 },
    );
  });

  it("refuses an adversarial pair as too complex instead of running unbounded", () => {
    const outer = `${"*a".repeat(40)}*`;
    const inner = `${"*?".repeat(40)}a`;
    let outcome: unknown;
    try {
      outcome = globIncludes(outer, inner);
    } catch (error) {
      outcome = error;
    }
    // Either answer is exact or it is refused, naming the patterns: never a hang.
    if (outcome instanceof Error) expect(outcome).to.be.instanceOf(PolicyParseError);
    else expect(typeof outcome).to.equal("boolean");
  });
});
