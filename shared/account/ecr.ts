/**
 * ECR facts a rule needs beyond the configuration item: the registry's scanning configuration and, for the
 * periodic sweep, the repositories. Read through the ECR API or from an account snapshot.
 *
 * What the API-backed facts keep (the runtime keeps one instance per account and region for the
 * container's life): the registry scanning configuration, for `scanningTtlMs` (default 5 minutes) — so
 * scanning turned off is seen within minutes, and at once by a periodic run, which calls `invalidate()`
 * first. Repositories, policies and tags are read anew on every call (tags only when asked: `who-can-write`).
 */
import {
  type ECRClient,
  GetRegistryPolicyCommand,
  GetRegistryScanningConfigurationCommand,
  GetRepositoryPolicyCommand,
  ListTagsForResourceCommand,
  paginateDescribeRepositories,
} from "@aws-sdk/client-ecr";
import { TtlCache } from "../aws/cache.js";
import { readPages } from "../aws/pages.js";
import { AccountReadError } from "../errors.js";

export type ScanFrequency = "SCAN_ON_PUSH" | "CONTINUOUS_SCAN" | "MANUAL";

export interface RegistryScanningRule {
  readonly scanFrequency: ScanFrequency;
  /** `WILDCARD` filters over repository names (`*` matches any run of characters). */
  readonly repositoryFilters: readonly string[];
}

/** `GetRegistryScanningConfiguration`, normalized. */
export interface RegistryScanning {
  readonly scanType: "BASIC" | "ENHANCED";
  readonly rules: readonly RegistryScanningRule[];
}

/** A repository's tags, key to value (`ecr:ListTagsForResource`). */
export type RepositoryTags = ReadonlyMap<string, string>;

/** What the periodic sweep knows of one repository. */
export interface RepositoryFacts {
  readonly name: string;
  readonly arn: string;
  readonly imageTagMutability: string;
  readonly scanOnPush: boolean;
  /**
   * Its tags, when the source recorded them (a snapshot may; `DescribeRepositories` returns none, see
   * {@link EcrFacts.repositoryTags}). Absent: not known — never "no tags".
   */
  readonly tags?: RepositoryTags;
}

export { AccountReadError } from "../errors.js";

/** The ECR facts of one account and region. */
export interface EcrFacts {
  registryScanning(): Promise<RegistryScanning>;
  repositories(): Promise<readonly RepositoryFacts[]>;
  /** A repository's policy text; `null` when it has none. */
  repositoryPolicy(name: string): Promise<unknown>;
  /** The registry's policy text; `null` when it has none. */
  registryPolicy(): Promise<unknown>;
  /**
   * A repository's tags: those its record holds, else read (`ecr:ListTagsForResource`); `undefined` when
   * the source cannot know them (a snapshot that did not record them).
   */
  repositoryTags(repository: RepositoryFacts): Promise<RepositoryTags | undefined>;
}

/**
 * Tags as the ECR API and the AWS CLI print them (`[{"Key": "team", "Value": "a"}]`), as a map.
 *
 * @example
 * tagMap([{ Key: "team", Value: "payments" }]).get("team"); // "payments"
 */
