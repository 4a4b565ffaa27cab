/**
 * IAM query-protocol responses for test/support/fake-aws.ts, in the shapes of the IAM API reference:
 * `<member>` list items, `true`/`false`, ISO 8601 timestamps, URL-encoded policy documents, empty lists as
 * empty elements. Account 123456789012.
 */
import { awsError, escapeXml, type FakeAws, type FakeResponse, xmlResult } from "./fake-aws.js";

export const ACCOUNT = "123456789012";
export const CREATED = "2024-01-02T03:04:05Z";
export const ASSUME_FROM_EC2 = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
};

/** A document as IAM delivers it: the text as submitted (here indented), URL-encoded. */
export function encoded(document: unknown): string {
  return encodeURIComponent(JSON.stringify(document, null, 4));
}

export function el(name: string, text: string): string {
  return `<${name}>${escapeXml(text)}</${name}>`;
}

/** A list element: `<Name><member>…</member>…</Name>`, or `<Name/>` when empty (as IAM sends it). */
export function members(name: string, items: readonly string[]): string {
  return items.length === 0
    ? `<${name}/>`
    : `<${name}>${items.map((i) => `<member>${i}</member>`).join("")}</${name}>`;
}

export interface Inline {
  readonly name: string;
  readonly document: unknown;
}
export interface Attached {
  readonly name: string;
  readonly arn: string;
}

export function policyDetail(p: Inline): string {
  return el("PolicyName", p.name) + el("PolicyDocument", encoded(p.document));
}

export function attachedPolicy(p: Attached): string {
  return el("PolicyName", p.name) + el("PolicyArn", p.arn);
}

export function boundaryXml(arn: string | undefined): string {
  return arn === undefined
    ? ""
    : `<PermissionsBoundary>${el("PermissionsBoundaryType", "Policy")}${el("PermissionsBoundaryArn", arn)}</PermissionsBoundary>`;
}

export interface UserSpec {
  readonly name: string;
  readonly groups?: readonly string[];
  readonly inline?: readonly Inline[];
  readonly attached?: readonly Attached[];
  readonly boundary?: string;
}

export function userId(name: string): string {
  return `AIDA${name.toUpperCase().padEnd(17, "X")}`;
}

/** A `User` as GetGroup lists it. */
export function userXml(name: string): string {
  return (
    el("Path", "/") +
    el("UserName", name) +
    el("UserId", userId(name)) +
    el("Arn", `arn:aws:iam::${ACCOUNT}:user/${name}`) +
    el("CreateDate", CREATED)
  );
}

/** A `UserDetailList` member of GetAccountAuthorizationDetails. */
export function userDetail(u: UserSpec): string {
  return (
    userXml(u.name) +
    members("UserPolicyList", (u.inline ?? []).map(policyDetail)) +
    members(
      "GroupList",
      (u.groups ?? []).map((g) => escapeXml(g)),
    ) +
    members("AttachedManagedPolicies", (u.attached ?? []).map(attachedPolicy)) +
    boundaryXml(u.boundary) +
    "<Tags/>"
  );
}

export interface RoleSpec {
  readonly name: string;
  readonly path?: string;
  readonly inline?: readonly Inline[];
  readonly attached?: readonly Attached[];
  readonly boundary?: string;
}

/** A `RoleDetailList` member of GetAccountAuthorizationDetails. */
export function roleDetail(r: RoleSpec): string {
  const path = r.path ?? "/";
  return (
    el("Path", path) +
    el("RoleName", r.name) +
    el("RoleId", `AROA${r.name.toUpperCase().padEnd(17, "X")}`) +
    el("Arn", `arn:aws:iam::${ACCOUNT}:role${path}${r.name}`) +
    el("CreateDate", CREATED) +
    el("AssumeRolePolicyDocument", encoded(ASSUME_FROM_EC2)) +
    "<InstanceProfileList/>" +
    members("RolePolicyList", (r.inline ?? []).map(policyDetail)) +
    members("AttachedManagedPolicies", (r.attached ?? []).map(attachedPolicy)) +
    boundaryXml(r.boundary) +
    "<Tags/><RoleLastUsed/>"
  );
}

export interface GroupSpec {
  readonly name: string;
  readonly inline?: readonly Inline[];
  readonly attached?: readonly Attached[];
}

export function groupArn(name: string): string {
  return `arn:aws:iam::${ACCOUNT}:group/${name}`;
}

export function groupId(name: string): string {
  return `AGPA${name.toUpperCase().padEnd(17, "X")}`;
}

