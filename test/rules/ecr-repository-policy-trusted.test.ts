/**
 * ecr-repository-policy-trusted: one scenario table, walked by one loop. The numbers are the
 * numbers of the "Scenarios" list in rules/ecr-repository-policy-trusted/README.md.
 *
 * Every row goes through the rule as Config's runtime calls it: a notification-form item, normalized, then
 * the rule, through the one evaluation path, with validated parameters. The rule reads no ECR facts: the facts object throws.
 */

import { expect } from "chai";
import { rule } from "../../rules/ecr-repository-policy-trusted/rule.js";
import { fitAnnotation } from "../../shared/config/evaluation.js";
import { normalizeItem } from "../../shared/config/item.js";
import { parseParameters, RuleParameterError } from "../../shared/config/parameters.js";
import { ACCOUNT, notificationItem, repositoryConfiguration } from "../support/events.js";
import { factsFor } from "../support/facts.js";
import { type RuleContext, verdictOf } from "../support/run.js";

type ResourceType = "AWS::ECR::Repository" | "AWS::ECR::RegistryPolicy";
type Compliance = "COMPLIANT" | "NON_COMPLIANT" | "NOT_APPLICABLE";

interface Scenario {
  readonly scenario: number;
  /** The "when …" part of the test name. */
  readonly name: string;
  readonly resourceType: ResourceType;
  /** The policy as Config records it; `null` means the field is absent from the configuration. */
  // biome-ignore lint/complexity/noBannedTypes: `{}` is the empty policy Config records, listed on purpose.
  readonly policy: object | string | null | {};
  readonly parameters?: Record<string, string>;
  readonly expect: Compliance;
  /** Fragments the annotation, as Config receives it (after fitAnnotation), must hold. */
  readonly annotationIncludes?: string[];
}

const OWNER = ACCOUNT; // 111122223333
const PARTNER = "444455556666";
const STRANGER = "777788889999";
const ORG = "o-a1b2c3d4e5";
const OTHER_ORG = "o-zz99yy88xx";
const REPOSITORY = "team-a/api";

const PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"];
const PUSH = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:InitiateLayerUpload",
  "ecr:UploadLayerPart",
  "ecr:CompleteLayerUpload",
  "ecr:PutImage",
];
const PUSH_SENSITIVE = "ecr:PutImage,ecr:InitiateLayerUpload,ecr:UploadLayerPart,ecr:CompleteLayerUpload";

/** A policy document with the given statements. */
function policy(...statements: Record<string, unknown>[]): Record<string, unknown> {
  return { Version: "2012-10-17", Statement: statements };
}

const PUBLIC_PULL = policy({ Sid: "PublicPull", Effect: "Allow", Principal: "*", Action: PULL });
const ORG_PULL = policy({
  Sid: "OrgPull",
  Effect: "Allow",
  Principal: { AWS: "*" },
  Action: PULL,
  Condition: { StringEquals: { "aws:PrincipalOrgID": ORG } },
});
const REPLICATION = (account: string): Record<string, unknown> =>
  policy({
    Sid: "ReplicationAccess",
    Effect: "Allow",
    Principal: { AWS: `arn:aws:iam::${account}:root` },
    Action: ["ecr:CreateRepository", "ecr:ReplicateImage"],
    Resource: `arn:aws:ecr:us-east-1:${OWNER}:repository/*`,
  });
const VPCE = "vpce-0a1b2c3d4e5f67890";
const VPCE_PULL = policy({
  Sid: "EndpointPull",
  Effect: "Allow",
  Principal: "*",
  Action: PULL,
  Condition: { StringEquals: { "aws:SourceVpce": VPCE } },
});
const SERVICE_PUSH = policy({
  Sid: "CodeBuildPush",
  Effect: "Allow",
  Principal: { Service: "codebuild.amazonaws.com" },
  Action: PUSH,
});

