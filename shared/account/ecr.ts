/**
 * ECR facts a rule needs beyond the configuration item: the registry's scanning configuration and, for the
 * periodic sweep, the repositories. Read through the ECR API (cached for the container's life, once per
 * account and region) or from an account snapshot.
 */
import {
  DescribeRepositoriesCommand,
  type DescribeRepositoriesCommandOutput,
  type ECRClient,
  GetRegistryPolicyCommand,
  GetRegistryScanningConfigurationCommand,
  GetRepositoryPolicyCommand,
} from "@aws-sdk/client-ecr";
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

/** What the periodic sweep knows of one repository. */
export interface RepositoryFacts {
  readonly name: string;
  readonly arn: string;
  readonly imageTagMutability: string;
  readonly scanOnPush: boolean;
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

/**
 * ECR facts read through the API; each is read at most once per instance (the runtime keeps one instance
 * per account and region for the container's life).
 *
 * @example
 * const facts = new ApiEcrFacts(ecrClient);
 * (await facts.registryScanning()).scanType; // "BASIC"
 */
export class ApiEcrFacts implements EcrFacts {
  private scanning: Promise<RegistryScanning> | undefined;

  constructor(private readonly client: ECRClient) {}

  registryScanning(): Promise<RegistryScanning> {
    this.scanning ??= this.client
      .send(new GetRegistryScanningConfigurationCommand({}))
      .then((response) => normalizeRegistryScanning(response.scanningConfiguration ?? {}))
      .catch((error: unknown) => {
        this.scanning = undefined;
        if (error instanceof AccountReadError) throw error;
        throw new AccountReadError(`ecr:GetRegistryScanningConfiguration failed: ${describe(error)}`, {
          cause: error,
        });
      });
    return this.scanning;
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

  async repositories(): Promise<readonly RepositoryFacts[]> {
    const out: RepositoryFacts[] = [];
    let nextToken: string | undefined;
    do {
      let page: DescribeRepositoriesCommandOutput;
      try {
        page = await this.client.send(
          new DescribeRepositoriesCommand({ ...(nextToken ? { nextToken } : {}) }),
        );
      } catch (error) {
        throw new AccountReadError(`ecr:DescribeRepositories failed: ${describe(error)}`, { cause: error });
      }
      for (const repository of page.repositories ?? []) {
        if (repository.repositoryName === undefined || repository.repositoryArn === undefined) {
          throw new AccountReadError("ecr:DescribeRepositories returned a repository without a name or ARN");
        }
        out.push({
          name: repository.repositoryName,
          arn: repository.repositoryArn,
          imageTagMutability: repository.imageTagMutability ?? "MUTABLE",
          scanOnPush: repository.imageScanningConfiguration?.scanOnPush === true,
        });
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return out;
  }
}
