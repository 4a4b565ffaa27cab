/**
 * Reach: who can act as whom in one account, and what each principal inherits from the writers it can
 * become. Each row is a small account in the authorization-details shape; the graph is built as the rules
 * build it.
 */
import { expect } from "chai";
import { rule as principalRule } from "../../../rules/ecr-iam-principal-write-authorized/rule.js";
import { authorizationDetails, SnapshotIamFacts } from "../../../shared/account/iam.js";
import { principalConfiguration } from "../../../shared/account/items.js";
import { normalizeItem } from "../../../shared/config/item.js";
import { parseParameters } from "../../../shared/config/parameters.js";
import { ReachGraph } from "../../../shared/reach/reach.js";
import { ACCOUNT, notificationItem } from "../../support/events.js";
import { factsFor } from "../../support/facts.js";
import { changeVerdicts, verdictOf } from "../../support/run.js";

const arn = (type: "user" | "role", name: string) => `arn:aws:iam::${ACCOUNT}:${type}/${name}`;
const doc = (...Statement: object[]) => ({ Version: "2012-10-17", Statement });
const allow = (Action: unknown, Resource: unknown = "*", Condition?: object) => ({
  Effect: "Allow",
  Action,
  Resource,
  ...(Condition === undefined ? {} : { Condition }),
});
const PUSH = allow(["ecr:PutImage", "ecr:InitiateLayerUpload"], `arn:aws:ecr:*:${ACCOUNT}:repository/app/*`);
const trust = (Principal: unknown, Action = "sts:AssumeRole") => doc({ Effect: "Allow", Principal, Action });
const ACCOUNT_DOOR = trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` });

interface Spec {
  readonly users?: Record<string, { policy?: object; boundary?: object }>;
  readonly roles?: Record<string, { policy?: object; trust: object; boundary?: object; profile?: boolean }>;
}

function account(spec: Spec) {
  const policies: object[] = [];
  const boundaryOf = (name: string, boundary: object | undefined) => {
    if (boundary === undefined) return {};
    const policyArn = `arn:aws:iam::${ACCOUNT}:policy/${name}-boundary`;
    policies.push({
      PolicyName: `${name}-boundary`,
      PolicyId: `ANPA${name.toUpperCase().padEnd(17, "B")}`,
      Arn: policyArn,
      Path: "/",
      DefaultVersionId: "v1",
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 1,
      PolicyVersionList: [{ Document: boundary, VersionId: "v1", IsDefaultVersion: true }],
    });
    return { PermissionsBoundary: { PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: policyArn } };
  };
  const inline = (policy: object | undefined) =>
    policy === undefined ? [] : [{ PolicyName: "p", PolicyDocument: policy }];
  const page = {
    UserDetailList: Object.entries(spec.users ?? {}).map(([name, u]) => ({
      Path: "/",
      UserName: name,
      UserId: `AIDA${name.toUpperCase().padEnd(17, "X")}`,
      Arn: arn("user", name),
      UserPolicyList: inline(u.policy),
      GroupList: [],
      AttachedManagedPolicies: [],
      ...boundaryOf(name, u.boundary),
    })),
    RoleDetailList: Object.entries(spec.roles ?? {}).map(([name, r]) => ({
      Path: "/",
      RoleName: name,
      RoleId: `AROA${name.toUpperCase().padEnd(17, "X")}`,
      Arn: arn("role", name),
      AssumeRolePolicyDocument: r.trust,
      InstanceProfileList: r.profile === true ? [{ InstanceProfileName: name }] : [],
      RolePolicyList: inline(r.policy),
      AttachedManagedPolicies: [],
      ...boundaryOf(name, r.boundary),
    })),
    GroupDetailList: [],
    Policies: policies,
  };
  return authorizationDetails([page]);
}

function graphOf(spec: Spec): ReachGraph {
  const details = account(spec);
  return ReachGraph.build(details.principals, new Map(details.policies.map((p) => [p.arn, p])), {
    accountId: ACCOUNT,
    partition: "aws",
    exemptActions: [],
  });
}

/** `kind→target` of every inherited action's first step, deduplicated. */
function steps(graph: ReachGraph, who: string): string[] {
  return [
    ...new Set(
      graph
        .inherited(who)
        .map((i) => (i.via === undefined ? `escalation` : `${i.via.kind}→${i.via.to.split("/").pop()}`)),
    ),
  ].sort();
}

const WRITER = { policy: doc(PUSH) };

interface Row {
  readonly name: string;
  readonly spec: Spec;
  readonly who: string;
  readonly expect: readonly string[];
}

const ROWS: readonly Row[] = [
  {
    name: "a user granted sts:AssumeRole on a writer whose trust admits the account",
    spec: {
      users: { dev: { policy: doc(allow("sts:AssumeRole", arn("role", "ci"))) } },
      roles: { ci: { ...WRITER, trust: ACCOUNT_DOOR } },
    },
    who: arn("user", "dev"),
    expect: ["assume-role→ci"],
  },
  {
    name: "the same grant when the trust admits only a service (no door for the account)",
    spec: {
      users: { dev: { policy: doc(allow("sts:AssumeRole", "*")) } },
      roles: { ci: { ...WRITER, trust: trust({ Service: "codebuild.amazonaws.com" }) } },
    },
    who: arn("user", "dev"),
    expect: [],
  },
  {
    name: "a user the trust names by ARN, with no identity permission at all",
    spec: { users: { dev: {} }, roles: { ci: { ...WRITER, trust: trust({ AWS: arn("user", "dev") }) } } },
    who: arn("user", "dev"),
    expect: ["trust-names→ci"],
  },
  {
    name: "a named user whose own policy denies sts:AssumeRole on the role",
    spec: {
      users: {
        dev: { policy: doc({ Effect: "Deny", Action: "sts:AssumeRole", Resource: arn("role", "ci") }) },
      },
      roles: { ci: { ...WRITER, trust: trust({ AWS: arn("user", "dev") }) } },
    },
    who: arn("user", "dev"),
    expect: [],
  },
  {
    name: "a role the trust names by its ARN, whose boundary does not allow sts:AssumeRole",
    spec: {
      roles: {
        runner: { trust: trust({ Service: "ec2.amazonaws.com" }), boundary: doc(allow("s3:*")) },
        ci: { ...WRITER, trust: trust({ AWS: arn("role", "runner") }) },
      },
    },
    who: arn("role", "runner"),
    expect: [],
  },
  {
    name: "a session of that role named instead (a boundary does not limit it)",
    spec: {
      roles: {
        runner: { trust: trust({ Service: "ec2.amazonaws.com" }), boundary: doc(allow("s3:*")) },
        ci: { ...WRITER, trust: trust({ AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/runner/build-42` }) },
      },
    },
    who: arn("role", "runner"),
    expect: ["trust-names→ci"],
  },
  {
    name: "a user who can pass a Lambda role and create and invoke functions",
    spec: {
      users: {
        dev: {
          policy: doc(
            allow("iam:PassRole", arn("role", "fn")),
            allow(["lambda:CreateFunction", "lambda:InvokeFunction"]),
          ),
        },
      },
      roles: { fn: { ...WRITER, trust: trust({ Service: "lambda.amazonaws.com" }) } },
    },
    who: arn("user", "dev"),
    expect: ["pass-role→fn"],
  },
  {
    name: "the same, with iam:PassedToService limited to ECS tasks",
    spec: {
      users: {
        dev: {
          policy: doc(
            allow("iam:PassRole", arn("role", "fn"), {
              StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" },
            }),
            allow(["lambda:CreateFunction", "lambda:InvokeFunction"]),
          ),
        },
      },
      roles: { fn: { ...WRITER, trust: trust({ Service: "lambda.amazonaws.com" }) } },
    },
    who: arn("user", "dev"),
    expect: [],
  },
  {
    name: "PassRole on another role than the writer",
    spec: {
      users: { dev: { policy: doc(allow("iam:PassRole", arn("role", "other")), allow("lambda:*")) } },
      roles: { fn: { ...WRITER, trust: trust({ Service: "lambda.amazonaws.com" }) } },
    },
    who: arn("user", "dev"),
    expect: [],
  },
  {
    name: "an EC2 writer role in no instance profile, to a user who cannot add it to one",
    spec: {
      users: { dev: { policy: doc(allow("iam:PassRole", arn("role", "node")), allow("ec2:RunInstances")) } },
      roles: { node: { ...WRITER, trust: trust({ Service: "ec2.amazonaws.com" }) } },
    },
    who: arn("user", "dev"),
    expect: [],
  },
  {
    name: "the EC2 writer role in an instance profile",
    spec: {
      users: { dev: { policy: doc(allow("iam:PassRole", arn("role", "node")), allow("ec2:RunInstances")) } },
      roles: { node: { ...WRITER, trust: trust({ Service: "ec2.amazonaws.com" }), profile: true } },
    },
    who: arn("user", "dev"),
    expect: ["pass-role→node"],
  },
  {
    name: "a service outside the launch table",
    spec: {
      users: { dev: { policy: doc(allow("iam:PassRole"), allow("datasync:*")) } },
      roles: { svc: { ...WRITER, trust: trust({ Service: "datasync.amazonaws.com" }) } },
    },
    who: arn("user", "dev"),
    expect: [],
  },
  {
    name: "a chain: a user assumes a hop role, which assumes the writer",
    spec: {
      users: { dev: { policy: doc(allow("sts:AssumeRole", arn("role", "hop"))) } },
      roles: {
        hop: { policy: doc(allow("sts:AssumeRole", arn("role", "ci"))), trust: ACCOUNT_DOOR },
        ci: { ...WRITER, trust: ACCOUNT_DOOR },
      },
    },
    who: arn("user", "dev"),
    expect: ["assume-role→hop"],
  },
  {
    name: "a cycle of two roles, one of which writes",
    spec: {
      roles: {
        a: { policy: doc(allow("sts:AssumeRole", arn("role", "b"))), trust: ACCOUNT_DOOR },
        b: { policy: doc(PUSH, allow("sts:AssumeRole", arn("role", "a"))), trust: ACCOUNT_DOOR },
      },
    },
    who: arn("role", "a"),
    expect: ["assume-role→b"],
  },
  {
    name: "a user who can rewrite a writer's trust policy",
    spec: {
      users: { dev: { policy: doc(allow("iam:UpdateAssumeRolePolicy", arn("role", "ci"))) } },
      roles: { ci: { ...WRITER, trust: trust({ Service: "codebuild.amazonaws.com" }) } },
    },
    who: arn("user", "dev"),
    expect: ["update-trust→ci"],
  },
  {
    name: "a user who can create access keys for a writer user",
    spec: { users: { dev: { policy: doc(allow("iam:CreateAccessKey", arn("user", "bot"))) }, bot: WRITER } },
    who: arn("user", "dev"),
    expect: ["credentials→bot"],
  },
  {
    name: "a user who can assume a role that writes nothing, and change that role's policies",
    spec: {
      users: {
        dev: {
          policy: doc(
            allow("sts:AssumeRole", arn("role", "plain")),
            allow("iam:PutRolePolicy", arn("role", "plain")),
          ),
        },
      },
      roles: { plain: { trust: ACCOUNT_DOOR } },
    },
    who: arn("user", "dev"),
    expect: ["assume-role→plain"],
  },
  {
    name: "a user who can create a role and give it policies",
    spec: {
      users: {
        dev: {
          policy: doc(allow(["iam:CreateRole", "iam:PutRolePolicy"], `arn:aws:iam::${ACCOUNT}:role/tmp-*`)),
        },
      },
    },
    who: arn("user", "dev"),
    expect: ["escalation"],
  },
  // Grants on every role or user go through one shared hub: the same answers, named by the hub's step.
  {
    name: "an administrator granted sts:AssumeRole on every role (the hub of roles admitting the account)",
    spec: {
      users: { admin: { policy: doc(allow("sts:AssumeRole", "*")) } },
      roles: {
        ci: { ...WRITER, trust: ACCOUNT_DOOR },
        svc: { ...WRITER, trust: trust({ Service: "ecs-tasks.amazonaws.com" }) },
      },
    },
    who: arn("user", "admin"),
    expect: ["assume-role→hub:roles-admitting-the-account"],
  },
  {
    name: "the same administrator when its only writer trusts a service, not the account",
    spec: {
      users: { admin: { policy: doc(allow("sts:AssumeRole", "*")) } },
      roles: { svc: { ...WRITER, trust: trust({ Service: "ecs-tasks.amazonaws.com" }) } },
    },
    who: arn("user", "admin"),
    expect: [],
  },
  {
    name: "an administrator with sts:AssumeRole on every role but an explicit Deny on the writer",
    spec: {
      users: {
        admin: {
          policy: doc(allow("sts:AssumeRole", "*"), {
            Effect: "Deny",
            Action: "sts:AssumeRole",
            Resource: arn("role", "ci"),
          }),
        },
      },
      roles: { ci: { ...WRITER, trust: ACCOUNT_DOOR } },
    },
    who: arn("user", "admin"),
    expect: [],
  },
  {
    name: "a user with iam:PassRole on every role and Lambda's launch",
    spec: {
      users: {
        dev: {
          policy: doc(allow("iam:PassRole", "*"), allow(["lambda:CreateFunction", "lambda:InvokeFunction"])),
        },
      },
      roles: { fn: { ...WRITER, trust: trust({ Service: "lambda.amazonaws.com" }) } },
    },
    who: arn("user", "dev"),
    expect: ["pass-role→hub:roles-of-lambda.amazonaws.com"],
  },
  {
    name: "a user with iam:CreateAccessKey on every user, one of which writes",
    spec: {
      users: {
        dev: { policy: doc(allow("iam:CreateAccessKey", `arn:aws:iam::${ACCOUNT}:user/*`)) },
        bot: WRITER,
      },
    },
    who: arn("user", "dev"),
    expect: ["credentials→hub:every-user"],
  },
  {
    name: "two users sharing a pattern grant (role/ci-*) reach the writer through one pattern hub",
    spec: {
      users: {
        a: { policy: doc(allow("sts:AssumeRole", arn("role", "ci-*"))) },
        b: { policy: doc(allow("sts:AssumeRole", arn("role", "ci-*"))) },
      },
      roles: { "ci-push": { ...WRITER, trust: ACCOUNT_DOOR }, other: { ...WRITER, trust: ACCOUNT_DOOR } },
    },
    who: arn("user", "b"),
    // The hub's id ends with the pattern: its last path segment is the pattern's.
    expect: ["assume-role→ci-*"],
  },
  {
    name: "a user whose boundary allows sts:AssumeRole only on another role, granted it on every role",
    spec: {
      users: {
        dev: {
          policy: doc(allow("sts:AssumeRole", "*")),
          boundary: doc(allow("sts:AssumeRole", arn("role", "other"))),
        },
      },
      roles: { ci: { ...WRITER, trust: ACCOUNT_DOOR }, other: { trust: ACCOUNT_DOOR } },
    },
    who: arn("user", "dev"),
    expect: [],
  },
];

