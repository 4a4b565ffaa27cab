/**
 * An account snapshot (docs/command-line.md#the-snapshot-format): the output of `aws iam get-account-authorization-details` plus an optional
 * `ecr` section — the facts `scan --snapshot` and `evaluate --snapshot` read instead of calling AWS.
 *
 * The `ecr` section describes one region's registry, or is a list of such sections, one per region (the
 * first region is where a scan runs the IAM rules):
 * ```json
 * "ecr": {
 *   "region": "us-east-1",
 *   "registryScanningConfiguration": { "scanType": "BASIC", "rules": [] },
 *   "registryPolicy": { … } | null,
 *   "repositories": [{ "repositoryName": "api", "repositoryArn": "…", "imageTagMutability": "IMMUTABLE",
 *                      "imageScanningConfiguration": { "scanOnPush": true }, "policyText": { … } | null,
 *                      "tags": [{ "Key": "team", "Value": "a" }] (optional: absent means not recorded) }]
 * }
 * "ecr": [{ "region": "us-east-1", … }, { "region": "eu-west-1", … }]
 * ```
 */
import { ConfigInputError, isObj, kindOf, type Obj, obj, str } from "../config/read.js";
import {
  AccountReadError,
  type EcrFacts,
  normalizeRegistryScanning,
  type RegistryScanning,
  type RepositoryFacts,
  type RepositoryTags,
  tagMap,
} from "./ecr.js";
import type { AccountFacts } from "./facts.js";
import { type AuthorizationDetails, authorizationDetails, type IamFacts, SnapshotIamFacts } from "./iam.js";

/** A repository as the snapshot records it, with its policy text. */
export interface SnapshotRepository extends RepositoryFacts {
  readonly policyText: unknown;
}

export interface EcrSnapshot {
  readonly region: string;
  readonly registryScanning: RegistryScanning | undefined;
  readonly registryPolicy: unknown;
  readonly repositories: readonly SnapshotRepository[];
}

export interface AccountSnapshot {
  /** The IAM part: `aws iam get-account-authorization-details` output, merged across pages. */
  readonly iam: AuthorizationDetails;
  /** One section per region, in the file's order; empty when the file has no `ecr` section. */
  readonly ecr: readonly EcrSnapshot[];
}

function scanningOf(raw: unknown, path: string): RegistryScanning | undefined {
  if (raw === undefined || raw === null) return undefined;
  const value = obj(raw, path);
  const rules = value.rules;
  if (rules !== undefined && !Array.isArray(rules))
    throw new ConfigInputError(`${path}.rules`, "must be a list");
  try {
    return normalizeRegistryScanning({
      ...(typeof value.scanType === "string" ? { scanType: value.scanType } : {}),
      rules: (rules ?? []).map((rule: unknown, i: number) => {
        const r = obj(rule, `${path}.rules[${i}]`);
        const filters = Array.isArray(r.repositoryFilters) ? r.repositoryFilters : [];
        return {
          ...(typeof r.scanFrequency === "string" ? { scanFrequency: r.scanFrequency } : {}),
          repositoryFilters: filters.map((f: unknown, j: number) => {
            const filter = obj(f, `${path}.rules[${i}].repositoryFilters[${j}]`);
            return {
              ...(typeof filter.filter === "string" ? { filter: filter.filter } : {}),
              ...(typeof filter.filterType === "string" ? { filterType: filter.filterType } : {}),
            };
          }),
        };
      }),
    });
  } catch (error) {
    if (error instanceof AccountReadError) throw new ConfigInputError(path, error.message, { cause: error });
    throw error;
  }
}

/**
 * A repository's recorded tags: a list as `aws ecr list-tags-for-resource` prints it
 * (`[{"Key": "team", "Value": "a"}]`) or a map (`{"team": "a"}`); absent or null: not recorded.
 */
function tagsOf(raw: unknown, path: string): RepositoryTags | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (Array.isArray(raw)) {
    return tagMap(
      raw.map((entry: unknown, i: number) => {
        const tag = obj(entry, `${path}[${i}]`);
        return { Key: str(tag.Key, `${path}[${i}].Key`), Value: str(tag.Value ?? "", `${path}[${i}].Value`) };
      }),
    );
  }
  const map = obj(raw, path);
  return new Map(Object.entries(map).map(([key, value]) => [key, str(value, `${path}.${key}`)]));
}

function repositoryOf(raw: unknown, path: string): SnapshotRepository {
  const r = obj(raw, path);
  const scanning = r.imageScanningConfiguration;
  const name = str(r.repositoryName, `${path}.repositoryName`);
  // Missing is not absent: "aws ecr describe-repositories" prints no policy, and reading that as "no
  // policy" would call a public repository clean.
  if (!("policyText" in r)) {
    throw new ConfigInputError(
      `${path}.policyText`,
      `missing for repository ${name}: record its policy ("aws ecr get-repository-policy"), or null when it has none`,
    );
  }
  const tags = tagsOf(r.tags, `${path}.tags`);
  return {
    name,
    arn: str(r.repositoryArn, `${path}.repositoryArn`),
    imageTagMutability: typeof r.imageTagMutability === "string" ? r.imageTagMutability : "MUTABLE",
    scanOnPush: isObj(scanning) && scanning.scanOnPush === true,
    policyText: r.policyText ?? null,
    ...(tags === undefined ? {} : { tags }),
  };
}

function uniqueRepositories(repositories: readonly SnapshotRepository[], path: string): SnapshotRepository[] {
  const seen = new Map<string, number>();
  repositories.forEach((repository, i) => {
    const first = seen.get(repository.name);
    if (first !== undefined) {
      throw new ConfigInputError(
        `${path}[${i}]`,
        `has the same repositoryName as ${path}[${first}]: ${repository.name}`,
      );
    }
    seen.set(repository.name, i);
  });
  return [...repositories];
}

