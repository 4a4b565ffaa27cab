/**
 * A principal's effective ECR access (docs/rules.md#ecr-iam-principal-write-authorized): its inline and
 * attached policies, for a user its groups' too, within its permissions boundary, and whether it can change
 * its own permissions. One implementation for every rule that asks whether a principal is a writer.
 */
import { isAwsManaged, type ManagedPolicyRecord, type PrincipalRecord } from "../account/iam.js";
import { type PrincipalFacts, principalNoun } from "../account/principal-facts.js";
import { readingAs, UnreadableInputError } from "../errors.js";
import { type Escalation, selfEscalations } from "./escalation.js";
import { type ActionGrant, analyzeIdentityPolicies, type LabelledPolicy } from "./identity.js";
import { type PolicyDocument, PolicyParseError, parsePolicyDocument } from "./parse.js";

export interface EffectiveAccess {
  /** The sensitive ECR actions it holds, with their scope and the statements that grant them. */
  readonly sensitive: readonly ActionGrant[];
  /** The ways it can change its own permissions (then it holds every sensitive action on all repositories). */
  readonly escalations: readonly Escalation[];
  /** ` Permissions boundary ignored (…).` when the boundary could not be read, else empty. */
  readonly boundaryNote: string;
  /** The identity policies, parsed (for questions beyond ECR: who it can act as). */
  readonly policies: readonly LabelledPolicy[];
  /** The permissions boundary, parsed; `undefined` when there is none or it could not be read. */
  readonly boundary: readonly LabelledPolicy[] | undefined;
}

/**
 * Parsed documents by the record that holds them (a managed policy, an inline policy entry): a managed
 * policy attached to many principals, or a principal judged by several rules, is parsed once. Records are
 * immutable; the cache entry remembers the document it was parsed from and is used only for that one.
 */
const parsedByHolder = new WeakMap<object, { readonly source: unknown; readonly parsed: PolicyDocument }>();

function parse(label: string, holder: { readonly document: unknown }): LabelledPolicy {
  const cached = parsedByHolder.get(holder);
  if (cached !== undefined && cached.source === holder.document) return { label, document: cached.parsed };
  const parsed = parsePolicyDocument(holder.document, "identity");
  parsedByHolder.set(holder, { source: holder.document, parsed });
  return { label, document: parsed };
}

/** Every identity policy of the principal; one that cannot be read makes the principal unreadable. */
function policiesOf(facts: PrincipalFacts): LabelledPolicy[] {
  const { principal, groups, managed } = facts;
  const noun = principalNoun(principal);
  const managedDoc = (prefix: string, name: string, arn: string): LabelledPolicy => {
    const record = managed.get(arn);
    if (record === undefined) {
      throw new UnreadableInputError("it does not exist in the account", {
        what: `${noun}: ${prefix}managed policy ${name} (${arn})`,
      });
    }
    return readingAs(`${noun}: ${prefix}managed policy ${name}`, () =>
      parse(`${prefix}managed policy ${name}`, record),
    );
  };
  const inline = (prefix: string, policy: { name: string; document: unknown }): LabelledPolicy =>
    readingAs(`${noun}: ${prefix}inline policy ${policy.name}`, () =>
      parse(`${prefix}inline policy ${policy.name}`, policy),
    );
  return [
    ...principal.inline.map((policy) => inline("", policy)),
    ...principal.attached.map((policy) => managedDoc("", policy.name, policy.arn)),
    ...groups.flatMap((group) => [
      ...group.inline.map((policy) => inline(`group ${group.name} `, policy)),
      ...group.attached.map((policy) => managedDoc(`group ${group.name} `, policy.name, policy.arn)),
    ]),
  ];
}

/**
 * The effective access of a principal. A policy that cannot be read throws an `UnreadableInputError`
 * naming it; a permissions boundary that cannot be read is ignored (never taken as granting nothing), and
 * `boundaryNote` says so.
 *
 * @example
 * const { sensitive, escalations } = effectiveAccess(facts, { accountId, partition, exemptActions: [] });
 */
