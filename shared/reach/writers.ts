/**
 * Who can write to a repository (docs/command-line.md#who-can-write): for one repository, every principal
 * of the account and every door that can perform a sensitive ECR action on it, per action, with the path —
 * identity grants matched against the repository's ARN, grants of its repository policy, and reach back to
 * the doors of the writer roles' trust policies (a GitHub subject, an EKS service account, a SAML provider,
 * another account).
 */

import { actionElementCovers } from "../policy/actions.js";
import { ECR_ACTIONS, isSensitive } from "../policy/catalogue.js";
import { describeStatement } from "../policy/explain.js";
import { decodePolicyText, parsePolicyDocument } from "../policy/parse.js";
import { classifyPrincipal } from "../policy/principals.js";
import type { Door } from "../policy/trust.js";
import type { ReachGraph } from "./reach.js";

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

/**
 * The writers of one repository.
 *
 * @example
 * writersOf(graph, { repositoryName: "api", repositoryArn, policy: null });
 */
export function writersOf(
  graph: ReachGraph,
  repository: { readonly repositoryName: string; readonly repositoryArn: string; readonly policy: unknown },
  exemptActions: readonly string[] = [],
): RepositoryWriters {
  const sensitive = ECR_ACTIONS.filter((a) => a.onRepository && isSensitive(a, exemptActions)).map(
    (a) => a.name,
  );
  const byKey = new Map<
    string,
    { principal: string; kind: WriterKind; actions: Set<string>; path: string[] }
  >();
  const add = (principal: string, kind: WriterKind, actions: readonly string[], path: readonly string[]) => {
    const key = `${kind}|${principal}`;
    const entry = byKey.get(key) ?? { principal, kind, actions: new Set<string>(), path: [...path] };
    for (const action of actions) entry.actions.add(action);
    byKey.set(key, entry);
  };
  // Identity grants on this repository's ARN.
  const direct = new Map<string, string[]>();
  for (const arn of graph.principalArns()) {
    const actions = sensitive.filter((action) => graph.allowsOn(arn, action, repository.repositoryArn));
    if (actions.length > 0) direct.set(arn, actions);
  }
  for (const [arn, actions] of direct) {
    const principal = graph.principal(arn);
    if (principal === undefined) continue;
    add(arn, principal.type, actions, [
      `${principal.type} ${principal.name}: its own policies grant them on ${repository.repositoryName}`,
    ]);
    // Everyone who can act as it, and the doors that let them in.
    for (const path of graph.pathsTo(arn)) {
      const first = path[0];
      if (first === undefined) continue;
      const from = graph.principal(first.from);
      if (from === undefined) continue;
      add(first.from, from.type, actions, [
        ...path.map((edge) => graph.describe(edge)),
        `${principal.type} ${principal.name} writes`,
      ]);
    }
    for (const writer of [arn, ...graph.reachers(arn)]) {
      for (const door of graph.doorsOf(writer)) {
        const who = doorWriter(door);
        if (who === undefined) continue;
        const role = graph.principal(writer);
        add(who.principal, who.kind, actions, [
          `trust ${describeStatement(door.statement)} of role ${role?.name ?? writer}: ${door.reason}`,
          ...(writer === arn
            ? []
            : [`role ${role?.name ?? writer} can act as ${principal.type} ${principal.name}`]),
          `${principal.type} ${principal.name} writes`,
        ]);
      }
    }
  }
  // Grants of the repository policy.
  const text =
    typeof repository.policy === "string" ? decodePolicyText(repository.policy) : repository.policy;
  if (text !== null && text !== undefined && !(typeof text === "object" && Object.keys(text).length === 0)) {
    const document = parsePolicyDocument(text, "resource");
    for (const statement of document.statements) {
      if (statement.effect !== "Allow") continue;
      const actions = sensitive.filter((action) => actionElementCovers(statement.action, action));
      if (actions.length === 0) continue;
      const where = `repository policy ${describeStatement({ document: "policy", index: statement.index, ...(statement.sid === undefined ? {} : { sid: statement.sid }) })}`;
      const values =
        statement.principal?.kind === "NotPrincipal"
          ? [{ type: "*" as const }]
          : (statement.principal?.values ?? []);
      for (const value of values) {
        const principal = classifyPrincipal(value);
        switch (principal.type) {
          case "public":
            add("*", "public", actions, [
              `${where} admits everyone${statement.conditions.length > 0 ? " (under conditions)" : ""}`,
            ]);
            break;
          case "account":
            if (principal.arn !== undefined) {
              const kind: WriterKind = /:user\//u.test(principal.arn) ? "user" : "role";
              add(principal.arn, kind, actions, [`${where} names it`]);
            } else {
              add(principal.account, "external-account", actions, [`${where} admits the account`]);
            }
            break;
          case "service":
            add(principal.service, "service", actions, [`${where} admits the service`]);
            break;
          case "untrusted":
            add(principal.value, "public", actions, [`${where} admits ${principal.text}`]);
            break;
          case "deleted":
            break;
        }
      }
    }
  }
  const writers = [...byKey.values()]
    .map((w) => ({ principal: w.principal, kind: w.kind, actions: [...w.actions].sort(), path: w.path }))
    .sort((a, b) => `${a.kind}|${a.principal}`.localeCompare(`${b.kind}|${b.principal}`));
  return { repositoryName: repository.repositoryName, repositoryArn: repository.repositoryArn, writers };
}
