/**
 * Trust policy analysis (docs/policy-semantics.md#trust-policies): who a role's `AssumeRolePolicyDocument`
 * lets act as the role. Each Allow statement whose actions cover `sts:AssumeRole`,
 * `sts:AssumeRoleWithWebIdentity` or `sts:AssumeRoleWithSAML` opens a door per principal it names, narrowed
 * by its own conditions and by the policy's Deny statements the way resource policies are (`narrowing.ts`);
 * a web-identity door is trusted only when a condition pins the token to one tenant of its provider.
 */
import { assertNever } from "../assert-never.js";
import { actionElementCovers } from "./actions.js";
import { splitOperator } from "./conditions.js";
import { asciiLower, globMatches } from "./glob.js";
import { globIncludes } from "./glob-inclusion.js";
import type { StatementRef } from "./identity.js";
import { allowNarrowing, denyShape, describeValue, type Narrowing, type NarrowValue } from "./narrowing.js";
import { type ConditionEntry, type PolicyDocument, parsePolicyDocument, type Statement } from "./parse.js";
import { classifyPrincipal } from "./principals.js";

/** The actions that let a principal act as a role. */
export const DOOR_ACTIONS = [
  "sts:AssumeRole",
  "sts:AssumeRoleWithWebIdentity",
  "sts:AssumeRoleWithSAML",
] as const;
export type DoorAction = (typeof DOOR_ACTIONS)[number];

export const DOOR_KINDS = [
  "owner-account",
  "owner-principal",
  "external-account",
  "public",
  "service",
  "saml",
  "web-identity",
  "untrusted-principal",
  "deleted-principal",
] as const;
/** Who a door admits (docs/policy-semantics.md#doors). */
export type DoorKind = (typeof DOOR_KINDS)[number];

/** The identity-provider families whose tokens are told apart by their pinning claims. */
export type ProviderFamily =
  | "github"
  | "gitlab"
  | "terraform"
  | "buildkite"
  | "circleci"
  | "bitbucket"
  | "eks"
  | "cognito"
  | "google"
  | "facebook"
  | "amazon"
  | "other";

/** One principal of one statement, and whether letting it in is trusted. */
export interface Door {
  readonly statement: StatementRef;
  readonly kind: DoorKind;
  /** The principal as written (`*` for `Principal: "*"`, `NotPrincipal` for an Allow with NotPrincipal). */
  readonly principal: string;
  /** The door actions the statement allows (after Deny statements). */
  readonly actions: readonly DoorAction[];
  readonly trusted: boolean;
  /** The statement has conditions (the door opens only when they hold). */
  readonly conditional: boolean;
  /** One sentence a person can act on. */
  readonly reason: string;
  /** The account the door admits (owner or external doors). */
  readonly account?: string;
  /** Web identities: the provider (`token.actions.githubusercontent.com`), its family, whether bounded. */
  readonly provider?: string;
  readonly family?: ProviderFamily;
  readonly bounded?: boolean;
  /** The statement's conditions can never hold for this principal's requests: it admits no one. */
  readonly admitsNoOne?: boolean;
  /** The pinning values that bound a web identity, or the narrowing values of a narrowed door. */
  readonly pins?: readonly string[];
  /** Every narrowing (principal-side keys and Deny perimeters) of the door's statement, for reach. */
  readonly narrowings?: readonly Narrowing[];
}

export interface TrustSettings {
  readonly trustedAccountIds?: readonly string[];
  readonly trustedOrganizationIds?: readonly string[];
  /** Globs over `sub` values, or `KEY=GLOB` for another pinning claim. */
  readonly trustedOidcSubjects?: readonly string[];
}

export interface TrustPolicyInput {
  /** The trust policy: an object, JSON text, or URL-encoded JSON text (as IAM and Config deliver it). */
  readonly policy: unknown;
  /** The account that owns the role. */
  readonly owner: string;
  readonly partition?: string;
  readonly trust?: TrustSettings;
}

