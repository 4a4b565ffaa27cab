/**
 * The reach graph of an account, built from one authorization-details walk of its IAM facts and the AWS
 * managed policies its principals attach, and kept for {@link REACH_TTL_MS} per facts object (the runtime
 * keeps one facts object per account and role for the container's life, and drops it on a periodic run).
 */
import { ReachGraph } from "../reach/reach.js";
import type { AccountFacts } from "./facts.js";
import type { AuthorizationDetails, IamFacts, ManagedPolicyRecord, PrincipalRecord } from "./iam.js";
import { gatherPrincipal, type PrincipalFacts } from "./principal-facts.js";

/** How long a built reach graph is used before the account is read again: five minutes. */
export const REACH_TTL_MS = 5 * 60_000;

const cache = new WeakMap<
  IamFacts,
  { readonly builtAt: number; readonly key: string; readonly graph: Promise<ReachGraph> }
>();

/** Graphs by the walk they were built from: rules that sweep the same walk share one graph. */
const byWalk = new WeakMap<AuthorizationDetails, Map<string, Promise<ReachGraph>>>();

async function build(
  iam: IamFacts,
  scope: { readonly accountId: string; readonly partition: string },
): Promise<ReachGraph> {
  const details = await iam.everything();
  const key = `${scope.accountId}|${scope.partition}`;
  const shared = byWalk.get(details)?.get(key);
  if (shared !== undefined) return shared;
  const graph = buildFrom(iam, details, scope);
  byWalk.set(details, new Map([...(byWalk.get(details) ?? []), [key, graph]]));
  return graph;
}

async function buildFrom(
  iam: IamFacts,
  details: AuthorizationDetails,
  scope: { readonly accountId: string; readonly partition: string },
): Promise<ReachGraph> {
  const managed = new Map<string, ManagedPolicyRecord | undefined>(details.policies.map((p) => [p.arn, p]));
  const attached = new Set(
    details.principals.flatMap((p) => [
      ...p.attached.map((a) => a.arn),
      ...(p.boundaryArn === undefined ? [] : [p.boundaryArn]),
    ]),
  );
  const missing = [...attached].filter((arn) => !managed.has(arn));
  const read = await Promise.all(missing.map(async (arn) => [arn, await iam.managedPolicy(arn)] as const));
  for (const [arn, record] of read) managed.set(arn, record);
  return ReachGraph.build(details.principals, managed, { ...scope, exemptActions: [] });
}

/**
 * The account's reach graph (sensitive actions before `exemptActions`: callers filter them).
 *
 * @example
 * const graph = await accountReach(facts.iam(), { accountId, partition });
 * graph.inheritedFor(principalFacts);
 */
export function accountReach(
  iam: IamFacts,
  scope: { readonly accountId: string; readonly partition: string },
  now: () => number = Date.now,
): Promise<ReachGraph> {
  const key = `${scope.accountId}|${scope.partition}`;
  const cached = cache.get(iam);
  if (cached !== undefined && cached.key === key && now() - cached.builtAt < REACH_TTL_MS)
    return cached.graph;
  const graph = build(iam, scope);
  cache.set(iam, { builtAt: now(), key, graph });
  graph.catch(() => {
    if (cache.get(iam)?.graph === graph) cache.delete(iam);
  });
  return graph;
}

/** A sensitive action a principal holds through another, with the sentence that explains the path. */
export interface ExplainedInheritance {
  readonly action: string;
  readonly scope: "some" | "all";
  /** `can assume role ci-deploy (trust Statement[0]), which holds PutImage on some repositories`. */
  readonly explanation: string;
}

/** A principal's facts, and what it holds through the principals it can act as. */
export interface ReachedPrincipalFacts extends PrincipalFacts {
  readonly inherited: readonly ExplainedInheritance[];
}

/**
 * Gathers a principal's own facts and, for users and roles, what it inherits through reach (one reach graph
 * of the account, shared by every evaluation within {@link REACH_TTL_MS}).
 *
 * @example
 * const facts = await gatherReachedPrincipal(principalFromItem(item), accountFacts, scope);
 */
export async function gatherReachedPrincipal(
  principal: PrincipalRecord,
  facts: AccountFacts,
  scope: { readonly accountId: string; readonly partition: string },
): Promise<ReachedPrincipalFacts> {
  const own = await gatherPrincipal(principal, facts);
  if (principal.type === "group" || principal.path.startsWith("/aws-service-role/"))
    return { ...own, inherited: [] };
  const graph = await accountReach(facts.iam(), scope);
  // The walk's own record (a sweep): the graph already knows its steps; a change's newer item: recompute them.
  const found =
    graph.principal(principal.arn) === principal ? graph.inherited(principal.arn) : graph.inheritedFor(own);
  const inherited = found.map((item) => {
    const hubStep = item.via === undefined ? undefined : graph.hubStep(item.via.to, item.action);
    const target = hubStep?.to ?? item.via?.to ?? "";
    const step =
      item.via === undefined
        ? undefined
        : `${graph.describe(item.via)}${hubStep === undefined ? "" : `, ${graph.describe(hubStep)}`}`;
    const explanation =
      item.escalation !== undefined && step === undefined
        ? `can create and empower a principal of its own (${item.escalation})`
        : item.escalation !== undefined
          ? `${step}, and can change its permissions (${item.escalation})`
          : `${step}, ${graph.holdsOf(target)}`;
    return { action: item.action, scope: item.scope, explanation };
  });
  return { ...own, inherited };
}
