/**
 * "The facts about this account" that rules read beyond a configuration item — one interface, read
 * through the AWS API or from an account snapshot.
 */
import type { ClientFactory, ClientTarget } from "../runtime/clients.js";
import { ApiEcrFacts, type EcrFacts } from "./ecr.js";

export interface AccountFacts {
  /** The ECR facts of this account in one region. */
  ecr(region: string): EcrFacts;
}

/**
 * Facts read through the API of one account, with the clients (and role) of `target`; each region's
 * facts object lives as long as this instance.
 *
 * @example
 * const facts = new ApiAccountFacts(factory, { accountId, region, partition, roleName });
 * await facts.ecr("us-east-1").registryScanning();
 */
export class ApiAccountFacts implements AccountFacts {
  private readonly byRegion = new Map<string, EcrFacts>();

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
}
