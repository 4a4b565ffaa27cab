/**
 * The reader of IAM facts through the IAM API: what a handler whose rule reads `iam` is built with.
 */
import { IAMClient } from "@aws-sdk/client-iam";
import type { ClientFactory, ClientTarget } from "../aws/clients.js";
import type { IamFacts } from "./iam.js";
import { ApiIamFacts } from "./iam-api.js";

/**
 * IAM facts of `target`'s account through its IAM client.
 *
 * @example
 * createConfigRuleHandler(rule, { iam: iamReader });
 */
export function iamReader(clients: ClientFactory, target: ClientTarget): IamFacts {
  return new ApiIamFacts(clients.client(IAMClient, "IAM", target));
}