export interface TrustAnalysis {
  readonly doors: readonly Door[];
  /** The doors that are not trusted: any of them makes a writer role NON_COMPLIANT. */
  readonly openDoors: readonly Door[];
  readonly open: boolean;
}

const NAMED_PROVIDERS: ReadonlyMap<string, ProviderFamily> = new Map([
  ["cognito-identity.amazonaws.com", "cognito"],
  ["accounts.google.com", "google"],
  ["graph.facebook.com", "facebook"],
  ["www.amazon.com", "amazon"],
]);

/** The claims each family issues, where they are known (a positive entry on any other claim never holds). */
const ISSUED: Partial<Record<ProviderFamily, ReadonlySet<string>>> = {
  github: new Set(
    "sub aud iss actor actor_id base_ref enterprise enterprise_id environment event_name head_ref job_workflow_ref job_workflow_sha ref ref_protected ref_type repository repository_id repository_owner repository_owner_id repository_visibility run_attempt run_id run_number runner_environment sha workflow workflow_ref workflow_sha".split(
      " ",
    ),
  ),
  gitlab: new Set(
    "sub aud iss namespace_id namespace_path project_id project_path user_id user_login user_email user_access_level pipeline_id pipeline_source job_id ref ref_type ref_path ref_protected environment environment_protected deployment_tier runner_id runner_environment sha ci_config_ref_uri ci_config_sha project_visibility".split(
      " ",
    ),
  ),
  eks: new Set(["sub", "aud", "amr"]),
  cognito: new Set(["aud", "amr", "sub"]),
  google: new Set(["aud", "oaud", "sub", "azp"]),
  facebook: new Set(["app_id", "id"]),
  amazon: new Set(["app_id", "user_id"]),
};

/** The principal-side narrowing keys that may make an external or public door trusted. */
const PRINCIPAL_KEYS = new Set([
  "aws:principalorgid",
  "aws:principalorgpaths",
  "aws:principalaccount",
  "aws:principalarn",
]);

const PINNING_OPERATORS = new Set(["stringequals", "stringequalsignorecase", "stringlike"]);

function refOf(statement: Statement): StatementRef {
  return {
    document: "trust policy",
    index: statement.index,
    ...(statement.sid === undefined ? {} : { sid: statement.sid }),
  };
}

function everyoneIsPrincipal(statement: Statement): boolean {
  const principal = statement.principal;
  return (
    principal?.kind === "Principal" &&
    principal.values.some((value) => !("value" in value) || (value.type === "AWS" && value.value === "*"))
  );
}

/** The family of an OIDC provider, from its host and path (and, for GitLab, the subject's shape). */
export function providerFamily(provider: string, subjects: readonly string[] = []): ProviderFamily {
  const lower = asciiLower(provider);
  const named = NAMED_PROVIDERS.get(lower);
  if (named !== undefined) return named;
  const [host = ""] = lower.split("/");
  if (
    host === "token.actions.githubusercontent.com" ||
    /^token\.actions\.[a-z0-9-]+\.ghe\.com$/u.test(host)
  ) {
    return "github";
  }
  if (lower.endsWith("/_services/token")) return "github";
  if (host === "app.terraform.io") return "terraform";
  if (host === "agent.buildkite.com") return "buildkite";
  if (/^oidc\.circleci\.com\/org\/[^/]+$/u.test(lower)) return "circleci";
  if (/^api\.bitbucket\.org\/2\.0\/workspaces\/[^/]+\/pipelines-config\/identity\/oidc$/u.test(lower)) {
    return "bitbucket";
  }
  if (/^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/id\/[a-z0-9]+$/u.test(lower)) return "eks";
  if (host === "gitlab.com" || subjects.some((s) => s.startsWith("project_path:"))) return "gitlab";
  return "other";
}

/** A condition key split into its prefix (`token.actions.githubusercontent.com`) and claim (`sub`). */
function splitKey(key: string): { prefix: string; claim: string } {
  const at = key.lastIndexOf(":");
  return at < 0
    ? { prefix: "", claim: asciiLower(key) }
    : { prefix: asciiLower(key.slice(0, at)), claim: asciiLower(key.slice(at + 1)) };
}

