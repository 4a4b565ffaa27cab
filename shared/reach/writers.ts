/**
 * Who can write to a repository (docs/command-line.md#who-can-write): for one repository, every principal
 * of the account and every door that can perform a sensitive ECR action on it, per action, with the path —
 * identity grants matched against the repository's ARN and tags (a pattern or a tag condition admits this
 * repository or not; unknown tags may match), grants of its repository policy and of the registry policy,
 * less what their Deny statements take away, and reach back to the doors of the writer roles' trust
 * policies (a GitHub subject, an EKS service account, a SAML provider, another account).
 */

import type { RepositoryTags } from "../account/ecr.js";
import { assertNever } from "../assert-never.js";
import { actionElementCovers } from "../policy/actions.js";
import { ECR_ACTIONS, isSensitive } from "../policy/catalogue.js";
import type { Located, Variables } from "../policy/escalation.js";
import { describeStatement, shortActions } from "../policy/explain.js";
import { globMatches } from "../policy/glob.js";
import type { StatementRef } from "../policy/identity.js";
import { allowNarrowing, denyShape, describeValue, type NarrowValue } from "../policy/narrowing.js";
import {
  decodePolicyText,
  type PolicyDocument,
  parsePolicyDocument,
  type Statement,
} from "../policy/parse.js";
import { classifyPrincipal, type PrincipalClass } from "../policy/principals.js";
import type { Door } from "../policy/trust.js";
import type { ReachEdge, ReachGraph } from "./reach.js";
import {
  conditionsFor,
  coveringStatementsOn,
  type RepositoryGrant,
  RepositoryStatements,
  type RepositoryTarget,
  resourceNames,
  statementsOn,
} from "./repository-match.js";

export const WRITER_KINDS = [
  "user",
  "role",
  "group",
  "external-account",
  "public",
  "service",
  "saml",
  "web-identity",
] as const;
export type WriterKind = (typeof WRITER_KINDS)[number];

export interface Writer {
  /** An ARN, or a door's text (`token.actions.githubusercontent.com:repo:acme/*`, an account id). */
  readonly principal: string;
  readonly kind: WriterKind;
  readonly actions: readonly string[];
  /** From the writer to the repository, one step a line. */
  readonly path: readonly string[];
}

export interface RepositoryWriters {
  readonly repositoryName: string;
  readonly repositoryArn: string;
  readonly writers: readonly Writer[];
}

function doorWriter(door: Door): { principal: string; kind: WriterKind } | undefined {
  switch (door.kind) {
    case "web-identity": {
      if (door.admitsNoOne === true) return undefined;
      const pins = door.pins ?? [];
      return {
        principal: `${door.provider ?? door.principal}:${pins.length > 0 ? pins.join("|") : "*"}`,
        kind: "web-identity",
      };
    }
    case "saml":
      return door.admitsNoOne === true ? undefined : { principal: door.principal, kind: "saml" };
    case "external-account":
      return { principal: door.account ?? door.principal, kind: "external-account" };
    case "public":
      return { principal: door.principal, kind: "public" };
    case "service":
      return { principal: door.principal, kind: "service" };
    default:
      return undefined;
  }
}

/** The repository a question is about, with its policy and, when known, its tags and the registry's policy. */
export interface WritersRepository {
  readonly repositoryName: string;
  readonly repositoryArn: string;
  /** Its policy text: an object, JSON text, URL-encoded JSON text, or `null` / `{}` when it has none. */
  readonly policy: unknown;
  /** Its tags; absent or `undefined`: not known, so a tag condition may match ("if its tags match"). */
  readonly tags?: RepositoryTags | undefined;
  /** The registry's policy (replication and, under its V2 scope, any action on repositories). */
  readonly registryPolicy?: unknown;
}

/** Who a resource policy's Deny is asked about. */
type Subject =
  | { readonly type: "principal"; readonly arn: string; readonly account: string }
  | { readonly type: "account"; readonly account: string }
  | { readonly type: "public" }
  | { readonly type: "service"; readonly service: string };

