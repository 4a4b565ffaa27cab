/**
 * "The facts about this account" that rules read beyond a configuration item — one interface, read
 * through the AWS API or from an account snapshot.
 *
 * The API-backed facts live as long as the runtime keeps them (the container's life) and cache what
 * `ApiIamFacts` and `ApiEcrFacts` say, each fact with a time to live; `invalidate()` drops every cache, so
 * a periodic run that calls it first reads the account as it is now. `evaluatedResources` is never cached.
 */
import { paginateGetComplianceDetailsByConfigRule } from "@aws-sdk/client-config-service";
import { readPages } from "../aws/pages.js";
import type { ClientFactory, ClientTarget } from "../runtime/clients.js";
import { ApiEcrFacts, type EcrFacts } from "./ecr.js";
import type { IamFacts } from "./iam.js";
import { ApiIamFacts } from "./iam-api.js";

/** A resource a Config rule has evaluated before. */
export interface EvaluatedResource {
  readonly resourceType: string;
  readonly resourceId: string;
}

export interface AccountFacts {
  /** The ECR facts of this account in one region. */
  ecr(region: string): EcrFacts;
  /** The IAM facts of this account (IAM is global). */
  iam(): IamFacts;
  /**
   * The resources a Config rule holds evaluations for (`GetComplianceDetailsByConfigRule`), so a sweep can
   * mark those that no longer exist NOT_APPLICABLE. `undefined` when they cannot be known (a snapshot).
   */
  evaluatedResources(ruleName: string): Promise<readonly EvaluatedResource[] | undefined>;
  /** Drops whatever these facts cache, so the next reads see the account as it is (a snapshot has none). */
  invalidate?(): void;
}

/**
 * Facts read through the API of one account, with the clients (and role) of `target`; each region's
 * facts object lives as long as this instance, its caches until they expire or `invalidate()`.
 *
 * @example
 * const facts = new ApiAccountFacts(factory, { accountId, region, partition, roleName });
 * await facts.ecr("us-east-1").registryScanning();
 * facts.invalidate(); // a periodic run starts here: the next registryScanning() reads ECR again
 */
export class ApiAccountFacts implements AccountFacts {
  private readonly byRegion = new Map<string, ApiEcrFacts>();
  private iamFacts: ApiIamFacts | undefined;

  constructor(
    private readonly factory: ClientFactory,
    private readonly target: ClientTarget,
  ) {}

  ecr(region: string): EcrFacts {
    let facts = this.byRegion.get(region);
    if (facts === undefined) {
      facts = new ApiEcrFacts(this.factory.clients({ ...this.target, region }).ecr);
      this.byRegion.set(region, facts);
    }
    return facts;
  }

  iam(): IamFacts {
    this.iamFacts ??= new ApiIamFacts(this.factory.clients(this.target).iam);
    return this.iamFacts;
  }

  /** Drops the cached IAM and ECR facts of every region. */
  invalidate(): void {
    this.iamFacts?.invalidate();
    for (const facts of this.byRegion.values()) facts.invalidate();
  }

  async evaluatedResources(ruleName: string): Promise<readonly EvaluatedResource[] | undefined> {
    // GetComplianceDetailsByConfigRule takes rule names of at most 64 characters; a longer name (an
    // organization rule's member name can be) cannot be asked about.
    if (ruleName.length > 64) return undefined;
    const pages = await readPages(
      "config:GetComplianceDetailsByConfigRule",
      paginateGetComplianceDetailsByConfigRule(
        { client: this.factory.clients(this.target).config },
        { ConfigRuleName: ruleName, ComplianceTypes: ["COMPLIANT", "NON_COMPLIANT"], Limit: 100 },
      ),
      (page) => page.NextToken,
    );
    return pages.flatMap((page) =>
      (page.EvaluationResults ?? []).flatMap((result) => {
        const qualifier = result.EvaluationResultIdentifier?.EvaluationResultQualifier;
        if (qualifier?.ResourceType === undefined || qualifier.ResourceId === undefined) return [];
        return [{ resourceType: qualifier.ResourceType, resourceId: qualifier.ResourceId }];
      }),
    );
  }
}
