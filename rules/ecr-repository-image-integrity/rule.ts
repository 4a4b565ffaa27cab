/**
 * ecr-repository-image-integrity (docs/rules.md#ecr-repository-image-integrity): built images cannot be replaced unseen — tags are immutable
 * and images are scanned on push or continuously.
 */
import type { RegistryScanning, RepositoryFacts } from "../../shared/account/ecr.js";
import type { AccountFacts } from "../../shared/account/facts.js";
import { compliant, nonCompliant, type Verdict } from "../../shared/config/evaluation.js";
import type { ConfigurationItem } from "../../shared/config/item.js";
import { ConfigInputError, isObj } from "../../shared/config/read.js";
import { ecrWildcardFilterMatches } from "../../shared/policy/glob.js";
import { CIS_EKS_5_1_2, defineRule, type ParametersOf, type RuleScope } from "../../shared/runtime/rule.js";

export const RESOURCE_TYPES = ["AWS::ECR::Repository"] as const;

/** The repository settings the rule judges. */
export type RepositorySettings = Pick<RepositoryFacts, "name" | "imageTagMutability" | "scanOnPush">;

/**
 * Reads the settings from an `AWS::ECR::Repository` item (CloudFormation-style field names).
 *
 * @example
 * repositorySettings(item); // { name: "api", imageTagMutability: "IMMUTABLE", scanOnPush: true }
 */
export function repositorySettings(item: ConfigurationItem): RepositorySettings {
  const configuration = item.configuration;
  if (!isObj(configuration)) throw new ConfigInputError("configuration", "missing or not an object");
  const name =
    typeof configuration.RepositoryName === "string" ? configuration.RepositoryName : item.resourceId;
  const mutability = configuration.ImageTagMutability ?? "MUTABLE";
  if (typeof mutability !== "string")
    throw new ConfigInputError("configuration.ImageTagMutability", "must be a string");
  const scanning = configuration.ImageScanningConfiguration;
  const scanOnPushRaw = isObj(scanning) ? scanning.ScanOnPush : undefined;
  const scanOnPush = scanOnPushRaw === true || scanOnPushRaw === "true";
  return { name, imageTagMutability: mutability, scanOnPush };
}

/**
 * ECR's WILDCARD repository filter: `*` matches any run of characters and the filter must match the whole
 * name; a filter without `*` matches every name that contains it (`prod` matches `repo-prod`).
 *
 * @example
 * wildcardFilterMatches("team-*", "team-a/api"); // true
 * wildcardFilterMatches("prod", "repo-prod"); // true
 */
export function wildcardFilterMatches(filter: string, name: string): boolean {
  return ecrWildcardFilterMatches(filter, name);
}

/** How a repository's images are scanned, if at all, and why. */
export function scanningOf(
  settings: RepositorySettings,
  registry: RegistryScanning,
): { scanned: boolean; how: string } {
  const matching = registry.rules.filter(
    (rule) =>
      rule.scanFrequency !== "MANUAL" &&
      rule.repositoryFilters.some((filter) => wildcardFilterMatches(filter, settings.name)),
  );
  const [rule] = matching;
  if (rule !== undefined) {
    return {
      scanned: true,
      how: `the registry's ${registry.scanType} ${rule.scanFrequency} rule (${rule.repositoryFilters.join(", ")})`,
    };
  }
  // Under enhanced scanning the registry's rules decide; a repository's own scan-on-push setting is ignored.
  if (registry.scanType === "BASIC" && settings.scanOnPush)
    return { scanned: true, how: "the repository's scan on push" };
  return {
    scanned: false,
    how:
      registry.scanType === "ENHANCED"
        ? "no ENHANCED registry scanning rule matches it (a repository's scan-on-push setting is ignored under enhanced scanning)"
        : "scan on push is off and no registry scanning rule matches it",
  };
}

