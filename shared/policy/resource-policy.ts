/**
 * Resource policy analysis (docs/policy-semantics.md#resource-policy-analysis): who each Allow statement of a repository or registry policy admits,
 * after narrowing conditions and data-perimeter Deny statements, and the findings that make it
 * NON_COMPLIANT.
 */
import { assertNever } from "../assert-never.js";
import { actionElementCovers } from "./actions.js";
import { ECR_ACTIONS, isSensitive } from "./catalogue.js";
import type { EcrActionInfo } from "./catalogue-types.js";
import { asciiLower, globContains } from "./glob.js";
import type { StatementRef } from "./identity.js";
import {
  allowNarrowing,
  type DenyShape,
  denyShape,
  describeValue,
  excludesServices,
  type Narrowing,
  type NarrowingContext,
  type NarrowValue,
  narrowsServices,
  SOURCE_GUARD_KEYS,
} from "./narrowing.js";
import { decodePolicyText, type PolicyDocument, parsePolicyDocument, type Statement } from "./parse.js";
import { classifyPrincipal, type PrincipalClass } from "./principals.js";
import { CoverageBudget, matchesLiteralStar, repositoryCoverage } from "./repository-coverage.js";

/** The trust parameters of the resource-policy rule, already validated. */
export interface TrustParameters {
  readonly trustedAccountIds?: readonly string[];
  readonly trustedOrganizationIds?: readonly string[];
  readonly trustedVpceIds?: readonly string[];
  /** Globs over principal ARNs; when empty or absent the check is off. */
  readonly authorizedPrincipalArns?: readonly string[];
  readonly exemptActions?: readonly string[];
}

export type ResourcePolicyKind = "repository" | "registry";

export interface ResourcePolicyInput {
  /** `RepositoryPolicyText` or the registry policy: an object, JSON text, URL-encoded JSON text, `{}`, `""` or absent. */
  readonly policy: unknown;
  /** The account that owns the repository or registry. */
  readonly owner: string;
  readonly partition?: string;
  readonly kind: ResourcePolicyKind;
  readonly trust?: TrustParameters;
}

