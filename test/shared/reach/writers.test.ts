/**
 * Who can write to one repository: identity grants matched against its ARN and tags, boundaries and Deny
 * statements, its repository policy (Deny, NotPrincipal, perimeters, the own account), the registry policy,
 * and reach. Each row is a small account in the authorization-details shape, built into the graph the
 * command builds, and one repository.
 */
import { expect } from "chai";
import { authorizationDetails } from "../../../shared/account/iam.js";
import { ReachGraph } from "../../../shared/reach/reach.js";
import { WritersIndex, writersOf } from "../../../shared/reach/writers.js";
import { ACCOUNT } from "../../support/events.js";

const FOREIGN = "999988887777";
const ORG = "o-a1b2c3d4e5";
const arn = (type: "user" | "role", name: string) => `arn:aws:iam::${ACCOUNT}:${type}/${name}`;
const repoArn = (name: string) => `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/${name}`;
const doc = (...Statement: object[]) => ({ Version: "2012-10-17", Statement });
const allow = (Action: unknown, Resource: unknown = "*", Condition?: object) => ({
  Effect: "Allow",
  Action,
  Resource,
  ...(Condition === undefined ? {} : { Condition }),
});
const deny = (Action: unknown, Resource: unknown = "*", Condition?: object) => ({
  ...allow(Action, Resource, Condition),
  Effect: "Deny",
});
const PUSH = ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"];
const ACCOUNT_DOOR = doc({
  Effect: "Allow",
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
  Action: "sts:AssumeRole",
});
const NO_DOOR = doc({
  Effect: "Allow",
  Principal: { Service: "ec2.amazonaws.com" },
  Action: "sts:AssumeRole",
});

interface Spec {
  readonly users?: Record<string, object>;
  readonly roles?: Record<string, { policy?: object; trust?: object; boundary?: object }>;
}

function graphOf(spec: Spec): ReachGraph {
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
  const details = authorizationDetails([
    {
      UserDetailList: Object.entries(spec.users ?? {}).map(([name, policy]) => ({
        Path: "/",
        UserName: name,
        UserId: `AIDA${name.toUpperCase().padEnd(17, "X")}`,
        Arn: arn("user", name),
        UserPolicyList: inline(policy),
        GroupList: [],
        AttachedManagedPolicies: [],
      })),
      RoleDetailList: Object.entries(spec.roles ?? {}).map(([name, r]) => ({
        Path: "/",
        RoleName: name,
        RoleId: `AROA${name.toUpperCase().padEnd(17, "X")}`,
        Arn: arn("role", name),
        AssumeRolePolicyDocument: r.trust ?? NO_DOOR,
        InstanceProfileList: [],
        RolePolicyList: inline(r.policy),
        AttachedManagedPolicies: [],
        ...boundaryOf(name, r.boundary),
      })),
      GroupDetailList: [],
      Policies: policies,
    },
  ]);
  return ReachGraph.build(details.principals, new Map(details.policies.map((p) => [p.arn, p])), {
    accountId: ACCOUNT,
    partition: "aws",
    exemptActions: [],
  });
}

interface Row {
  readonly name: string;
  readonly account: Spec;
  readonly repository: string;
  /** `undefined`: not known. */
  readonly tags?: Record<string, string> | undefined;
  readonly policy?: object;
  readonly registryPolicy?: object;
  /** Writers by principal: the actions they must hold (a subset), or `null` for "not a writer". */
  readonly expect: Record<string, readonly string[] | null>;
  /** Writers that must not hold these actions (they may hold others). */
  readonly lacks?: Record<string, readonly string[]>;
  /** A principal's path, joined with " → ", must match. */
  readonly path?: Record<string, RegExp>;
}

const CI = arn("role", "ci");
const TEAM_CONDITION = { StringEquals: { "aws:ResourceTag/team": "payments" } };