/** A Deny of a repository or registry policy, read once. */
interface ResourceDeny {
  readonly where: string;
  readonly statement: Statement;
  /** `undefined`: it denies whoever its Principal names; otherwise a data perimeter's narrowings. */
  readonly perimeter: Extract<ReturnType<typeof denyShape>, { type: "perimeter" }> | undefined;
}

const ARN_ACCOUNT = /^arn:[^:]+:(?:iam|sts)::(\d{12}):/u;

function hasPolicy(policy: unknown): boolean {
  if (policy === undefined || policy === null) return false;
  if (typeof policy === "string") return policy.trim() !== "" && hasPolicy(decodePolicyText(policy));
  return !(typeof policy === "object" && !Array.isArray(policy) && Object.keys(policy).length === 0);
}

function documentOf(policy: unknown): PolicyDocument | undefined {
  if (!hasPolicy(policy)) return undefined;
  return parsePolicyDocument(typeof policy === "string" ? decodePolicyText(policy) : policy, "resource");
}

function refOf(document: string, statement: Statement): StatementRef {
  return { document, index: statement.index, ...(statement.sid === undefined ? {} : { sid: statement.sid }) };
}

/** Whether a principal value of a statement names the subject (as IAM matches `Principal`). */
function names(principal: PrincipalClass, subject: Subject): boolean {
  switch (principal.type) {
    case "public":
      return true;
    case "account":
      if (principal.arn !== undefined) return subject.type === "principal" && subject.arn === principal.arn;
      // An account (its id or root) stands for every principal of that account.
      return (
        (subject.type === "principal" || subject.type === "account") && subject.account === principal.account
      );
    case "service":
      return subject.type === "service" && subject.service === principal.service;
    case "deleted":
    case "untrusted":
      return false;
    default:
      return assertNever(principal, "principal");
  }
}

/** Whether a perimeter's narrowing admits the subject (an organization is taken to admit the owner's principals). */
function perimeterAdmits(value: NarrowValue, subject: Subject, owner: string): boolean {
  switch (value.type) {
    case "account":
      return "account" in subject && subject.account === value.account;
    case "organization":
      return true; // membership is not known here: taken to admit (the owner's principals among them)
    case "owner-organization":
      return !("account" in subject) || subject.account === owner;
    case "principal-arn":
      return subject.type === "principal"
        ? globMatches(value.arn, subject.arn)
        : "account" in subject
          ? subject.account === value.account
          : true;
    case "vpce":
      return true;
    default:
      return assertNever(value, "value");
  }
}

/**
 * The Deny statements of a resource policy that can remove writers: those whose resource names the
 * repository and whose conditions certainly hold for it (none, or tag conditions that hold), and data
 * perimeters on `Principal: "*"`. A Deny resting on other conditions may not apply: it removes no one. A
 * Deny with `NotPrincipal` removes no one either (as the repository rule reads it).
 */
function denialsOf(
  document: PolicyDocument | undefined,
  label: string,
  repository: RepositoryTarget,
  owner: string,
): ResourceDeny[] {
  if (document === undefined) return [];
  const out: ResourceDeny[] = [];
  for (const statement of document.statements) {
    if (statement.effect !== "Deny" || statement.principal?.kind !== "Principal") continue;
    if (!resourceNames(statement, repository.arn, {}, "Deny")) continue;
    const where = `${label} ${describeStatement(refOf(label, statement))}`;
    const outcome = conditionsFor(statement.conditions, repository.tags);
    if (outcome.certain) {
      out.push({ where, statement, perimeter: undefined });
      continue;
    }
    const everyone = statement.principal.values.some(
      (v) => !("value" in v) || (v.type === "AWS" && v.value === "*"),
    );
    if (!everyone) continue;
    const shape = denyShape(statement.conditions, { owner, trustedVpceIds: [] });
    if (shape.type === "perimeter") out.push({ where, statement, perimeter: shape });
  }
  return out;
}

