/**
 * The reader of ECR facts through the ECR API: what a handler whose rule reads `ecr` is built with.
 */
import { ECRClient } from "@aws-sdk/client-ecr";
import type { ClientFactory, ClientTarget } from "../aws/clients.js";
import { ApiEcrFacts, type EcrFacts } from "./ecr.js";

/**
 * ECR facts of `target`'s account and region through its ECR client.
 *
 * @example
 * createConfigRuleHandler(rule, { ecr: ecrReader });
 */
export function ecrReader(clients: ClientFactory, target: ClientTarget): EcrFacts {
  return new ApiEcrFacts(clients.client(ECRClient, "ECR", target));
}
