/**
 * Self-escalation (docs/policy-semantics.md#self-escalation): a principal that can change its own permissions holds every sensitive action
 * on all repositories. This finds the IAM actions a principal's policies grant on a resource that is
 * itself — its own ARN, one of its groups, a customer managed policy attached to it — or `*`.
 */
import { actionElementCovers } from "./actions.js";
import { globMatches, resolvePolicyVariables } from "./glob.js";
import type { LabelledPolicy, StatementRef } from "./identity.js";
import type { Statement } from "./parse.js";

export type EscalationSubject = "user" | "role" | "group";

/** Who the principal is, and what counts as "itself". */
export interface SelfResources {
  readonly type: EscalationSubject;
  readonly arn: string;
  /** For users: the ARNs of their groups. */
  readonly groupArns: readonly string[];
  /** Customer managed policies attached to it (directly or through its groups). */
  readonly attachedPolicyArns: readonly string[];
  readonly accountId: string;
  readonly partition: string;
  /** The unique id (`${aws:userid}` for a user). */
  readonly id?: string;
}

/** One way the principal can change its own permissions. */
export interface Escalation {
  readonly action: string;
  /** The resource it acts on: the principal, a group of it, a policy attached to it, or any group. */
  readonly resource: string;
  readonly grantedBy: StatementRef;
  /** The granting statement has conditions (the escalation may need them met). */
  readonly conditional: boolean;
}

/**
 * The self-escalation actions (docs/policy-semantics.md#self-escalation), by what they act on: the
 * principal itself (a user, role or group), a group of a user, a customer managed policy attached to it;
 * and adding a user to a group. One list for the rules and for reach.
 */
export const OWN: Readonly<Record<EscalationSubject, readonly string[]>> = {
  user: [
    "iam:PutUserPolicy",
    "iam:AttachUserPolicy",
    "iam:DeleteUserPolicy",
    "iam:DetachUserPolicy",
    "iam:DeleteUserPermissionsBoundary",
    "iam:PutUserPermissionsBoundary",
  ],
  role: [
    "iam:PutRolePolicy",
    "iam:AttachRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:DeleteRolePermissionsBoundary",
    "iam:PutRolePermissionsBoundary",
  ],
  group: ["iam:PutGroupPolicy", "iam:AttachGroupPolicy", "iam:DeleteGroupPolicy", "iam:DetachGroupPolicy"],
};
export const GROUP_ACTIONS = OWN.group;
export const POLICY_ACTIONS = ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"];
export const JOIN_GROUP = "iam:AddUserToGroup";

/** A resource to test: a literal ARN, or (for AddUserToGroup) "any group of the account", a prefix. */
export type Target = { readonly arn: string } | { readonly prefix: string; readonly label: string };

function mayMatchPrefix(pattern: string, prefix: string): boolean {
  const wildcard = pattern.search(/[*?]/u);
  const head = wildcard < 0 ? pattern : pattern.slice(0, wildcard);
  if (wildcard < 0) return pattern.startsWith(prefix) && pattern.length > prefix.length;
  return head.length <= prefix.length ? prefix.startsWith(head) : head.startsWith(prefix);
}

function resourceMatches(statement: Statement, target: Target, variables: Variables): boolean {
  const resource = statement.resource;
  if (resource === undefined) return false;
  if ("arn" in target) {
    // Variables the principal's own requests resolve (its name, id, account); any other may be anything.
    const matched = resource.values.some((pattern) =>
      globMatches(resolvePolicyVariables(pattern, variables, "*", "\u0001"), target.arn),
    );
    return resource.kind === "Resource" ? matched : !matched;
  }
  // "Any group": an Allow on a pattern that could name some group; a NotResource that does not exclude
  // every group (conservatively: unless one of its patterns covers the whole group prefix).
  if (resource.kind === "Resource")
    return resource.values.some((pattern) => mayMatchPrefix(pattern, target.prefix));
  return !resource.values.some((pattern) => pattern === "*" || pattern === `${target.prefix}*`);
}

function deniedFor(statement: Statement, target: Target, variables: Variables): boolean {
  const resource = statement.resource;
  if (resource === undefined || statement.conditions.length > 0) return false;
  // A Deny counts only when it certainly covers the target: an unknown variable matches nothing here.
  if ("arn" in target) {
    const matched = resource.values.some((pattern) =>
      globMatches(resolvePolicyVariables(pattern, variables, "\u0001", "\u0001"), target.arn),
    );
    return resource.kind === "Resource" ? matched : !matched;
  }
  return resource.kind === "Resource" && resource.values.some((p) => p === "*" || p === `${target.prefix}*`);
}

export interface Located {
  readonly ref: StatementRef;
  readonly statement: Statement;
}

/** Every statement of the policies, with the reference an annotation prints. */
export function locate(policies: readonly LabelledPolicy[]): Located[] {
  return policies.flatMap(({ label, document }) =>
    document.statements.map((statement) => ({
      ref: {
        document: label,
        index: statement.index,
        ...(statement.sid === undefined ? {} : { sid: statement.sid }),
      },
      statement,
    })),
  );
}

