/**
 * IAM facts read through the IAM API (being written: see the issue for the call budget).
 */
import type { IAMClient } from "@aws-sdk/client-iam";
import { AccountReadError } from "./ecr.js";
import type { AuthorizationDetails, IamFacts, ManagedPolicyRecord, PrincipalRecord } from "./iam.js";

export class ApiIamFacts implements IamFacts {
  constructor(private readonly client: IAMClient) {}

  async group(name: string): Promise<PrincipalRecord | undefined> {
    throw new AccountReadError(`not implemented yet: group ${name} (${String(this.client)})`);
  }

  async groupMembers(name: string): Promise<readonly PrincipalRecord[]> {
    throw new AccountReadError(`not implemented yet: groupMembers ${name}`);
  }

  async managedPolicy(arn: string): Promise<ManagedPolicyRecord | undefined> {
    throw new AccountReadError(`not implemented yet: managedPolicy ${arn}`);
  }

  async everything(): Promise<AuthorizationDetails> {
    throw new AccountReadError("not implemented yet: everything");
  }
}
