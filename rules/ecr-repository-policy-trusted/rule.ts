/**
 * ecr-repository-policy-trusted (docs/rules.md#ecr-repository-policy-trusted): a repository policy (`AWS::ECR::Repository`) or the registry
 * policy (`AWS::ECR::RegistryPolicy`) admits only trusted accounts, organizations and principals (docs/policy-semantics.md#resource-policy-analysis).
 * A change judges the item; the periodic run judges every repository's policy and the registry's policy
 * of the rule's region, and marks those that no longer exist NOT_APPLICABLE.
 */
import type { EcrFacts } from "../../shared/account/ecr.js";
import type { AccountFacts } from "../../shared/account/facts.js";

import { assertNever } from "../../shared/assert-never.js";
import { compliant, nonCompliant, type Verdict } from "../../shared/config/evaluation.js";
import type { ConfigurationItem } from "../../shared/config/item.js";
import { ConfigInputError, isObj } from "../../shared/config/read.js";
import { readingAs } from "../../shared/errors.js";
import { describeStatement, shortActions } from "../../shared/policy/explain.js";
import {
  analyzeResourcePolicy,
  FINDING_KINDS,
  type ResourceFinding,
  type ResourcePolicyKind,
} from "../../shared/policy/index.js";
import {
  CIS_EKS_5_1_2,
  defineRule,
  itemOnly,
  type ParametersOf,
  type RuleScope,
} from "../../shared/runtime/rule.js";

export const RESOURCE_TYPES = ["AWS::ECR::Repository", "AWS::ECR::RegistryPolicy"] as const;

/** The policy a Config item carries, with whose it is. */
export interface ResourcePolicyFacts {
  readonly kind: ResourcePolicyKind;
  readonly owner: string;
  readonly partition: string;
  /** Object, JSON text, URL-encoded JSON text, `{}`, empty or absent. */
  readonly policy: unknown;
}

/**
 * Reads the policy from a repository item (`RepositoryPolicyText`) or a registry policy item
 * (`PolicyText`). An absent field means no policy.
 *
 * @example
 * resourcePolicyFacts(item, { partition: "aws" }).kind; // "repository"
 */
export function resourcePolicyFacts(
  item: ConfigurationItem,
  scope: Pick<RuleScope, "partition">,
): ResourcePolicyFacts {
  const { partition } = scope;
  const configuration = item.configuration;
  if (!isObj(configuration)) throw new ConfigInputError("configuration", "missing or not an object");
  if (item.resourceType === "AWS::ECR::RegistryPolicy") {
    return {
      kind: "registry",
      owner: typeof configuration.RegistryId === "string" ? configuration.RegistryId : item.accountId,
      partition,
      policy: configuration.PolicyText ?? configuration.policyText,
    };
  }
  return {
    kind: "repository",
    owner: item.accountId,
    partition,
    policy: configuration.RepositoryPolicyText ?? configuration.repositoryPolicyText,
  };
}

function subject(finding: ResourceFinding): string {
  switch (finding.kind) {
    case "public":
      return "everyone (public)";
    case "untrusted-account":
      return `untrusted account ${finding.account}`;
    case "untrusted-organization":
      return `untrusted organization ${finding.organization}`;
    case "untrusted-principal":
      return `untrusted principal ${finding.principal}`;
    case "unguarded-service":
      return `service ${finding.service} without aws:SourceAccount/SourceArn/SourceOrgID (confused deputy)`;
    case "unauthorized-principal":
      return `${finding.principal}, not in authorizedPrincipalArns`;
    default:
      return assertNever(finding, "finding");
  }
}

/** Repository policies read at once by the periodic sweep. */
const POLICY_READS_AT_ONCE = 8;

type FoundPolicy = {
  readonly resourceType: string;
  readonly resourceId: string;
  readonly subject: ResourcePolicyFacts;
};

/** A repository deleted between the listing and the read of its policy (ECR's error name). */
const DELETED_MEANWHILE = "RepositoryNotFoundException";

async function repositoryPolicies(ecr: EcrFacts, scope: RuleScope): Promise<FoundPolicy[]> {
  const repositories = await ecr.repositories();
  const out: Array<FoundPolicy | undefined> = new Array(repositories.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < repositories.length; i = next++) {
      const name = repositories[i]?.name ?? "";
      let policy: unknown;
      try {
        policy = await ecr.repositoryPolicy(name);
      } catch (error) {
        // Gone since the listing: not in this sweep, so an earlier verdict of it becomes NOT_APPLICABLE
        // (the rule's `vanished`). Any other failed read fails the run (retried; never a silent skip).
        if (error instanceof Error && error.cause instanceof Error && error.cause.name === DELETED_MEANWHILE)
          continue;
        throw error;
      }
      out[i] = {
        resourceType: "AWS::ECR::Repository",
        resourceId: name,
        subject: { kind: "repository", owner: scope.accountId, partition: scope.partition, policy },
      };
    }
  };
  await Promise.all(Array.from({ length: Math.min(POLICY_READS_AT_ONCE, repositories.length) }, worker));
  return out.filter((found): found is FoundPolicy => found !== undefined);
}

