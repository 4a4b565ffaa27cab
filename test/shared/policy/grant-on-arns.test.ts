/** The grant of an action on literal ARNs, prepared once: it answers as `grant` does, ARN by ARN. */
import { expect } from "chai";
import { grant, grantOnArns, type Located, locate } from "../../../shared/policy/escalation.js";
import { parsePolicyDocument } from "../../../shared/policy/parse.js";

const ACTION = "iam:UpdateAssumeRolePolicy";
const ROLES = [
  "arn:aws:iam::111122223333:role/ci-deploy",
  "arn:aws:iam::111122223333:role/ci-build",
  "arn:aws:iam::111122223333:role/admin",
  "arn:aws:iam::111122223333:role/service-role/eve",
  "arn:aws:iam::111122223333:user/eve",
];
const VARIABLES = { "aws:username": "eve", "aws:PrincipalAccount": "111122223333" };

function covering(statements: readonly object[]): Located[] {
  const document = parsePolicyDocument({ Version: "2012-10-17", Statement: statements }, "identity");
  return locate([{ label: "inline policy p", document }]).filter((s) =>
    s.statement.action.kind === "Action"
      ? s.statement.action.values.some((v) => v === "*" || v.startsWith("iam:"))
      : true,
  );
}

describe("Function: grantOnArns", () => {
  const rows: Array<[string, readonly object[], readonly number[]]> = [
    [
      "an Allow on a prefix",
      [{ Effect: "Allow", Action: ACTION, Resource: "arn:aws:iam::*:role/ci-*" }],
      [0, 1],
    ],
    [
      "an Allow with NotResource",
      [{ Effect: "Allow", Action: ACTION, NotResource: "arn:aws:iam::111122223333:role/admin" }],
      [0, 1, 3, 4],
    ],
    [
      "an unconditional Deny carving one out",
      [
        { Effect: "Allow", Action: "iam:*", Resource: "*" },
        { Effect: "Deny", Action: ACTION, Resource: "arn:aws:iam::111122223333:role/ci-build" },
      ],
      [0, 2, 3, 4],
    ],
    [
      "a conditional Deny (it may not apply)",
      [
        { Effect: "Allow", Action: "iam:*", Resource: "*" },
        {
          Effect: "Deny",
          Action: ACTION,
          Resource: "*",
          Condition: { Bool: { "aws:MultiFactorAuthPresent": "false" } },
        },
      ],
      [0, 1, 2, 3, 4],
    ],
    [
      "a Deny with NotResource",
      [
        { Effect: "Allow", Action: ACTION, Resource: "*" },
        { Effect: "Deny", Action: ACTION, NotResource: "arn:aws:iam::111122223333:role/ci-*" },
      ],
      [0, 1],
    ],
    [
      "policy variables, known and unknown",
      [
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable.
        { Effect: "Allow", Action: ACTION, Resource: "arn:aws:iam::111122223333:role/*/${aws:username}" },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable.
        { Effect: "Allow", Action: ACTION, Resource: "arn:aws:iam::111122223333:user/${aws:userid}" },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable.
        { Effect: "Deny", Action: ACTION, Resource: "arn:aws:iam::111122223333:role/${aws:PrincipalTag/x}" },
      ],
      [3, 4],
    ],
  ];
  for (const [name, statements, grantedTo] of rows) {
    it(`answers as grant does, ARN by ARN, for ${name}`, () => {
      // Prepare
      const located = covering(statements);
      // Act
      const on = grantOnArns(located, VARIABLES);
      const answers = ROLES.map((arn) => on(arn));
      // Assess
      expect(answers).to.deep.equal(ROLES.map((arn) => grant(located, ACTION, { arn }, VARIABLES)));
      expect(ROLES.flatMap((_, i) => (answers[i] === undefined ? [] : [i]))).to.deep.equal(grantedTo);
    });
  }
});
