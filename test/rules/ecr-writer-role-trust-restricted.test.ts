/**
 * ecr-writer-role-trust-restricted: the scenarios of the rule's README, walked as one table. Each row is a
 * role as AWS Config records it (notification form, trust policy URL-encoded unless the row says
 * otherwise), judged through the one evaluation path.
 */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { rule } from "../../rules/ecr-writer-role-trust-restricted/rule.js";
import { SnapshotIamFacts } from "../../shared/account/iam.js";
import { fitAnnotation } from "../../shared/config/evaluation.js";
import { normalizeItem } from "../../shared/config/item.js";
import { parseParameters, RuleParameterError } from "../../shared/config/parameters.js";
import { ACCOUNT, notificationItem } from "../support/events.js";
import { factsFor } from "../support/facts.js";
import { verdictOf } from "../support/run.js";

type Compliance = "COMPLIANT" | "NON_COMPLIANT" | "NOT_APPLICABLE";

interface Scenario {
  readonly scenario: number;
  readonly name: string;
  readonly permissions: object;
  /** The trust policy; a string is delivered as it is (JSON or URL-encoded text). */
  readonly trust: object | string;
  readonly path?: string;
  readonly parameters?: Readonly<Record<string, string>>;
  readonly expect: Compliance;
  readonly annotationIncludes?: readonly string[];
}

const PARTNER = "444455556666";
const GITHUB = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const EKS_ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9";
const EKS = `arn:aws:iam::${ACCOUNT}:oidc-provider/${EKS_ISSUER}`;
const SSO = `arn:aws:iam::${ACCOUNT}:saml-provider/AWSSSO_1234abcd5678ef90_DO_NOT_DELETE`;

const policy = (...statements: object[]) => ({ Version: "2012-10-17", Statement: statements });
const PUSH_TEAM_A = policy({
  Effect: "Allow",
  Action: ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"],
  Resource: `arn:aws:ecr:*:${ACCOUNT}:repository/team-a/*`,
});
const PULL_ONLY = policy({
  Effect: "Allow",
  Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:GetAuthorizationToken"],
  Resource: "*",
});
const SELF_ESCALATION = policy({
  Effect: "Allow",
  Action: "iam:PutRolePolicy",
  Resource: `arn:aws:iam::${ACCOUNT}:role/subject`,
});

const allow = (principal: unknown, action: unknown, condition?: object) => ({
  Effect: "Allow",
  Principal: principal,
  Action: action,
  ...(condition === undefined ? {} : { Condition: condition }),
});
const github = (condition?: object) =>
  policy(allow({ Federated: GITHUB }, "sts:AssumeRoleWithWebIdentity", condition));