const SCENARIOS: readonly Scenario[] = [
  {
    scenario: 1,
    name: "the repository has no policy ({})",
    resourceType: "AWS::ECR::Repository",
    policy: {},
    expect: "COMPLIANT",
    annotationIncludes: ["The repository policy is absent."],
  },
  {
    scenario: 2,
    name: "the repository policy text is empty",
    resourceType: "AWS::ECR::Repository",
    policy: "",
    expect: "COMPLIANT",
    annotationIncludes: ["The repository policy is absent."],
  },
  {
    scenario: 3,
    name: "the configuration has no RepositoryPolicyText field",
    resourceType: "AWS::ECR::Repository",
    policy: null,
    expect: "COMPLIANT",
    annotationIncludes: ["The repository policy is absent."],
  },
  {
    scenario: 4,
    name: 'Principal "*" may pull, with no condition (public)',
    resourceType: "AWS::ECR::Repository",
    policy: PUBLIC_PULL,
    expect: "NON_COMPLIANT",
    annotationIncludes: ["Statement[0] (Sid PublicPull)", "everyone (public)", "BatchGetImage"],
  },
  {
    scenario: 5,
    name: "Allow with NotPrincipal admits everyone else (public)",
    resourceType: "AWS::ECR::Repository",
    policy: policy({
      Sid: "AllButOne",
      Effect: "Allow",
      NotPrincipal: { AWS: `arn:aws:iam::${STRANGER}:root` },
      Action: PULL,
    }),
    expect: "NON_COMPLIANT",
    annotationIncludes: ["Statement[0] (Sid AllButOne)", "everyone (public)"],
  },
  {
    scenario: 6,
    name: '{"AWS": "*"} is narrowed by aws:PrincipalOrgID of a trusted organization',
    resourceType: "AWS::ECR::Repository",
    policy: ORG_PULL,
    parameters: { trustedOrganizationIds: ORG },
    expect: "COMPLIANT",
    annotationIncludes: ["admits only trusted principals"],
  },
  {
    scenario: 7,
    name: "aws:PrincipalOrgID names an organization that is not trusted",
    resourceType: "AWS::ECR::Repository",
    policy: ORG_PULL,
    parameters: { trustedOrganizationIds: OTHER_ORG },
    expect: "NON_COMPLIANT",
    annotationIncludes: ["Statement[0] (Sid OrgPull)", `untrusted organization ${ORG}`],
  },
  {
    scenario: 8,
    name: "the organization condition uses StringEqualsIfExists (a missing key passes: public)",
    resourceType: "AWS::ECR::Repository",
    policy: policy({
      Sid: "OrgPullIfExists",
      Effect: "Allow",
      Principal: "*",
      Action: PULL,
      Condition: { StringEqualsIfExists: { "aws:PrincipalOrgID": ORG } },
    }),
    parameters: { trustedOrganizationIds: ORG },
    expect: "NON_COMPLIANT",
    annotationIncludes: ["Statement[0] (Sid OrgPullIfExists)", "everyone (public)"],
  },
  {
    scenario: 9,
    name: "the organization condition uses ForAllValues:StringEquals (a missing key passes: public)",
    resourceType: "AWS::ECR::Repository",
    policy: policy({
      Sid: "OrgPullForAll",
      Effect: "Allow",
      Principal: "*",
      Action: PULL,
      Condition: { "ForAllValues:StringEquals": { "aws:PrincipalOrgID": [ORG] } },
    }),
    parameters: { trustedOrganizationIds: ORG },
    expect: "NON_COMPLIANT",
    annotationIncludes: ["Statement[0] (Sid OrgPullForAll)", "everyone (public)"],
  },
  {
    scenario: 10,
    name: 'Principal "*" may pull only through a VPC endpoint listed in trustedVpceIds',
    resourceType: "AWS::ECR::Repository",
    policy: VPCE_PULL,
    parameters: { trustedVpceIds: VPCE },
    expect: "COMPLIANT",
  },
  {
    scenario: 11,
    name: 'Principal "*" may pull only through a VPC endpoint that trustedVpceIds does not list (public)',
    resourceType: "AWS::ECR::Repository",
    policy: VPCE_PULL,
    expect: "NON_COMPLIANT",
    annotationIncludes: ["Statement[0] (Sid EndpointPull)", "everyone (public)"],
  },
  {
    scenario: 12,
    name: "an account that is not trusted may pull",
    resourceType: "AWS::ECR::Repository",
    policy: policy({
      Sid: "PartnerPull",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${PARTNER}:root` },
      Action: PULL,
    }),
    expect: "NON_COMPLIANT",
    annotationIncludes: ["Statement[0] (Sid PartnerPull)", `untrusted account ${PARTNER}`],
  },
  {
    scenario: 13,
    name: "the other account is listed in trustedAccountIds",
    resourceType: "AWS::ECR::Repository",
    policy: policy({
      Sid: "PartnerPull",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${PARTNER}:root` },
      Action: PULL,
    }),
    parameters: { trustedAccountIds: PARTNER },
    expect: "COMPLIANT",
    annotationIncludes: ["admits only trusted principals"],
  },
  {
    scenario: 14,
    name: "a foreign account root is narrowed by aws:PrincipalOrgID of a trusted organization",
    resourceType: "AWS::ECR::Repository",
    policy: policy({
      Sid: "PartnerInOrg",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${PARTNER}:root` },
      Action: PULL,
      Condition: { StringEquals: { "aws:PrincipalOrgID": ORG } },
    }),
    parameters: { trustedOrganizationIds: ORG },
    expect: "COMPLIANT",
  },
  {
    scenario: 15,
    name: "a Federated principal may pull (untrusted principal)",
    resourceType: "AWS::ECR::Repository",
    policy: policy({
      Sid: "WebIdentityPull",
      Effect: "Allow",
      Principal: { Federated: "cognito-identity.amazonaws.com" },
      Action: PULL,
    }),
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      "Statement[0] (Sid WebIdentityPull)",
      "untrusted principal cognito-identity.amazonaws.com",
    ],
  },
  {
    scenario: 16,
    name: "a service principal may push with no source condition (confused deputy)",
    resourceType: "AWS::ECR::Repository",
    policy: SERVICE_PUSH,
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      "Statement[0] (Sid CodeBuildPush)",
      "service codebuild.amazonaws.com without aws:SourceAccount/SourceArn/SourceOrgID (confused deputy)",
      "PutImage",
    ],
  },
  {
    scenario: 17,
    name: "a service principal may push only with aws:SourceAccount of the owner",
    resourceType: "AWS::ECR::Repository",
    policy: policy({
      Sid: "CodeBuildPush",
      Effect: "Allow",
      Principal: { Service: "codebuild.amazonaws.com" },
      Action: PUSH,
      Condition: { StringEquals: { "aws:SourceAccount": OWNER } },
    }),
    expect: "COMPLIANT",
  },
  {
    scenario: 18,
    name: "a service principal's aws:SourceAccount names an account that is not trusted",
    resourceType: "AWS::ECR::Repository",
    policy: policy({
      Sid: "CodeBuildPush",
      Effect: "Allow",
      Principal: { Service: "codebuild.amazonaws.com" },
      Action: PUSH,
      Condition: { StringEquals: { "aws:SourceAccount": STRANGER } },
    }),
    expect: "NON_COMPLIANT",
    annotationIncludes: ["Statement[0] (Sid CodeBuildPush)", `untrusted account ${STRANGER}`],
  },
  {
    scenario: 19,
    name: "a service principal may only pull, with no source condition",
    resourceType: "AWS::ECR::Repository",
    policy: policy({
      Sid: "LambdaPull",
      Effect: "Allow",
      Principal: { Service: "lambda.amazonaws.com" },
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
    }),
    expect: "COMPLIANT",
  },
  {
    scenario: 20,
    name: "exemptActions exempts the push actions a service principal is granted",
    resourceType: "AWS::ECR::Repository",
    policy: SERVICE_PUSH,
    parameters: { exemptActions: PUSH_SENSITIVE },
    expect: "COMPLIANT",
  },
  {
    scenario: 21,
    name: "a role ARN that matches authorizedPrincipalArns may push",
    resourceType: "AWS::ECR::Repository",
    policy: policy({
      Sid: "CiPush",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${OWNER}:role/ci-build` },
      Action: PUSH,
    }),
    parameters: { authorizedPrincipalArns: `arn:aws:iam::${OWNER}:role/ci-*` },
    expect: "COMPLIANT",
  },
  {
    scenario: 22,
    name: "a role ARN that matches no authorizedPrincipalArns pattern may push",
    resourceType: "AWS::ECR::Repository",
    policy: policy({
      Sid: "DeveloperPush",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${OWNER}:role/developer` },
      Action: PUSH,
    }),
    parameters: { authorizedPrincipalArns: `arn:aws:iam::${OWNER}:role/ci-*` },
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      "Statement[0] (Sid DeveloperPush)",
      `arn:aws:iam::${OWNER}:role/developer, not in authorizedPrincipalArns`,
      "PutImage",
    ],
  },
  {
    scenario: 23,
    name: "an account root may push while authorizedPrincipalArns is set (it delegates to IAM)",
    resourceType: "AWS::ECR::Repository",
    policy: policy({
      Sid: "OwnerPush",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${OWNER}:root` },
      Action: PUSH,
    }),
    parameters: { authorizedPrincipalArns: `arn:aws:iam::${OWNER}:role/ci-*` },
    expect: "COMPLIANT",
  },
  {
    scenario: 24,
    name: '{"AWS": "*"} may pull under a data-perimeter Deny outside the trusted organization',
    resourceType: "AWS::ECR::Repository",
    policy: policy(
      { Sid: "AnyonePull", Effect: "Allow", Principal: { AWS: "*" }, Action: PULL },
      {
        Sid: "DataPerimeter",
        Effect: "Deny",
        Principal: "*",
        Action: "ecr:*",
        Condition: { StringNotEquals: { "aws:PrincipalOrgID": ORG } },
      },
    ),
    parameters: { trustedOrganizationIds: ORG },
    expect: "COMPLIANT",
  },
  {
    scenario: 25,
    name: "a data-perimeter Deny exempts AWS services and a service principal may push with no source condition",
    resourceType: "AWS::ECR::Repository",
    policy: policy(
      {
        Sid: "CodeBuildPush",
        Effect: "Allow",
        Principal: { Service: "codebuild.amazonaws.com" },
        Action: PUSH,
      },
      {
        Sid: "DataPerimeter",
        Effect: "Deny",
        Principal: "*",
        Action: "ecr:*",
        Condition: {
          StringNotEquals: { "aws:PrincipalOrgID": ORG },
          BoolIfExists: { "aws:PrincipalIsAWSService": "false" },
        },
      },
    ),
    parameters: { trustedOrganizationIds: ORG },
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      "Statement[0] (Sid CodeBuildPush)",
      "service codebuild.amazonaws.com without aws:SourceAccount/SourceArn/SourceOrgID (confused deputy)",
    ],
  },
  {
    scenario: 26,
    name: "the only principal named is a deleted role's unique id",
    resourceType: "AWS::ECR::Repository",
    policy: policy({
      Sid: "FormerCiRole",
      Effect: "Allow",
      Principal: { AWS: "AROAEXAMPLEDELETED01" },
      Action: PUSH,
    }),
    expect: "COMPLIANT",
    annotationIncludes: ["deleted principals (AROAEXAMPLEDELETED01)"],
  },
  {
    scenario: 27,
    name: 'the public policy (Principal "*" may pull) comes as JSON text',
    resourceType: "AWS::ECR::Repository",
    policy: JSON.stringify(PUBLIC_PULL),
    expect: "NON_COMPLIANT",
    annotationIncludes: ["Statement[0] (Sid PublicPull)", "everyone (public)", "BatchGetImage"],
  },
  {
    scenario: 28,
    name: 'the public policy (Principal "*" may pull) comes as URL-encoded JSON text',
    resourceType: "AWS::ECR::Repository",
    policy: encodeURIComponent(JSON.stringify(PUBLIC_PULL)),
    expect: "NON_COMPLIANT",
    annotationIncludes: ["Statement[0] (Sid PublicPull)", "everyone (public)", "BatchGetImage"],
  },
  {
    scenario: 29,
    name: "the organization-narrowed policy comes as URL-encoded JSON text",
    resourceType: "AWS::ECR::Repository",
    policy: encodeURIComponent(JSON.stringify(ORG_PULL)),
    parameters: { trustedOrganizationIds: ORG },
    expect: "COMPLIANT",
    annotationIncludes: ["admits only trusted principals"],
  },
  {
    scenario: 30,
    name: 'a statement has Effect "Permit" (malformed policy)',
    resourceType: "AWS::ECR::Repository",
    policy: policy({ Sid: "Typo", Effect: "Permit", Principal: "*", Action: PULL }),
    expect: "NON_COMPLIANT",
    annotationIncludes: ["could not be read", "Statement[0].Effect", '"Permit"'],
  },
  {
    scenario: 31,
    name: "the registry has no policy",
    resourceType: "AWS::ECR::RegistryPolicy",
    policy: null,
    expect: "COMPLIANT",
    annotationIncludes: ["The registry policy is absent."],
  },
  {
    scenario: 32,
    name: "the registry policy grants replication to a trusted account",
    resourceType: "AWS::ECR::RegistryPolicy",
    policy: REPLICATION(PARTNER),
    parameters: { trustedAccountIds: PARTNER },
    expect: "COMPLIANT",
    annotationIncludes: ["The registry policy admits only trusted principals."],
  },
  {
    scenario: 33,
    name: "the registry policy grants replication to an account that is not trusted",
    resourceType: "AWS::ECR::RegistryPolicy",
    policy: REPLICATION(STRANGER),
    parameters: { trustedAccountIds: PARTNER },
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      "The registry policy",
      "Statement[0] (Sid ReplicationAccess)",
      `untrusted account ${STRANGER}`,
      "CreateRepository",
      "ReplicateImage",
    ],
  },
  {
    scenario: 34,
    name: "the registry policy comes as JSON text and admits everyone to pull through cache",
    resourceType: "AWS::ECR::RegistryPolicy",
    policy: JSON.stringify(
      policy({
        Sid: "PullThroughCache",
        Effect: "Allow",
        Principal: "*",
        Action: ["ecr:CreateRepository", "ecr:BatchImportUpstreamImage"],
        Resource: `arn:aws:ecr:us-east-1:${OWNER}:repository/docker-hub/*`,
      }),
    ),
    expect: "NON_COMPLIANT",
    annotationIncludes: ["The registry policy", "Statement[0] (Sid PullThroughCache)", "everyone (public)"],
  },
  {
    scenario: 35,
    name: "one statement admits everyone and another two untrusted accounts (public first, cut to 256 characters)",
    resourceType: "AWS::ECR::Repository",
    policy: policy(
      {
        Sid: "PartnersAll",
        Effect: "Allow",
        Principal: { AWS: [`arn:aws:iam::${PARTNER}:root`, `arn:aws:iam::${STRANGER}:role/deployer`] },
        Action: "ecr:*",
      },
      { Sid: "PublicPull", Effect: "Allow", Principal: "*", Action: PULL },
    ),
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      "The repository policy: Statement[1] (Sid PublicPull) admits everyone (public)",
      `Statement[0] (Sid PartnersAll) admits untrusted account ${PARTNER}`,
      "…",
    ],
  },
  {
    // docs/policy-semantics.md#deny-statements-and-data-perimeters: a perimeter Deny "narrows every Allow for the actions it covers to the values it names".
    // Service requests carry aws:SourceAccount, so this Deny lets CodeBuild push for account 777788889999.
    // The same grant written as the Allow's own condition is scenario 18 (NON_COMPLIANT).
    scenario: 36,
    name: "a data-perimeter Deny on aws:SourceAccount names an untrusted account and a service principal may push",
    resourceType: "AWS::ECR::Repository",
    policy: policy(
      {
        Sid: "CodeBuildPush",
        Effect: "Allow",
        Principal: { Service: "codebuild.amazonaws.com" },
        Action: PUSH,
      },
      {
        Sid: "SourcePerimeter",
        Effect: "Deny",
        Principal: "*",
        Action: "ecr:*",
        Condition: { StringNotEquals: { "aws:SourceAccount": STRANGER } },
      },
    ),
    expect: "NON_COMPLIANT",
    annotationIncludes: ["Statement[0] (Sid CodeBuildPush)", `untrusted account ${STRANGER}`],
  },
];

