/**
 * IAM principals and managed policies as the rules see them, read from a Config item (camelCase fields),
 * from `GetAccountAuthorizationDetails` (the API's and the CLI's PascalCase fields, documents URL-encoded
 * or decoded), or through the IAM API.
 */
import { ConfigInputError, isObj, type Obj, obj, str } from "../config/read.js";

export type PrincipalType = "user" | "role" | "group";

export const PRINCIPAL_RESOURCE_TYPES: Readonly<Record<PrincipalType, string>> = {
  user: "AWS::IAM::User",
  role: "AWS::IAM::Role",
  group: "AWS::IAM::Group",
};

/** An inline policy: its name and its document as delivered (object, JSON text or URL-encoded text). */
export interface InlinePolicy {
  readonly name: string;
  readonly document: unknown;
}

export interface AttachedPolicy {
  readonly name: string;
  readonly arn: string;
}

/** A user, role or group and the policies that apply to it directly. */
export interface PrincipalRecord {
  readonly type: PrincipalType;
  readonly name: string;
  /** The unique id (`AIDA…`, `AROA…`, `AGPA…`): Config's resource id for IAM principals. */
  readonly id: string;
  readonly arn: string;
  readonly path: string;
  readonly inline: readonly InlinePolicy[];
  readonly attached: readonly AttachedPolicy[];
  /** For users: the names of the groups they belong to. */
  readonly groups: readonly string[];
  /** For users and roles: the permissions boundary's policy ARN. */
  readonly boundaryArn?: string;
  /** For roles: the trust policy (`AssumeRolePolicyDocument`) as delivered; `undefined` when not recorded. */
  readonly trustPolicy?: unknown;
  /** For roles: it is in at least one instance profile (an EC2 instance can run as it). */
  readonly inInstanceProfile?: boolean;
}

/** A managed policy and its default version's document. */
export interface ManagedPolicyRecord {
  readonly arn: string;
  readonly name: string;
  readonly id: string;
  readonly path: string;
  readonly defaultVersionId: string;
  /** The default version's document, as delivered. */
  readonly document: unknown;
  readonly attachmentCount: number;
  readonly permissionsBoundaryUsageCount: number;
}

/** Whether a policy ARN is AWS managed (`arn:aws:iam::aws:policy/…`). */
export function isAwsManaged(arn: string): boolean {
  return /^arn:[^:]+:iam::aws:policy\//u.test(arn);
}

type Casing = "camel" | "pascal";

function field(record: Obj, name: string, casing: Casing): unknown {
  return record[casing === "camel" ? name : name.charAt(0).toUpperCase() + name.slice(1)];
}

function text(record: Obj, name: string, casing: Casing, path: string): string {
  const key = casing === "camel" ? name : name.charAt(0).toUpperCase() + name.slice(1);
  return str(record[key], `${path}.${key}`);
}

function list(record: Obj, name: string, casing: Casing, path: string): readonly unknown[] {
  const value = field(record, name, casing);
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ConfigInputError(`${path}.${name}`, "must be a list");
  return value;
}

function inlinePolicies(record: Obj, listName: string, casing: Casing, path: string): InlinePolicy[] {
  return list(record, listName, casing, path).map((raw, i) => {
    const at = `${path}.${listName}[${i}]`;
    const policy = obj(raw, at);
    return {
      name: text(policy, "policyName", casing, at),
      document: field(policy, "policyDocument", casing),
    };
  });
}

function attachedPolicies(record: Obj, casing: Casing, path: string): AttachedPolicy[] {
  return list(record, "attachedManagedPolicies", casing, path).map((raw, i) => {
    const at = `${path}.attachedManagedPolicies[${i}]`;
    const policy = obj(raw, at);
    return { name: text(policy, "policyName", casing, at), arn: text(policy, "policyArn", casing, at) };
  });
}

function boundary(record: Obj, casing: Casing, path: string): string | undefined {
  const value = field(record, "permissionsBoundary", casing);
  if (value === undefined || value === null) return undefined;
  const b = obj(value, `${path}.permissionsBoundary`);
  return text(b, "permissionsBoundaryArn", casing, `${path}.permissionsBoundary`);
}

function groupNames(record: Obj, casing: Casing, path: string): string[] {
  return list(record, "groupList", casing, path).map((raw, i) => {
    // Config items list group names; the API and CLI do too.
    if (typeof raw === "string") return raw;
    const g = obj(raw, `${path}.groupList[${i}]`);
    return text(g, "groupName", casing, `${path}.groupList[${i}]`);
  });
}