export function effectiveAccess(facts: PrincipalFacts, options: AccessOptions): EffectiveAccess {
  const inputs = inputsOf(facts);
  const earlier = memo.get(facts.principal);
  const found = earlier?.find((entry) => sameInputs(entry, facts, inputs, options));
  if (found !== undefined) return found.access;
  const access = computeEffectiveAccess(facts, options);
  const entries = earlier ?? [];
  // A few entries per principal: the rules of one sweep, and the reach graph, ask with the same inputs.
  if (entries.length >= 4) entries.shift();
  entries.push({ groups: facts.groups, inputs, options, access });
  memo.set(facts.principal, entries);
  return access;
}

interface AccessOptions {
  readonly accountId: string;
  readonly partition: string;
  readonly exemptActions: readonly string[];
}

/**
 * Effective access by principal record (records are immutable): the reach graph and each rule of a sweep
 * ask about the same principal with the same groups and managed policies, and get the one answer computed
 * for them. An entry is used only when every input is the same object (or, for options, the same value).
 */
const memo = new WeakMap<
  PrincipalRecord,
  Array<{
    readonly groups: readonly PrincipalRecord[];
    readonly inputs: readonly (ManagedPolicyRecord | undefined)[];
    readonly options: AccessOptions;
    readonly access: EffectiveAccess;
  }>
>();

/** The managed policies the analysis reads, in the order it reads them. */
function inputsOf(facts: PrincipalFacts): Array<ManagedPolicyRecord | undefined> {
  const { principal, groups, managed } = facts;
  const out = principal.attached.map((policy) => managed.get(policy.arn));
  for (const group of groups) for (const policy of group.attached) out.push(managed.get(policy.arn));
  if (principal.boundaryArn !== undefined) out.push(managed.get(principal.boundaryArn));
  return out;
}

function sameInputs(
  entry: {
    readonly groups: readonly PrincipalRecord[];
    readonly inputs: readonly (ManagedPolicyRecord | undefined)[];
    readonly options: AccessOptions;
  },
  facts: PrincipalFacts,
  inputs: readonly (ManagedPolicyRecord | undefined)[],
  options: AccessOptions,
): boolean {
  const same = <T>(a: readonly T[], b: readonly T[]) =>
    a.length === b.length && a.every((x, i) => x === b[i]);
  return (
    entry.options.accountId === options.accountId &&
    entry.options.partition === options.partition &&
    same(entry.options.exemptActions, options.exemptActions) &&
    same(entry.groups, facts.groups) &&
    same(entry.inputs, inputs)
  );
}

function computeEffectiveAccess(facts: PrincipalFacts, options: AccessOptions): EffectiveAccess {
  const { principal } = facts;
  const policies = policiesOf(facts);
  let boundary: LabelledPolicy[] | undefined;
  let boundaryNote = "";
  if (principal.boundaryArn !== undefined) {
    const record = facts.managed.get(principal.boundaryArn);
    if (record === undefined) {
      boundaryNote = ` Permissions boundary ignored (${principal.boundaryArn} could not be found).`;
    } else {
      try {
        boundary = [parse(`boundary ${record.name}`, record)];
      } catch (error) {
        if (!(error instanceof PolicyParseError)) throw error;
        boundaryNote = ` Permissions boundary ignored (boundary ${record.name}: ${error.message}).`;
      }
    }
  }
  const analysis = analyzeIdentityPolicies(policies, {
    partition: options.partition,
    exemptActions: options.exemptActions,
    ...(boundary === undefined ? {} : { boundary }),
  });
  const escalations = selfEscalations(policies, boundary, {
    type: principal.type,
    arn: principal.arn,
    groupArns: facts.groups.map((group) => group.arn),
    attachedPolicyArns: [...principal.attached, ...facts.groups.flatMap((group) => group.attached)]
      .map((policy) => policy.arn)
      .filter((arn) => !isAwsManaged(arn)),
    accountId: options.accountId,
    partition: options.partition,
    id: principal.id,
  });
  return {
    sensitive: analysis.actions.filter((grant) => grant.sensitive),
    escalations,
    boundaryNote,
    policies,
    boundary,
  };
}