/**
 * The periodic sweep: every repository of the rule's region with its policy, and the registry policy
 * when the registry has one (Config records no `AWS::ECR::RegistryPolicy` without a policy).
 *
 * @example
 * const found = await sweepPolicies(facts, scope);
 */
export async function sweepPolicies(facts: AccountFacts, scope: RuleScope): Promise<FoundPolicy[]> {
  const ecr = facts.ecr(scope.region);
  const found = await repositoryPolicies(ecr, scope);
  const registry = await ecr.registryPolicy();
  if (registry !== null && registry !== undefined) {
    found.push({
      resourceType: "AWS::ECR::RegistryPolicy",
      resourceId: scope.accountId,
      subject: { kind: "registry", owner: scope.accountId, partition: scope.partition, policy: registry },
    });
  }
  return found;
}

const PARAMETERS = [
  { name: "trustedAccountIds", kind: "accountIds", description: "Accounts trusted besides the owner." },
  {
    name: "trustedOrganizationIds",
    kind: "organizationIds",
    description: "Organizations whose members are trusted.",
  },
  {
    name: "trustedVpceIds",
    kind: "vpceIds",
    description: "VPC endpoints whose conditions count as narrowing.",
  },
  {
    name: "authorizedPrincipalArns",
    kind: "principalArnGlobs",
    description:
      "Principal ARN globs allowed sensitive actions (when set, any other named principal is flagged).",
  },
  { name: "exemptActions", kind: "actionGlobs", description: "Action globs not treated as sensitive." },
] as const;

/**
 * The verdict on a resource policy (pure): the verdict list of docs/policy-semantics.md, the most severe
 * finding first. A policy that cannot be parsed throws (the runtime makes it NON_COMPLIANT).
 *
 * @example
 * judgeResourcePolicy(facts, parameters).compliance; // "NON_COMPLIANT"
 */
export function judgeResourcePolicy(
  facts: ResourcePolicyFacts,
  parameters: ParametersOf<typeof PARAMETERS>,
): Verdict {
  const what = facts.kind === "registry" ? "The registry policy" : "The repository policy";
  const analysis = readingAs(what, () =>
    analyzeResourcePolicy({
      policy: facts.policy,
      owner: facts.owner,
      partition: facts.partition,
      kind: facts.kind,
      trust: {
        trustedAccountIds: parameters.list("trustedAccountIds"),
        trustedOrganizationIds: parameters.list("trustedOrganizationIds"),
        trustedVpceIds: parameters.list("trustedVpceIds"),
        authorizedPrincipalArns: parameters.list("authorizedPrincipalArns"),
        exemptActions: parameters.list("exemptActions"),
      },
    }),
  );
  const deleted =
    analysis.deletedPrincipalIds.length > 0
      ? ` It names deleted principals (${analysis.deletedPrincipalIds.join(", ")}), which admit no one; remove them.`
      : "";
  const verdict = analysis.verdict;
  if (verdict.compliance === "COMPLIANT") {
    return compliant(
      verdict.reason === "no-policy"
        ? `${what} is absent.`
        : `${what} admits only trusted principals.${deleted}`,
    );
  }
  // FINDING_KINDS lists the kinds most severe first.
  const sorted = [...verdict.findings].sort(
    (a, b) => FINDING_KINDS.indexOf(a.kind) - FINDING_KINDS.indexOf(b.kind),
  );
  const parts = sorted.map(
    (finding) =>
      `${describeStatement(finding.statement)} admits ${subject(finding)} to ${shortActions(finding.actions, 3)}`,
  );
  return nonCompliant(`${what}: ${parts.join("; ")}.${deleted}`);
}

export const rule = defineRule({
  name: "ecr-repository-policy-trusted",
  title: "ECR repository and registry policies admit only trusted accounts, organizations and principals",
  description:
    "NON_COMPLIANT when a repository or registry policy admits the public, an untrusted account, organization or principal, an unguarded service, or an unlisted principal to sensitive actions.",
  severity: "critical",
  control: CIS_EKS_5_1_2,
  remediation:
    "Remove or narrow the statements that admit the public or untrusted principals, or list the accounts, organizations and principals you trust in the rule's parameters.",
  docs: "rules/ecr-repository-policy-trusted/README.md",
  resourceTypes: RESOURCE_TYPES,
  permissions: [
    "config:GetComplianceDetailsByConfigRule",
    "config:ListDiscoveredResources",
    "ecr:DescribeRepositories",
    "ecr:GetRegistryPolicy",
    "ecr:GetRepositoryPolicy",
  ],
  periodic: true,
  parameters: PARAMETERS,
  vanished: "the repository or registry policy no longer exists",
  reads: ["ecr"],
  read: resourcePolicyFacts,
  // gather: none — the item (or the sweep's read) carries the policy text.
  gather: itemOnly,
  judge: judgeResourcePolicy,
  sweep: sweepPolicies,
});