const ROWS: readonly Row[] = [
  {
    name: "a grant scoped to app-* admits app-web",
    account: { roles: { ci: { policy: doc(allow(PUSH, `arn:aws:ecr:*:${ACCOUNT}:repository/app-*`)) } } },
    repository: "app-web",
    tags: {},
    expect: { [CI]: PUSH },
    path: { [CI]: /^role ci: inline policy p Statement\[0\] grants them on app-web$/u },
  },
  {
    name: "a grant scoped to app-* does not admit infra",
    account: { roles: { ci: { policy: doc(allow(PUSH, `arn:aws:ecr:*:${ACCOUNT}:repository/app-*`)) } } },
    repository: "infra",
    tags: {},
    expect: { [CI]: null },
  },
  {
    name: "a grant on another partition's ARN admits nothing",
    account: { roles: { ci: { policy: doc(allow(PUSH, `arn:aws-cn:ecr:*:${ACCOUNT}:repository/*`)) } } },
    repository: "app-web",
    tags: {},
    expect: { [CI]: null },
  },
  {
    name: "StringEquals team=payments admits the repository tagged team=payments",
    account: { roles: { ci: { policy: doc(allow(PUSH, "*", TEAM_CONDITION)) } } },
    repository: "payments-api",
    tags: { team: "payments" },
    expect: { [CI]: PUSH },
    path: { [CI]: /grants them on payments-api$/u },
  },
  {
    name: "StringEquals team=payments does not admit a repository tagged team=web",
    account: { roles: { ci: { policy: doc(allow(PUSH, "*", TEAM_CONDITION)) } } },
    repository: "web",
    tags: { team: "web" },
    expect: { [CI]: null },
  },
  {
    name: "StringEquals team=payments does not admit an untagged repository",
    account: { roles: { ci: { policy: doc(allow(PUSH, "*", TEAM_CONDITION)) } } },
    repository: "web",
    tags: {},
    expect: { [CI]: null },
  },
  {
    name: "a tag condition on a repository whose tags are not known may match, and the path says so",
    account: { roles: { ci: { policy: doc(allow(PUSH, "*", TEAM_CONDITION)) } } },
    repository: "web",
    tags: undefined,
    expect: { [CI]: PUSH },
    path: { [CI]: /grants them on web \(if its tags match aws:ResourceTag\/team\)$/u },
  },
  {
    name: "the tag key of a condition matches case-insensitively, its value exactly",
    account: {
      roles: {
        ci: { policy: doc(allow(PUSH, "*", { StringEquals: { "aws:ResourceTag/Team": "payments" } })) },
      },
    },
    repository: "payments-api",
    tags: { team: "Payments" },
    expect: { [CI]: null },
  },
  {
    name: "ecr:ResourceTag with StringLike pay* admits team=payments",
    account: {
      roles: { ci: { policy: doc(allow(PUSH, "*", { StringLike: { "ecr:ResourceTag/team": "pay*" } })) } },
    },
    repository: "payments-api",
    tags: { team: "payments" },
    expect: { [CI]: PUSH },
  },
  {
    name: "StringNotEquals team=payments admits an untagged repository",
    account: {
      roles: {
        ci: { policy: doc(allow(PUSH, "*", { StringNotEquals: { "aws:ResourceTag/team": "payments" } })) },
      },
    },
    repository: "web",
    tags: {},
    expect: { [CI]: PUSH },
  },
  {
    name: "StringNotEquals team=payments does not admit team=payments",
    account: {
      roles: {
        ci: { policy: doc(allow(PUSH, "*", { StringNotEquals: { "aws:ResourceTag/team": "payments" } })) },
      },
    },
    repository: "payments-api",
    tags: { team: "payments" },
    expect: { [CI]: null },
  },
  {
    name: "StringEqualsIfExists admits a repository without the tag",
    account: {
      roles: {
        ci: {
          policy: doc(allow(PUSH, "*", { StringEqualsIfExists: { "aws:ResourceTag/team": "payments" } })),
        },
      },
    },
    repository: "web",
    tags: { env: "dev" },
    expect: { [CI]: PUSH },
  },
  {
    name: 'Null "false" admits only a repository that has the tag',
    account: {
      roles: { ci: { policy: doc(allow(PUSH, "*", { Null: { "aws:ResourceTag/team": "false" } })) } },
    },
    repository: "web",
    tags: { env: "dev" },
    expect: { [CI]: null },
  },
  {
    name: 'Null "true" admits a repository without the tag',
    account: {
      roles: { ci: { policy: doc(allow(PUSH, "*", { Null: { "aws:ResourceTag/team": "true" } })) } },
    },
    repository: "web",
    tags: {},
    expect: { [CI]: PUSH },
  },
  {
    name: "a tag condition whose value is a principal tag variable may match (a session can set it)",
    account: {
      roles: {
        ci: {
          policy: doc(
            allow(PUSH, "*", { StringEquals: { "aws:ResourceTag/team": `\${aws:PrincipalTag/team}` } }),
          ),
        },
      },
    },
    repository: "web",
    tags: { team: "web" },
    expect: { [CI]: PUSH },
    path: { [CI]: /\(if its tags match aws:ResourceTag\/team\)$/u },
  },
  {
    name: "a Deny by tag removes the action on the repository carrying the tag",
    account: {
      roles: {
        ci: {
          policy: doc(
            allow("ecr:*"),
            deny("ecr:PutImage", "*", { StringEquals: { "aws:ResourceTag/env": "prod" } }),
          ),
        },
      },
    },
    repository: "payments-api",
    tags: { env: "prod" },
    expect: { [CI]: ["ecr:BatchDeleteImage", "ecr:InitiateLayerUpload"] },
    lacks: { [CI]: ["ecr:PutImage"] },
  },
  {
    name: "a Deny by tag leaves a repository without the tag",
    account: {
      roles: {
        ci: {
          policy: doc(
            allow("ecr:*"),
            deny("ecr:PutImage", "*", { StringEquals: { "aws:ResourceTag/env": "prod" } }),
          ),
        },
      },
    },
    repository: "web",
    tags: { env: "dev" },
    expect: { [CI]: ["ecr:PutImage"] },
  },
  {
    name: "a Deny by tag on a repository whose tags are not known may not apply: the writer stays",
    account: {
      roles: {
        ci: {
          policy: doc(
            allow("ecr:*"),
            deny("ecr:PutImage", "*", { StringEquals: { "aws:ResourceTag/env": "prod" } }),
          ),
        },
      },
    },
    repository: "web",
    tags: undefined,
    expect: { [CI]: ["ecr:PutImage"] },
  },
  {
    name: "a Deny on a request key may not apply: the writer stays, and an Allow on one is under conditions",
    account: {
      roles: {
        ci: {
          policy: doc(
            allow(PUSH, "*", { IpAddress: { "aws:SourceIp": "203.0.113.0/24" } }),
            deny("ecr:PutImage", "*", { Bool: { "aws:MultiFactorAuthPresent": "false" } }),
          ),
        },
      },
    },
    repository: "web",
    tags: {},
    expect: { [CI]: PUSH },
    path: { [CI]: /grants them on web \(under conditions: aws:SourceIp\)$/u },
  },
  {
    name: "an unconditional Deny on the repository's ARN removes the writer",
    account: { roles: { ci: { policy: doc(allow(PUSH), deny("ecr:*", repoArn("web"))) } } },
    repository: "web",
    tags: {},
    expect: { [CI]: null },
  },
  {
    name: "a permissions boundary limited to app-* keeps the role from writing to infra",
    account: {
      roles: {
        ci: {
          policy: doc(allow("ecr:*")),
          boundary: doc(allow("ecr:*", `arn:aws:ecr:*:${ACCOUNT}:repository/app-*`)),
        },
      },
    },
    repository: "infra",
    tags: {},
    expect: { [CI]: null },
  },
  {
    name: "a permissions boundary's Deny by tag removes the action",
    account: {
      roles: {
        ci: {
          policy: doc(allow(PUSH)),
          boundary: doc(
            allow("ecr:*"),
            deny("ecr:PutImage", "*", { StringEquals: { "aws:ResourceTag/env": "prod" } }),
          ),
        },
      },
    },
    repository: "payments-api",
    tags: { env: "prod" },
    expect: { [CI]: ["ecr:InitiateLayerUpload"] },
    lacks: { [CI]: ["ecr:PutImage"] },
  },
  {
    name: "a resource pattern with the aws:username variable admits the user's own repositories only",
    account: {
      users: {
        alice: doc(allow(PUSH, `arn:aws:ecr:*:${ACCOUNT}:repository/\${aws:username}-*`)),
        bob: doc(allow(PUSH, `arn:aws:ecr:*:${ACCOUNT}:repository/\${aws:username}-*`)),
      },
    },
    repository: "alice-app",
    tags: {},
    expect: { [arn("user", "alice")]: PUSH, [arn("user", "bob")]: null },
  },
  {
    name: "a repository-policy Deny on everyone removes the action from every writer",
    account: { roles: { ci: { policy: doc(allow(PUSH)) } } },
    repository: "web",
    tags: {},
    policy: doc({ Effect: "Deny", Principal: "*", Action: "ecr:PutImage" }),
    expect: { [CI]: ["ecr:InitiateLayerUpload"] },
    lacks: { [CI]: ["ecr:PutImage"] },
  },
  {
    name: "a repository-policy Deny naming a role removes that role and no other",
    account: { roles: { ci: { policy: doc(allow(PUSH)) }, deploy: { policy: doc(allow(PUSH)) } } },
    repository: "web",
    tags: {},
    policy: doc({ Effect: "Deny", Principal: { AWS: CI }, Action: "ecr:*" }),
    expect: { [CI]: null, [arn("role", "deploy")]: PUSH },
  },
  {
    name: "a repository-policy Deny naming the own account removes every principal of it",
    account: { roles: { ci: { policy: doc(allow(PUSH)) } }, users: { dev: doc(allow(PUSH)) } },
    repository: "web",
    tags: {},
    policy: doc({ Effect: "Deny", Principal: { AWS: ACCOUNT }, Action: PUSH }),
    expect: { [CI]: null, [arn("user", "dev")]: null },
  },
  {
    name: "a repository-policy Deny by tag applies only where the tag is",
    account: { roles: { ci: { policy: doc(allow(PUSH)) } } },
    repository: "web",
    tags: { env: "dev" },
    policy: doc({
      Effect: "Deny",
      Principal: "*",
      Action: "ecr:*",
      Condition: { StringEquals: { "aws:ResourceTag/env": "prod" } },
    }),
    expect: { [CI]: PUSH },
  },
  {
    name: "a repository-policy Deny with NotPrincipal removes no one (as the repository rule reads it)",
    account: { roles: { ci: { policy: doc(allow(PUSH)) } } },
    repository: "web",
    tags: {},
    policy: doc({ Effect: "Deny", NotPrincipal: { AWS: arn("role", "other") }, Action: "ecr:*" }),
    expect: { [CI]: PUSH },
  },
  {
    name: "a repository-policy Allow with NotPrincipal admits everyone else: public",
    account: {},
    repository: "web",
    tags: {},
    policy: doc({ Effect: "Allow", NotPrincipal: { AWS: CI }, Action: "ecr:PutImage" }),
    expect: { "*": ["ecr:PutImage"] },
    path: { "*": /^repository policy Statement\[0\] admits everyone its NotPrincipal does not name$/u },
  },
  {
    name: "a repository-policy Allow to another account in the organization is under that condition",
    account: {},
    repository: "web",
    tags: {},
    policy: doc({
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${FOREIGN}:root` },
      Action: PUSH,
      Condition: { StringEquals: { "aws:PrincipalOrgID": ORG } },
    }),
    expect: { [FOREIGN]: PUSH },
    path: { [FOREIGN]: /admits account 999988887777 \(under conditions: aws:PrincipalOrgID o-a1b2c3d4e5\)/u },
  },
  {
    name: "a repository-policy Allow whose tag condition fails for this repository admits no one",
    account: {},
    repository: "web",
    tags: { team: "web" },
    policy: doc({ Effect: "Allow", Principal: { AWS: FOREIGN }, Action: PUSH, Condition: TEAM_CONDITION }),
    expect: { [FOREIGN]: null },
  },
  {
    name: "a data perimeter on aws:PrincipalAccount removes another account's grant and keeps the own principals",
    account: { roles: { ci: { policy: doc(allow(PUSH)) } } },
    repository: "web",
    tags: {},
    policy: doc(
      { Effect: "Allow", Principal: { AWS: FOREIGN }, Action: PUSH },
      {
        Effect: "Deny",
        Principal: "*",
        Action: "ecr:*",
        Condition: { StringNotEquals: { "aws:PrincipalAccount": ACCOUNT } },
      },
    ),
    expect: { [FOREIGN]: null, [CI]: PUSH },
  },
  {
    name: "the own account named by a repository policy delegates to IAM: no writer without an identity grant",
    account: { roles: { idle: { policy: doc(allow("s3:GetObject")) } } },
    repository: "web",
    tags: {},
    policy: doc({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "ecr:*" }),
    expect: { [ACCOUNT]: null, [arn("role", "idle")]: null },
  },
  {
    name: "a role a repository policy names writes without an identity grant, and whoever assumes it too",
    account: {
      roles: { pusher: { trust: ACCOUNT_DOOR } },
      users: { dev: doc(allow("sts:AssumeRole", arn("role", "pusher"))) },
    },
    repository: "web",
    tags: {},
    policy: doc({ Effect: "Allow", Principal: { AWS: arn("role", "pusher") }, Action: PUSH }),
    expect: { [arn("role", "pusher")]: PUSH, [arn("user", "dev")]: PUSH },
    path: {
      [arn("role", "pusher")]: /^role pusher: repository policy Statement\[0\] names it$/u,
      [arn("user", "dev")]:
        /^can assume role pusher .* → role pusher writes: repository policy Statement\[0\] names it$/u,
    },
  },
  {
    name: "a registry-policy replication grant to another account writes into the repositories it covers",
    account: {},
    repository: "web",
    tags: {},
    registryPolicy: doc({
      Sid: "Replication",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${FOREIGN}:root` },
      Action: ["ecr:CreateRepository", "ecr:ReplicateImage"],
      Resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/*`,
    }),
    expect: { [FOREIGN]: ["ecr:CreateRepository", "ecr:ReplicateImage"] },
    path: { [FOREIGN]: /^registry policy Statement\[0\] \(Sid Replication\) admits account 999988887777/u },
  },
  {
    name: "a registry-policy grant on a name pattern leaves other repositories out",
    account: {},
    repository: "web",
    tags: {},
    registryPolicy: doc({
      Effect: "Allow",
      Principal: { AWS: FOREIGN },
      Action: ["ecr:CreateRepository", "ecr:ReplicateImage"],
      Resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/prod-*`,
    }),
    expect: { [FOREIGN]: null },
  },
  {
    name: "a registry-policy grant of BatchImportUpstreamImage alone writes nothing (it is not sensitive)",
    account: {},
    repository: "web",
    tags: {},
    registryPolicy: doc({
      Effect: "Allow",
      Principal: { AWS: FOREIGN },
      Action: "ecr:BatchImportUpstreamImage",
      Resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/*`,
    }),
    expect: { [FOREIGN]: null },
  },
  {
    name: "a principal that can change its own permissions writes to every repository",
    account: { roles: { ops: { policy: doc(allow("iam:PutRolePolicy", arn("role", "ops"))) } } },
    repository: "web",
    tags: {},
    expect: { [arn("role", "ops")]: ["ecr:PutImage", "ecr:SetRepositoryPolicy"] },
    path: { [arn("role", "ops")]: /can change its own permissions \(iam:PutRolePolicy on itself/u },
  },
];

describe("writersOf", () => {
  for (const row of ROWS) {
    it(row.name, () => {
      // Prepare
      const graph = graphOf(row.account);

      // Act
      const { writers } = writersOf(graph, {
        repositoryName: row.repository,
        repositoryArn: repoArn(row.repository),
        policy: row.policy ?? null,
        tags: row.tags === undefined ? undefined : new Map(Object.entries(row.tags)),
        registryPolicy: row.registryPolicy ?? null,
      });

      // Assess
      for (const [principal, actions] of Object.entries(row.expect)) {
        const found = writers.filter((w) => w.principal === principal);
        if (actions === null) expect(found, principal).to.deep.equal([]);
        else
          expect(
            found.flatMap((w) => w.actions),
            principal,
          ).to.include.members([...actions]);
      }
      for (const [principal, actions] of Object.entries(row.lacks ?? {})) {
        const held = writers.filter((w) => w.principal === principal).flatMap((w) => w.actions);
        for (const action of actions) expect(held, principal).not.to.include(action);
      }
      for (const [principal, pattern] of Object.entries(row.path ?? {})) {
        const found = writers.find((w) => w.principal === principal);
        expect(found?.path.join(" → "), principal).to.match(pattern);
      }
    });
  }
});

describe("WritersIndex", () => {
  const LEAD = arn("role", "lead");
  const TRUSTS_LEAD = doc({ Effect: "Allow", Principal: { AWS: LEAD }, Action: "sts:AssumeRole" });
  const ACCOUNT_SPEC: Spec = {
    roles: {
      ci: { policy: doc(allow(PUSH, `arn:aws:ecr:*:${ACCOUNT}:repository/app-*`)), trust: TRUSTS_LEAD },
      tagged: { policy: doc(allow("ecr:PutImage", "*", TEAM_CONDITION)) },
      lead: { policy: doc(allow("sts:AssumeRole", arn("role", "ci"))) },
      boss: { policy: doc(allow(["sts:AssumeRole", "iam:PutRolePolicy"], arn("role", "target"))) },
      target: {
        trust: doc({ Effect: "Allow", Principal: { AWS: arn("role", "boss") }, Action: "sts:AssumeRole" }),
      },
    },
  };
  const question = (name: string, tags: Record<string, string> | undefined) => ({
    repositoryName: name,
    repositoryArn: repoArn(name),
    policy: null,
    tags: tags === undefined ? undefined : new Map(Object.entries(tags)),
    registryPolicy: null,
  });
  const QUESTIONS = [
    question("app-web", {}),
    question("app-api", {}),
    question("app-web", { team: "payments" }),
    question("infra", { team: "payments" }),
    question("infra", undefined),
    question("app-api", { team: "web" }),
  ];

  const cases = [
    { name: "in the order asked", order: QUESTIONS },
    { name: "in the reverse order", order: [...QUESTIONS].reverse() },
  ];
  for (const { name, order } of cases) {
    it(`answers each repository as a fresh index does, ${name}`, () => {
      // Prepare
      const graph = graphOf(ACCOUNT_SPEC);
      const shared = new WritersIndex(graph);

      // Act
      const answers = order.map((q) => shared.writersOf(q));

      // Assess
      expect(answers).to.deep.equal(order.map((q) => new WritersIndex(graph).writersOf(q)));
    });
  }

  it("names each repository in the paths of repositories that share their direct writers", () => {
    // Prepare
    const index = new WritersIndex(graphOf(ACCOUNT_SPEC));

    // Act
    const [web, api] = ["app-web", "app-api"].map((name) => index.writersOf(question(name, {})));

    // Assess
    for (const [answer, name] of [
      [web, "app-web"],
      [api, "app-api"],
    ] as const) {
      const lines = (answer?.writers ?? []).filter((w) => w.principal === CI || w.principal === LEAD);
      expect(lines.map((w) => w.path.at(-1))).to.deep.equal([
        `role ci: inline policy p Statement[0] grants them on ${name}`,
        `role ci writes: inline policy p Statement[0] grants them on ${name}`,
      ]);
    }
  });

  it("lists every sensitive action, the registry's too, for a principal that can change one it acts as", () => {
    // Prepare
    const index = new WritersIndex(graphOf(ACCOUNT_SPEC));

    // Act
    const { writers } = index.writersOf(question("infra", {}));

    // Assess
    const boss = writers.find((w) => w.principal === arn("role", "boss"));
    expect(boss?.actions).to.include.members(["ecr:PutImage", "ecr:PutRegistryPolicy"]);
    expect(boss?.path.join(" → ")).to.match(
      /^role boss: .*role target.*, and can change its permissions \(iam:PutRolePolicy/u,
    );
  });
});

describe("writersOf: whoever can act as the writers", () => {
  const trusts = (...names: string[]) =>
    doc({ Effect: "Allow", Principal: { AWS: names.map((n) => arn("role", n)) }, Action: "sts:AssumeRole" });
  const assumes = (...names: string[]) =>
    allow(
      "sts:AssumeRole",
      names.map((n) => arn("role", n)),
    );
  const GITHUB = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
  const GITHUB_DOOR = doc({
    Effect: "Allow",
    Principal: { Federated: GITHUB },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: {
      StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
      StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/app:*" },
    },
  });
  const SUBJECT = "token.actions.githubusercontent.com:repo:acme/app:*";
  const PINNED = "pinned by token.actions.githubusercontent.com:sub";
  const PUT = "ecr:PutImage";
  const DELETE = "ecr:BatchDeleteImage";
  const grants = (role: string) => `role ${role} writes: inline policy p Statement[0] grants them on web`;
  const step = (role: string) => `is named by the trust policy of role ${role} (trust Statement[0])`;

  /** Per principal or door: its actions and its path, exactly. */
  const rows: ReadonlyArray<{
    readonly name: string;
    readonly account: Spec;
    readonly expect: Record<
      string,
      { readonly actions: readonly string[]; readonly path: readonly string[] }
    >;
  }> = [
    {
      name: "a principal that can act as two writers holds the actions of both, with the path to the first",
      account: {
        roles: {
          deleter: { policy: doc(allow(DELETE)), trust: trusts("lead") },
          pusher: { policy: doc(allow(PUT)), trust: trusts("lead") },
          lead: { policy: doc(assumes("deleter", "pusher")) },
        },
      },
      expect: {
        [arn("role", "lead")]: { actions: [DELETE, PUT], path: [step("deleter"), grants("deleter")] },
      },
    },
    {
      name: "a principal two steps from a writer is found by both steps",
      account: {
        roles: {
          pusher: { policy: doc(allow(PUT)), trust: trusts("mid") },
          mid: { policy: doc(assumes("pusher")), trust: trusts("lead") },
          lead: { policy: doc(assumes("mid")) },
        },
      },
      expect: {
        [arn("role", "mid")]: { actions: [PUT], path: [step("pusher"), grants("pusher")] },
        [arn("role", "lead")]: {
          actions: [PUT],
          path: [step("mid"), step("pusher"), grants("pusher")],
        },
      },
    },
    {
      name: "a principal with a short and a long way to a writer is given the short one",
      account: {
        roles: {
          pusher: { policy: doc(allow(PUT)), trust: trusts("mid", "lead") },
          mid: { policy: doc(assumes("pusher")), trust: trusts("lead") },
          lead: { policy: doc(assumes("mid", "pusher")) },
        },
      },
      expect: {
        [arn("role", "lead")]: { actions: [PUT], path: [step("pusher"), grants("pusher")] },
      },
    },
    {
      name: "a principal that reaches a second writer only through one that reaches the first holds both",
      account: {
        roles: {
          deleter: { policy: doc(allow(DELETE)), trust: trusts("mid") },
          pusher: { policy: doc(allow(PUT)), trust: trusts("mid") },
          mid: { policy: doc(assumes("deleter", "pusher")), trust: trusts("lead") },
          lead: { policy: doc(assumes("mid")) },
        },
      },
      expect: {
        [arn("role", "mid")]: { actions: [DELETE, PUT], path: [step("deleter"), grants("deleter")] },
        [arn("role", "lead")]: {
          actions: [DELETE, PUT],
          path: [step("mid"), step("deleter"), grants("deleter")],
        },
      },
    },
    {
      name: "writers that can act as each other hold each other's actions",
      account: {
        roles: {
          deleter: { policy: doc(allow(DELETE), assumes("pusher")), trust: trusts("pusher") },
          pusher: { policy: doc(allow(PUT), assumes("deleter")), trust: trusts("deleter") },
        },
      },
      expect: {
        [arn("role", "deleter")]: {
          actions: [DELETE, PUT],
          path: ["role deleter: inline policy p Statement[0] grants them on web"],
        },
        [arn("role", "pusher")]: {
          actions: [DELETE, PUT],
          path: [step("deleter"), grants("deleter")],
        },
      },
    },
    {
      name: "a door of a role that can act as a writer holds its actions, by that role",
      account: {
        roles: {
          pusher: { policy: doc(allow(PUT)), trust: trusts("gh") },
          gh: { policy: doc(assumes("pusher")), trust: GITHUB_DOOR },
        },
      },
      expect: {
        [SUBJECT]: {
          actions: [PUT],
          path: [
            `trust Statement[0] of role gh: ${PINNED}`,
            "role gh can act as role pusher",
            grants("pusher"),
          ],
        },
      },
    },
    {
      name: "a door of two writers holds the actions of both, by the first",
      account: {
        roles: {
          deleter: { policy: doc(allow(DELETE)), trust: GITHUB_DOOR },
          pusher: { policy: doc(allow(PUT)), trust: trusts("gh") },
          gh: { policy: doc(assumes("pusher")), trust: GITHUB_DOOR },
        },
      },
      expect: {
        [SUBJECT]: {
          actions: [DELETE, PUT],
          path: [`trust Statement[0] of role deleter: ${PINNED}`, grants("deleter")],
        },
      },
    },
  ];

  for (const row of rows) {
    it(row.name, () => {
      // Prepare
      const graph = graphOf(row.account);

      // Act
      const { writers } = writersOf(graph, {
        repositoryName: "web",
        repositoryArn: repoArn("web"),
        policy: null,
        tags: new Map(),
        registryPolicy: null,
      });

      // Assess
      for (const [principal, wanted] of Object.entries(row.expect)) {
        const found = writers.filter((w) => w.principal === principal);
        expect(
          found.map((w) => ({ actions: w.actions, path: w.path })),
          principal,
        ).to.deep.equal([wanted]);
      }
    });
  }
});
