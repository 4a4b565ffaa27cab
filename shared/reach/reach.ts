/**
 * Reach (docs/policy-semantics.md#reach): which principals of one account can act as which others — by a
 * trust policy that names them or opens a public door, by `sts:AssumeRole` through a door to the account,
 * by `iam:UpdateAssumeRolePolicy`, by `iam:PassRole` to a service they can launch, by creating a user's
 * credentials — and so which sensitive ECR actions each one holds through the writers it can become.
 *
 * Cost: one effective-access analysis and one trust analysis per principal; candidate targets are found by
 * ARN (literal patterns) or by the roles whose trust admits the relevant door, never by trying every pair
 * for principals that hold no reach action; the closure is one pass over the strongly connected components.
 */

import { isAwsManaged, type ManagedPolicyRecord, type PrincipalRecord } from "../account/iam.js";
import { type PrincipalFacts, principalNoun } from "../account/principal-facts.js";
import { EcrAccessRulesError, UnreadableInputError } from "../errors.js";
import { actionElementCovers } from "../policy/actions.js";
import { ECR_ACTIONS, isSensitive } from "../policy/catalogue.js";
import { splitOperator } from "../policy/conditions.js";
import { type EffectiveAccess, effectiveAccess } from "../policy/effective-access.js";
import {
  GROUP_ACTIONS,
  grant,
  grantOnArns,
  JOIN_GROUP,
  type Located,
  locate,
  OWN,
  POLICY_ACTIONS,
  principalVariables,
  type Variables,
} from "../policy/escalation.js";
import { describeStatement, shortActions } from "../policy/explain.js";
import { asciiLower, globMatches, hasWildcard } from "../policy/glob.js";
import { globsIntersect } from "../policy/glob-inclusion.js";
import type { StatementRef } from "../policy/identity.js";
import type { Statement } from "../policy/parse.js";
import { analyzeTrustPolicy, type Door } from "../policy/trust.js";
import { ADD_TO_INSTANCE_PROFILE, INSTANCE_PROFILE_SERVICE, LAUNCHES } from "./launches.js";

/** How one principal can act as another. */
export type EdgeKind =
  | "trust-names"
  | "trust-public"
  | "assume-role"
  | "update-trust"
  | "pass-role"
  | "credentials";

/** One way `from` can act as `to`, with its evidence. */
export interface ReachEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  /** The trust statement that lets it in (role targets). */
  readonly trust?: StatementRef;
  /** The identity statement that grants the action it needs. */
  readonly grant?: StatementRef;
  /** For pass-role: the service it passes the role to, and the launch. */
  readonly service?: string;
  readonly launch?: readonly string[];
  /** A condition may have to hold. */
  readonly conditional: boolean;
}

/** Scope levels of a sensitive action: held on some repositories, or on all. */
export type Held = "some" | "all";

/** A sensitive ECR action a principal holds through a writer it can act as, and the first step there. */
export interface Inherited {
  readonly action: string;
  readonly scope: Held;
  /** The first step of the path (to the writer, or to a principal that can act as one); absent when it
   * holds everything because it can create and empower a principal of its own. */
  readonly via?: ReachEdge;
  /** The escalation, when it holds everything because it can change a principal it acts as. */
  readonly escalation?: string;
}

export interface ReachOptions {
  readonly accountId: string;
  readonly partition: string;
  readonly exemptActions: readonly string[];
}

interface Node {
  readonly principal: PrincipalRecord;
  /** Undefined when its policies could not be read (it acts as no one; it is judged unreadable elsewhere). */
  readonly access: EffectiveAccess | undefined;
  readonly statements: readonly Located[];
  readonly bounds: readonly Located[] | undefined;
  readonly variables: Variables;
  readonly doors: readonly Door[];
  /** A user's groups, and the customer managed policies attached to it (or its groups): what changing it may touch. */
  readonly groupArns: readonly string[];
  readonly policyArns: readonly string[];
}

const ASSUME = "sts:AssumeRole";
/**
 * The self-escalation actions (docs/policy-semantics.md#self-escalation) on a principal it can act as: on
 * the principal itself, on a user's groups, on a customer managed policy attached to it, and, for a user,
 * adding it to any group. Rewriting a role's trust policy is not among them: it changes who can act as the
 * role, not what the role may do.
 */
const OWN_CHANGE = { user: OWN.user, role: OWN.role } as const;
const GROUP_CHANGE = GROUP_ACTIONS;
const POLICY_CHANGE = POLICY_ACTIONS;
const ANY_CHANGE = [...OWN_CHANGE.user, ...OWN_CHANGE.role, ...GROUP_CHANGE, ...POLICY_CHANGE, JOIN_GROUP];
const CREDENTIALS = ["iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"];

/**
 * Every action the graph asks a principal's statements about (the steps, the escalations, and the ECR
 * actions of `allowsOn`). A node keeps only the statements that cover one of them: the others can never
 * grant or deny what it is asked, and keeping every parsed statement of every principal costs memory.
 */
const ASKED: ReadonlySet<string> = new Set([
  ASSUME,
  "iam:UpdateAssumeRolePolicy",
  ...ANY_CHANGE,
  ...CREDENTIALS,
  "iam:PassRole",
  "iam:CreateRole",
  "iam:CreateUser",
  ADD_TO_INSTANCE_PROFILE,
  ...LAUNCHES.flatMap((row) => row.any.flat()),
  ...ECR_ACTIONS.map((action) => action.name),
]);

/**
 * The statements of a node (and of its boundary) that cover one action, and, once asked about a literal
 * ARN, their grant on any ARN prepared (policy variables resolved once per node and action).
 */
interface Cover {
  readonly own: Located[];
  readonly bounds: Located[] | undefined;
  onArn?: (arn: string) => Located | undefined;
}

const NO_COVER: Cover = { own: [], bounds: undefined };

/** The services of {@link ASKED}, lower case. */
const ASKED_SERVICES: ReadonlySet<string> = new Set(
  [...ASKED].map((action) => asciiLower(action.slice(0, action.indexOf(":")))),
);

/**
 * Whether a statement may cover an action of {@link ASKED}: a NotAction, or an action pattern whose service
 * holds a wildcard or is one of theirs (`s3:Get*` never matches `iam:PassRole`: its literal head differs).
 */
function mayCoverAsked(statement: Statement): boolean {
  if (statement.action.kind === "NotAction") return true;
  return statement.action.values.some((pattern) => {
    const colon = pattern.indexOf(":");
    const service = colon < 0 ? pattern : pattern.slice(0, colon);
    if (hasWildcard(service)) return true;
    return colon >= 0 && ASKED_SERVICES.has(asciiLower(service));
  });
}

function asked(statements: readonly Located[]): Located[] {
  return statements.filter((s) => mayCoverAsked(s.statement));
}

const HUB = {
  assume: "hub:roles-admitting-the-account",
  update: "hub:every-role",
  credentials: "hub:every-user",
  pass: (service: string, anyRole: boolean) =>
    service === "ec2.amazonaws.com" && !anyRole
      ? `hub:roles-of-${service}-in-an-instance-profile`
      : `hub:roles-of-${service}`,
} as const;

