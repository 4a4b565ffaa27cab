/**
 * Account facts read through the AWS API, assembled from one reader per kind of fact. A Lambda handler is
 * built with the readers its rule declares (`reads` in its definition) and no others, so its bundle
 * carries only the clients those readers call; the command line passes all of them.
 */
import {
  paginateGetComplianceDetailsByConfigRule,
  paginateListDiscoveredResources,
} from "@aws-sdk/client-config-service";
import type { ClientFactory, ClientTarget } from "../aws/clients.js";
import { readPages } from "../aws/pages.js";
import { isResourceType } from "../config/trigger.js";
import { AccountReadError, EcrAccessRulesError } from "../errors.js";
import type { FactKind } from "../runtime/rule.js";
import type { EcrFacts } from "./ecr.js";
import type { AccountFacts, EvaluatedResource } from "./facts.js";
import type { IamFacts } from "./iam.js";

/** How each kind of fact is read through the API of one target (account, region, role). */
export interface FactReaders {
  readonly iam: (clients: ClientFactory, target: ClientTarget) => IamFacts;
  readonly ecr: (clients: ClientFactory, target: ClientTarget) => EcrFacts;
}

/** The readers for the fact kinds `R`: exactly what a rule that reads `R` needs. */
export type ReadersFor<R extends FactKind> = Pick<FactReaders, R>;

/** A rule read a kind of fact its handler was not built to read (a wiring bug, caught by a test). */
export class MissingReaderError extends EcrAccessRulesError {}

/**
 * Facts read through the API of one account, with the clients (and role) of `target`; each kind's facts
 * object is built on first use and lives as long as this instance (the runtime keeps one per account and
 * role for the container's life).
 *
 * @example
 * const facts = new ApiAccountFacts(factory, { accountId, region, partition }, { iam: iamReader });
 * await facts.iam().everything();
 */
export class ApiAccountFacts implements AccountFacts {
  private readonly byRegion = new Map<string, EcrFacts>();
  private iamFacts: IamFacts | undefined;

  constructor(
    private readonly factory: ClientFactory,
    private readonly target: ClientTarget,
    private readonly readers: Partial<FactReaders>,
  ) {}

  private reader<K extends FactKind>(kind: K): FactReaders[K] {
    const reader = this.readers[kind];
    if (reader === undefined) {
      throw new MissingReaderError(`this handler was built without a reader of ${kind} facts`);
    }
    return reader;
  }

  ecr(region: string): EcrFacts {
    let facts = this.byRegion.get(region);
    if (facts === undefined) {
      facts = this.reader("ecr")(this.factory, { ...this.target, region });
      this.byRegion.set(region, facts);
    }
    return facts;
  }

  iam(): IamFacts {
    this.iamFacts ??= this.reader("iam")(this.factory, this.target);
    return this.iamFacts;
  }

  /** Drops the facts objects and their caches: the next read of each kind starts afresh. */
  invalidate(): void {
    this.iamFacts = undefined;
    this.byRegion.clear();
  }

  async evaluatedResources(
    ruleName: string,
    resourceTypes: readonly string[],
  ): Promise<readonly EvaluatedResource[] | undefined> {
    // GetComplianceDetailsByConfigRule takes rule names of at most 64 characters; for a longer name (an
    // organization rule's member name can be), the resources Config recorded as deleted stand in.
    if (ruleName.length > 64) return this.deletedResources(resourceTypes);
    const pages = await readPages(
      "config:GetComplianceDetailsByConfigRule",
      paginateGetComplianceDetailsByConfigRule(
        { client: this.factory.config(this.target) },
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

  /** The resources of `resourceTypes` that Config has recorded as deleted. */
  private async deletedResources(resourceTypes: readonly string[]): Promise<EvaluatedResource[]> {
    const config = this.factory.config(this.target);
    const out: EvaluatedResource[] = [];
    for (const resourceType of resourceTypes) {
      if (!isResourceType(resourceType))
        throw new AccountReadError(`${resourceType}: not a Config resource type`);
      const pages = await readPages(
        `config:ListDiscoveredResources for ${resourceType}`,
        paginateListDiscoveredResources(
          { client: config },
          { resourceType, includeDeletedResources: true, limit: 100 },
        ),
        (page) => page.nextToken,
      );
      for (const found of pages.flatMap((page) => page.resourceIdentifiers ?? [])) {
        if (found.resourceDeletionTime === undefined || found.resourceId === undefined) continue;
        out.push({ resourceType, resourceId: found.resourceId });
      }
    }
    return out;
  }
}
