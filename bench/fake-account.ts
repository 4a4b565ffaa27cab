/**
 * Serves a generated account snapshot through the local fake of AWS (test/support/fake-aws.ts), as IAM
 * and Config answer: `GetAccountAuthorizationDetails` in pages of `MaxItems` (at most 1,000) honouring
 * `Filter` and `Marker`; `GetPolicy` / `GetPolicyVersion` for every managed policy listed (the customer
 * managed ones, and the AWS managed ones the account uses); `PutEvaluations`, and
 * `GetComplianceDetailsByConfigRule` listing back what each rule put. Documents go out URL-encoded, as IAM sends them.
 */
import { awsError, escapeXml, type FakeAws, ok, xmlResult } from "../test/support/fake-aws.js";
import { BenchError } from "./stats.js";

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function records(value: unknown, path: string): Json[] {
  if (!Array.isArray(value) || !value.every(isRecord))
    throw new BenchError(`snapshot: ${path} is not a list of objects`);
  return value;
}

/** Keys whose value is a policy document: IAM sends it URL-encoded JSON text. */
const DOCUMENT_KEYS = new Set(["PolicyDocument", "Document", "AssumeRolePolicyDocument"]);

/**
 * IAM's query-protocol XML of a PascalCase value: members of lists as `<member>`, documents URL-encoded.
 *
 * @example
 * iamXml({ RoleName: "ci", Tags: [{ Key: "team", Value: "a" }] });
 * // "<RoleName>ci</RoleName><Tags><member><Key>team</Key><Value>a</Value></member></Tags>"
 */
export function iamXml(value: Json): string {
  let out = "";
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined || item === null) continue;
    if (DOCUMENT_KEYS.has(key)) {
      const text = typeof item === "string" ? item : encodeURIComponent(JSON.stringify(item));
      out += `<${key}>${escapeXml(text)}</${key}>`;
    } else if (Array.isArray(item)) {
      const members = item.map((m) => `<member>${isRecord(m) ? iamXml(m) : escapeXml(String(m))}</member>`);
      out += members.length === 0 ? `<${key}/>` : `<${key}>${members.join("")}</${key}>`;
    } else if (isRecord(item)) {
      out += `<${key}>${iamXml(item)}</${key}>`;
    } else {
      out += `<${key}>${escapeXml(String(item))}</${key}>`;
    }
  }
  return out;
}

const LISTS = [
  ["User", "UserDetailList"],
  ["Group", "GroupDetailList"],
  ["Role", "RoleDetailList"],
] as const;

const isAwsManaged = (policy: Json) => String(policy.Arn).startsWith("arn:aws:iam::aws:policy/");

/**
 * The result token the harness gives `ruleName`'s events: the served Config keeps each rule's evaluations
 * under it.
 */
export function resultToken(ruleName: string): string {
  return `bench-token-${ruleName}`;
}

/** What a served account holds, for the lower bound of calls. */
export interface ServedAccount {
  /** Users, roles, groups and customer managed policies: the items of a full authorization-details walk. */
  readonly walkItems: number;
  /** AWS managed policies attached to a principal or used as a boundary. */
  readonly awsManagedInUse: number;
  /** How many COMPLIANT or NON_COMPLIANT evaluations Config holds for `ruleName` now. */
  readonly heldEvaluations: (ruleName: string) => number;
}

function filterOf(input: Json): Set<string> {
  const filter = new Set<string>();
  for (const [key, value] of Object.entries(input))
    if (key.startsWith("Filter.member.")) filter.add(String(value));
  return filter;
}

/**
 * Answers IAM and Config on `fake` from `snapshot` (the generator's PascalCase form).
 *
 * @example
 * const served = serveAccount(fake, generateSnapshot(accountSizes(1000)));
 */
