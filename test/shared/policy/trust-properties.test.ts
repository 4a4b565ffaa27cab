/**
 * Properties of trust-policy analysis over generated policies: it throws nothing but the engine's parse
 * error, and adding a positive pinning condition never opens a door that was closed.
 */
import { expect } from "chai";
import fc from "fast-check";
import { PolicyParseError } from "../../../shared/policy/parse.js";
import { analyzeTrustPolicy } from "../../../shared/policy/trust.js";

const OWNER = "111122223333";
const GITHUB = `arn:aws:iam::${OWNER}:oidc-provider/token.actions.githubusercontent.com`;
const KEY = "token.actions.githubusercontent.com:sub";

const anyJson = fc.jsonValue({ maxDepth: 4 });
const principal = fc.oneof(
  fc.constant("*"),
  fc.record({ AWS: fc.oneof(fc.constant("*"), fc.constant(`arn:aws:iam::${OWNER}:root`), fc.string()) }),
  fc.record({
    Federated: fc.oneof(fc.constant(GITHUB), fc.constant("cognito-identity.amazonaws.com"), fc.string()),
  }),
  fc.record({ Service: fc.oneof(fc.constant("ec2.amazonaws.com"), fc.string()) }),
  anyJson,
);
const operator = fc.constantFrom(
  "StringEquals",
  "StringLike",
  "StringEqualsIgnoreCase",
  "ForAnyValue:StringLike",
  "ForAllValues:StringLike",
  "StringLikeIfExists",
  "StringNotEquals",
  "Null",
  "Bool",
);
const conditionValue = fc.oneof(
  fc.constantFrom("repo:acme/*", "repo:*", "*", "repo:acme/app:ref:refs/heads/main"),
  fc.string(),
);
const statement = fc.record(
  {
    Effect: fc.oneof(fc.constantFrom("Allow", "Deny"), fc.string()),
    Principal: principal,
    Action: fc.oneof(
      fc.constantFrom("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:*", "*", "sts:TagSession"),
      anyJson,
    ),
    Condition: fc.oneof(
      fc.dictionary(
        operator,
        fc.dictionary(fc.constantFrom(KEY, "aws:PrincipalOrgID", "gitlab.com:sub"), conditionValue),
      ),
      anyJson,
    ),
  },
  { requiredKeys: ["Effect", "Principal", "Action"] },
);
const policy = fc.oneof(
  fc.record({ Version: fc.constant("2012-10-17"), Statement: fc.array(statement, { maxLength: 4 }) }),
  anyJson,
);

describe("Trust policy analysis (properties)", () => {
  it("throws nothing but PolicyParseError, whatever the input", () => {
    fc.assert(
      fc.property(policy, (input) => {
        try {
          analyzeTrustPolicy({ policy: input, owner: OWNER });
        } catch (error) {
          expect(error, String(error)).to.be.instanceOf(PolicyParseError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("never opens a door by adding a positive sub condition to a GitHub statement", () => {
    const pinning = fc.record({
      operator: fc.constantFrom("StringEquals", "StringLike"),
      value: fc.oneof(
        fc.constantFrom("repo:acme/app:*", "repo:acme/*", "repo:*", "*"),
        fc.string({ maxLength: 12 }),
      ),
    });
    fc.assert(
      fc.property(fc.array(pinning, { maxLength: 2 }), pinning, (before, added) => {
        const condition = (entries: readonly { operator: string; value: string }[]) => {
          const out: Record<string, Record<string, string[]>> = {};
          for (const { operator: op, value } of entries) {
            out[op] = { [KEY]: [...(out[op]?.[KEY] ?? []), value] };
          }
          return out;
        };
        const statementWith = (entries: readonly { operator: string; value: string }[]) => ({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Federated: GITHUB },
              Action: "sts:AssumeRoleWithWebIdentity",
              Condition: condition(entries),
            },
          ],
        });
        // The added entry goes under an operator of its own (a new entry ANDed with the others).
        const original = statementWith(before);
        const withAdded = JSON.parse(JSON.stringify(original));
        const extra = added.operator === "StringEquals" ? "StringEqualsIgnoreCase" : "ForAnyValue:StringLike";
        withAdded.Statement[0].Condition[extra] = { [KEY]: added.value };
        const closedBefore = !analyzeTrustPolicy({ policy: original, owner: OWNER }).open;
        const closedAfter = !analyzeTrustPolicy({ policy: withAdded, owner: OWNER }).open;
        if (closedBefore) expect(closedAfter, JSON.stringify(withAdded)).to.equal(true);
      }),
      { numRuns: 400 },
    );
  });
});
