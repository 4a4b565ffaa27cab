/**
 * ecr-iam-policy-no-unscoped-write (docs/rules.md#ecr-iam-policy-no-unscoped-write): a customer managed policy's default version must not grant
 * any sensitive ECR action on all repositories. A change judges the item; the periodic run judges every
 * customer managed policy of one authorization-details walk, and marks policies that no longer exist
 * NOT_APPLICABLE.
 */
import { isAwsManaged, type ManagedPolicyRecord } from "../../shared/account/iam.js";
import { compliant, nonCompliant, notApplicable, type Verdict } from "../../shared/config/evaluation.js";
import { type ConfigurationItem, partitionOf } from "../../shared/config/item.js";
import { ConfigInputError, isObj, type Obj } from "../../shared/config/read.js";
import { readingAs } from "../../shared/errors.js";
import { describeStatement, shortActions } from "../../shared/policy/explain.js";
import {
  type ActionGrant,
  analyzeIdentityPolicies,
  globMatches,
  parsePolicyDocument,
  type StatementRef,
} from "../../shared/policy/index.js";
import { CIS_EKS_5_1_2, defineRule, itemOnly, type ParametersOf } from "../../shared/runtime/rule.js";

export const RESOURCE_TYPES = ["AWS::IAM::Policy"] as const;

/** The facts of a managed policy the rule judges, read from its configuration item. */
export interface ManagedPolicyFacts {
  readonly arn: string;
  readonly partition: string;
  readonly defaultVersionId: string;
  /** The default version's document, as the item carries it (URL-encoded text). */
  readonly document: unknown;
  readonly attachmentCount: number;
  readonly permissionsBoundaryUsageCount: number;
}

function count(configuration: Obj, field: string): number {
  const value = configuration[field];
  if (value === undefined || value === null) return 0;
  if (typeof value !== "number") throw new ConfigInputError(`configuration.${field}`, "must be a number");
  return value;
}

/**
 * Reads the policy facts from an `AWS::IAM::Policy` item (either form). Throws `ConfigInputError` naming
 * what is missing.
 *
 * @example
 * policyFacts(item).defaultVersionId; // "v2"
 */
export function policyFacts(item: ConfigurationItem): ManagedPolicyFacts {
  const configuration = item.configuration;
  if (!isObj(configuration)) throw new ConfigInputError("configuration", "missing or not an object");
  const defaultVersionId = configuration.defaultVersionId;
  if (typeof defaultVersionId !== "string")
    throw new ConfigInputError("configuration.defaultVersionId", "missing");
  const versions = configuration.policyVersionList;
  if (!Array.isArray(versions))
    throw new ConfigInputError("configuration.policyVersionList", "missing or not a list");
  const version =
    versions.find(
      (v): v is Obj =>
        isObj(v) &&
        (v.versionId === defaultVersionId || (v.versionId === undefined && v.isDefaultVersion === true)),
    ) ?? versions.find((v): v is Obj => isObj(v) && v.isDefaultVersion === true);
  if (version === undefined || version.document === undefined || version.document === null) {
    throw new ConfigInputError(
      "configuration.policyVersionList",
      `has no document for the default version ${defaultVersionId}`,
    );
  }
  const arn = typeof configuration.arn === "string" ? configuration.arn : item.arn;
  if (arn === undefined) throw new ConfigInputError("configuration.arn", "missing");
  return {
    arn,
    partition: partitionOf({ arn }),
    defaultVersionId,
    document: version.document,
    attachmentCount: count(configuration, "attachmentCount"),
    permissionsBoundaryUsageCount: count(configuration, "permissionsBoundaryUsageCount"),
  };
}

/**
 * The facts of a customer managed policy from an authorization-details walk (the periodic sweep): the
 * same facts its configuration item gives.
 *
 * @example
 * recordFacts(record).defaultVersionId; // "v2"
 */
export function recordFacts(policy: ManagedPolicyRecord): ManagedPolicyFacts {
  return {
    arn: policy.arn,
    partition: partitionOf({ arn: policy.arn }),
    defaultVersionId: policy.defaultVersionId,
    document: policy.document,
    attachmentCount: policy.attachmentCount,
    permissionsBoundaryUsageCount: policy.permissionsBoundaryUsageCount,
  };
}