describe("Reach", () => {
  for (const row of ROWS) {
    it(`${row.expect.length > 0 ? "finds" : "finds no"} reach for ${row.name}`, () => {
      expect(steps(graphOf(row.spec), row.who)).to.deep.equal([...row.expect].sort());
    });
  }

  it("gives the broader scope per action: all repositories through an escalation", () => {
    const graph = graphOf(ROWS.find((r) => r.name.startsWith("a user who can create a role"))?.spec ?? {});
    const inherited = graph.inherited(arn("user", "dev"));
    expect(inherited.length).to.be.greaterThan(10);
    expect(inherited.every((i) => i.scope === "all")).to.equal(true);
  });

  it("lists who can act as a role, transitively", () => {
    const graph = graphOf(ROWS.find((r) => r.name.startsWith("a chain"))?.spec ?? {});
    expect([...graph.reachers(arn("role", "ci"))].sort()).to.deep.equal([
      arn("role", "hop"),
      arn("user", "dev"),
    ]);
  });

  describe("the principal rule judges what a principal can become", () => {
    const spec: Spec = {
      users: { dev: { policy: doc(allow("sts:AssumeRole", arn("role", "ci"))) } },
      roles: { ci: { ...WRITER, trust: ACCOUNT_DOOR } },
    };
    async function verdict(parameters: Record<string, string>) {
      const details = account(spec);
      const iam = new SnapshotIamFacts(details);
      const dev = details.principals.find((p) => p.name === "dev");
      if (dev === undefined) throw new Error("no dev");
      const item = normalizeItem(
        notificationItem({
          resourceType: "AWS::IAM::User",
          resourceId: dev.id,
          region: "global",
          arn: dev.arn,
          configuration: principalConfiguration(dev),
        }),
        "notification",
      );
      return verdictOf(principalRule, item, {
        parameters: parseParameters(principalRule.parameters, parameters),
        accountId: ACCOUNT,
        region: "us-east-1",
        partition: "aws",
        facts: factsFor({ iam: () => iam }),
        ruleName: principalRule.name,
      });
    }

    it("flags a user who can assume a pipeline role, naming the path", async () => {
      const result = await verdict({});
      expect(result.compliance).to.equal("NON_COMPLIANT");
      expect(result.annotation).to.match(
        /^User dev can assume role ci \(trust Statement\[0\]; inline policy p Statement\[0\]\), which holds/u,
      );
    });

    it("flags the user under authorizedPrincipalArns that lists only the pipeline role", async () => {
      const result = await verdict({ authorizedPrincipalArns: arn("role", "ci") });
      expect(result.compliance).to.equal("NON_COMPLIANT");
      expect(result.annotation).to.include("not in authorizedPrincipalArns");
    });
  });
});