/** The Deny that removes `action` from the subject, if any. */
function deniedBy(
  denies: readonly ResourceDeny[],
  subject: Subject,
  action: string,
  owner: string,
): string | undefined {
  for (const deny of denies) {
    if (!actionElementCovers(deny.statement.action, action)) continue;
    if (deny.perimeter === undefined) {
      const principals = (deny.statement.principal?.values ?? []).map(classifyPrincipal);
      if (principals.some((p) => names(p, subject))) return deny.where;
      continue;
    }
    const effect = subject.type === "service" ? deny.perimeter.services : deny.perimeter.principals;
    if (effect.type === "denied") return deny.where;
    if (effect.type === "narrowed" && subject.type !== "public") {
      if (!effect.narrowing.values.some((value) => perimeterAdmits(value, subject, owner))) return deny.where;
    }
  }
  return undefined;
}

/** ` (if its tags match aws:ResourceTag/team; under conditions: aws:SourceIp)`, or nothing. */
function caveats(undecidedTags: readonly string[], otherKeys: readonly string[]): string {
  const parts = [
    ...(undecidedTags.length === 0 ? [] : [`if its tags match ${undecidedTags.join(", ")}`]),
    ...(otherKeys.length === 0 ? [] : [`under conditions: ${otherKeys.join(", ")}`]),
  ];
  return parts.length === 0 ? "" : ` (${parts.join("; ")})`;
}