export const FINDING_KINDS = [
  "public",
  "untrusted-account",
  "untrusted-organization",
  "untrusted-principal",
  "unguarded-service",
  "unauthorized-principal",
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

interface FindingBase {
  readonly statement: StatementRef;
  /** The ECR actions the statement admits to it (for the sensitive-action kinds: the sensitive ones). */
  readonly actions: readonly string[];
  /** One sentence: why this is a finding. */
  readonly reason: string;
}

/** Why a resource policy is NON_COMPLIANT: one entry per (kind, subject, statement). */
export type ResourceFinding =
  | (FindingBase & { readonly kind: "public" })
  | (FindingBase & { readonly kind: "untrusted-account"; readonly account: string })
  | (FindingBase & { readonly kind: "untrusted-organization"; readonly organization: string })
  | (FindingBase & { readonly kind: "untrusted-principal"; readonly principal: string })
  | (FindingBase & { readonly kind: "unguarded-service"; readonly service: string })
  | (FindingBase & { readonly kind: "unauthorized-principal"; readonly principal: string });

export type ResourcePolicyVerdict =
  | { readonly compliance: "COMPLIANT"; readonly reason: "no-policy" | "trusted" }
  | {
      readonly compliance: "NON_COMPLIANT";
      readonly findings: readonly [ResourceFinding, ...ResourceFinding[]];
    };

export interface ResourcePolicyAnalysis {
  readonly verdict: ResourcePolicyVerdict;
  /** Every finding (empty when COMPLIANT). */
  readonly findings: readonly ResourceFinding[];
  /** Unique ids of deleted principals the policy still names (they admit no one). */
  readonly deletedPrincipalIds: readonly string[];
}

function isEmptyPolicy(policy: unknown): boolean {
  if (policy === undefined || policy === null) return true;
  if (typeof policy === "string") {
    if (policy.trim() === "") return true;
    return isEmptyPolicy(decodePolicyText(policy));
  }
  return typeof policy === "object" && !Array.isArray(policy) && Object.keys(policy).length === 0;
}

function refOf(statement: Statement): StatementRef {
  return {
    document: "policy",
    index: statement.index,
    ...(statement.sid === undefined ? {} : { sid: statement.sid }),
  };
}

/** `Principal: "*"` or `{"AWS": "*"}`: what a subtracting or perimeter Deny must name. */
function everyoneIsPrincipal(statement: Statement): boolean {
  const principal = statement.principal;
  return (
    principal?.kind === "Principal" &&
    principal.values.some((value) => !("value" in value) || (value.type === "AWS" && value.value === "*"))
  );
}

/** Whether an Allow statement's principal is everyone (`"*"`, `{"AWS": "*"}`) or a `NotPrincipal`. */
function admitsEveryone(statement: Statement): boolean {
  return statement.principal?.kind === "NotPrincipal" || everyoneIsPrincipal(statement);
}

/** A Deny applies to the whole resource unless its Resource element names only part of it. */
function denyCoversResource(statement: Statement, partition: string, budget: CoverageBudget): boolean {
  const resource = statement.resource;
  if (resource === undefined) return true;
  if (resource.kind === "NotResource") return false;
  return (
    matchesLiteralStar(resource.values, "deny") ||
    repositoryCoverage(resource.values, partition, budget).coversAllEverywhere
  );
}

interface Perimeter {
  readonly statement: Statement;
  readonly shape: Extract<DenyShape, { type: "perimeter" }>;
}

/** A finding before its actions are gathered. */
type FindingDraft = ResourceFinding extends infer F
  ? F extends ResourceFinding
    ? Omit<F, "actions">
    : never
  : never;

class Findings {
  private readonly byKey = new Map<string, { finding: ResourceFinding; actions: string[] }>();

  add(finding: FindingDraft, action: string): void {
    const subject = Object.entries(finding)
      .filter(([k]) => k !== "statement" && k !== "reason")
      .map(([, v]) => (typeof v === "string" ? v : ""))
      .join("|");
    const key = `${finding.statement.index}|${subject}`;
    const existing = this.byKey.get(key);
    if (existing) {
      if (!existing.actions.includes(action)) existing.actions.push(action);
      return;
    }
    const actions = [action];
    this.byKey.set(key, { finding: { ...finding, actions }, actions });
  }

  list(): ResourceFinding[] {
    return [...this.byKey.values()].map(({ finding }) => finding);
  }
}

/** A narrowing on the source keys that guard a service against the confused deputy (every key of it). */
function isSourceGuard(narrowing: Narrowing): boolean {
  return narrowing.keys.every((key) => SOURCE_GUARD_KEYS.has(asciiLower(key)));
}

class Evaluator {
  private readonly trustedAccounts: Set<string>;
  private readonly trustedOrganizations: Set<string>;
  private readonly authorized: readonly string[];
  private readonly exempt: readonly string[];
  readonly context: NarrowingContext;

  constructor(owner: string, trust: TrustParameters) {
    this.trustedAccounts = new Set([owner, ...(trust.trustedAccountIds ?? [])]);
    this.trustedOrganizations = new Set(trust.trustedOrganizationIds ?? []);
    this.authorized = trust.authorizedPrincipalArns ?? [];
    this.exempt = trust.exemptActions ?? [];
    this.context = { owner, trustedVpceIds: trust.trustedVpceIds ?? [] };
  }

  sensitive(action: EcrActionInfo): boolean {
    return isSensitive(action, this.exempt);
  }

  isTrusted(value: NarrowValue): boolean {
    switch (value.type) {
      case "account":
      case "principal-arn":
        return this.trustedAccounts.has(value.account);
      case "organization":
        return this.trustedOrganizations.has(value.organization);
      case "owner-organization":
        return true;
      case "vpce":
        return true;
      default:
        return assertNever(value, "value");
    }
  }

  trustsAll(narrowing: Narrowing): boolean {
    return narrowing.values.every((value) => this.isTrusted(value));
  }

  trustsAccount(account: string): boolean {
    return this.trustedAccounts.has(account);
  }

  isAuthorizedArn(arn: string): boolean {
    // A narrowing aws:PrincipalArn value may itself be a glob: it is authorized only if a pattern covers
    // every ARN it admits.
    return this.authorized.length === 0 || this.authorized.some((pattern) => globContains(pattern, arn));
  }

  get checksPrincipalArns(): boolean {
    return this.authorized.length > 0;
  }
}

/** Reports the untrusted values of the narrowings that failed to make a statement trusted. */
function reportUntrustedNarrowing(
  findings: Findings,
  evaluator: Evaluator,
  narrowings: readonly Narrowing[],
  ref: StatementRef,
  action: string,
): void {
  for (const narrowing of narrowings) {
    for (const value of narrowing.values) {
      if (evaluator.isTrusted(value)) continue;
      const reason = `${narrowing.keys.join(" / ")} admits ${describeValue(value)}, which is not trusted`;
      if (value.type === "organization") {
        findings.add(
          { kind: "untrusted-organization", organization: value.organization, statement: ref, reason },
          action,
        );
      } else if (value.type === "account" || value.type === "principal-arn") {
        findings.add({ kind: "untrusted-account", account: value.account, statement: ref, reason }, action);
      }
    }
  }
}

function reportPrincipal(
  findings: Findings,
  principal: PrincipalClass,
  ref: StatementRef,
  action: string,
  notPrincipal: boolean,
): void {
  switch (principal.type) {
    case "public":
      findings.add(
        {
          kind: "public",
          statement: ref,
          reason: notPrincipal
            ? "Allow with NotPrincipal admits everyone else, with no narrowing condition"
            : `Principal ${principal.text} admits everyone, with no narrowing condition`,
        },
        action,
      );
      return;
    case "account":
      findings.add(
        {
          kind: "untrusted-account",
          account: principal.account,
          statement: ref,
          reason: `account ${principal.account} is not trusted`,
        },
        action,
      );
      return;
    case "untrusted":
      findings.add(
        {
          kind: "untrusted-principal",
          principal: principal.value,
          statement: ref,
          reason: `principal ${principal.text} is not an account, an account's principal or a service`,
        },
        action,
      );
      return;
    case "service":
    case "deleted":
      return;
    default:
      assertNever(principal, "principal");
  }
}

function evaluateStatement(
  statement: Statement,
  action: EcrActionInfo,
  perimeters: readonly Perimeter[],
  evaluator: Evaluator,
  findings: Findings,
): void {
  const ref = refOf(statement);
  const own = statement.conditions
    .map((entry) => allowNarrowing(entry, evaluator.context))
    .filter((n): n is Narrowing => n !== undefined);
  const applicable = perimeters.filter((p) => actionElementCovers(p.statement.action, action.name));
  /** The perimeters' narrowings for one class of requester, or `undefined` when one denies it outright. */
  const perimeterNarrowings = (side: "principals" | "services"): Narrowing[] | undefined => {
    const out: Narrowing[] = [];
    for (const perimeter of applicable) {
      const effect = perimeter.shape[side];
      if (effect.type === "denied") return undefined;
      if (effect.type === "narrowed") out.push(effect.narrowing);
    }
    return out;
  };
  const notPrincipal = statement.principal?.kind === "NotPrincipal";
  const principals: PrincipalClass[] = notPrincipal
    ? [{ type: "public", text: "NotPrincipal" }]
    : (statement.principal?.values ?? []).map(classifyPrincipal);
  const sensitive = evaluator.sensitive(action);

  /** A service principal the statement admits: narrowed by the source keys, or unguarded. */
  const judgeService = (service: string, narrowingsOwn: readonly Narrowing[], reason: string): void => {
    const fromPerimeters = perimeterNarrowings("services");
    if (fromPerimeters === undefined) return; // a perimeter denies services this action outright
    const narrowings = [...narrowingsOwn, ...fromPerimeters];
    if (narrowings.length > 0 && !narrowings.some((n) => evaluator.trustsAll(n))) {
      reportUntrustedNarrowing(findings, evaluator, narrowings, ref, action.name);
      return;
    }
    const guarded = narrowings.some((n) => isSourceGuard(n) && evaluator.trustsAll(n));
    if (sensitive && !guarded) {
      findings.add({ kind: "unguarded-service", service, statement: ref, reason }, action.name);
    }
  };
  const noGuard =
    "with no aws:SourceAccount, aws:SourceArn or aws:SourceOrgID condition naming a trusted value (confused deputy)";
  let everyoneReported = false;
  for (const principal of principals) {
    if (principal.type === "deleted") continue;
    if (principal.type === "service") {
      judgeService(principal.service, own, `service ${principal.service} may change images ${noGuard}`);
      continue;
    }
    const fromPerimeters = perimeterNarrowings("principals");
    if (fromPerimeters === undefined) continue; // a perimeter denies principals this action outright
    const narrowings = [...own, ...fromPerimeters];
    const principalTrusted = principal.type === "account" && evaluator.trustsAccount(principal.account);
    const narrowedToTrusted = narrowings.some((n) => evaluator.trustsAll(n));
    if (!principalTrusted && !narrowedToTrusted) {
      if (principal.type === "public") everyoneReported = true;
      if (narrowings.length > 0) reportUntrustedNarrowing(findings, evaluator, narrowings, ref, action.name);
      else reportPrincipal(findings, principal, ref, action.name, notPrincipal);
      continue;
    }
    if (!sensitive || !evaluator.checksPrincipalArns) continue;
    const arns: string[] = [];
    if (principal.type === "account" && principal.arn !== undefined) arns.push(principal.arn);
    for (const narrowing of narrowings) {
      for (const value of narrowing.values) {
        if (value.type === "principal-arn" && evaluator.isTrusted(value)) arns.push(value.arn);
      }
    }
    for (const arn of arns) {
      if (evaluator.isAuthorizedArn(arn)) continue;
      findings.add(
        {
          kind: "unauthorized-principal",
          principal: arn,
          statement: ref,
          reason: `${arn} matches no authorizedPrincipalArns pattern`,
        },
        action.name,
      );
    }
  }
  // Principal "*" (or {"AWS": "*"}, or NotPrincipal) admits AWS service principals too, unless the
  // statement's own conditions leave them out: when IAM principals are narrowed to trusted ones (or
  // denied), the services are judged on their own — a perimeter that exempts services leaves them
  // admitted, guarded only by source keys.
  if (admitsEveryone(statement) && !everyoneReported && !excludesServices(statement.conditions)) {
    judgeService(
      "*",
      own.filter(narrowsServices),
      `${notPrincipal ? "NotPrincipal" : 'Principal "*"'} admits every AWS service principal too, which may change images ${noGuard}`,
    );
  }
}

/**
 * Analyses a repository or registry policy. Throws `PolicyParseError` for malformed text.
 *
 * @example
 * const { verdict } = analyzeResourcePolicy({
 *   policy: { Statement: [{ Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage" }] },
 *   owner: "111122223333",
 *   kind: "repository",
 * });
 * verdict.compliance; // "NON_COMPLIANT" (public)
 */
export function analyzeResourcePolicy(input: ResourcePolicyInput): ResourcePolicyAnalysis {
  if (isEmptyPolicy(input.policy)) {
    return {
      verdict: { compliance: "COMPLIANT", reason: "no-policy" },
      findings: [],
      deletedPrincipalIds: [],
    };
  }
  const document: PolicyDocument = parsePolicyDocument(input.policy, "resource");
  const partition = input.partition ?? "aws";
  const evaluator = new Evaluator(input.owner, input.trust ?? {});

  const removals: Statement[] = [];
  const perimeters: Perimeter[] = [];
  const budget = new CoverageBudget();
  for (const statement of document.statements) {
    if (statement.effect !== "Deny" || !everyoneIsPrincipal(statement)) continue;
    if (!denyCoversResource(statement, partition, budget)) continue;
    const shape = denyShape(statement.conditions, evaluator.context);
    if (shape.type === "unconditional") removals.push(statement);
    else if (shape.type === "perimeter") perimeters.push({ statement, shape });
  }

  const findings = new Findings();
  const deleted = new Set<string>();
  for (const statement of document.statements) {
    if (statement.effect !== "Allow") continue;
    for (const value of statement.principal?.values ?? []) {
      const principal = classifyPrincipal(value);
      if (principal.type === "deleted") deleted.add(principal.id);
    }
    for (const action of ECR_ACTIONS) {
      if (!actionElementCovers(statement.action, action.name)) continue;
      if (removals.some((deny) => actionElementCovers(deny.action, action.name))) continue;
      evaluateStatement(statement, action, perimeters, evaluator, findings);
    }
  }

  const list = findings.list();
  const [first, ...rest] = list;
  const verdict: ResourcePolicyVerdict =
    first === undefined
      ? { compliance: "COMPLIANT", reason: "trusted" }
      : { compliance: "NON_COMPLIANT", findings: [first, ...rest] };
  return { verdict, findings: list, deletedPrincipalIds: [...deleted] };
}