function configuration(row: Scenario): Record<string, unknown> {
  if (row.resourceType === "AWS::ECR::RegistryPolicy") {
    return row.policy === null ? { RegistryId: OWNER } : { RegistryId: OWNER, PolicyText: row.policy };
  }
  const full = repositoryConfiguration(REPOSITORY, { policy: row.policy });
  return row.policy === null
    ? Object.fromEntries(Object.entries(full).filter(([field]) => field !== "RepositoryPolicyText"))
    : full;
}

function contextFor(parameters: Record<string, string>): RuleContext {
  return {
    parameters: parseParameters(rule.parameters, parameters),
    accountId: OWNER,
    region: "us-east-1",
    partition: "aws",
    ruleName: rule.name,
    facts: factsFor(),
  };
}

function expectParameterError(raw: Record<string, string>, parameter: string, fragment: string): void {
  let thrown: unknown;
  try {
    parseParameters(rule.parameters, raw);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, "parseParameters must reject this value").to.be.instanceOf(RuleParameterError);
  if (!(thrown instanceof RuleParameterError)) return;
  expect(thrown.parameter).to.equal(parameter);
  expect(thrown.message).to.include(parameter).and.to.include(fragment);
}

describe("ecr-repository-policy-trusted", () => {
  describe("scenarios", () => {
    for (const row of SCENARIOS) {
      it(`scenario ${row.scenario}: returns ${row.expect} when ${row.name}`, async () => {
        // Prepare
        const registry = row.resourceType === "AWS::ECR::RegistryPolicy";
        const item = normalizeItem(
          notificationItem({
            resourceType: row.resourceType,
            resourceId: registry ? OWNER : REPOSITORY,
            ...(registry ? {} : { arn: `arn:aws:ecr:us-east-1:${OWNER}:repository/${REPOSITORY}` }),
            configuration: configuration(row),
          }),
          "notification",
        );
        const context = contextFor(row.parameters ?? {});

        // Act
        const verdict = await verdictOf(rule, item, context);

        // Assess
        const annotation = fitAnnotation(verdict.annotation);
        expect(verdict.compliance, annotation).to.equal(row.expect);
        if (row.expect === "NON_COMPLIANT") {
          expect(annotation, "a NON_COMPLIANT annotation names the statement").to.match(/Statement\[\d+\]/u);
        }
        if (annotation !== undefined) expect(annotation.length).to.be.at.most(256);
        for (const fragment of row.annotationIncludes ?? []) {
          expect(annotation, "annotation").to.be.a("string").and.to.include(fragment);
        }
      });
    }
  });

  describe("parameters", () => {
    it("rejects an unknown parameter name, naming it", () => {
      expectParameterError({ trustedAccounts: OWNER }, "trustedAccounts", "unknown parameter");
    });

    it("rejects a trustedAccountIds entry that is not a 12-digit account id", () => {
      expectParameterError({ trustedAccountIds: `${PARTNER},12345` }, "trustedAccountIds", '"12345"');
    });

    it("rejects an authorizedPrincipalArns entry that is not a principal ARN glob", () => {
      expectParameterError(
        { authorizedPrincipalArns: "role/ci-*" },
        "authorizedPrincipalArns",
        '"role/ci-*"',
      );
    });
  });
});