/** Whether an entry is false when its key is absent from the request (so a key never issued never holds). */
function failsWhenAbsent(entry: ConditionEntry): boolean {
  const { set, base } = splitOperator(entry.operator);
  if (set === "ForAllValues" || base.endsWith("ifexists") || base === "null") return false;
  return !base.includes("not");
}

/** The text a value certainly starts with, and whether it has a wildcard (only under StringLike). */
function literalHead(entry: ConditionEntry, value: string): { head: string; wild: boolean } {
  const { base } = splitOperator(entry.operator);
  if (base !== "stringlike") return { head: value, wild: false };
  const at = value.search(/[*?]/u);
  return at < 0 ? { head: value, wild: false } : { head: value.slice(0, at), wild: true };
}

const SUB_PINS: Partial<Record<ProviderFamily, RegExp>> = {
  github:
    /^(repo:[^:/@*?]+[/@]|repository_owner:[^:*?]+:|repository_owner_id:[^:*?]+:|repository:[^/:*?]+\/|repository_id:[^:*?]+:)/u,
  gitlab: /^project_path:[^/:*?]+\//u,
  terraform: /^organization:[^:*?]+:/u,
  buildkite: /^organization:[^:*?]+:/u,
  eks: /^system:serviceaccount:[^:*?]+:/u,
};

/** Claims (besides `sub`) whose literal value pins, per family; and claims whose value must start `OWNER/`. */
const LITERAL_PINS: Partial<Record<ProviderFamily, ReadonlySet<string>>> = {
  github: new Set(["repository_id", "repository_owner_id", "enterprise_id"]),
  gitlab: new Set(["namespace_id", "project_id"]),
  google: new Set(["sub"]),
  facebook: new Set(["id"]),
  amazon: new Set(["user_id"]),
  other: new Set(["sub"]),
};