const isHub = (id: string): boolean => id.startsWith("hub:");

const HUB_WORDS: ReadonlyArray<readonly [prefix: string, words: string]> = [
  [HUB.assume, "can assume every role whose trust policy admits the account"],
  [HUB.update, "can rewrite the trust policy of every role"],
  [HUB.credentials, "can create credentials of every user"],
  ["hub:roles-of-", "can pass every role a service may run as and launch that service"],
];

const EDGE_WORDS: Readonly<Record<EdgeKind, string>> = {
  "trust-names": "is named by the trust policy of",
  "trust-public": "is admitted by the public trust policy of",
  "assume-role": "can assume",
  "update-trust": "can rewrite the trust policy of",
  "pass-role": "can pass and launch",
  credentials: "can create credentials of",
};

/** Whether the statement's `iam:PassedToService` condition (if any) lets the role go to `service`. */
function passesTo(statement: Located, service: string): boolean {
  for (const entry of statement.statement.conditions) {
    if (asciiLower(entry.key) !== "iam:passedtoservice") continue;
    const { base } = splitOperator(entry.operator);
    if (base.includes("not")) return !entry.values.some((v) => globMatches(v, service, true));
    if (base.startsWith("string")) return entry.values.some((v) => globMatches(v, service, true));
  }
  return true;
}

/**
 * The reach of one account: build it once from every principal (a snapshot or one authorization-details
 * walk), then ask what each principal inherits.
 *
 * @example
 * const reach = ReachGraph.build(principals, policies, { accountId, partition, exemptActions: [] });
 * reach.inherited(principalArn); // [{ action: "ecr:PutImage", scope: "some", via: { kind: "assume-role", … } }]
 */
export class ReachGraph {
  private readonly nodes = new Map<string, Node>();
  private readonly out = new Map<string, ReachEdge[]>();
  /** The steps into each principal, built from `out` when first asked (a sweep never asks). */
  private intoIndex: Map<string, ReachEdge[]> | undefined;
  private readonly own = new Map<string, Map<string, Held>>();
  private readonly effective = new Map<
    string,
    Map<string, { scope: Held; via?: ReachEdge; escalation?: string }>
  >();
  readonly sensitiveActions: readonly string[];

  private constructor(private readonly options: ReachOptions) {
    this.sensitiveActions = ECR_ACTIONS.filter((a) => isSensitive(a, options.exemptActions)).map(
      (a) => a.name,
    );
  }

  /** The principals (users and roles act; groups only pass policies on) and every managed policy. */
  static build(
    principals: readonly PrincipalRecord[],
    managed: ReadonlyMap<string, ManagedPolicyRecord | undefined>,
    options: ReachOptions,
  ): ReachGraph {
    const graph = new ReachGraph(options);
    const groups = new Map(principals.filter((p) => p.type === "group").map((g) => [g.name, g]));
    for (const principal of principals) {
      if (principal.type === "group") continue;
      if (principal.type === "role" && principal.path.startsWith("/aws-service-role/")) continue;
      const memberOf = principal.groups.map((name) => groups.get(name));
      const facts: PrincipalFacts = {
        principal,
        groups: memberOf.filter((g): g is PrincipalRecord => g !== undefined),
        managed,
      };
      graph.add(
        facts,
        memberOf.some((g) => g === undefined),
      );
    }
    graph.link();
    graph.close();
    // The statements found per action served the build; later questions (a change's steps) find their own.
    graph.covering = new WeakMap();
    graph.intersections.clear();
    return graph;
  }

  private add(facts: PrincipalFacts, missingGroup: boolean): void {
    const node = this.makeNode(facts, missingGroup);
    this.nodes.set(node.principal.arn, node);
    const own = this.ownOf(node);
    this.own.set(node.principal.arn, own);
    for (const action of own.keys()) this.heldAnywhere.add(action);
  }

  /** Every action some principal holds itself (with the sensitive ones: every action the closure can give). */
  private readonly heldAnywhere = new Set<string>();

  private ownOf(node: Node): Map<string, Held> {
    const held = new Map<string, Held>();
    if (node.access !== undefined) {
      if (node.access.escalations.length > 0)
        for (const action of this.sensitiveActions) held.set(action, "all");
      else for (const g of node.access.sensitive) held.set(g.action, g.scope);
    }
    return held;
  }

  private makeNode(facts: PrincipalFacts, missingGroup: boolean): Node {
    const { principal } = facts;
    let access: EffectiveAccess | undefined;
    try {
      access = missingGroup ? undefined : effectiveAccess(facts, this.options);
    } catch (error) {
      if (!(error instanceof UnreadableInputError)) throw error;
    }
    let doors: readonly Door[] = [];
    if (principal.type === "role" && principal.trustPolicy !== undefined) {
      try {
        doors = analyzeTrustPolicy({
          policy: principal.trustPolicy,
          owner: this.options.accountId,
          partition: this.options.partition,
        }).doors;
      } catch (error) {
        if (!(error instanceof UnreadableInputError)) throw error;
      }
    }
    return {
      principal,
      access,
      statements: access === undefined ? [] : asked(locate(access.policies)),
      bounds: access?.boundary === undefined ? undefined : asked(locate(access.boundary)),
      variables: principalVariables({
        ...principal,
        type: principal.type,
        accountId: this.options.accountId,
      }),
      doors,
      groupArns: facts.groups.map((g) => g.arn),
      policyArns: [...principal.attached, ...facts.groups.flatMap((g) => g.attached)]
        .map((p) => p.arn)
        .filter((arn) => !isAwsManaged(arn)),
    };
  }

  /** The Allow statement granting `action` on `arn` to `node`, within its boundary, if any. */
  /** The statements of `node` (and of its boundary) whose actions cover `action`, found once per pair. */
  private covering = new WeakMap<Node, Map<string, Cover>>();

  private coverOf(node: Node, action: string): Cover {
    // A node keeps only the statements that cover an asked action: any other question would be answered wrong.
    if (!ASKED.has(action))
      throw new EcrAccessRulesError(`reach: ${action} is not among the actions a node keeps statements for`);
    let byAction = this.covering.get(node);
    if (byAction === undefined) {
      byAction = new Map();
      this.covering.set(node, byAction);
    }
    let found = byAction.get(action);
    if (found === undefined) {
      const own = node.statements.filter((s) => actionElementCovers(s.statement.action, action));
      // Nothing of its own covers the action: the boundary is never read (one shared answer, less memory).
      found =
        own.length === 0
          ? NO_COVER
          : { own, bounds: node.bounds?.filter((s) => actionElementCovers(s.statement.action, action)) };
      byAction.set(action, found);
    }
    return found;
  }