describe("Reach: a change to a role re-evaluates who can act as it", () => {
  it("returns the role's verdict, then the verdicts of the principals that reach it", async () => {
    const details = account({
      users: { dev: { policy: doc(allow("sts:AssumeRole", arn("role", "ci"))) }, other: {} },
      roles: { ci: { ...WRITER, trust: ACCOUNT_DOOR } },
    });
    const iam = new SnapshotIamFacts(details);
    const ci = details.principals.find((p) => p.name === "ci");
    if (ci === undefined) throw new Error("no ci");
    const item = normalizeItem(
      notificationItem({
        resourceType: "AWS::IAM::Role",
        resourceId: ci.id,
        region: "global",
        arn: ci.arn,
        configuration: principalConfiguration(ci),
      }),
      "notification",
    );
    const verdicts = await changeVerdicts(principalRule, item, {
      parameters: parseParameters(principalRule.parameters, {}),
      accountId: ACCOUNT,
      region: "us-east-1",
      partition: "aws",
      facts: factsFor({ iam: () => iam }),
      ruleName: principalRule.name,
    });
    const dev = details.principals.find((p) => p.name === "dev");
    expect(verdicts.map((v) => v.resourceId)).to.deep.equal([ci.id, dev?.id]);
    expect(verdicts[1]?.verdict.compliance).to.equal("NON_COMPLIANT");
  });
});