const PARAMETERS = [
  {
    name: "allowTagExclusions",
    kind: "boolean",
    defaultValue: false,
    description: "Accept IMMUTABLE_WITH_EXCLUSION tag mutability.",
  },
  {
    name: "requireScanning",
    kind: "boolean",
    defaultValue: true,
    description: "Require images to be scanned on push or continuously.",
  },
  {
    name: "exemptActions",
    kind: "actionGlobs",
    description: "Accepted for uniformity; this rule judges no actions.",
  },
] as const;

/** What the verdict on one repository needs: its settings and the registry's scanning configuration. */
export interface RepositoryIntegrityFacts {
  readonly settings: RepositorySettings;
  readonly registry: RegistryScanning;
}

/**
 * Gathers the registry's scanning configuration of the rule's region (read once per run and region).
 *
 * @example
 * const facts = await gatherRepository(repositorySettings(item), accountFacts, scope);
 */
export async function gatherRepository(
  settings: RepositorySettings,
  facts: AccountFacts,
  scope: RuleScope,
): Promise<RepositoryIntegrityFacts> {
  return { settings, registry: await facts.ecr(scope.region).registryScanning() };
}

/**
 * The verdict on a repository's settings and the registry's scanning configuration (pure).
 *
 * @example
 * judgeRepository({ settings: { name: "api", imageTagMutability: "MUTABLE", scanOnPush: true }, registry }, parameters);
 * // NON_COMPLIANT: "Repository api: tags are MUTABLE: set image tag mutability to IMMUTABLE."
 */
export function judgeRepository(
  { settings, registry }: RepositoryIntegrityFacts,
  parameters: ParametersOf<typeof PARAMETERS>,
): Verdict {
  const problems: string[] = [];
  const allowExclusions = parameters.flag("allowTagExclusions");
  const mutability = settings.imageTagMutability;
  const immutable =
    mutability === "IMMUTABLE" || (allowExclusions && mutability === "IMMUTABLE_WITH_EXCLUSION");
  if (!immutable) {
    problems.push(
      mutability === "IMMUTABLE_WITH_EXCLUSION"
        ? "tags are IMMUTABLE_WITH_EXCLUSION (excluded tags can be overwritten; set allowTagExclusions to accept)"
        : `tags are ${mutability}: set image tag mutability to IMMUTABLE`,
    );
  }
  const scanning = scanningOf(settings, registry);
  if (parameters.flag("requireScanning") && !scanning.scanned) {
    problems.push(`images are not scanned: ${scanning.how}`);
  }
  if (problems.length > 0) return nonCompliant(`Repository ${settings.name}: ${problems.join("; ")}.`);
  return compliant(
    `Tags are ${mutability}${scanning.scanned ? `; images are scanned by ${scanning.how}` : ""}.`,
  );
}

export const rule = defineRule({
  name: "ecr-repository-image-integrity",
  title: "ECR repositories keep image tags immutable and scan images on push or continuously",
  description:
    "NON_COMPLIANT when a repository's image tags are mutable, or (with requireScanning) when neither the repository's scan-on-push setting nor a registry scanning rule scans its images.",
  severity: "medium",
  control: CIS_EKS_5_1_2,
  remediation:
    "Set the repository's image tag mutability to IMMUTABLE and scan its images on push or continuously (the repository's setting or a registry scanning rule).",
  docs: "rules/ecr-repository-image-integrity/README.md",
  resourceTypes: RESOURCE_TYPES,
  permissions: ["ecr:DescribeRepositories", "ecr:GetRegistryScanningConfiguration"],
  periodic: true,
  parameters: PARAMETERS,
  reads: ["ecr"],
  read: repositorySettings,
  gather: gatherRepository,
  judge: judgeRepository,
  sweep: async (facts, scope) =>
    (await facts.ecr(scope.region).repositories()).map((repository) => ({
      resourceType: "AWS::ECR::Repository",
      resourceId: repository.name,
      subject: repository,
    })),
});