  private granted(node: Node, action: string, arn: string | undefined): Located | undefined {
    const cover = this.coverOf(node, action);
    const { own, bounds } = cover;
    if (own.length === 0) return undefined;
    // A boundary with no Allow for the action grants it on nothing.
    if (bounds !== undefined && !bounds.some((s) => s.statement.effect === "Allow")) return undefined;
    if (arn !== undefined) {
      // Asked for many ARNs (each role of the account): the grant is prepared once per node and action.
      if (cover.onArn === undefined) {
        const onOwn = grantOnArns(own, node.variables);
        const onBounds = bounds === undefined ? undefined : grantOnArns(bounds, node.variables);
        cover.onArn = (target) => {
          const found = onOwn(target);
          return found === undefined || onBounds === undefined || onBounds(target) !== undefined
            ? found
            : undefined;
        };
      }
      return cover.onArn(arn);
    }
    const target = arn === undefined ? { prefix: "", label: "any resource" } : { arn };
    const found = grant(own, action, target, node.variables);
    if (found === undefined) return undefined;
    if (bounds !== undefined && grant(bounds, action, target, node.variables) === undefined) return undefined;
    return found;
  }

  private holdsAction(node: Node, action: string): boolean {
    return this.coverOf(node, action).own.some((s) => s.statement.effect === "Allow");
  }

  private deniesAssume(node: Node, role: string): boolean {
    return node.statements.some(
      (s) =>
        s.statement.effect === "Deny" &&
        s.statement.conditions.length === 0 &&
        actionElementCovers(s.statement.action, ASSUME) &&
        (s.statement.resource?.kind === "Resource"
          ? s.statement.resource.values.some((p) => globMatches(p, role))
          : s.statement.resource?.kind === "NotResource" &&
            !s.statement.resource.values.some((p) => globMatches(p, role))),
    );
  }

  /** Whether a door's narrowing (aws:PrincipalArn, account, organization) can admit `node`. */
  private admitsNarrowed(door: Door, node: Node): boolean {
    for (const narrowing of door.narrowings ?? []) {
      const admits = narrowing.values.some((value) => {
        switch (value.type) {
          case "principal-arn":
            return globMatches(value.arn, node.principal.arn);
          case "account":
            return value.account === this.options.accountId;
          case "organization":
          case "owner-organization":
            return true; // taken to admit the owner's principals
          case "vpce":
            return true;
          default:
            return true;
        }
      });
      if (!admits) return false;
    }
    return true;
  }

  /** The (kind, target) pairs of each principal's steps, so that a step is added once. */
  private readonly stepKeys = new Map<string, Map<EdgeKind, Set<string>>>();

  private edge(edge: ReachEdge): void {
    if (edge.from === edge.to) return;
    let kinds = this.stepKeys.get(edge.from);
    if (kinds === undefined) {
      kinds = new Map();
      this.stepKeys.set(edge.from, kinds);
    }
    // Sets of the targets' own strings: a key string per step would cost memory on a large account.
    let keys = kinds.get(edge.kind);
    if (keys === undefined) {
      keys = new Set();
      kinds.set(edge.kind, keys);
    }
    if (keys.has(edge.to)) return;
    keys.add(edge.to);
    const list = this.out.get(edge.from) ?? [];
    list.push(edge);
    this.out.set(edge.from, list);
  }

  /** Trust-names edges by actor ARN, and the public doors, from every role's trust policy. */
  private readonly named = new Map<string, Array<{ readonly edge: ReachEdge; readonly session: boolean }>>();
  private readonly publicDoors: Array<{ readonly role: Node; readonly door: Door }> = [];
  private withAccountDoor: Node[] = [];
  /** The roles with an account door that has a narrowing (the others are all in the assume hub). */
  private withNarrowedDoor: Node[] = [];
  private readonly byService = new Map<string, Node[]>();
  private roles: Node[] = [];
  private users: Node[] = [];
  /**
   * Hubs stand for "every role whose trust admits the account", "every role", "every role a service may
   * run as", "every user": a principal that may act on all of them gets one edge to the hub instead of one
   * per target, which keeps the graph linear in the account's size however many administrators it has.
   */
  private readonly hubs = new Set<string>();

  private link(): void {
    const all = [...this.nodes.values()];
    const byArn = (a: Node, b: Node) =>
      a.principal.arn < b.principal.arn ? -1 : a.principal.arn > b.principal.arn ? 1 : 0;
    this.roles = all.filter((n) => n.principal.type === "role").sort(byArn);
    this.users = all.filter((n) => n.principal.type === "user").sort(byArn);
    const byName = new Map(this.roles.map((r) => [r.principal.name, r.principal.arn]));
    for (const role of this.roles) {
      for (const door of role.doors) {
        if (!door.actions.includes(ASSUME) || door.admitsNoOne) continue;
        if (door.kind === "owner-principal") {
          // A session of a role (arn:…:sts::ACCOUNT:assumed-role/NAME/SESSION) is that role acting.
          const session = /^arn:[^:]+:sts::\d{12}:assumed-role\/([^/]+)\//u.exec(door.principal);
          const actor = session !== null ? byName.get(session[1] ?? "") : door.principal;
          if (actor === undefined) continue;
          const list = this.named.get(actor) ?? [];
          list.push({
            edge: {
              from: actor,
              to: role.principal.arn,
              kind: "trust-names",
              trust: door.statement,
              conditional: door.conditional,
            },
            session: session !== null,
          });
          this.named.set(actor, list);
        } else if (door.kind === "public") {
          this.publicDoors.push({ role, door });
        } else if (door.kind === "service") {
          const list = this.byService.get(door.principal) ?? [];
          list.push(role);
          this.byService.set(door.principal, list);
        }
      }
    }
    this.withAccountDoor = this.roles.filter((r) => this.accountDoors(r).length > 0);
    this.withNarrowedDoor = this.withAccountDoor.filter((r) =>
      this.accountDoors(r).some((d) => (d.narrowings ?? []).length > 0),
    );
    for (const [service, roles] of this.byService) this.byService.set(service, roles.sort(byArn));
    this.linkHubs();
    for (const actor of all) for (const edge of this.outEdges(actor)) this.edge(edge);
    this.building = false;
    this.stepKeys.clear();
  }

  private hub(
    id: string,
    targets: ReadonlyArray<{ to: string; trust?: StatementRef; kind: EdgeKind; conditional?: boolean }>,
  ): void {
    this.hubs.add(id);
    for (const target of targets) {
      this.edge({
        from: id,
        to: target.to,
        kind: target.kind,
        ...(target.trust === undefined ? {} : { trust: target.trust }),
        // A trust statement with a condition marks the step conditional, through a hub as on its own.
        conditional: target.conditional === true,
      });
    }
  }

  private linkHubs(): void {
    this.hub(
      HUB.assume,
      this.withAccountDoor.flatMap((role) => {
        const door = this.accountDoors(role).find((d) => (d.narrowings ?? []).length === 0);
        return door === undefined
          ? []
          : [
              {
                to: role.principal.arn,
                trust: door.statement,
                kind: "assume-role" as const,
                conditional: door.conditional,
              },
            ];
      }),
    );
    this.hub(
      HUB.update,
      this.roles.map((role) => ({ to: role.principal.arn, kind: "update-trust" as const })),
    );
    this.hub(
      HUB.credentials,
      this.users.map((user) => ({ to: user.principal.arn, kind: "credentials" as const })),
    );
    for (const row of LAUNCHES) {
      const roles = this.byService.get(row.service) ?? [];
      this.hub(
        HUB.pass(row.service, false),
        roles
          .filter((r) => row.service !== INSTANCE_PROFILE_SERVICE || r.principal.inInstanceProfile === true)
          .map((r) => ({ to: r.principal.arn, kind: "pass-role" as const })),
      );
      if (row.service === INSTANCE_PROFILE_SERVICE) {
        this.hub(
          HUB.pass(row.service, true),
          roles.map((r) => ({ to: r.principal.arn, kind: "pass-role" as const })),
        );
      }
    }
  }

