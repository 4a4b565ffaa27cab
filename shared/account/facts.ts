/**
 * "The facts about this account" that rules read beyond a configuration item — one interface, read
 * through the AWS API or from an account snapshot.
 */
import {
  GetComplianceDetailsByConfigRuleCommand,
  type GetComplianceDetailsByConfigRuleCommandOutput,
} from "@aws-sdk/client-config-service";
import type { ClientFactory, ClientTarget } from "../runtime/clients.js";
import { AccountReadError, ApiEcrFacts, type EcrFacts } from "./ecr.js";
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
  private iamFacts: IamFacts | undefined;

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

  async evaluatedResources(ruleName: string): Promise<readonly EvaluatedResource[] | undefined> {
    // GetComplianceDetailsByConfigRule takes rule names of at most 64 characters; a longer name (an
    // organization rule's member name can be) cannot be asked about.
    if (ruleName.length > 64) return undefined;
    const config = this.factory.clients(this.target).config;
    const out: EvaluatedResource[] = [];
    let nextToken: string | undefined;
    do {
      let page: GetComplianceDetailsByConfigRuleCommandOutput;
      try {
        page = await config.send(
          new GetComplianceDetailsByConfigRuleCommand({
            ConfigRuleName: ruleName,
            ComplianceTypes: ["COMPLIANT", "NON_COMPLIANT"],
            Limit: 100,
            ...(nextToken === undefined ? {} : { NextToken: nextToken }),
          }),
        );
      } catch (error) {
        const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        throw new AccountReadError(`config:GetComplianceDetailsByConfigRule failed: ${reason}`, {
          cause: error,
        });
      }
      for (const result of page.EvaluationResults ?? []) {
        const qualifier = result.EvaluationResultIdentifier?.EvaluationResultQualifier;
        if (qualifier?.ResourceType === undefined || qualifier.ResourceId === undefined) continue;
        out.push({ resourceType: qualifier.ResourceType, resourceId: qualifier.ResourceId });
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return out;
  }
}