/**
 * Reads a principal from a user, role or group record in either casing.
 *
 * @example
 * principalRecord("role", item.configuration, "camel", "configuration").inline.length;
 * principalRecord("user", gaad.UserDetailList[0], "pascal", "UserDetailList[0]").groups;
 */
export function principalRecord(
  type: PrincipalType,
  raw: unknown,
  casing: Casing,
  path: string,
): PrincipalRecord {
  const record = obj(raw, path);
  const nameField = `${type}Name`;
  const idField = `${type}Id`;
  const inlineList = `${type}PolicyList`;
  const boundaryArn = type === "group" ? undefined : boundary(record, casing, path);
  const trustPolicy = type === "role" ? field(record, "assumeRolePolicyDocument", casing) : undefined;
  const profiles = type === "role" ? field(record, "instanceProfileList", casing) : undefined;
  return {
    type,
    name: text(record, nameField, casing, path),
    id: text(record, idField, casing, path),
    arn: text(record, "arn", casing, path),
    path: typeof field(record, "path", casing) === "string" ? String(field(record, "path", casing)) : "/",
    inline: inlinePolicies(record, inlineList, casing, path),
    attached: attachedPolicies(record, casing, path),
    groups: type === "user" ? groupNames(record, casing, path) : [],
    ...(boundaryArn === undefined ? {} : { boundaryArn }),
    ...(trustPolicy === undefined || trustPolicy === null ? {} : { trustPolicy }),
    ...(Array.isArray(profiles) && profiles.length > 0 ? { inInstanceProfile: true } : {}),
  };
}

function count(record: Obj, name: string, casing: Casing): number {
  const value = field(record, name, casing);
  return typeof value === "number" ? value : 0;
}

/**
 * Reads a managed policy with its default version's document (a `Policies` entry of
 * GetAccountAuthorizationDetails, or an `AWS::IAM::Policy` item's configuration).
 *
 * @example
 * managedPolicyRecord(gaad.Policies[0], "pascal", "Policies[0]").defaultVersionId; // "v3"
 */
export function managedPolicyRecord(raw: unknown, casing: Casing, path: string): ManagedPolicyRecord {
  const record = obj(raw, path);
  const defaultVersionId = text(record, "defaultVersionId", casing, path);
  const versions = list(record, "policyVersionList", casing, path);
  const version = versions.find((v): v is Obj => {
    if (!isObj(v)) return false;
    const id = field(v, "versionId", casing);
    return id === defaultVersionId || (id === undefined && field(v, "isDefaultVersion", casing) === true);
  });
  const document = version === undefined ? undefined : field(version, "document", casing);
  if (document === undefined || document === null) {
    throw new ConfigInputError(
      `${path}.policyVersionList`,
      `has no document for the default version ${defaultVersionId}`,
    );
  }
  return {
    arn: text(record, "arn", casing, path),
    name: text(record, "policyName", casing, path),
    id:
      typeof field(record, "policyId", casing) === "string" ? String(field(record, "policyId", casing)) : "",
    path: typeof field(record, "path", casing) === "string" ? String(field(record, "path", casing)) : "/",
    defaultVersionId,
    document,
    attachmentCount: count(record, "attachmentCount", casing),
    permissionsBoundaryUsageCount: count(record, "permissionsBoundaryUsageCount", casing),
  };
}

/** Everything a `GetAccountAuthorizationDetails` walk returns, merged across pages. */
export interface AuthorizationDetails {
  readonly principals: readonly PrincipalRecord[];
  readonly policies: readonly ManagedPolicyRecord[];
}

/**
 * Reads one or more pages of GetAccountAuthorizationDetails output (the API's raw form with URL-encoded
 * documents, or the CLI's with decoded ones) and merges them. Two records with the same ARN are an input
 * error naming both: which one holds is unknown, and keeping either could hide the other's grants.
 *
 * @example
 * const details = authorizationDetails([page1, page2]);
 * details.principals.filter((p) => p.type === "role").length;
 */