  /** A role and a user ARN no real principal has: a grant that covers them covers every role or user. */
  private synthetic(type: "role" | "user"): string {
    return `arn:${this.options.partition}:iam::${this.options.accountId}:${type}/\u0001/\u0002`;
  }

  /** While the graph is built, steps may go through pattern hubs; afterwards (a change's own steps) they may not. */
  private building = true;

  /**
   * The steps of `actor` for `action` through one hub per resource pattern of its Allow statements (many
   * principals share the same patterns: each distinct pattern's targets are found once). `undefined` when
   * the actor's grants need judging target by target: a Deny or a boundary for the action, a NotResource,
   * or a policy variable in a pattern.
   */
  private viaPatternHubs(
    actor: Node,
    action: string,
    kind: EdgeKind,
    targets: readonly Node[],
    options: {
      readonly service?: string;
      readonly launch?: readonly string[];
      readonly trustOf?: (target: Node) => Door | undefined;
    } = {},
  ): ReachEdge[] | undefined {
    if (!this.building || actor.bounds !== undefined) return undefined;
    const covering = actor.statements.filter((s) => actionElementCovers(s.statement.action, action));
    // Only an unconditional Deny subtracts (a conditional one may not apply), and only one that may name a
    // principal of the account.
    if (
      covering.some(
        (s) =>
          s.statement.effect === "Deny" && s.statement.conditions.length === 0 && this.mayNamePrincipal(s),
      )
    ) {
      return undefined;
    }
    const out: ReachEdge[] = [];
    for (const s of covering) {
      const resource = s.statement.resource;
      if (resource === undefined || resource.kind === "NotResource") return undefined;
      if (options.service !== undefined && !passesTo(s, options.service)) continue;
      for (const pattern of resource.values) {
        if (pattern.includes("${")) return undefined;
        if (!hasWildcard(pattern)) {
          // One ARN: a direct step, no hub.
          const target = this.byArnIn(targets).get(pattern);
          const door = target === undefined ? undefined : options.trustOf?.(target);
          if (target === undefined || (options.trustOf !== undefined && door === undefined)) continue;
          out.push({
            from: actor.principal.arn,
            to: target.principal.arn,
            kind,
            grant: s.ref,
            ...(door === undefined ? {} : { trust: door.statement }),
            ...(options.service === undefined ? {} : { service: options.service }),
            ...(options.launch === undefined ? {} : { launch: options.launch }),
            conditional: s.statement.conditions.length > 0 || door?.conditional === true,
          });
          continue;
        }
        const id = `hub:p:${kind}:${options.service ?? ""}:${pattern}`;
        if (!this.hubs.has(id)) {
          const named = this.candidates({ ...actor, statements: [s] }, action, targets).filter((target) =>
            globMatches(pattern, target.principal.arn),
          );
          this.hub(
            id,
            named.flatMap((target) => {
              const door = options.trustOf?.(target);
              if (options.trustOf !== undefined && door === undefined) return [];
              return [
                {
                  to: target.principal.arn,
                  kind,
                  ...(door === undefined ? {} : { trust: door.statement, conditional: door.conditional }),
                },
              ];
            }),
          );
        }
        out.push({
          from: actor.principal.arn,
          to: id,
          kind,
          grant: s.ref,
          ...(options.service === undefined ? {} : { service: options.service }),
          ...(options.launch === undefined ? {} : { launch: options.launch }),
          conditional: s.statement.conditions.length > 0,
        });
      }
    }
    return out;
  }

  /** The roles of a service an actor may pass and launch (instance profiles aside), one list per case. */
  private readonly eligibleLists = new Map<string, readonly Node[]>();

  private eligible(service: string, candidates: readonly Node[], canProfile: boolean): readonly Node[] {
    const key = `${canProfile} ${service}`;
    let list = this.eligibleLists.get(key);
    if (list === undefined) {
      list = candidates.filter(
        (role) =>
          service !== INSTANCE_PROFILE_SERVICE || role.principal.inInstanceProfile === true || canProfile,
      );
      this.eligibleLists.set(key, list);
    }
    return list;
  }

  /** A list of targets by ARN, built once per list. */
  private readonly arnIndex = new WeakMap<readonly Node[], ReadonlyMap<string, Node>>();

  private byArnIn(targets: readonly Node[]): ReadonlyMap<string, Node> {
    const known = this.arnIndex.get(targets);
    if (known !== undefined) return known;
    const index = new Map<string, Node>();
    // The first of equal ARNs, as a search from the start finds.
    for (let i = targets.length - 1; i >= 0; i -= 1) {
      const target = targets[i];
      if (target !== undefined) index.set(target.principal.arn, target);
    }
    this.arnIndex.set(targets, index);
    return index;
  }

  /** Whether a statement's resources may name an IAM principal of the account. */
  private mayNamePrincipal(s: Located): boolean {
    const resource = s.statement.resource;
    if (resource === undefined || resource.kind === "NotResource") return true;
    const prefix = `arn:${this.options.partition}:iam::${this.options.accountId}:`;
    return resource.values.some((pattern) => {
      const cut = pattern.search(/[*?$]/u);
      const head = cut < 0 ? pattern : pattern.slice(0, cut);
      return head.startsWith(prefix) || prefix.startsWith(head);
    });
  }

  /**
   * The grant of `action` on every principal of `type`, when the actor has one and no Deny (its own or its
   * boundary's) that could carve out some. Only a `Resource` pattern covers every principal: an Allow with
   * `NotResource` spares the principals it names, so those grants are judged target by target.
   */
  private onEvery(actor: Node, action: string, type: "role" | "user"): Located | undefined {
    const carves = (s: Located) =>
      s.statement.effect === "Deny" &&
      s.statement.conditions.length === 0 &&
      actionElementCovers(s.statement.action, action) &&
      this.mayNamePrincipal(s);
    if (actor.statements.some(carves) || actor.bounds?.some(carves) === true) return undefined;
    const { own, bounds } = this.coverOf(actor, action);
    const everyOne = (list: readonly Located[]) =>
      list.filter((s) => s.statement.effect === "Deny" || s.statement.resource?.kind === "Resource");
    const target = { arn: this.synthetic(type) };
    const found = grant(everyOne(own), action, target, actor.variables);
    if (found === undefined) return undefined;
    if (bounds !== undefined && grant(everyOne(bounds), action, target, actor.variables) === undefined)
      return undefined;
    return found;
  }