/** Groups unscoped sensitive grants by the statement that grants them, for the annotation. */
function annotate(grants: readonly ActionGrant[], versionId: string): string {
  const byStatement = new Map<string, { ref: StatementRef; actions: string[] }>();
  for (const grant of grants) {
    for (const ref of grant.grantedBy) {
      const key = describeStatement(ref);
      const entry = byStatement.get(key) ?? { ref, actions: [] };
      entry.actions.push(grant.action);
      byStatement.set(key, entry);
    }
  }
  const parts = [...byStatement.entries()].map(
    ([where, { actions }]) => `${shortActions(actions)} (${where})`,
  );
  const conditional = grants.every((g) => g.conditional) ? " under a condition" : "";
  return `Version ${versionId} grants ${grants.length} sensitive ECR action(s) on all repositories${conditional}: ${parts.join("; ")}. Scope Resource to repository ARNs or an aws:ResourceTag condition.`;
}

const PARAMETERS = [
  { name: "exemptActions", kind: "actionGlobs", description: "Action globs not treated as sensitive." },
  {
    name: "exemptPolicyArns",
    kind: "policyArnGlobs",
    description: "Policy ARN globs the rule does not evaluate.",
  },
  {
    name: "excludePermissionsBoundaryPolicies",
    kind: "boolean",
    defaultValue: false,
    description: "Do not evaluate policies used only as permissions boundaries.",
  },
] as const;

/**
 * The verdict on a policy's facts (pure). A default version that cannot be parsed throws (the runtime
 * makes it NON_COMPLIANT, naming the fault).
 *
 * @example
 * judgePolicy(policyFacts(item), parameters); // { compliance: "NON_COMPLIANT", annotation: "Version v2 grants …" }
 */
export function judgePolicy(facts: ManagedPolicyFacts, parameters: ParametersOf<typeof PARAMETERS>): Verdict {
  if (parameters.list("exemptPolicyArns").some((pattern) => globMatches(pattern, facts.arn))) {
    return notApplicable("exempted by the exemptPolicyArns parameter");
  }
  if (
    parameters.flag("excludePermissionsBoundaryPolicies") &&
    facts.permissionsBoundaryUsageCount > 0 &&
    facts.attachmentCount === 0
  ) {
    return notApplicable("used only as a permissions boundary, which grants nothing by itself");
  }
  const analysis = readingAs(`The default version ${facts.defaultVersionId}`, () =>
    analyzeIdentityPolicies(
      [{ label: facts.defaultVersionId, document: parsePolicyDocument(facts.document, "identity") }],
      { partition: facts.partition, exemptActions: parameters.list("exemptActions") },
    ),
  );
  const unscoped = analysis.actions.filter((grant) => grant.sensitive && grant.scope === "all");
  if (unscoped.length > 0) return nonCompliant(annotate(unscoped, facts.defaultVersionId));
  const scoped = analysis.actions.filter((grant) => grant.sensitive).length;
  return compliant(
    scoped > 0
      ? `Grants ${scoped} sensitive ECR action(s) on some repositories only.`
      : "Grants no sensitive ECR action.",
  );
}

export const rule = defineRule({
  name: "ecr-iam-policy-no-unscoped-write",
  title:
    "IAM customer managed policies do not grant ECR write, delete or permission changes on all repositories",
  description:
    "NON_COMPLIANT when the default version of a customer managed policy grants a sensitive ECR action (Write, Permissions management or Tagging) on every repository.",
  severity: "high",
  control: CIS_EKS_5_1_2,
  remediation:
    "Scope the policy's ECR write, delete and permission actions to named repository ARNs or a resource-tag condition, or remove them.",
  docs: "rules/ecr-iam-policy-no-unscoped-write/README.md",
  resourceTypes: RESOURCE_TYPES,
  permissions: [
    "config:GetComplianceDetailsByConfigRule",
    "config:ListDiscoveredResources",
    "iam:GetAccountAuthorizationDetails",
  ],
  periodic: true,
  parameters: PARAMETERS,
  vanished: "the policy no longer exists",
  reads: ["iam"],
  read: policyFacts,
  // gather: none — the item (or the walk's record) carries the default version's document.
  gather: itemOnly,
  judge: judgePolicy,
  // Every customer managed policy (AWS managed policies are not recorded by Config as AWS::IAM::Policy).
  sweep: async (facts) =>
    (await facts.iam().everything()).policies
      .filter((policy) => !isAwsManaged(policy.arn))
      .map((policy) => ({
        resourceType: "AWS::IAM::Policy",
        resourceId: policy.id,
        subject: recordFacts(policy),
      })),
});