/** The conditions of a resource-policy Allow, said plainly: narrowing values where the engine reads them. */
function resourceCaveats(statement: Statement, undecidedTags: readonly string[], owner: string): string {
  const other = statement.conditions
    .filter((entry) => !/^(aws|ecr):resourcetag\//iu.test(entry.key))
    .map((entry) => {
      const narrowing = allowNarrowing(entry, { owner, trustedVpceIds: [] });
      return narrowing === undefined
        ? entry.key
        : `${entry.key} ${narrowing.values.map(describeValue).join(" | ")}`;
    });
  return caveats(undecidedTags, [...new Set(other)]);
}

interface Entry {
  readonly principal: string;
  readonly kind: WriterKind;
  readonly actions: Set<string>;
  readonly path: readonly string[];
}

/** A principal's statements that cover some sensitive actions (in their order), and those actions. */
interface ActionClass {
  readonly own: readonly Located[];
  /** `undefined`: it has no boundary. */
  readonly bounds: readonly Located[] | undefined;
}

/** A principal whose own policies can make it a writer of some repository. */
interface Candidate {
  readonly arn: string;
  readonly variables: Variables;
  /** `can change its own permissions (…)`: it holds every sensitive action on every repository. */
  readonly escalation: string | undefined;
  /** Per sensitive action (by its index), the statements that decide it; absent: no Allow can grant it. */
  readonly classes: ReadonlyArray<ActionClass | undefined>;
  /** What it holds by changing a principal it acts as, or by creating one. */
  readonly inherited: ReadonlyArray<{ readonly action: string; readonly line: string }>;
}

/** How a writer entry was first found from a direct writer: itself, a path to it, or a door. */
type Way =
  | { readonly type: "self" }
  | { readonly type: "path"; readonly path: readonly ReachEdge[] }
  | { readonly type: "door"; readonly door: Door; readonly writer: string };

/** One writer entry of the direct writers' merge: the direct writer it was first found from, and how. */
interface Merged {
  readonly key: string;
  readonly principal: string;
  readonly kind: WriterKind;
  mask: bigint;
  readonly first: string;
  readonly way: Way;
}

/** Everything about a direct writer that does not depend on the repository. */
interface DirectWriter {
  readonly noun: string;
  readonly type: "user" | "role";
}

/** How many merges of the direct writers are kept (repositories with the same direct writers share one). */
const MERGES_KEPT = 512;

/**
 * Who can write, for many repositories of one account: the work that does not depend on the repository is
 * done once — which principals' policies can grant a sensitive action at all (with, per action, the
 * statements that decide it), each direct writer's paths, reachers and doors and their sentences, and the
 * merge of those into one entry per principal or door for a given set of direct writers — and each
 * repository then checks only the candidates, its own repository and registry policy, and fills in its
 * name.
 *
 * @example
 * const index = new WritersIndex(graph);
 * for (const repository of repositories) print(index.writersOf(repository));
 */
export class WritersIndex {
  private readonly sensitive: readonly string[];
  /** Every action a writer may hold (the repository's and, through escalations, the registry's), by bit. */
  private readonly bits = new Map<string, bigint>();
  private readonly masks = new Map<bigint, readonly string[]>();
  private readonly candidates: readonly Candidate[];
  private readonly directs = new Map<string, DirectWriter>();
  private readonly merges = new Map<string, readonly Merged[]>();
  private readonly described = new Map<ReachEdge, string>();
  private readonly grantLines = new Map<Located, string>();
  private readonly keys = new Map<string, { readonly key: string; readonly kind: WriterKind }>();
  private readonly doorWriters = new Map<
    Door,
    { readonly key: string; readonly principal: string; readonly kind: WriterKind } | null
  >();

  constructor(
    private readonly graph: ReachGraph,
    exemptActions: readonly string[] = [],
  ) {
    this.sensitive = ECR_ACTIONS.filter((a) => a.onRepository && isSensitive(a, exemptActions)).map(
      (a) => a.name,
    );
    const candidates: Candidate[] = [];
    for (const arn of graph.principalArns()) {
      const candidate = this.candidateOf(arn);
      if (candidate !== undefined) candidates.push(candidate);
    }
    this.candidates = candidates;
  }

  private candidateOf(arn: string): Candidate | undefined {
    const graph = this.graph;
    const principal = graph.principal(arn);
    const policies = graph.policiesOf(arn);
    if (principal === undefined || policies === undefined) return undefined;
    const escalation = policies.escalations[0];
    if (escalation !== undefined) {
      return {
        arn,
        variables: policies.variables,
        escalation: `can change its own permissions (${escalation.action} on ${escalation.resource === arn ? "itself" : escalation.resource}, ${describeStatement(escalation.grantedBy, true)}), so it holds every sensitive action`,
        classes: [],
        inherited: [],
      };
    }
    // Statements that cover an action decide it (statementsOn reads no other); the same list, one class.
    const byList = new Map<string, ActionClass>();
    const covering = (list: readonly Located[], action: string) =>
      list.filter((located) => actionElementCovers(located.statement.action, action));
    const classes = this.sensitive.map((action) => {
      const own = covering(policies.statements, action);
      if (!own.some((located) => located.statement.effect === "Allow")) return undefined;
      const bounds = policies.bounds === undefined ? undefined : covering(policies.bounds, action);
      if (bounds !== undefined && !bounds.some((located) => located.statement.effect === "Allow"))
        return undefined;
      const index = (list: readonly Located[], all: readonly Located[]) =>
        list.map((located) => all.indexOf(located)).join(",");
      const key = `${index(own, policies.statements)}|${bounds === undefined ? "-" : index(bounds, policies.bounds ?? [])}`;
      const known = byList.get(key);
      if (known !== undefined) return known;
      const made = { own, bounds };
      byList.set(key, made);
      return made;
    });
    const inherited = graph
      .inherited(arn)
      .filter((item) => item.escalation !== undefined)
      .map((item) => ({
        action: item.action,
        line:
          item.via === undefined
            ? `can create and empower a principal of its own (${item.escalation}), so it holds every sensitive action`
            : `${graph.describe(item.via)}, and can change its permissions (${item.escalation}), so it holds every sensitive action`,
      }));
    if (classes.every((c) => c === undefined) && inherited.length === 0) return undefined;
    return { arn, variables: policies.variables, escalation: undefined, classes, inherited };
  }

  /** `role|arn`: the entry key of a principal of the graph, made once. */
  private keyOf(arn: string): { readonly key: string; readonly kind: WriterKind } | undefined {
    let known = this.keys.get(arn);
    if (known === undefined) {
      const principal = this.graph.principal(arn);
      if (principal === undefined || principal.type === "group") return undefined;
      known = { key: `${principal.type}|${arn}`, kind: principal.type };
      this.keys.set(arn, known);
    }
    return known;
  }

  /** A door's writer and entry key, made once (`null`: the door admits no one). */
  private doorOf(
    door: Door,
  ): { readonly key: string; readonly principal: string; readonly kind: WriterKind } | undefined {
    let known = this.doorWriters.get(door);
    if (known === undefined) {
      const who = doorWriter(door);
      known = who === undefined ? null : { key: `${who.kind}|${who.principal}`, ...who };
      this.doorWriters.set(door, known);
    }
    return known ?? undefined;
  }

  private describe(edge: ReachEdge): string {
    let line = this.described.get(edge);
    if (line === undefined) {
      line = this.graph.describe(edge);
      this.described.set(edge, line);
    }
    return line;
  }

  private grantLine(located: Located): string {
    let line = this.grantLines.get(located);
    if (line === undefined) {
      line = describeStatement(located.ref, true);
      this.grantLines.set(located, line);
    }
    return line;
  }

  private directOf(arn: string, type: "user" | "role", name: string): DirectWriter {
    const known = this.directs.get(arn);
    if (known !== undefined) return known;
    const made = { noun: `${type} ${name}`, type };
    this.directs.set(arn, made);
    return made;
  }

  /**
   * One entry per principal or door reached from the direct writers (in their order), with the union of
   * the actions of the direct writers it reaches and the first way it was found: for each direct writer,
   * itself, then everyone who can act as it (a shortest path each, breadth first, as
   * {@link ReachGraph.pathsTo}), then the doors of it and of those (in the order of
   * {@link ReachGraph.reachers}).
   *
   * Whoever can act as an earlier direct writer was found from it, and so was everyone who can act as
   * them: a later direct writer's walks skip them, and still meet the others in the order a full walk
   * would (no step leads from those found to those not found). Each principal is walked once however many
   * direct writers there are; the actions are then spread back along the steps, a principal at a time
   * only while it gains some.
   */
  private merge(
    direct: ReadonlyArray<{ readonly arn: string; readonly writer: DirectWriter; readonly mask: bigint }>,
  ): readonly Merged[] {
    const key = direct.map((d) => `${d.arn} ${d.mask}`).join("\n");
    const known = this.merges.get(key);
    if (known !== undefined) return known;
    const graph = this.graph;
    const byKey = new Map<string, Merged>();
    const add = (key: string, principal: string, kind: WriterKind, first: string, way: Way) => {
      byKey.set(key, { key, principal, kind, mask: 0n, first, way });
    };
    const self: Way = { type: "self" };
    /** Every principal and hub that can act as a direct writer already walked from (and those writers). */
    const found = new Set<string>();
    for (const { arn, writer } of direct) {
      if (found.has(arn)) continue;
      found.add(arn);
      add(`${writer.type}|${arn}`, arn, writer.type, arn, self);
      // Breadth first from the writer, over those not yet found: the first step into each.
      const next = new Map<string, ReachEdge>();
      const queue = [arn];
      for (let i = 0; i < queue.length; i += 1) {
        for (const edge of graph.edgesInto(queue[i] ?? "")) {
          if (found.has(edge.from) || next.has(edge.from)) continue;
          next.set(edge.from, edge);
          queue.push(edge.from);
        }
      }
      for (const from of next.keys()) {
        const who = this.keyOf(from);
        if (who === undefined) continue;
        const path: ReachEdge[] = [];
        for (let at = from, edge = next.get(at); edge !== undefined; at = edge.to, edge = next.get(at))
          path.push(edge);
        add(who.key, from, who.kind, arn, { type: "path", path });
      }
      // Depth first, for the doors in the order of the writer's reachers.
      const order = [arn];
      const seen = new Set<string>();
      const stack = [arn];
      for (let at = stack.pop(); at !== undefined; at = stack.pop()) {
        for (const edge of graph.edgesInto(at)) {
          if (edge.from === arn || seen.has(edge.from) || found.has(edge.from)) continue;
          seen.add(edge.from);
          order.push(edge.from);
          stack.push(edge.from);
        }
      }
      for (const role of order) {
        for (const door of graph.doorsOf(role)) {
          const who = this.doorOf(door);
          if (who === undefined || byKey.has(who.key)) continue;
          add(who.key, who.principal, who.kind, arn, { type: "door", door, writer: role });
        }
      }
      for (const from of next.keys()) found.add(from);
    }
    // The actions: each direct writer's, spread to everyone who can act as it.
    const held = new Map<string, bigint>();
    for (const { arn, mask } of direct) {
      const stack: string[] = [];
      const gain = (id: string) => {
        const had = held.get(id) ?? 0n;
        if ((had | mask) === had) return;
        held.set(id, had | mask);
        stack.push(id);
      };
      gain(arn);
      for (let at = stack.pop(); at !== undefined; at = stack.pop())
        for (const edge of graph.edgesInto(at)) gain(edge.from);
    }
    for (const [id, mask] of held) {
      const who = this.keyOf(id);
      const entry = who === undefined ? undefined : byKey.get(who.key);
      if (entry !== undefined) entry.mask |= mask;
      for (const door of graph.doorsOf(id)) {
        const at = this.doorOf(door);
        const doorEntry = at === undefined ? undefined : byKey.get(at.key);
        if (doorEntry !== undefined) doorEntry.mask |= mask;
      }
    }
    const merged = [...byKey.values()];
    if (this.merges.size >= MERGES_KEPT) this.merges.clear();
    this.merges.set(key, merged);
    return merged;
  }

  private bitOf(action: string): bigint {
    let bit = this.bits.get(action);
    if (bit === undefined) {
      bit = 1n << BigInt(this.bits.size);
      this.bits.set(action, bit);
    }
    return bit;
  }

  /** The actions of a mask, in the order an answer lists them. */
  private actionsOf(mask: bigint): readonly string[] {
    let actions = this.masks.get(mask);
    if (actions === undefined) {
      actions = [...this.bits]
        .filter(([, bit]) => (bit & mask) !== 0n)
        .map(([action]) => action)
        .sort();
      if (this.masks.size >= MERGES_KEPT) this.masks.clear();
      this.masks.set(mask, actions);
    }
    return actions;
  }

  /**
   * The writers of one repository.
   *
   * @example
   * index.writersOf({ repositoryName: "api", repositoryArn, policy: null, tags: new Map([["team", "a"]]) });
   */
  writersOf(repository: WritersRepository): RepositoryWriters {
    const graph = this.graph;
    const sensitive = this.sensitive;
    const owner = repository.repositoryArn.split(":")[4] ?? "";
    const target: RepositoryTarget = {
      name: repository.repositoryName,
      arn: repository.repositoryArn,
      tags: repository.tags,
    };
    const name = repository.repositoryName;
    const memo = new RepositoryStatements(target);
    const repositoryDocument = documentOf(repository.policy);
    const registryDocument = documentOf(repository.registryPolicy);
    const repositoryDenies = denialsOf(repositoryDocument, "repository policy", target, owner);
    const registryDenies = denialsOf(registryDocument, "registry policy", target, owner);
    const allowed = (subject: Subject, actions: readonly string[], denies: readonly ResourceDeny[]) =>
      denies.length === 0
        ? actions
        : actions.filter((action) => deniedBy(denies, subject, action, owner) === undefined);

    const byKey = new Map<string, Entry>();
    const add = (
      principal: string,
      kind: WriterKind,
      actions: readonly string[],
      path: readonly string[],
    ) => {
      if (actions.length === 0) return;
      // One entry per principal or door: its actions merged, the path of the first way found.
      const key = `${kind}|${principal}`;
      const entry = byKey.get(key) ?? { principal, kind, actions: new Set<string>(), path: [...path] };
      for (const action of actions) entry.actions.add(action);
      byKey.set(key, entry);
    };

    /**
     * Principals of the account that write, each with groups of actions and how they hold them
     * (`inline policy p Statement[0] grants them on api`; "them" stands for the group's actions).
     */
    const direct = new Map<string, Array<{ actions: string[]; line: string }>>();
    const addDirect = (arn: string, actions: readonly string[], line: string) => {
      const kept = allowed({ type: "principal", arn, account: owner }, actions, repositoryDenies);
      if (kept.length === 0) return;
      const groups = direct.get(arn) ?? [];
      const same = groups.find((g) => g.line === line);
      if (same === undefined) groups.push({ actions: [...kept], line });
      else for (const action of kept) if (!same.actions.includes(action)) same.actions.push(action);
      direct.set(arn, groups);
    };

    // Identity grants on this repository's ARN and tags, within the boundary, less Deny statements.
    for (const candidate of this.candidates) {
      const arn = candidate.arn;
      if (candidate.escalation !== undefined) {
        addDirect(arn, sensitive, candidate.escalation);
        continue;
      }
      const decided = new Map<ActionClass, string | undefined>();
      const lineOf = (found: ActionClass): string | undefined => {
        const own = coveringStatementsOn(found.own, target, candidate.variables, memo);
        if (own.type !== "allowed") return undefined;
        let bound: RepositoryGrant | undefined;
        if (found.bounds !== undefined) {
          const within = coveringStatementsOn(found.bounds, target, candidate.variables, memo);
          if (within.type !== "allowed") return undefined;
          bound = within.grant;
        }
        return `${this.grantLine(own.grant.statement)} grants them on ${name}${caveats(
          [...own.grant.undecidedTags, ...(bound?.undecidedTags ?? [])].filter(
            (k, i, a) => a.indexOf(k) === i,
          ),
          [...own.grant.otherKeys, ...(bound?.otherKeys ?? [])].filter((k, i, a) => a.indexOf(k) === i),
        )}`;
      };
      const grouped = new Map<string, string[]>();
      sensitive.forEach((action, i) => {
        const found = candidate.classes[i];
        if (found === undefined) return;
        let line = decided.get(found);
        if (!decided.has(found)) {
          line = lineOf(found);
          decided.set(found, line);
        }
        if (line === undefined) return;
        const actions = grouped.get(line);
        if (actions === undefined) grouped.set(line, [action]);
        else actions.push(action);
      });
      for (const [line, actions] of grouped) addDirect(arn, actions, line);
      // What it holds by changing the permissions of a principal it acts as, or by creating one.
      for (const item of candidate.inherited) addDirect(arn, [item.action], item.line);
    }

    // The repository policy: Allow statements that apply to this repository (resource, tag conditions).
    const resourceGrants = (
      document: PolicyDocument | undefined,
      label: "repository policy" | "registry policy",
    ) => {
      if (document === undefined) return;
      const denies =
        label === "repository policy" ? repositoryDenies : [...registryDenies, ...repositoryDenies];
      for (const statement of document.statements) {
        if (statement.effect !== "Allow") continue;
        const outcome = conditionsFor(statement.conditions, target.tags);
        if (!outcome.mayHold || !resourceNames(statement, target.arn, {}, "Allow")) continue;
        const actions = sensitive.filter((action) => actionElementCovers(statement.action, action));
        if (actions.length === 0) continue;
        const where = `${label} ${describeStatement(refOf(label, statement))}`;
        const how = resourceCaveats(statement, outcome.undecidedTags, owner);
        if (statement.principal?.kind === "NotPrincipal") {
          add("*", "public", allowed({ type: "public" }, actions, denies), [
            `${where} admits everyone its NotPrincipal does not name${how}`,
          ]);
          continue;
        }
        for (const value of statement.principal?.values ?? []) {
          const principal = classifyPrincipal(value);
          switch (principal.type) {
            case "public":
              add("*", "public", allowed({ type: "public" }, actions, denies), [
                `${where} admits everyone${how}`,
              ]);
              break;
            case "account": {
              if (principal.arn === undefined) {
                // The own account delegates to IAM: its principals write by their identity grants (above).
                if (principal.account === owner) break;
                add(
                  principal.account,
                  "external-account",
                  allowed({ type: "account", account: principal.account }, actions, denies),
                  [
                    `${where} admits account ${principal.account}${how}: every principal of it whose own policies allow it`,
                  ],
                );
                break;
              }
              const arn = principal.arn;
              const account = ARN_ACCOUNT.exec(arn)?.[1] ?? principal.account;
              const member = graph.principal(arn);
              const policies = graph.policiesOf(arn);
              if (account === owner && member !== undefined && policies !== undefined) {
                // Named in the policy: no identity grant needed; its own Deny statements still bind, and a
                // role's permissions boundary limits a grant to its ARN.
                const kept = actions.filter((action) => {
                  if (statementsOn(policies.statements, action, target, policies.variables).type === "denied")
                    return false;
                  return (
                    member.type !== "role" ||
                    policies.bounds === undefined ||
                    statementsOn(policies.bounds, action, target, policies.variables).type === "allowed"
                  );
                });
                addDirect(
                  arn,
                  allowed({ type: "principal", arn, account }, kept, denies),
                  `${where} names it${how}`,
                );
                break;
              }
              const kind: WriterKind = /:user\//u.test(arn) ? "user" : "role";
              add(arn, kind, allowed({ type: "principal", arn, account }, actions, denies), [
                `${where} names it${account === owner ? "" : ` (account ${account})`}${how}`,
              ]);
              break;
            }
            case "service":
              add(
                principal.service,
                "service",
                allowed({ type: "service", service: principal.service }, actions, denies),
                [`${where} admits the service${how}`],
              );
              break;
            case "untrusted":
              add(principal.value, "public", allowed({ type: "public" }, actions, denies), [
                `${where} admits ${principal.text}${how}`,
              ]);
              break;
            case "deleted":
              break;
          }
        }
      }
    };
    resourceGrants(repositoryDocument, "repository policy");
    resourceGrants(registryDocument, "registry policy");

    // Direct writers, everyone who can act as them, and the doors that let them in.
    const lines = new Map<string, string>();
    const writers: Array<{ arn: string; writer: DirectWriter; mask: bigint }> = [];
    for (const [arn, groups] of direct) {
      const principal = graph.principal(arn);
      if (principal === undefined || principal.type === "group") continue;
      let mask = 0n;
      for (const group of groups) for (const action of group.actions) mask |= this.bitOf(action);
      writers.push({ arn, writer: this.directOf(arn, principal.type, principal.name), mask });
      lines.set(
        arn,
        groups.length === 1
          ? (groups[0]?.line ?? "")
          : groups.map((g) => g.line.replace(/\bthem\b/u, shortActions(g.actions, 3))).join("; "),
      );
    }
    for (const merged of this.merge(writers)) {
      const entry = byKey.get(merged.key);
      if (entry !== undefined) {
        for (const action of this.actionsOf(merged.mask)) entry.actions.add(action);
        continue;
      }
      const noun = this.directs.get(merged.first)?.noun ?? merged.first;
      const line = lines.get(merged.first) ?? "";
      const way = merged.way;
      let path: string[];
      switch (way.type) {
        case "self":
          path = [`${noun}: ${line}`];
          break;
        case "path":
          path = [...way.path.map((edge) => this.describe(edge)), `${noun} writes: ${line}`];
          break;
        case "door": {
          const role = graph.principal(way.writer);
          path = [
            `trust ${describeStatement(way.door.statement)} of role ${role?.name ?? way.writer}: ${way.door.reason}`,
            ...(way.writer === merged.first ? [] : [`role ${role?.name ?? way.writer} can act as ${noun}`]),
            `${noun} writes: ${line}`,
          ];
          break;
        }
        default:
          return assertNever(way, "way");
      }
      byKey.set(merged.key, {
        principal: merged.principal,
        kind: merged.kind,
        actions: new Set(this.actionsOf(merged.mask)),
        path,
      });
    }
    const order = [...byKey.values()].map((w) => ({
      writer: { principal: w.principal, kind: w.kind, actions: [...w.actions].sort(), path: w.path },
      by: `${w.kind}|${w.principal}|${w.path.join("\n")}`,
    }));
    order.sort((a, b) => a.by.localeCompare(b.by));
    return {
      repositoryName: repository.repositoryName,
      repositoryArn: repository.repositoryArn,
      writers: order.map((o) => o.writer),
    };
  }
}

const indexes = new WeakMap<ReachGraph, Map<string, WritersIndex>>();

/**
 * The writers of one repository (through the graph's {@link WritersIndex}, kept with the graph).
 *
 * @example
 * writersOf(graph, { repositoryName: "api", repositoryArn, policy: null, tags: new Map([["team", "a"]]) });
 */
export function writersOf(
  graph: ReachGraph,
  repository: WritersRepository,
  exemptActions: readonly string[] = [],
): RepositoryWriters {
  const key = exemptActions.join("\n");
  const byExempt = indexes.get(graph) ?? new Map<string, WritersIndex>();
  indexes.set(graph, byExempt);
  let index = byExempt.get(key);
  if (index === undefined) {
    index = new WritersIndex(graph, exemptActions);
    byExempt.set(key, index);
  }
  return index.writersOf(repository);
}