/** Whether one value of a pinning entry on `claim` pins a token of `family` to one tenant. */
function valuePins(family: ProviderFamily, claim: string, entry: ConditionEntry, value: string): boolean {
  const { head, wild } = literalHead(entry, value);
  // Outside StringLike a `*` or `?` is the character itself: no real token carries it, so no one gets in.
  if (!wild && /[*?]/u.test(value)) return true;
  if (claim === "sub") {
    const pattern = SUB_PINS[family];
    if (pattern !== undefined) return pattern.test(head);
  }
  if (family === "github" && claim === "repository") return /^[^/*?]+\//u.test(head);
  return (LITERAL_PINS[family]?.has(claim) ?? false) && !wild && value !== "";
}

/** `trustedOidcSubjects` as patterns per claim (a bare glob is a `sub` pattern). */
function subjectPatterns(entries: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const entry of entries) {
    const at = entry.indexOf("=");
    const [claim, glob] =
      at > 0 && !entry.slice(0, at).includes(":")
        ? [asciiLower(entry.slice(0, at)), entry.slice(at + 1)]
        : ["sub", entry];
    out.set(claim, [...(out.get(claim) ?? []), glob]);
  }
  return out;
}

interface Bound {
  readonly bounded: boolean;
  readonly admitsNoOne: boolean;
  readonly pins: readonly string[];
  readonly reason: string;
}

/** Whether a web-identity principal of `provider` is bounded by the statement's conditions. */
function webIdentityBound(
  provider: string,
  statement: Statement,
  patterns: ReadonlyMap<string, readonly string[]>,
): Bound & { family: ProviderFamily } {
  const own = asciiLower(provider);
  const entries = statement.conditions.map((entry) => ({ entry, ...splitKey(entry.key) }));
  const subjects = entries
    .filter((e) => e.prefix === own && e.claim === "sub")
    .flatMap((e) => e.entry.values);
  const family = providerFamily(provider, subjects);
  const issued = ISSUED[family];
  for (const { entry, prefix, claim } of entries) {
    if (!failsWhenAbsent(entry)) continue;
    // Entries combine with AND: another provider's claim, even one named in the same statement, is absent
    // from this provider's tokens.
    const foreign = prefix !== own && (prefix.includes(".") || prefix.includes("/"));
    const unissued = prefix === own && issued !== undefined && !issued.has(claim);
    if (foreign || unissued) {
      return {
        family,
        bounded: true,
        admitsNoOne: true,
        pins: [],
        reason: `its condition ${entry.operator} ${entry.key} reads a claim ${provider} tokens never carry, so it can never hold: the statement admits no one`,
      };
    }
  }
  if (family === "circleci" || family === "bitbucket") {
    return {
      family,
      bounded: true,
      admitsNoOne: false,
      pins: [provider],
      reason: `the ${provider} issuer belongs to one tenant`,
    };
  }
  const ownEntries = entries.filter((e) => e.prefix === own);
  const pinning = ownEntries.filter(({ entry }) => {
    const { base } = splitOperator(entry.operator);
    return PINNING_OPERATORS.has(base) && splitOperator(entry.operator).set !== "ForAllValues";
  });
  // trustedOidcSubjects: an entry on a claim it names must stay inside its patterns.
  for (const { entry, claim } of pinning) {
    const allowed = patterns.get(claim);
    if (allowed === undefined) continue;
    for (const value of entry.values) {
      // A wildcard value (StringLike) must be included in a pattern; a literal one matched by it.
      const contained = allowed.some((pattern) =>
        literalHead(entry, value).wild ? globIncludes(pattern, value) : globMatches(pattern, value),
      );
      if (!contained) {
        return {
          family,
          bounded: false,
          admitsNoOne: false,
          pins: [],
          reason: `${entry.key} admits ${JSON.stringify(value)}, which no trustedOidcSubjects pattern for ${claim} contains`,
        };
      }
    }
  }
  if (family === "cognito") {
    const aud = pinning.find(
      ({ entry, claim }) =>
        claim === "aud" && entry.values.every((v) => !literalHead(entry, v).wild && v !== ""),
    );
    const amr = pinning.find(
      ({ entry, claim }) => claim === "amr" && entry.values.every((v) => v === "authenticated"),
    );
    if (aud !== undefined && amr !== undefined) {
      return {
        family,
        bounded: true,
        admitsNoOne: false,
        pins: [...aud.entry.values],
        reason: "pinned to identity pools and their authenticated identities",
      };
    }
    return {
      family,
      bounded: false,
      admitsNoOne: false,
      pins: [],
      reason:
        aud === undefined
          ? "no cognito-identity.amazonaws.com:aud condition names the identity pool"
          : 'no cognito-identity.amazonaws.com:amr condition requires "authenticated": the pool\'s guests get in',
    };
  }
  const pins = pinning.find(
    ({ entry, claim }) =>
      entry.values.length > 0 && entry.values.every((value) => valuePins(family, claim, entry, value)),
  );
  if (pins !== undefined) {
    return {
      family,
      bounded: true,
      admitsNoOne: false,
      pins: [...pins.entry.values],
      reason: `pinned by ${pins.entry.key}`,
    };
  }
  return {
    family,
    bounded: false,
    admitsNoOne: false,
    pins: [],
    reason: unboundedReason(
      family,
      provider,
      ownEntries.map((e) => e.entry),
    ),
  };
}

/** How annotations name a provider family. */
export const FAMILY_LABELS: Readonly<Record<ProviderFamily, string>> = {
  github: "GitHub Actions",
  gitlab: "GitLab",
  terraform: "HCP Terraform",
  buildkite: "Buildkite",
  circleci: "CircleCI",
  bitbucket: "Bitbucket Pipelines",
  eks: "EKS service account",
  cognito: "Cognito",
  google: "Google",
  facebook: "Facebook",
  amazon: "Login with Amazon",
  other: "OIDC",
};

const PIN_EXAMPLES: Readonly<Record<ProviderFamily, readonly [claim: string, example: string]>> = {
  github: ["sub", "repo:OWNER/REPO:ref:refs/heads/main"],
  gitlab: ["sub", "project_path:GROUP/PROJECT:ref_type:branch:ref:main"],
  terraform: ["sub", "organization:ORG:project:PROJECT:workspace:WORKSPACE:run_phase:apply"],
  buildkite: ["sub", "organization:ORG:pipeline:PIPELINE:ref:refs/heads/main:commit:*:step:*"],
  circleci: ["sub", "org/ORG-ID/project/PROJECT-ID/user/*"],
  bitbucket: ["sub", "{REPOSITORY-UUID}:*"],
  eks: ["sub", "system:serviceaccount:NAMESPACE:SERVICE-ACCOUNT"],
  cognito: ["amr", "authenticated"],
  google: ["sub", "the Google account's id"],
  facebook: ["id", "the user's id"],
  amazon: ["user_id", "the user's id"],
  other: ["sub", "one subject, without wildcards"],
};

function unboundedReason(
  family: ProviderFamily,
  provider: string,
  entries: readonly ConditionEntry[],
): string {
  const [claim, example] = PIN_EXAMPLES[family];
  const weak = entries.length > 0 ? "its conditions pin no single tenant" : "no condition on the token";
  return `any ${FAMILY_LABELS[family]} token can assume it (${weak}); add a ${provider}:${claim} condition such as ${example}`;
}

function describeValues(values: readonly NarrowValue[]): string[] {
  return values.map(describeValue);
}

class TrustJudge {
  private readonly accounts: Set<string>;
  private readonly organizations: Set<string>;
  readonly patterns: ReadonlyMap<string, readonly string[]>;

  constructor(
    readonly owner: string,
    readonly partition: string,
    trust: TrustSettings,
  ) {
    this.accounts = new Set([owner, ...(trust.trustedAccountIds ?? [])]);
    this.organizations = new Set(trust.trustedOrganizationIds ?? []);
    this.patterns = subjectPatterns(trust.trustedOidcSubjects ?? []);
  }

  trustsValue(value: NarrowValue): boolean {
    switch (value.type) {
      case "account":
      case "principal-arn":
        return this.accounts.has(value.account);
      case "organization":
        return this.organizations.has(value.organization);
      case "vpce":
        return false;
      case "owner-organization":
        return true;
      default:
        return assertNever(value, "value");
    }
  }

  trustsAll(narrowing: Narrowing): boolean {
    return narrowing.values.length > 0 && narrowing.values.every((value) => this.trustsValue(value));
  }

  trustsAccount(account: string): boolean {
    return this.accounts.has(account);
  }
}

const FEDERATED_ARN = /^arn:[a-z-]+:iam::(\d{12}):(oidc-provider|saml-provider)\/(.+)$/u;

function doorsOf(
  statement: Statement,
  actions: readonly DoorAction[],
  narrowings: readonly Narrowing[],
  judge: TrustJudge,
): Door[] {
  const ref = refOf(statement);
  const conditional = statement.conditions.length > 0;
  const trustedNarrowing = narrowings.find((n) => judge.trustsAll(n));
  const narrowedTo = trustedNarrowing === undefined ? {} : { pins: describeValues(trustedNarrowing.values) };
  const base = { statement: ref, actions, conditional, ...(narrowings.length > 0 ? { narrowings } : {}) };
  const notTrustedNarrowing =
    narrowings.length > 0
      ? `its conditions narrow it to ${narrowings.flatMap((n) => describeValues(n.values)).join(", ")}, which are not all trusted`
      : "no condition narrows it to trusted accounts or organizations";
  if (statement.principal?.kind === "NotPrincipal") {
    return [
      {
        ...base,
        kind: "public",
        principal: "*",
        trusted: trustedNarrowing !== undefined,
        ...narrowedTo,
        reason:
          trustedNarrowing !== undefined
            ? "Allow with NotPrincipal admits everyone else, narrowed to trusted values"
            : `Allow with NotPrincipal admits everyone else: ${notTrustedNarrowing}`,
      },
    ];
  }
  const values = statement.principal?.values ?? [];
  return values.map((value): Door => {
    if (
      !("value" in value) ||
      (value.type === "AWS" && value.value === "*") ||
      (value.type === "Federated" && value.value === "*")
    ) {
      const principal = "value" in value ? value.value : "*";
      const narrowable = !("value" in value) || value.type === "AWS";
      const trusted = narrowable && trustedNarrowing !== undefined;
      return {
        ...base,
        kind: "public",
        principal,
        trusted,
        ...(trusted ? narrowedTo : {}),
        reason: trusted
          ? `Principal ${principal} is narrowed to trusted values (${narrowedTo.pins?.join(", ")})`
          : `Principal ${principal} admits anyone: ${narrowable ? notTrustedNarrowing : "any identity provider's users"}`,
      };
    }
    const text = value.value;
    if (value.type === "AWS") {
      const principal = classifyPrincipal(value);
      switch (principal.type) {
        case "public":
          return {
            ...base,
            kind: "public",
            principal: text,
            trusted: trustedNarrowing !== undefined,
            ...narrowedTo,
            reason:
              trustedNarrowing !== undefined
                ? `${text} is narrowed to trusted values`
                : `${text} admits every account: ${notTrustedNarrowing}`,
          };
        case "deleted":
          return {
            ...base,
            kind: "deleted-principal",
            principal: text,
            trusted: true,
            reason: `${text} is the unique id of a deleted principal: it admits no one; remove it`,
          };
        case "untrusted":
          return {
            ...base,
            kind: "untrusted-principal",
            principal: text,
            trusted: false,
            reason: `${text} is not an account, a principal ARN or a service`,
          };
        case "service":
          return {
            ...base,
            kind: "untrusted-principal",
            principal: text,
            trusted: false,
            reason: `${text} is not an account or a principal ARN`,
          };
        case "account": {
          if (principal.account === judge.owner) {
            return principal.arn === undefined
              ? {
                  ...base,
                  kind: "owner-account",
                  principal: text,
                  account: principal.account,
                  trusted: true,
                  reason: "the account's own root: IAM policies decide who may assume the role",
                }
              : {
                  ...base,
                  kind: "owner-principal",
                  principal: text,
                  account: principal.account,
                  trusted: true,
                  reason: `${text} of the account itself`,
                };
          }
          const trusted = judge.trustsAccount(principal.account) || trustedNarrowing !== undefined;
          return {
            ...base,
            kind: "external-account",
            principal: text,
            account: principal.account,
            trusted,
            ...(judge.trustsAccount(principal.account) ? {} : narrowedTo),
            reason: trusted
              ? `account ${principal.account} is trusted`
              : `account ${principal.account} is not trusted: list it in trustedAccountIds, or narrow the statement with aws:PrincipalOrgID to a trusted organization (sts:ExternalId does not make it trusted)`,
          };
        }
        default:
          return assertNever(principal, "principal");
      }
    }
    if (value.type === "Service") {
      const principal = classifyPrincipal(value);
      return principal.type === "service"
        ? {
            ...base,
            kind: "service",
            principal: text,
            trusted: true,
            reason: `the service ${text} acts as the role for whoever passes it the role or launches it`,
          }
        : {
            ...base,
            kind: "untrusted-principal",
            principal: text,
            trusted: false,
            reason: `${text} is not a service principal`,
          };
    }
    if (value.type === "Federated") {
      const arn = FEDERATED_ARN.exec(text);
      const account = arn?.[1];
      const providerKind = arn?.[2];
      const provider = arn === null ? text : (arn[3] ?? "");
      const named = NAMED_PROVIDERS.has(asciiLower(text));
      if (arn === null && !named) {
        return {
          ...base,
          kind: "untrusted-principal",
          principal: text,
          trusted: false,
          reason: `${text} is not an identity provider ARN or a known provider`,
        };
      }
      if (account !== undefined && account !== judge.owner) {
        const trusted = judge.trustsAccount(account);
        return {
          ...base,
          kind: "external-account",
          principal: text,
          account,
          trusted,
          reason: trusted
            ? `the identity provider of trusted account ${account}`
            : `an identity provider of account ${account}, which is not trusted`,
        };
      }
      if (providerKind === "saml-provider") {
        const usable = actions.includes("sts:AssumeRoleWithSAML");
        return {
          ...base,
          kind: "saml",
          principal: text,
          trusted: true,
          ...(usable ? {} : { admitsNoOne: true }),
          provider,
          reason: usable
            ? `the personnel of the SAML provider ${provider}`
            : `the SAML provider ${provider} cannot use a statement without sts:AssumeRoleWithSAML: it admits no one`,
        };
      }
      if (!actions.includes("sts:AssumeRoleWithWebIdentity")) {
        return {
          ...base,
          kind: "web-identity",
          principal: text,
          trusted: true,
          bounded: true,
          admitsNoOne: true,
          provider,
          reason: `${provider} cannot use a statement without sts:AssumeRoleWithWebIdentity: it admits no one`,
        };
      }
      const bound = webIdentityBound(provider, statement, judge.patterns);
      return {
        ...base,
        kind: "web-identity",
        principal: text,
        provider,
        family: bound.family,
        trusted: bound.bounded,
        bounded: bound.bounded,
        ...(bound.admitsNoOne ? { admitsNoOne: true } : {}),
        ...(bound.pins.length > 0 ? { pins: bound.pins } : {}),
        reason: bound.reason,
      };
    }
    return {
      ...base,
      kind: "untrusted-principal",
      principal: text,
      trusted: false,
      reason: `a ${value.type} principal (${text}) is not an account, a service or an identity provider`,
    };
  });
}

/**
 * Analyses a role's trust policy: every door it opens, and those that are not trusted. Throws
 * `PolicyParseError` for malformed text.
 *
 * @example
 * analyzeTrustPolicy({
 *   policy: { Statement: [{ Effect: "Allow", Principal: { Federated: "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }, Action: "sts:AssumeRoleWithWebIdentity" }] },
 *   owner: "111122223333",
 * }).open; // true: any GitHub repository may assume it
 */
export function analyzeTrustPolicy(input: TrustPolicyInput): TrustAnalysis {
  const document: PolicyDocument = parsePolicyDocument(input.policy, "resource");
  const judge = new TrustJudge(input.owner, input.partition ?? "aws", input.trust ?? {});
  const context = { owner: input.owner, trustedVpceIds: [] };
  const removed = new Set<DoorAction>();
  const perimeters: Array<{ statement: Statement; narrowing: Narrowing | undefined; denied: boolean }> = [];
  for (const statement of document.statements) {
    if (statement.effect !== "Deny" || !everyoneIsPrincipal(statement)) continue;
    const shape = denyShape(statement.conditions, context);
    if (shape.type === "unconditional") {
      for (const action of DOOR_ACTIONS)
        if (actionElementCovers(statement.action, action)) removed.add(action);
    } else if (shape.type === "perimeter") {
      const effect = shape.principals;
      perimeters.push({
        statement,
        narrowing: effect.type === "narrowed" ? effect.narrowing : undefined,
        denied: effect.type === "denied",
      });
    }
  }
  const doors: Door[] = [];
  for (const statement of document.statements) {
    if (statement.effect !== "Allow") continue;
    const actions = DOOR_ACTIONS.filter((a) => actionElementCovers(statement.action, a) && !removed.has(a));
    if (actions.length === 0) continue;
    const own = statement.conditions
      .filter((entry) => PRINCIPAL_KEYS.has(asciiLower(entry.key)))
      .map((entry) => allowNarrowing(entry, context))
      .filter((n): n is Narrowing => n !== undefined);
    const applicable = perimeters.filter((p) =>
      actions.some((a) => actionElementCovers(p.statement.action, a)),
    );
    const fromPerimeters = applicable.flatMap((p) => (p.narrowing === undefined ? [] : [p.narrowing]));
    doors.push(...doorsOf(statement, actions, [...own, ...fromPerimeters], judge));
  }
  const openDoors = doors.filter((door) => !door.trusted);
  return { doors, openDoors, open: openDoors.length > 0 };
}