export function tagMap(
  tags: ReadonlyArray<{ readonly Key?: string | undefined; readonly Value?: string | undefined }>,
): RepositoryTags {
  const map = new Map<string, string>();
  for (const tag of tags) if (tag.Key !== undefined) map.set(tag.Key, tag.Value ?? "");
  return map;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

const FREQUENCIES: readonly ScanFrequency[] = ["SCAN_ON_PUSH", "CONTINUOUS_SCAN", "MANUAL"];

/**
 * Normalizes a registry scanning configuration (the API's shape, or a snapshot's). Unknown frequencies
 * and filter types are rejected rather than guessed.
 *
 * @example
 * normalizeRegistryScanning({ scanType: "ENHANCED", rules: [{ scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }] }] });
 */
export function normalizeRegistryScanning(raw: {
  scanType?: string | undefined;
  rules?:
    | ReadonlyArray<{
        scanFrequency?: string | undefined;
        repositoryFilters?:
          | ReadonlyArray<{ filter?: string | undefined; filterType?: string | undefined }>
          | undefined;
      }>
    | undefined;
}): RegistryScanning {
  const scanType = raw.scanType ?? "BASIC";
  if (scanType !== "BASIC" && scanType !== "ENHANCED") {
    throw new AccountReadError(
      `registry scanning configuration: unknown scanType ${JSON.stringify(scanType)}`,
    );
  }
  const rules = (raw.rules ?? []).map((rule, i) => {
    const frequency = FREQUENCIES.find((f) => f === rule.scanFrequency);
    if (frequency === undefined) {
      throw new AccountReadError(
        `registry scanning configuration: rules[${i}].scanFrequency ${JSON.stringify(rule.scanFrequency)} is unknown`,
      );
    }
    const filters = (rule.repositoryFilters ?? []).map((filter, j) => {
      if (filter.filterType !== undefined && filter.filterType !== "WILDCARD") {
        throw new AccountReadError(
          `registry scanning configuration: rules[${i}].repositoryFilters[${j}].filterType ${JSON.stringify(filter.filterType)} is unknown`,
        );
      }
      if (typeof filter.filter !== "string") {
        throw new AccountReadError(
          `registry scanning configuration: rules[${i}].repositoryFilters[${j}].filter is missing`,
        );
      }
      return filter.filter;
    });
    return { scanFrequency: frequency, repositoryFilters: filters };
  });
  return { scanType, rules };
}

/** How long the registry scanning configuration is trusted before it is read again: five minutes. */
export const DEFAULT_SCANNING_TTL_MS = 5 * 60_000;

export interface ApiEcrFactsOptions {
  /** The clock (milliseconds), for the cache's time to live. Default `Date.now`. */
  readonly now?: () => number;
  /** How long the registry scanning configuration stays cached. Default 5 minutes. */
  readonly scanningTtlMs?: number;
}

/**
 * ECR facts read through the API; the registry scanning configuration is kept for `scanningTtlMs`, or
 * until `invalidate()`.
 *
 * @example
 * const facts = new ApiEcrFacts(ecrClient);
 * (await facts.registryScanning()).scanType; // "BASIC"
 */
export class ApiEcrFacts implements EcrFacts {
  private readonly scanning: TtlCache<RegistryScanning>;
  private readonly ttl: number;

  constructor(
    private readonly client: ECRClient,
    options: ApiEcrFactsOptions = {},
  ) {
    this.scanning = new TtlCache(options.now ?? (() => Date.now()));
    this.ttl = options.scanningTtlMs ?? DEFAULT_SCANNING_TTL_MS;
  }

  /** Forgets the cached scanning configuration: the next read goes to ECR. */
  invalidate(): void {
    this.scanning.clear();
  }

  registryScanning(): Promise<RegistryScanning> {
    return this.scanning.get(
      "registry",
      () => this.readScanning(),
      () => this.ttl,
    );
  }

  private async readScanning(): Promise<RegistryScanning> {
    try {
      const response = await this.client.send(new GetRegistryScanningConfigurationCommand({}));
      return normalizeRegistryScanning(response.scanningConfiguration ?? {});
    } catch (error) {
      if (error instanceof AccountReadError) throw error;
      throw new AccountReadError(`ecr:GetRegistryScanningConfiguration failed: ${describe(error)}`, {
        cause: error,
      });
    }
  }

  async repositoryPolicy(name: string): Promise<unknown> {
    try {
      const response = await this.client.send(new GetRepositoryPolicyCommand({ repositoryName: name }));
      return response.policyText ?? null;
    } catch (error) {
      if (error instanceof Error && error.name === "RepositoryPolicyNotFoundException") return null;
      throw new AccountReadError(`ecr:GetRepositoryPolicy for ${name} failed: ${describe(error)}`, {
        cause: error,
      });
    }
  }

  async registryPolicy(): Promise<unknown> {
    try {
      const response = await this.client.send(new GetRegistryPolicyCommand({}));
      return response.policyText ?? null;
    } catch (error) {
      if (error instanceof Error && error.name === "RegistryPolicyNotFoundException") return null;
      throw new AccountReadError(`ecr:GetRegistryPolicy failed: ${describe(error)}`, { cause: error });
    }
  }

  async repositoryTags(repository: RepositoryFacts): Promise<RepositoryTags> {
    if (repository.tags !== undefined) return repository.tags;
    try {
      const response = await this.client.send(
        new ListTagsForResourceCommand({ resourceArn: repository.arn }),
      );
      return tagMap(response.tags ?? []);
    } catch (error) {
      throw new AccountReadError(
        `ecr:ListTagsForResource for ${repository.name} failed: ${describe(error)}`,
        { cause: error },
      );
    }
  }

  async repositories(): Promise<readonly RepositoryFacts[]> {
    const pages = await readPages(
      "ecr:DescribeRepositories",
      paginateDescribeRepositories({ client: this.client }, {}),
      (page) => page.nextToken,
    );
    return pages.flatMap((page) =>
      (page.repositories ?? []).map((repository) => {
        if (repository.repositoryName === undefined || repository.repositoryArn === undefined) {
          throw new AccountReadError("ecr:DescribeRepositories returned a repository without a name or ARN");
        }
        return {
          name: repository.repositoryName,
          arn: repository.repositoryArn,
          imageTagMutability: repository.imageTagMutability ?? "MUTABLE",
          scanOnPush: repository.imageScanningConfiguration?.scanOnPush === true,
        };
      }),
    );
  }
}