  /**
   * The principals of `sorted` (ordered by ARN) that some Allow statement of `actor` for `action` may name:
   * found by the literal head of each resource pattern, so a principal with a few narrow grants is not
   * tried against every principal of the account.
   */
  private candidates(actor: Node, action: string, sorted: readonly Node[]): Node[] {
    const patterns: string[] = [];
    for (const s of actor.statements) {
      if (s.statement.effect !== "Allow" || !actionElementCovers(s.statement.action, action)) continue;
      const resource = s.statement.resource;
      if (resource === undefined || resource.kind === "NotResource") return [...sorted];
      patterns.push(...resource.values);
    }
    const out = new Set<Node>();
    for (const pattern of patterns) {
      const cut = pattern.search(/[*?$]/u);
      const head = cut < 0 ? pattern : pattern.slice(0, cut);
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((sorted[mid]?.principal.arn ?? "") < head) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < sorted.length; i += 1) {
        const node = sorted[i];
        if (node === undefined || !node.principal.arn.startsWith(head)) break;
        out.add(node);
      }
    }
    return [...out];
  }

  /** Each role's doors to the account, found once. */
  private readonly accountDoorsOf = new WeakMap<Node, readonly Door[]>();

  private accountDoors(role: Node): readonly Door[] {
    let doors = this.accountDoorsOf.get(role);
    if (doors === undefined) {
      doors = role.doors.filter(
        (d) => d.kind === "owner-account" && d.actions.includes(ASSUME) && !d.admitsNoOne,
      );
      this.accountDoorsOf.set(role, doors);
    }
    return doors;
  }

  /** Every way `actor` can act as another principal of the account. */
  private outEdges(actor: Node): ReachEdge[] {
    if (actor.access === undefined) return [];
    const out: ReachEdge[] = [];
    const from = actor.principal.arn;
    // 1. Trust names it (or a session of it), or opens a public door: no identity permission needed.
    for (const { edge, session } of this.named.get(from) ?? []) {
      if (this.deniesAssume(actor, edge.to)) continue;
      // A grant to a role's own ARN is limited by that role's boundary; one to a session or a user is not.
      const byRoleArn = !session && actor.principal.type === "role";
      const bounds = actor.bounds;
      if (
        byRoleArn &&
        bounds !== undefined &&
        grant(bounds, ASSUME, { arn: edge.to }, actor.variables) === undefined
      ) {
        continue;
      }
      out.push(edge);
    }
    for (const { role, door } of this.publicDoors) {
      if (!this.admitsNarrowed(door, actor) || this.deniesAssume(actor, role.principal.arn)) continue;
      out.push({
        from,
        to: role.principal.arn,
        kind: "trust-public",
        trust: door.statement,
        conditional: door.conditional,
      });
    }
    // 2. The account's door, and sts:AssumeRole on the role.
    const everyRole = this.holdsAction(actor, ASSUME) ? this.onEvery(actor, ASSUME, "role") : undefined;
    if (everyRole !== undefined) {
      out.push({
        from,
        to: HUB.assume,
        kind: "assume-role",
        grant: everyRole.ref,
        conditional: everyRole.statement.conditions.length > 0,
      });
    }
    const openDoor = (role: Node) => this.accountDoors(role).find((d) => (d.narrowings ?? []).length === 0);
    const assumeHubs =
      everyRole === undefined && this.holdsAction(actor, ASSUME)
        ? this.viaPatternHubs(actor, ASSUME, "assume-role", this.withAccountDoor, { trustOf: openDoor })
        : undefined;
    if (assumeHubs !== undefined) out.push(...assumeHubs);
    if (this.holdsAction(actor, ASSUME)) {
      // With a hub, a role whose doors have no narrowing is reached through it: only the others are tried.
      const hubbed = everyRole !== undefined || assumeHubs !== undefined;
      for (const role of this.candidates(
        actor,
        ASSUME,
        hubbed ? this.withNarrowedDoor : this.withAccountDoor,
      )) {
        const door = this.accountDoors(role).find((d) => this.admitsNarrowed(d, actor));
        if (door === undefined) continue;
        // A hub already holds the roles whose door has no narrowing.
        if ((everyRole !== undefined || assumeHubs !== undefined) && (door.narrowings ?? []).length === 0)
          continue;
        const granted = this.granted(actor, ASSUME, role.principal.arn);
        if (granted === undefined) continue;
        out.push({
          from,
          to: role.principal.arn,
          kind: "assume-role",
          trust: door.statement,
          grant: granted.ref,
          conditional: door.conditional || granted.statement.conditions.length > 0,
        });
      }
    }
    // 3. It can rewrite a role's trust policy (and so open the door for itself).
    const updateAll = this.holdsAction(actor, "iam:UpdateAssumeRolePolicy")
      ? this.onEvery(actor, "iam:UpdateAssumeRolePolicy", "role")
      : undefined;
    if (updateAll !== undefined) {
      out.push({
        from,
        to: HUB.update,
        kind: "update-trust",
        grant: updateAll.ref,
        conditional: updateAll.statement.conditions.length > 0,
      });
    } else if (this.holdsAction(actor, "iam:UpdateAssumeRolePolicy")) {
      const hubs = this.viaPatternHubs(actor, "iam:UpdateAssumeRolePolicy", "update-trust", this.roles);
      if (hubs !== undefined) out.push(...hubs);
      for (const role of hubs !== undefined
        ? []
        : this.candidates(actor, "iam:UpdateAssumeRolePolicy", this.roles)) {
        const granted = this.granted(actor, "iam:UpdateAssumeRolePolicy", role.principal.arn);
        if (granted === undefined) continue;
        out.push({
          from,
          to: role.principal.arn,
          kind: "update-trust",
          grant: granted.ref,
          conditional: granted.statement.conditions.length > 0,
        });
      }
    }
    // 4. It can pass a role to a service it can launch.
    if (this.holdsAction(actor, "iam:PassRole")) {
      for (const row of LAUNCHES) {
        const candidates = this.byService.get(row.service);
        if (candidates === undefined) continue;
        const launch = row.any.find((actions) =>
          actions.every((a) => this.granted(actor, a, undefined) !== undefined),
        );
        if (launch === undefined) continue;
        const canProfile =
          row.service === INSTANCE_PROFILE_SERVICE &&
          this.granted(actor, ADD_TO_INSTANCE_PROFILE, undefined) !== undefined;
        const passAll = this.onEvery(actor, "iam:PassRole", "role");
        if (passAll !== undefined && passesTo(passAll, row.service)) {
          out.push({
            from,
            to: HUB.pass(row.service, canProfile),
            kind: "pass-role",
            grant: passAll.ref,
            service: row.service,
            launch,
            conditional: passAll.statement.conditions.length > 0,
          });
          continue;
        }
        const eligible = this.eligible(row.service, candidates, canProfile);
        const hubs = this.viaPatternHubs(actor, "iam:PassRole", "pass-role", eligible, {
          service: row.service,
          launch,
        });
        if (hubs !== undefined) {
          out.push(...hubs);
          continue;
        }
        for (const role of this.candidates(actor, "iam:PassRole", candidates)) {
          if (
            row.service === INSTANCE_PROFILE_SERVICE &&
            role.principal.inInstanceProfile !== true &&
            !canProfile
          )
            continue;
          const passing = this.granted(actor, "iam:PassRole", role.principal.arn);
          if (passing === undefined || !passesTo(passing, row.service)) continue;
          out.push({
            from,
            to: role.principal.arn,
            kind: "pass-role",
            grant: passing.ref,
            service: row.service,
            launch,
            conditional: passing.statement.conditions.length > 0,
          });
        }
      }
    }
    // 5. It can create a user's credentials.
    const credentialsAll = CREDENTIALS.map((a) =>
      this.holdsAction(actor, a) ? this.onEvery(actor, a, "user") : undefined,
    ).find((g) => g !== undefined);
    if (credentialsAll !== undefined) {
      out.push({
        from,
        to: HUB.credentials,
        kind: "credentials",
        grant: credentialsAll.ref,
        conditional: credentialsAll.statement.conditions.length > 0,
      });
    } else if (CREDENTIALS.some((a) => this.holdsAction(actor, a))) {
      const hubs = CREDENTIALS.filter((a) => this.holdsAction(actor, a)).map((a) =>
        this.viaPatternHubs(actor, a, "credentials", this.users),
      );
      if (hubs.every((h) => h !== undefined)) {
        for (const h of hubs) out.push(...(h ?? []));
        return out.filter((edge) => edge.to !== from);
      }
      const users = new Set(CREDENTIALS.flatMap((a) => this.candidates(actor, a, this.users)));
      for (const user of users) {
        let granted: Located | undefined;
        for (const a of CREDENTIALS) {
          granted = this.granted(actor, a, user.principal.arn);
          if (granted !== undefined) break;
        }
        if (granted === undefined) continue;
        out.push({
          from,
          to: user.principal.arn,
          kind: "credentials",
          grant: granted.ref,
          conditional: granted.statement.conditions.length > 0,
        });
      }
    }
    return out.filter((edge) => edge.to !== from);
  }

  /** How `actor` can change the permissions of a principal the step `edge` lets it act as, if it can. */
  private changes(actor: Node, edge: ReachEdge): string | undefined {
    if (!ANY_CHANGE.some((a) => this.holdsAction(actor, a))) return undefined;
    if (edge.to.startsWith("hub:p:")) {
      for (const step of this.out.get(edge.to) ?? []) {
        const target = this.nodes.get(step.to);
        const how = target === undefined ? undefined : this.canChange(actor, target);
        if (how !== undefined && target !== undefined) return `${how} on ${principalNoun(target.principal)}`;
      }
      return undefined;
    }
    if (isHub(edge.to)) {
      // A hub stands for every principal of a kind: a grant on all of them covers each.
      const targets = this.out.get(edge.to) ?? [];
      if (targets.length === 0) return undefined;
      const type = edge.to === HUB.credentials ? "user" : "role";
      const how = OWN_CHANGE[type].find((a) => this.granted(actor, a, this.synthetic(type)) !== undefined);
      if (how !== undefined) return `${how} on every ${type} it can act as`;
      return this.changesOneOf(
        actor,
        targets.map((t) => t.to),
        type,
      );
    }
    const target = this.nodes.get(edge.to);
    const how = target === undefined ? undefined : this.canChange(actor, target);
    return how === undefined || target === undefined
      ? undefined
      : `${how} on ${principalNoun(target.principal)}`;
  }

  /**
   * A hub's principal that `actor` can change, when its grants do not cover every principal at once: found
   * by the patterns of its grants on principals (a grant on a group or a managed policy: every target tried).
   */
  private changesOneOf(actor: Node, arns: readonly string[], type: "user" | "role"): string | undefined {
    const members = new Set(arns);
    const indirect = [...GROUP_CHANGE, ...POLICY_CHANGE, JOIN_GROUP].some((a) => this.holdsAction(actor, a));
    const pool = indirect
      ? arns.flatMap((arn) => this.nodes.get(arn) ?? [])
      : OWN_CHANGE[type]
          .filter((a) => this.holdsAction(actor, a))
          .flatMap((a) => this.candidates(actor, a, type === "user" ? this.users : this.roles))
          .filter((node) => members.has(node.principal.arn));
    for (const target of pool) {
      const how = this.canChange(actor, target);
      if (how !== undefined) return `${how} on ${principalNoun(target.principal)}`;
    }
    return undefined;
  }

  /** Whether `actor` can change the permissions of `target` (a principal it can act as). */
  private canChange(actor: Node, target: Node): string | undefined {
    const type = target.principal.type === "user" ? "user" : "role";
    // In order: the principal itself, then each of its groups, then each managed policy attached to it
    // (asked once per target of every actor that holds a change action: no list of checks is built).
    const arn = target.principal.arn;
    for (const action of OWN_CHANGE[type]) if (this.granted(actor, action, arn) !== undefined) return action;
    const through = (actions: readonly string[], arns: readonly string[]) => {
      for (const on of arns)
        for (const action of actions)
          if (this.granted(actor, action, on) !== undefined)
            return on === arn ? action : `${action} on ${on.split(":").pop()} of`;
      return undefined;
    };
    const found = through(GROUP_CHANGE, target.groupArns) ?? through(POLICY_CHANGE, target.policyArns);
    if (found !== undefined) return found;
    if (type === "user" && this.joinsAnyGroup(actor)) return JOIN_GROUP;
    return undefined;
  }

  /** Whether `actor` may add users to some group of the account (within its boundary). */
  private joinsAnyGroup(actor: Node): boolean {
    const { own, bounds } = this.coverOf(actor, JOIN_GROUP);
    if (own.length === 0) return false;
    const target = {
      prefix: `arn:${this.options.partition}:iam::${this.options.accountId}:group/`,
      label: "any group of the account",
    };
    return (
      grant(own, JOIN_GROUP, target, actor.variables) !== undefined &&
      (bounds === undefined || grant(bounds, JOIN_GROUP, target, actor.variables) !== undefined)
    );
  }

  /** Whether two resource patterns share an ARN, answered once per pair (many principals share patterns). */
  private readonly intersections = new Map<string, boolean>();

  private intersect(a: string, b: string): boolean {
    const key = `${a}\u0000${b}`;
    let found = this.intersections.get(key);
    if (found === undefined) {
      found = globsIntersect(a, b);
      this.intersections.set(key, found);
    }
    return found;
  }

  /** Whether `actor` can create a role or a user and give it permissions (and, for a user, credentials). */
  private canCreateAndEmpower(actor: Node): string | undefined {
    // Only what the boundary also allows counts; then the patterns of the granting statements must share an ARN.
    const patterns = (action: string) =>
      this.granted(actor, action, undefined) === undefined
        ? []
        : actor.statements
            .filter((s) => s.statement.effect === "Allow" && actionElementCovers(s.statement.action, action))
            .flatMap((s) =>
              s.statement.resource?.kind === "Resource" ? s.statement.resource.values : ["*"],
            );
    const share = (a: readonly string[], b: readonly string[]) =>
      a.some((x) => b.some((y) => this.intersect(x, y)));
    const create = patterns("iam:CreateRole");
    if (
      create.length > 0 &&
      (share(create, patterns("iam:PutRolePolicy")) || share(create, patterns("iam:AttachRolePolicy")))
    ) {
      return "iam:CreateRole with iam:PutRolePolicy or iam:AttachRolePolicy";
    }
    const user = patterns("iam:CreateUser");
    if (user.length === 0) return undefined;
    const empower = [...patterns("iam:PutUserPolicy"), ...patterns("iam:AttachUserPolicy")];
    if (share(user, empower) && share(user, patterns("iam:CreateAccessKey"))) {
      return "iam:CreateUser with iam:PutUserPolicy or iam:AttachUserPolicy and iam:CreateAccessKey";
    }
    return undefined;
  }

  /** The closure: each principal's effective sensitive actions, its own and those of what it can act as. */
  private close(): void {
    // Tarjan's strongly connected components, iteratively; components come out in reverse topological order.
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: string[] = [];
    const components: string[][] = [];
    let counter = 0;
    for (const start of [...this.nodes.keys(), ...this.hubs]) {
      if (index.has(start)) continue;
      const work: Array<{ node: string; edge: number }> = [{ node: start, edge: 0 }];
      index.set(start, counter);
      low.set(start, counter);
      counter += 1;
      stack.push(start);
      onStack.add(start);
      while (work.length > 0) {
        const frame = work[work.length - 1];
        if (frame === undefined) break;
        const edges = this.out.get(frame.node) ?? [];
        if (frame.edge < edges.length) {
          const next = edges[frame.edge]?.to ?? "";
          frame.edge += 1;
          if (!this.nodes.has(next) && !this.hubs.has(next)) continue;
          if (!index.has(next)) {
            index.set(next, counter);
            low.set(next, counter);
            counter += 1;
            stack.push(next);
            onStack.add(next);
            work.push({ node: next, edge: 0 });
          } else if (onStack.has(next)) {
            low.set(frame.node, Math.min(low.get(frame.node) ?? 0, index.get(next) ?? 0));
          }
          continue;
        }
        work.pop();
        const parent = work[work.length - 1];
        if (parent !== undefined)
          low.set(parent.node, Math.min(low.get(parent.node) ?? 0, low.get(frame.node) ?? 0));
        if (low.get(frame.node) === index.get(frame.node)) {
          const component: string[] = [];
          let member: string | undefined;
          do {
            member = stack.pop();
            if (member === undefined) break;
            onStack.delete(member);
            component.push(member);
          } while (member !== frame.node);
          components.push(component);
        }
      }
    }
    const rank = (scope: Held) => (scope === "all" ? 2 : 1);
    // Every action the closure can give: once a component holds each of them on all repositories, no
    // further step or escalation can change its set (a step is kept only when it raises a scope).
    const possible = new Set([...this.heldAnywhere, ...this.sensitiveActions]);
    for (const component of components) {
      // Every member of a component can act as every other: they share one effective set.
      const merged = new Map<string, { scope: Held; via?: ReachEdge; escalation?: string }>();
      let heldOnAll = 0;
      const full = () => heldOnAll === possible.size;
      const take = (action: string, scope: Held, via: ReachEdge | undefined, escalation?: string) => {
        const current = merged.get(action);
        if (current !== undefined && rank(current.scope) >= rank(scope)) return;
        if (scope === "all" && possible.has(action)) heldOnAll += 1;
        merged.set(action, {
          scope,
          ...(via === undefined ? {} : { via }),
          ...(escalation === undefined ? {} : { escalation }),
        });
      };
      const members = new Set(component);
      for (const member of component) {
        for (const [action, scope] of this.own.get(member) ?? []) take(action, scope, undefined);
      }
      for (const member of component) {
        for (const edge of this.out.get(member) ?? []) {
          if (full()) break;
          if (members.has(edge.to)) {
            for (const [action, scope] of this.own.get(edge.to) ?? []) take(action, scope, edge);
            continue;
          }
          for (const [action, held] of this.effective.get(edge.to) ?? []) take(action, held.scope, edge);
        }
      }
      // Changing the permissions of a principal it can act as, or creating and empowering one: everything.
      for (const member of full() ? [] : component) {
        const actor = this.nodes.get(member);
        if (actor === undefined || actor.access === undefined) continue;
        let escalation: { how: string; via: ReachEdge } | undefined;
        for (const edge of this.out.get(member) ?? []) {
          const how = this.changes(actor, edge);
          if (how !== undefined) {
            escalation = { how, via: edge };
            break;
          }
        }
        const creates = escalation === undefined ? this.canCreateAndEmpower(actor) : undefined;
        if (escalation !== undefined || creates !== undefined) {
          for (const action of this.sensitiveActions)
            take(action, "all", escalation?.via, escalation?.how ?? creates);
        }
      }
      // Each member's first step: none for what it holds itself, else an edge that leads to the holder.
      for (const member of component) {
        const own = this.own.get(member) ?? new Map<string, Held>();
        const edges = this.out.get(member) ?? [];
        // The first step into the component (none for a component of one), the same for every action.
        const inside = members.size > 1 ? edges.find((e) => members.has(e.to)) : undefined;
        const mine = new Map<string, { scope: Held; via?: ReachEdge; escalation?: string }>();
        for (const [action, held] of merged) {
          const itself = own.get(action);
          if (itself !== undefined && rank(itself) >= rank(held.scope)) {
            mine.set(action, { scope: itself });
            continue;
          }
          const step =
            (held.via?.from === member ? held.via : undefined) ??
            inside ??
            edges.find((e) => {
              const there = this.effective.get(e.to)?.get(action);
              return there !== undefined && rank(there.scope) >= rank(held.scope);
            });
          mine.set(action, {
            scope: held.scope,
            ...(step === undefined ? {} : { via: step }),
            ...(held.escalation === undefined ? {} : { escalation: held.escalation }),
          });
        }
        this.effective.set(member, mine);
      }
    }
  }

  /** The principal's ARN is in the graph (a user or role that is not service-linked). */
  has(arn: string): boolean {
    return this.nodes.has(arn);
  }

  /** The steps out of a principal. */
  edgesFrom(arn: string): readonly ReachEdge[] {
    return this.out.get(arn) ?? [];
  }

  /** The steps into a principal or hub (from those that can act as it), in the order the graph made them. */
  edgesInto(arn: string): readonly ReachEdge[] {
    return this.into().get(arn) ?? [];
  }

  /** The sensitive actions `arn` holds only through principals it can act as, each with its first step. */
  inherited(arn: string): Inherited[] {
    const own = this.own.get(arn) ?? new Map<string, Held>();
    const out: Inherited[] = [];
    for (const [action, held] of this.effective.get(arn) ?? []) {
      const mine = own.get(action);
      if (mine !== undefined && (mine === "all" || held.scope === "some")) continue;
      if (held.via === undefined && held.escalation === undefined) continue;
      out.push({
        action,
        scope: held.scope,
        ...(held.via === undefined ? {} : { via: held.via }),
        ...(held.escalation === undefined ? {} : { escalation: held.escalation }),
      });
    }
    return out;
  }

  /**
   * What a principal inherits, judged on its own current facts (a change's item may be newer than the walk
   * the graph was built from): its steps are recomputed from those facts, the rest of the account as built.
   */
  inheritedFor(facts: PrincipalFacts): Inherited[] {
    const node = this.makeNode(facts, false);
    const own = this.ownOf(node);
    const best = new Map<string, Inherited>();
    const take = (item: Inherited) => {
      const mine = own.get(item.action);
      if (mine === "all" || (mine === "some" && item.scope === "some")) return;
      const current = best.get(item.action);
      if (current !== undefined && (current.scope === "all" || item.scope === "some")) return;
      best.set(item.action, item);
    };
    for (const edge of this.outEdges(node)) {
      for (const [action, held] of this.effective.get(edge.to) ?? [])
        take({ action, scope: held.scope, via: edge });
      const escalation = this.changes(node, edge);
      if (escalation !== undefined) {
        for (const action of this.sensitiveActions) take({ action, scope: "all", via: edge, escalation });
      }
    }
    const creates = node.access === undefined ? undefined : this.canCreateAndEmpower(node);
    if (creates !== undefined)
      for (const action of this.sensitiveActions) take({ action, scope: "all", escalation: creates });
    return [...best.values()];
  }

  /** Every user and role in the graph. */
  principalArns(): string[] {
    return [...this.nodes.keys()];
  }

  /** Whether `arn`'s own policies (within its boundary) allow `action` on `resource`. */
  allowsOn(arn: string, action: string, resource: string): boolean {
    const node = this.nodes.get(arn);
    return node?.access !== undefined && this.granted(node, action, resource) !== undefined;
  }

  /**
   * A principal's own statements (inline, attached, its groups'), its boundary's, the policy variables its
   * requests resolve and its self-escalations — for questions about one resource (who-can-write matches
   * them against a repository's ARN and tags). `undefined` when it is not in the graph or its policies
   * could not be read.
   */
  policiesOf(arn: string):
    | {
        readonly statements: readonly Located[];
        readonly bounds: readonly Located[] | undefined;
        readonly variables: Variables;
        readonly escalations: EffectiveAccess["escalations"];
      }
    | undefined {
    const node = this.nodes.get(arn);
    if (node?.access === undefined) return undefined;
    return {
      statements: node.statements,
      bounds: node.bounds,
      variables: node.variables,
      escalations: node.access.escalations,
    };
  }

  /** The doors of a role's trust policy (none for a user). */
  doorsOf(arn: string): readonly Door[] {
    return this.nodes.get(arn)?.doors ?? [];
  }

  /**
   * The steps into each principal, in the order they were added: each principal's and hub's steps are
   * added together, in the order of `out`, so walking `out` gives the same order.
   */
  private into(): Map<string, ReachEdge[]> {
    if (this.intoIndex === undefined) {
      const index = new Map<string, ReachEdge[]>();
      for (const edges of this.out.values()) {
        for (const edge of edges) {
          const back = index.get(edge.to);
          if (back === undefined) index.set(edge.to, [edge]);
          else back.push(edge);
        }
      }
      this.intoIndex = index;
    }
    return this.intoIndex;
  }

  /** For every principal that can act as `arn`, one shortest path of steps from it to `arn`. */
  pathsTo(arn: string): ReachEdge[][] {
    const next = new Map<string, ReachEdge>();
    const queue = [arn];
    for (let i = 0; i < queue.length; i += 1) {
      const at = queue[i] ?? "";
      for (const edge of this.into().get(at) ?? []) {
        if (edge.from === arn || next.has(edge.from)) continue;
        next.set(edge.from, edge);
        queue.push(edge.from);
      }
    }
    return [...next.keys()]
      .filter((from) => !isHub(from))
      .map((from) => {
        const path: ReachEdge[] = [];
        let at = from;
        while (at !== arn) {
          const edge = next.get(at);
          if (edge === undefined) break;
          path.push(edge);
          at = edge.to;
        }
        return path;
      });
  }

  /** Every principal that can act as `arn`, directly or through others. */
  reachers(arn: string): Set<string> {
    const seen = new Set<string>();
    const queue = [arn];
    while (queue.length > 0) {
      const next = queue.pop();
      if (next === undefined) break;
      for (const edge of this.into().get(next) ?? []) {
        if (seen.has(edge.from) || edge.from === arn) continue;
        seen.add(edge.from);
        queue.push(edge.from);
      }
    }
    for (const hub of this.hubs) seen.delete(hub);
    return seen;
  }

  /** The principal record of an ARN in the graph. */
  principal(arn: string): PrincipalRecord | undefined {
    return this.nodes.get(arn)?.principal;
  }

  /** A sentence for the first step of a path: `can assume role ci-deploy (trust Statement[0])`. */
  describe(edge: ReachEdge): string {
    if (isHub(edge.from)) {
      const role = this.nodes.get(edge.to)?.principal;
      return `among them ${role === undefined ? edge.to : principalNoun(role).toLowerCase()}${edge.trust === undefined ? "" : ` (trust ${describeStatement(edge.trust)})`}`;
    }
    if (edge.to.startsWith("hub:p:")) {
      const pattern = edge.to.split(":").slice(4).join(":");
      const grant = edge.grant === undefined ? "" : ` (${describeStatement(edge.grant, true)})`;
      const noun = edge.kind === "credentials" ? "users" : "roles";
      return `${EDGE_WORDS[edge.kind]} the ${noun} matching ${pattern}${grant}`;
    }
    if (isHub(edge.to)) {
      const words = HUB_WORDS.find(([prefix]) => edge.to.startsWith(prefix))?.[1] ?? edge.to;
      const grant = edge.grant === undefined ? "" : ` (${describeStatement(edge.grant, true)})`;
      return `${words}${grant}`;
    }
    const target = this.nodes.get(edge.to)?.principal;
    const noun =
      target === undefined ? edge.to : principalNoun(target).replace(/^(\w)/u, (c) => c.toLowerCase());
    const evidence = [
      ...(edge.trust === undefined ? [] : [`trust ${describeStatement(edge.trust)}`]),
      ...(edge.grant === undefined ? [] : [describeStatement(edge.grant, true)]),
      ...(edge.service === undefined ? [] : [`to ${edge.service} with ${(edge.launch ?? []).join(" + ")}`]),
    ];
    return `${EDGE_WORDS[edge.kind]} ${noun}${evidence.length > 0 ? ` (${evidence.join("; ")})` : ""}`;
  }

  /** The hub's step to the principal that gives `action`, for an explanation that names it. */
  hubStep(hub: string, action: string): ReachEdge | undefined {
    return this.effective.get(hub)?.get(action)?.via;
  }

  /** `which holds PutImage +3 more on some repositories`: what the step's target holds. */
  holdsOf(arn: string): string {
    const effective = [...(this.effective.get(arn) ?? [])];
    if (effective.length === 0) return "which holds no sensitive ECR action";
    const all = effective.some(([, held]) => held.scope === "all");
    return `which holds ${shortActions(
      effective.map(([action]) => action),
      3,
    )} on ${all ? "all" : "some"} repositories`;
  }
}