export function authorizationDetails(pages: readonly unknown[]): AuthorizationDetails {
  const principals = new Map<string, PrincipalRecord>();
  const policies = new Map<string, ManagedPolicyRecord>();
  const seenAt = new Map<string, string>();
  const once = (arn: string, at: string) => {
    const first = seenAt.get(arn);
    if (first !== undefined) throw new ConfigInputError(at, `has the same ARN as ${first}: ${arn}`);
    seenAt.set(arn, at);
  };
  const where = (pageIndex: number, at: string) => (pages.length > 1 ? `pages[${pageIndex}].${at}` : at);
  pages.forEach((raw, pageIndex) => {
    const page = obj(raw, pages.length > 1 ? `pages[${pageIndex}]` : "snapshot");
    const lists: Array<[string, PrincipalType]> = [
      ["UserDetailList", "user"],
      ["RoleDetailList", "role"],
      ["GroupDetailList", "group"],
    ];
    for (const [listName, type] of lists) {
      const entries = page[listName] ?? [];
      if (!Array.isArray(entries)) throw new ConfigInputError(listName, "must be a list");
      entries.forEach((entry, i) => {
        const at = where(pageIndex, `${listName}[${i}]`);
        const record = principalRecord(type, entry, "pascal", at);
        once(record.arn, at);
        principals.set(record.arn, record);
      });
    }
    const entries = page.Policies ?? [];
    if (!Array.isArray(entries)) throw new ConfigInputError("Policies", "must be a list");
    entries.forEach((entry, i) => {
      const at = where(pageIndex, `Policies[${i}]`);
      const record = managedPolicyRecord(entry, "pascal", at);
      once(record.arn, at);
      policies.set(record.arn, record);
    });
  });
  return { principals: [...principals.values()], policies: [...policies.values()] };
}

/** What the rules read about IAM beyond a configuration item. */
export interface IamFacts {
  /** A group with its policies; `undefined` when it does not exist (any more). */
  group(name: string): Promise<PrincipalRecord | undefined>;
  /** The users in a group, with their own policies and groups. */
  groupMembers(name: string): Promise<readonly PrincipalRecord[]>;
  /** A managed policy with its default version; `undefined` when it does not exist. */
  managedPolicy(arn: string): Promise<ManagedPolicyRecord | undefined>;
  /** Every user, role and group, and every customer managed policy (one authorization-details walk). */
  everything(): Promise<AuthorizationDetails>;
}

/**
 * IAM facts from a snapshot's authorization details.
 *
 * @example
 * const iam = new SnapshotIamFacts(authorizationDetails([snapshotJson]));
 * await iam.group("developers");
 */
export class SnapshotIamFacts implements IamFacts {
  private readonly groups = new Map<string, PrincipalRecord>();
  private readonly policies = new Map<string, ManagedPolicyRecord>();

  constructor(private readonly details: AuthorizationDetails) {
    for (const principal of details.principals)
      if (principal.type === "group") this.groups.set(principal.name, principal);
    for (const policy of details.policies) this.policies.set(policy.arn, policy);
  }

  async group(name: string): Promise<PrincipalRecord | undefined> {
    return this.groups.get(name);
  }

  async groupMembers(name: string): Promise<readonly PrincipalRecord[]> {
    return this.details.principals.filter((p) => p.type === "user" && p.groups.includes(name));
  }

  async managedPolicy(arn: string): Promise<ManagedPolicyRecord | undefined> {
    return this.policies.get(arn);
  }

  async everything(): Promise<AuthorizationDetails> {
    return this.details;
  }
}

/**
 * IAM facts served from one authorization-details walk of `source` (read once, on first use), falling
 * back to `source` for managed policies the walk does not hold (AWS managed ones). What a whole-account
 * scan needs: a few paginated calls instead of several per principal.
 *
 * @example
 * const iam = new WalkedIamFacts(new ApiIamFacts(client));
 * await iam.everything(); // one GetAccountAuthorizationDetails walk
 */
export class WalkedIamFacts implements IamFacts {
  private walked: Promise<SnapshotIamFacts> | undefined;

  constructor(private readonly source: IamFacts) {}

  private snapshot(): Promise<SnapshotIamFacts> {
    this.walked ??= this.source.everything().then((details) => new SnapshotIamFacts(details));
    return this.walked;
  }

  async group(name: string): Promise<PrincipalRecord | undefined> {
    return (await this.snapshot()).group(name);
  }

  async groupMembers(name: string): Promise<readonly PrincipalRecord[]> {
    return (await this.snapshot()).groupMembers(name);
  }

  async managedPolicy(arn: string): Promise<ManagedPolicyRecord | undefined> {
    return (await (await this.snapshot()).managedPolicy(arn)) ?? this.source.managedPolicy(arn);
  }

  async everything(): Promise<AuthorizationDetails> {
    return (await this.snapshot()).everything();
  }
}