/** Policy variables the principal's own requests resolve (`aws:username`, …). */
export type Variables = Readonly<Record<string, string>>;

/** The Allow statement that grants `action` on `target` and no unconditional Deny removes, if any. */
export function grant(
  statements: readonly Located[],
  action: string,
  target: Target,
  variables: Variables,
): Located | undefined {
  const covering = statements.filter((s) => actionElementCovers(s.statement.action, action));
  if (covering.some((s) => s.statement.effect === "Deny" && deniedFor(s.statement, target, variables)))
    return undefined;
  return covering.find(
    (s) => s.statement.effect === "Allow" && resourceMatches(s.statement, target, variables),
  );
}

/**
 * {@link grant} on literal ARNs, prepared once for statements that all cover the action: the policy
 * variables are resolved once, not once per ARN, for a caller that asks about many targets (the reach
 * graph judges an actor's grant on each role of the account). Answers as {@link grant} does.
 *
 * @example
 * const on = grantOnArns(coveringPassRole, variables);
 * on("arn:aws:iam::111122223333:role/ci"); // the granting statement, or undefined
 */
export function grantOnArns(
  covering: readonly Located[],
  variables: Variables,
): (arn: string) => Located | undefined {
  const denies: Array<{ readonly not: boolean; readonly patterns: readonly string[] }> = [];
  const allows: Array<{
    readonly located: Located;
    readonly not: boolean;
    readonly patterns: readonly string[];
  }> = [];
  for (const located of covering) {
    const { statement } = located;
    const resource = statement.resource;
    if (resource === undefined) continue;
    const not = resource.kind !== "Resource";
    if (statement.effect === "Deny") {
      if (statement.conditions.length > 0) continue;
      const patterns = resource.values.map((p) => resolvePolicyVariables(p, variables, "\u0001", "\u0001"));
      denies.push({ not, patterns });
    } else if (statement.effect === "Allow") {
      const patterns = resource.values.map((p) => resolvePolicyVariables(p, variables, "*", "\u0001"));
      allows.push({ located, not, patterns });
    }
  }
  const matches = (patterns: readonly string[], not: boolean, arn: string) =>
    patterns.some((pattern) => globMatches(pattern, arn)) !== not;
  return (arn) => {
    for (const deny of denies) if (matches(deny.patterns, deny.not, arn)) return undefined;
    for (const allow of allows) if (matches(allow.patterns, allow.not, arn)) return allow.located;
    return undefined;
  };
}

/**
 * The variables a principal's own requests resolve: its name (users), id, account, type.
 *
 * @example
 * principalVariables({ type: "user", arn: "arn:aws:iam::1:user/eve", accountId: "1" })["aws:username"]; // "eve"
 */
export function principalVariables(
  self: Pick<SelfResources, "type" | "arn" | "accountId" | "id">,
): Variables {
  const name = self.arn.slice(self.arn.lastIndexOf("/") + 1);
  return {
    ...(self.type === "user" ? { "aws:username": name } : {}),
    ...(self.id === undefined ? {} : { "aws:userid": self.id }),
    "aws:PrincipalAccount": self.accountId,
    "aws:ResourceAccount": self.accountId,
    "aws:PrincipalType": self.type === "user" ? "User" : "AssumedRole",
  };
}

/**
 * The ways a principal's policies (within its permissions boundary, if any) let it change its own
 * permissions.
 *
 * @example
 * selfEscalations(policies, undefined, { type: "role", arn: "arn:aws:iam::111122223333:role/ci", groupArns: [], attachedPolicyArns: [], accountId: "111122223333", partition: "aws" });
 * // [{ action: "iam:PutRolePolicy", resource: "arn:aws:iam::111122223333:role/ci", … }]
 */
export function selfEscalations(
  policies: readonly LabelledPolicy[],
  boundary: readonly LabelledPolicy[] | undefined,
  self: SelfResources,
): Escalation[] {
  const statements = locate(policies);
  const bounds = boundary === undefined ? undefined : locate(boundary);
  const checks: Array<[string, Target]> = [];
  for (const action of OWN[self.type]) checks.push([action, { arn: self.arn }]);
  for (const groupArn of self.groupArns)
    for (const action of GROUP_ACTIONS) checks.push([action, { arn: groupArn }]);
  for (const policyArn of self.attachedPolicyArns)
    for (const action of POLICY_ACTIONS) checks.push([action, { arn: policyArn }]);
  if (self.type === "user") {
    checks.push([
      JOIN_GROUP,
      { prefix: `arn:${self.partition}:iam::${self.accountId}:group/`, label: "any group of the account" },
    ]);
  }
  const variables = principalVariables(self);
  const found: Escalation[] = [];
  for (const [action, target] of checks) {
    const granted = grant(statements, action, target, variables);
    if (granted === undefined) continue;
    if (bounds !== undefined && grant(bounds, action, target, variables) === undefined) continue;
    found.push({
      action,
      resource: "arn" in target ? target.arn : target.label,
      grantedBy: granted.ref,
      conditional: granted.statement.conditions.length > 0,
    });
  }
  return found;
}