export function serveAccount(fake: FakeAws, snapshot: unknown): ServedAccount {
  if (!isRecord(snapshot)) throw new BenchError("snapshot: not an object");
  const lists = LISTS.map(([type, key]) => [type, key, records(snapshot[key], key)] as const);
  const policies = records(snapshot.Policies, "Policies");
  const local = policies.filter((p) => !isAwsManaged(p));
  const aws = new Map(policies.filter(isAwsManaged).map((p) => [String(p.Arn), p]));
  const byArn = new Map(policies.map((p) => [String(p.Arn), p]));

  fake.on("iam", "GetAccountAuthorizationDetails", ({ input }) => {
    const filter = filterOf(input);
    const wanted = (type: string) => filter.size === 0 || filter.has(type);
    const items: Array<readonly [string, Json]> = [];
    for (const [type, key, list] of lists) if (wanted(type)) for (const item of list) items.push([key, item]);
    if (wanted("LocalManagedPolicy")) for (const p of local) items.push(["Policies", p]);
    if (wanted("AWSManagedPolicy")) for (const p of aws.values()) items.push(["Policies", p]);
    const size = Math.min(1000, Number(input.MaxItems ?? 100));
    const start = input.Marker === undefined ? 0 : Number(input.Marker);
    const page = items.slice(start, start + size);
    const truncated = start + size < items.length;
    const sections = ["UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"].map((key) => {
      const members = page.filter(([k]) => k === key).map(([, item]) => `<member>${iamXml(item)}</member>`);
      return members.length === 0 ? `<${key}/>` : `<${key}>${members.join("")}</${key}>`;
    });
    return xmlResult(
      `<IsTruncated>${truncated}</IsTruncated>${truncated ? `<Marker>${start + size}</Marker>` : ""}${sections.join("")}`,
    );
  });
  const missing = (arn: unknown) => awsError(404, "NoSuchEntity", `Policy ${String(arn)} does not exist.`);
  fake.on("iam", "GetPolicy", ({ input }) => {
    const policy = byArn.get(String(input.PolicyArn));
    if (policy === undefined) return missing(input.PolicyArn);
    const { PolicyVersionList: _versions, ...fields } = policy;
    return xmlResult(`<Policy>${iamXml(fields)}<Tags/></Policy>`);
  });
  fake.on("iam", "GetPolicyVersion", ({ input }) => {
    const policy = byArn.get(String(input.PolicyArn));
    const version = records(policy?.PolicyVersionList ?? [], "PolicyVersionList").find(
      (v) => v.VersionId === input.VersionId,
    );
    if (version === undefined) return missing(input.PolicyArn);
    return xmlResult(`<PolicyVersion>${iamXml(version)}</PolicyVersion>`);
  });
  // Config keeps what each rule put (the result token names the rule here), and lists it back to the rule's
  // next run: the previous evaluations a sweep reads to find resources that vanished.
  const evaluations = new Map<string, Map<string, Json>>();
  fake.on("config", "PutEvaluations", ({ input }) => {
    const token = String(input.ResultToken);
    const kept = evaluations.get(token) ?? new Map<string, Json>();
    evaluations.set(token, kept);
    for (const e of records(input.Evaluations ?? [], "Evaluations")) {
      kept.set(`${String(e.ComplianceResourceType)}|${String(e.ComplianceResourceId)}`, e);
    }
    return ok({ FailedEvaluations: [] });
  });
  fake.on("config", "GetComplianceDetailsByConfigRule", ({ input }) => {
    const rule = String(input.ConfigRuleName);
    const types = Array.isArray(input.ComplianceTypes) ? input.ComplianceTypes.map(String) : [];
    const results = [...(evaluations.get(resultToken(rule))?.values() ?? [])].filter(
      (e) => types.length === 0 || types.includes(String(e.ComplianceType)),
    );
    const limit = Math.min(100, Number(input.Limit ?? 100) || 100);
    const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
    const page = results.slice(start, start + limit).map((e) => ({
      EvaluationResultIdentifier: {
        EvaluationResultQualifier: {
          ConfigRuleName: rule,
          ResourceType: e.ComplianceResourceType,
          ResourceId: e.ComplianceResourceId,
        },
        OrderingTimestamp: 1_790_000_000,
      },
      ComplianceType: e.ComplianceType,
      ResultRecordedTime: 1_790_000_000,
      ConfigRuleInvokedTime: 1_790_000_000,
    }));
    return ok({
      EvaluationResults: page,
      ...(start + limit < results.length ? { NextToken: String(start + limit) } : {}),
    });
  });

  const inUse = new Set<string>();
  for (const [, , list] of lists) {
    for (const principal of list) {
      for (const attached of records(principal.AttachedManagedPolicies ?? [], "AttachedManagedPolicies")) {
        inUse.add(String(attached.PolicyArn));
      }
      const boundary = principal.PermissionsBoundary;
      if (isRecord(boundary)) inUse.add(String(boundary.PermissionsBoundaryArn));
    }
  }
  return {
    walkItems: lists.reduce((sum, [, , list]) => sum + list.length, 0) + local.length,
    awsManagedInUse: [...inUse].filter((arn) => aws.has(arn)).length,
    heldEvaluations: (ruleName) =>
      [...(evaluations.get(resultToken(ruleName))?.values() ?? [])].filter(
        (e) => e.ComplianceType === "COMPLIANT" || e.ComplianceType === "NON_COMPLIANT",
      ).length,
  };
}