const AUD = { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" };

const SCENARIOS: readonly Scenario[] = [
  {
    scenario: 1,
    name: "the role holds no sensitive ECR action, whoever may assume it",
    permissions: PULL_ONLY,
    trust: policy(allow("*", "sts:AssumeRole")),
    expect: "COMPLIANT",
    annotationIncludes: ["holds no sensitive ECR action"],
  },
  {
    scenario: 2,
    name: "a GitHub Actions door is pinned to one repository and branch",
    permissions: PUSH_TEAM_A,
    trust: github({
      StringEquals: {
        ...AUD,
        "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main",
      },
    }),
    expect: "COMPLIANT",
    annotationIncludes: ["opens only trusted doors (web-identity)"],
  },
  {
    scenario: 3,
    name: "a GitHub Actions door checks the audience only (no sub)",
    permissions: PUSH_TEAM_A,
    trust: github({ StringEquals: AUD }),
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      "any GitHub Actions token can assume it",
      "token.actions.githubusercontent.com:sub condition such as repo:OWNER/REPO:ref:refs/heads/main",
    ],
  },
  {
    scenario: 4,
    name: 'a GitHub Actions door allows sub "repo:*"',
    permissions: PUSH_TEAM_A,
    trust: github({ StringEquals: AUD, StringLike: { "token.actions.githubusercontent.com:sub": "repo:*" } }),
    expect: "NON_COMPLIANT",
  },
  {
    scenario: 5,
    name: "a GitHub Actions door puts sub under ForAllValues: (it holds when the claim is absent)",
    permissions: PUSH_TEAM_A,
    trust: github({
      "ForAllValues:StringLike": { "token.actions.githubusercontent.com:sub": "repo:acme/*" },
    }),
    expect: "NON_COMPLIANT",
  },
  {
    scenario: 6,
    name: "a GitHub Actions door uses StringLikeIfExists for sub",
    permissions: PUSH_TEAM_A,
    trust: github({ StringLikeIfExists: { "token.actions.githubusercontent.com:sub": "repo:acme/*" } }),
    expect: "NON_COMPLIANT",
  },
  {
    scenario: 7,
    name: "repo:acme/* stays within trustedOidcSubjects repo:acme/*",
    permissions: PUSH_TEAM_A,
    trust: github({ StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/*" } }),
    parameters: { trustedOidcSubjects: "repo:acme/*" },
    expect: "COMPLIANT",
  },
  {
    scenario: 8,
    name: "repo:acme/* is wider than trustedOidcSubjects repo:acme/app:*",
    permissions: PUSH_TEAM_A,
    trust: github({ StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/*" } }),
    parameters: { trustedOidcSubjects: "repo:acme/app:*" },
    expect: "NON_COMPLIANT",
    annotationIncludes: ["no trustedOidcSubjects pattern for sub contains"],
  },
  {
    scenario: 9,
    name: "an EKS IRSA door is pinned to one service account",
    permissions: PUSH_TEAM_A,
    trust: policy(
      allow({ Federated: EKS }, "sts:AssumeRoleWithWebIdentity", {
        StringEquals: { [`${EKS_ISSUER}:sub`]: "system:serviceaccount:ci:image-builder" },
      }),
    ),
    expect: "COMPLIANT",
  },
  {
    scenario: 10,
    name: "an EKS IRSA door admits every service account (system:serviceaccount:*)",
    permissions: PUSH_TEAM_A,
    trust: policy(
      allow({ Federated: EKS }, "sts:AssumeRoleWithWebIdentity", {
        StringLike: { [`${EKS_ISSUER}:sub`]: "system:serviceaccount:*" },
      }),
    ),
    expect: "NON_COMPLIANT",
    annotationIncludes: ["any EKS service account token can assume it"],
  },
  {
    scenario: 11,
    name: "the account's own root may assume it (IAM policies decide who)",
    permissions: PUSH_TEAM_A,
    trust: policy(
      allow({ AWS: `arn:aws:iam::${ACCOUNT}:root` }, "sts:AssumeRole", {
        Bool: { "aws:MultiFactorAuthPresent": "true" },
      }),
    ),
    expect: "COMPLIANT",
  },
  {
    scenario: 12,
    name: "another account may assume it with an external id",
    permissions: PUSH_TEAM_A,
    trust: policy(
      allow({ AWS: `arn:aws:iam::${PARTNER}:root` }, "sts:AssumeRole", {
        StringEquals: { "sts:ExternalId": "shared-secret" },
      }),
    ),
    expect: "NON_COMPLIANT",
    annotationIncludes: [`account ${PARTNER} is not trusted`, "sts:ExternalId does not make it trusted"],
  },
  {
    scenario: 13,
    name: "the other account is listed in trustedAccountIds",
    permissions: PUSH_TEAM_A,
    trust: policy(allow({ AWS: `arn:aws:iam::${PARTNER}:role/deployer` }, "sts:AssumeRole")),
    parameters: { trustedAccountIds: PARTNER },
    expect: "COMPLIANT",
  },
  {
    scenario: 14,
    name: 'Principal "*" is narrowed by aws:PrincipalOrgID to a trusted organization',
    permissions: PUSH_TEAM_A,
    trust: policy(allow("*", "sts:AssumeRole", { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } })),
    parameters: { trustedOrganizationIds: "o-a1b2c3d4e5" },
    expect: "COMPLIANT",
  },
  {
    scenario: 15,
    name: 'Principal "*" is narrowed to an organization that is not trusted',
    permissions: PUSH_TEAM_A,
    trust: policy(allow("*", "sts:AssumeRole", { StringEquals: { "aws:PrincipalOrgID": "o-zzzzzzzzzz" } })),
    expect: "NON_COMPLIANT",
  },
  {
    scenario: 16,
    name: "IAM Identity Center's SAML provider may assume it",
    permissions: PUSH_TEAM_A,
    path: "/aws-reserved/sso.amazonaws.com/",
    trust: policy(
      allow({ Federated: SSO }, ["sts:AssumeRoleWithSAML", "sts:TagSession"], {
        StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" },
      }),
    ),
    expect: "COMPLIANT",
  },
  {
    scenario: 17,
    name: "a service (CodeBuild) may assume it",
    permissions: PUSH_TEAM_A,
    trust: policy(allow({ Service: "codebuild.amazonaws.com" }, "sts:AssumeRole")),
    expect: "COMPLIANT",
  },
  {
    scenario: 18,
    name: "a Cognito door checks the identity pool but not amr (the pool's guests get in)",
    permissions: PUSH_TEAM_A,
    trust: policy(
      allow({ Federated: "cognito-identity.amazonaws.com" }, "sts:AssumeRoleWithWebIdentity", {
        StringEquals: {
          "cognito-identity.amazonaws.com:aud": "us-east-1:11111111-2222-3333-4444-555555555555",
        },
      }),
    ),
    expect: "NON_COMPLIANT",
    annotationIncludes: ["guests get in"],
  },
  {
    scenario: 19,
    name: "a Cognito door requires the pool and authenticated identities",
    permissions: PUSH_TEAM_A,
    trust: policy(
      allow({ Federated: "cognito-identity.amazonaws.com" }, "sts:AssumeRoleWithWebIdentity", {
        StringEquals: {
          "cognito-identity.amazonaws.com:aud": "us-east-1:11111111-2222-3333-4444-555555555555",
        },
        "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" },
      }),
    ),
    expect: "COMPLIANT",
  },
  {
    scenario: 20,
    name: "a GitHub Actions door's only condition reads another provider's claim (it can never hold)",
    permissions: PUSH_TEAM_A,
    trust: github({ StringLike: { "gitlab.com:sub": "project_path:acme/*" } }),
    expect: "COMPLIANT",
  },
  {
    scenario: 21,
    name: "the role is service-linked",
    permissions: PUSH_TEAM_A,
    path: "/aws-service-role/replication.ecr.amazonaws.com/",
    trust: policy(allow({ Service: "replication.ecr.amazonaws.com" }, "sts:AssumeRole")),
    expect: "NOT_APPLICABLE",
  },
  {
    scenario: 22,
    name: "the trust policy cannot be read (Effect Permit)",
    permissions: PUSH_TEAM_A,
    trust: policy({ Effect: "Permit", Principal: "*", Action: "sts:AssumeRole" }),
    expect: "NON_COMPLIANT",
    annotationIncludes: ["Role subject: trust policy could not be read: Statement[0].Effect"],
  },
  {
    scenario: 23,
    name: "the role can change its own permissions and any GitHub repository may assume it",
    permissions: SELF_ESCALATION,
    trust: github({ StringEquals: AUD }),
    expect: "NON_COMPLIANT",
    annotationIncludes: ["can change its own permissions"],
  },
  {
    scenario: 24,
    name: "the trust policy arrives as plain JSON text and is judged the same",
    permissions: PUSH_TEAM_A,
    trust: JSON.stringify(github({ StringEquals: AUD })),
    expect: "NON_COMPLIANT",
  },
  {
    scenario: 25,
    name: "a GitHub Enterprise Cloud (ghe.com) door is pinned to one owner",
    permissions: PUSH_TEAM_A,
    trust: policy(
      allow(
        { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.acme.ghe.com` },
        "sts:AssumeRoleWithWebIdentity",
        { StringLike: { "token.actions.acme.ghe.com:sub": "repo:acme/*" } },
      ),
    ),
    expect: "COMPLIANT",
  },
  {
    scenario: 26,
    name: "a CircleCI door uses the organization's own issuer (it pins the tenant by itself)",
    permissions: PUSH_TEAM_A,
    trust: policy(
      allow(
        {
          Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.circleci.com/org/8a2b1c3d-4e5f-6789-abcd-ef0123456789`,
        },
        "sts:AssumeRoleWithWebIdentity",
        {
          StringEquals: {
            "oidc.circleci.com/org/8a2b1c3d-4e5f-6789-abcd-ef0123456789:aud":
              "8a2b1c3d-4e5f-6789-abcd-ef0123456789",
          },
        },
      ),
    ),
    expect: "COMPLIANT",
  },
];

function itemFor(row: Scenario) {
  const trust = typeof row.trust === "string" ? row.trust : encodeURIComponent(JSON.stringify(row.trust));
  return normalizeItem(
    notificationItem({
      resourceType: "AWS::IAM::Role",
      resourceId: "AROASUBJECTROLE000001",
      resourceName: "subject",
      region: "global",
      arn: `arn:aws:iam::${ACCOUNT}:role${row.path ?? "/"}subject`,
      configuration: {
        path: row.path ?? "/",
        roleName: "subject",
        roleId: "AROASUBJECTROLE000001",
        arn: `arn:aws:iam::${ACCOUNT}:role${row.path ?? "/"}subject`,
        assumeRolePolicyDocument: trust,
        rolePolicyList: [
          { policyName: "permissions", policyDocument: encodeURIComponent(JSON.stringify(row.permissions)) },
        ],
        attachedManagedPolicies: [],
        permissionsBoundary: null,
        instanceProfileList: [],
      },
    }),
    "notification",
  );
}

describe("ecr-writer-role-trust-restricted", () => {
  describe("scenarios", () => {
    for (const row of SCENARIOS) {
      it(`scenario ${row.scenario}: returns ${row.expect} when ${row.name}`, async () => {
        // Prepare
        const iam = new SnapshotIamFacts({ principals: [], policies: [] });
        const context = {
          parameters: parseParameters(rule.parameters, row.parameters ?? {}),
          accountId: ACCOUNT,
          region: "us-east-1",
          partition: "aws",
          facts: factsFor({ iam: () => iam }),
          ruleName: rule.name,
        };
        // Act
        const verdict = await verdictOf(rule, itemFor(row), context);
        // Assess
        const annotation = verdict.annotation ?? "";
        expect(verdict.compliance, annotation).to.equal(row.expect);
        if (row.expect === "NON_COMPLIANT" && row.scenario !== 22) {
          // The door and what to change survive Config's cut to 256 characters.
          expect(fitAnnotation(annotation), "cut annotation names the statement").to.match(
            /Statement\[\d+\]/u,
          );
        }
        for (const fragment of row.annotationIncludes ?? []) expect(annotation).to.include(fragment);
      });
    }
  });

  describe("parameters", () => {
    it("rejects a trustedOidcSubjects entry with whitespace, naming it", () => {
      expect(() => parseParameters(rule.parameters, { trustedOidcSubjects: "repo:acme/*, repo: bad" }))
        .to.throw(RuleParameterError, /trustedOidcSubjects: entry 2 "repo: bad"/u)
        .with.property("parameter", "trustedOidcSubjects");
    });

    it("accepts CLAIM=GLOB entries", () => {
      const parameters = parseParameters(rule.parameters, {
        trustedOidcSubjects: "repository=acme/*,repo:acme/*",
      });
      expect(parameters.list("trustedOidcSubjects")).to.deep.equal(["repository=acme/*", "repo:acme/*"]);
    });
  });

  describe("README", () => {
    it("lists exactly the scenarios of this table, with the same outcomes", () => {
      const readme = readFileSync(
        new URL("../../rules/ecr-writer-role-trust-restricted/README.md", import.meta.url),
        "utf8",
      );
      const section = readme.split(/^## Scenarios$/mu)[1]?.split(/^## /mu)[0] ?? "";
      const listed = [
        ...section.matchAll(/^(\d+)\. .*→ (COMPLIANT|NON_COMPLIANT|NOT_APPLICABLE)\s*$/gmu),
      ].map((match) => `${match[1]} ${match[2]}`);
      expect(listed).to.deep.equal(SCENARIOS.map((row) => `${row.scenario} ${row.expect}`));
    });
  });
});