/** A repository whose ARN names another region than its section's would be judged in the wrong place. */
function inRegion(repositories: readonly SnapshotRepository[], region: string, path: string): void {
  repositories.forEach((repository, i) => {
    const arnRegion = repository.arn.split(":")[3];
    if (arnRegion !== undefined && arnRegion !== "" && arnRegion !== region) {
      throw new ConfigInputError(
        `${path}[${i}].repositoryArn`,
        `is in ${arnRegion}, not in the section's region ${region}: ${repository.arn}`,
      );
    }
  });
}

/** One region's section, at `path` (`snapshot.ecr` or `snapshot.ecr[i]`). */
function sectionOf(raw: unknown, path: string): EcrSnapshot {
  const section = obj(raw, path);
  const region = str(section.region, `${path}.region`);
  const repositories = section.repositories ?? [];
  if (!Array.isArray(repositories)) {
    throw new ConfigInputError(`${path}.repositories`, `must be a list, got ${kindOf(repositories)}`);
  }
  const parsed = uniqueRepositories(
    repositories.map((r: unknown, i: number) => repositoryOf(r, `${path}.repositories[${i}]`)),
    `${path}.repositories`,
  );
  inRegion(parsed, region, `${path}.repositories`);
  return {
    region,
    registryScanning: scanningOf(
      section.registryScanningConfiguration,
      `${path}.registryScanningConfiguration`,
    ),
    registryPolicy: section.registryPolicy ?? null,
    repositories: parsed,
  };
}

/** The `ecr` value: one section, or a non-empty list of sections for distinct regions. */
function sectionsOf(ecr: unknown): EcrSnapshot[] {
  if (ecr === undefined || ecr === null) return [];
  if (!Array.isArray(ecr)) return [sectionOf(ecr, "snapshot.ecr")];
  if (ecr.length === 0) {
    throw new ConfigInputError(
      "snapshot.ecr",
      "is an empty list: give one section per region, or leave ecr out (the ECR rules are then skipped)",
    );
  }
  const sections = ecr.map((raw: unknown, i: number) => sectionOf(raw, `snapshot.ecr[${i}]`));
  const seen = new Map<string, number>();
  sections.forEach((section, i) => {
    const first = seen.get(section.region);
    if (first !== undefined) {
      throw new ConfigInputError(
        `snapshot.ecr[${i}].region`,
        `${section.region} again: snapshot.ecr[${first}] is already that region's section`,
      );
    }
    seen.set(section.region, i);
  });
  return sections;
}

/**
 * Parses a snapshot. Throws `ConfigInputError` naming the faulty field.
 *
 * @example
 * const snapshot = parseSnapshot(JSON.parse(readFileSync("account.json", "utf8")));
 * snapshot.ecr.map((section) => section.region); // ["us-east-1", "eu-west-1"]
 */
export function parseSnapshot(raw: unknown): AccountSnapshot {
  // A list of pages; or one page (the CLI's output) with an optional "ecr" section; or
  // {"authorizationDetails": [pages…], "ecr": …}.
  const value: Obj = Array.isArray(raw) ? { authorizationDetails: raw } : obj(raw, "snapshot");
  const { ecr, authorizationDetails: pages, ...page } = value;
  if (pages !== undefined && !Array.isArray(pages)) {
    throw new ConfigInputError(
      "snapshot.authorizationDetails",
      `must be a list of pages, got ${kindOf(pages)}`,
    );
  }
  return { iam: authorizationDetails(pages ?? [page]), ecr: sectionsOf(ecr) };
}

/** The snapshot lacks what a rule needs: the message says what to add. */
export class SnapshotGapError extends AccountReadError {}

/**
 * Account facts read from a snapshot.
 *
 * @example
 * const facts = new SnapshotAccountFacts(parseSnapshot(json));
 * await facts.ecr("us-east-1").registryScanning();
 */
export class SnapshotAccountFacts implements AccountFacts {
  private readonly iamFacts: SnapshotIamFacts;

  constructor(private readonly snapshot: AccountSnapshot) {
    this.iamFacts = new SnapshotIamFacts(snapshot.iam);
  }

  iam(): IamFacts {
    return this.iamFacts;
  }

  /** A snapshot does not know what Config has evaluated before. */
  async evaluatedResources(): Promise<undefined> {
    return undefined;
  }

  ecr(region: string): EcrFacts {
    const sections = this.snapshot.ecr;
    const section = sections.find((s) => s.region === region);
    const gap = (what: string) =>
      new SnapshotGapError(`the snapshot has no ${what}: add it to the snapshot's "ecr" section`);
    const ecr = (): EcrSnapshot => {
      if (section !== undefined) return section;
      if (sections.length === 0) throw gap("ecr section");
      throw new SnapshotGapError(
        `the snapshot's ecr section is for ${sections.map((s) => s.region).join(", ")}, not ${region}`,
      );
    };
    return {
      registryScanning: async () => {
        const scanning = ecr().registryScanning;
        if (scanning === undefined) throw gap("registryScanningConfiguration");
        return scanning;
      },
      repositories: async () => ecr().repositories,
      repositoryPolicy: async (name) => {
        const repository = ecr().repositories.find((r) => r.name === name);
        if (repository === undefined) throw gap(`repository ${name}`);
        return repository.policyText;
      },
      registryPolicy: async () => ecr().registryPolicy,
      // A snapshot without a repository's tags does not know them: never read that as "no tags".
      repositoryTags: async (repository) =>
        repository.tags ?? section?.repositories.find((r) => r.name === repository.name)?.tags,
    };
  }
}