/** A `GroupDetailList` member of GetAccountAuthorizationDetails. */
export function groupDetail(g: GroupSpec): string {
  return (
    el("Path", "/") +
    el("GroupName", g.name) +
    el("GroupId", groupId(g.name)) +
    el("Arn", groupArn(g.name)) +
    el("CreateDate", CREATED) +
    members("GroupPolicyList", (g.inline ?? []).map(policyDetail)) +
    members("AttachedManagedPolicies", (g.attached ?? []).map(attachedPolicy))
  );
}

export interface PolicySpec {
  readonly arn: string;
  readonly name: string;
  readonly document: unknown;
  readonly defaultVersionId?: string;
  readonly attachmentCount?: number;
  readonly boundaryUsageCount?: number;
}

export function policyId(name: string): string {
  return `ANPA${name
    .toUpperCase()
    .replace(/[^A-Z]/gu, "")
    .padEnd(17, "X")}`;
}

export function policyFields(p: PolicySpec): string {
  return (
    el("PolicyName", p.name) +
    el("PolicyId", policyId(p.name)) +
    el("Arn", p.arn) +
    el("Path", "/") +
    el("DefaultVersionId", p.defaultVersionId ?? "v1") +
    el("AttachmentCount", String(p.attachmentCount ?? 1)) +
    el("PermissionsBoundaryUsageCount", String(p.boundaryUsageCount ?? 0)) +
    el("IsAttachable", "true") +
    el("CreateDate", CREATED) +
    el("UpdateDate", CREATED)
  );
}

/** A `Policies` member of GetAccountAuthorizationDetails: the policy and its versions. */
export function managedPolicyDetail(p: PolicySpec): string {
  const version =
    el("Document", encoded(p.document)) +
    el("VersionId", p.defaultVersionId ?? "v1") +
    el("IsDefaultVersion", "true") +
    el("CreateDate", CREATED);
  return policyFields(p) + members("PolicyVersionList", [version]);
}

export interface GaadPage {
  readonly users?: readonly UserSpec[];
  readonly roles?: readonly RoleSpec[];
  readonly groups?: readonly GroupSpec[];
  readonly policies?: readonly PolicySpec[];
  /** The marker of the next page; absent on the last page. */
  readonly next?: string;
}

/** One GetAccountAuthorizationDetails page. */
export function gaadPage(page: GaadPage): FakeResponse {
  return xmlResult(
    el("IsTruncated", page.next === undefined ? "false" : "true") +
      (page.next === undefined ? "" : el("Marker", page.next)) +
      members("UserDetailList", (page.users ?? []).map(userDetail)) +
      members("GroupDetailList", (page.groups ?? []).map(groupDetail)) +
      members("RoleDetailList", (page.roles ?? []).map(roleDetail)) +
      members("Policies", (page.policies ?? []).map(managedPolicyDetail)),
  );
}

/** Answers GetAccountAuthorizationDetails with `pages`, the first without a Marker, the rest by their marker. */
export function servePages(fake: FakeAws, pages: readonly GaadPage[]): void {
  fake.on("iam", "GetAccountAuthorizationDetails", ({ input }) => {
    const index =
      input.Marker === undefined ? 0 : pages.findIndex((_, i) => pages[i - 1]?.next === input.Marker);
    const page = pages[index];
    if (page === undefined) return awsError(400, "InvalidInput", `unknown marker ${String(input.Marker)}`);
    return gaadPage(page);
  });
}

/** Answers GetPolicy and GetPolicyVersion for one policy, as real IAM does. */
export function servePolicy(fake: FakeAws, p: PolicySpec): void {
  fake.on("iam", "GetPolicy", ({ input }) =>
    input.PolicyArn === p.arn
      ? xmlResult(`<Policy>${policyFields(p)}<Tags/></Policy>`)
      : awsError(
          404,
          "NoSuchEntity",
          `Policy ${String(input.PolicyArn)} does not exist or is not attachable.`,
        ),
  );
  fake.on("iam", "GetPolicyVersion", ({ input }) =>
    input.PolicyArn === p.arn && input.VersionId === (p.defaultVersionId ?? "v1")
      ? xmlResult(
          "<PolicyVersion>" +
            el("Document", encoded(p.document)) +
            el("VersionId", String(input.VersionId)) +
            el("IsDefaultVersion", "true") +
            el("CreateDate", CREATED) +
            "</PolicyVersion>",
        )
      : awsError(
          404,
          "NoSuchEntity",
          `Policy ${String(input.PolicyArn)} version ${String(input.VersionId)} does not exist.`,
        ),
  );
}
