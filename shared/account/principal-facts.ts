/**
 * The facts the verdict on one IAM principal needs — the principal, its groups, and every managed policy
 * it or its groups attach or use as a boundary — read from a Config item and gathered from a facts source.
 * Shared by every rule that judges a principal's effective access.
 */
import { ConfigInputError } from "../config/read.js";
import { UnreadableInputError } from "../errors.js";
import type { AccountFacts } from "./facts.js";
import {
  type ManagedPolicyRecord,
  type PrincipalRecord,
  type PrincipalType,
  principalRecord,
} from "./iam.js";

/** Everything the verdict on one principal needs. */
export interface PrincipalFacts {
  readonly principal: PrincipalRecord;
  /** For users: their groups. */
  readonly groups: readonly PrincipalRecord[];
  /** Managed policies by ARN (attached ones and the boundary); `undefined`: it could not be found. */
  readonly managed: ReadonlyMap<string, ManagedPolicyRecord | undefined>;
}

const TYPE_BY_RESOURCE: Readonly<Record<string, PrincipalType>> = {
  "AWS::IAM::User": "user",
  "AWS::IAM::Role": "role",
  "AWS::IAM::Group": "group",
};

const NOUN: Readonly<Record<PrincipalType, string>> = { user: "User", role: "Role", group: "Group" };

/**
 * How annotations name a principal: `Role ci-deploy`.
 *
 * @example
 * principalNoun(record); // "User alice"
 */
export function principalNoun(principal: Pick<PrincipalRecord, "type" | "name">): string {
  return `${NOUN[principal.type]} ${principal.name}`;
}

/**
 * Reads the principal from an `AWS::IAM::User` / `Role` / `Group` item.
 *
 * @example
 * principalFromItem(item).type; // "role"
 */
export function principalFromItem(item: { resourceType: string; configuration: unknown }): PrincipalRecord {
  const type = TYPE_BY_RESOURCE[item.resourceType];
  if (type === undefined)
    throw new ConfigInputError("resourceType", `not an IAM principal: ${item.resourceType}`);
  return principalRecord(type, item.configuration, "camel", "configuration");
}

/**
 * Gathers a principal's groups and managed policies (each managed policy read once). A group the user
 * belongs to that cannot be found makes the principal unreadable: what it passes on is unknown.
 *
 * @example
 * const facts = await gatherPrincipal(principalFromItem(item), accountFacts);
 */
export async function gatherPrincipal(
  principal: PrincipalRecord,
  facts: AccountFacts,
): Promise<PrincipalFacts> {
  const iam = facts.iam();
  const groups = await Promise.all(
    principal.groups.map(async (name) => {
      const group = await iam.group(name);
      if (group === undefined) {
        throw new UnreadableInputError("it is not in the account", {
          what: `${principalNoun(principal)}: group ${name}`,
        });
      }
      return group;
    }),
  );
  const arns = new Set<string>([
    ...principal.attached.map((policy) => policy.arn),
    ...groups.flatMap((group) => group.attached.map((policy) => policy.arn)),
    ...(principal.boundaryArn === undefined ? [] : [principal.boundaryArn]),
  ]);
  const entries = await Promise.all(
    [...arns].map(async (arn) => [arn, await iam.managedPolicy(arn)] as const),
  );
  return { principal, groups, managed: new Map(entries) };
}
