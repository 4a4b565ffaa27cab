/**
 * Errors of the AWS edge.
 */
import { EcrAccessRulesError } from "../errors.js";

/**
 * A read from AWS failed: a call was refused or failed after the SDK's retries, a response could not be
 * read, or pagination would not end. The message names the call (`iam:GetPolicy failed: AccessDenied: …`),
 * so a missing permission is visible; `cause` holds the SDK's error when there was one.
 *
 * @example
 * throw new AccountReadError(`ecr:DescribeRepositories failed: ${reason}`, { cause: error });
 */
export class AccountReadError extends EcrAccessRulesError {}
