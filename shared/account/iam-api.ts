/**
 * IAM facts read through the IAM API, with a per-instance cache (the runtime keeps one instance per account
 * for the container's life, so the cache spans invocations).
 *
 * Call budget, per instance:
 * - `managedPolicy(arn)`: `GetPolicy` + `GetPolicyVersion` on a miss; nothing on a hit.
 * - `group(name)`: `GetGroup` (one page: only the group is used), every page of `ListGroupPolicies` (+ one
 *   `GetGroupPolicy` per inline policy) and of `ListAttachedGroupPolicies`.
 * - `groupMembers(name)`: one `GetAccountAuthorizationDetails` walk over users, however many members.
 * - `everything()`: one `GetAccountAuthorizationDetails` walk over users, roles, groups and customer managed
 *   policies; it refreshes the policy and group caches, so a sweep reads nothing twice.
 * Concurrent reads of the same policy or group share one request; failed reads are not cached.
 *
 * How long a fact is kept (each has a bound; `invalidate()` drops them all, and a periodic run calls it
 * first, so a sweep reads the account as it is):
 * - a customer managed policy, a group, and "does not exist": `customerPolicyTtlMs`, default 5 minutes;
 * - an AWS managed policy: `awsPolicyTtlMs`, default 1 hour (AWS changes them rarely, but does change them:
 *   a policy that gains `ecr:*` is seen within the hour, or at the next periodic run);
 * - `groupMembers` and `everything` are read anew on every call.
 *
 * Pages come from the SDK's paginators, behind a guard that fails on a marker seen before
 * (shared/aws/pages.ts) and on a truncated page without a marker.
 */
import {
  type AttachedPolicy,
  type EntityType,
  type GetAccountAuthorizationDetailsCommandOutput,
  GetGroupCommand,
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  type GroupDetail,
  type IAMClient,
  type ManagedPolicyDetail,
  NoSuchEntityException,
  type PolicyDetail,
  paginateGetAccountAuthorizationDetails,
  paginateListAttachedGroupPolicies,
  paginateListGroupPolicies,
} from "@aws-sdk/client-iam";
import { TtlCache } from "../aws/cache.js";
import { readPages } from "../aws/pages.js";
import { ConfigInputError } from "../config/read.js";
import { AccountReadError } from "../errors.js";
import {
  type AuthorizationDetails,
  authorizationDetails,
  type IamFacts,
  isAwsManaged,
  type ManagedPolicyRecord,
  managedPolicyRecord,
  type PrincipalRecord,
  principalRecord,
} from "./iam.js";

/** How long a customer managed policy or a group is trusted before it is read again: five minutes. */
export const DEFAULT_CUSTOMER_POLICY_TTL_MS = 5 * 60_000;
/** How long an AWS managed policy is trusted before it is read again: one hour. */
export const DEFAULT_AWS_POLICY_TTL_MS = 60 * 60_000;

/** Items per `GetAccountAuthorizationDetails` page: the API's maximum. */
const GAAD_PAGE_SIZE = 1000;

export interface ApiIamFactsOptions {
  /** The clock (milliseconds), for the cache's time to live. Default `Date.now`. */
  readonly now?: () => number;
  /** How long a customer managed policy (or a group, or a missing entity) stays cached. Default 5 minutes. */
  readonly customerPolicyTtlMs?: number;
  /** How long an AWS managed policy stays cached. Default 1 hour. */
  readonly awsPolicyTtlMs?: number;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

interface IamPage {
  readonly IsTruncated?: boolean | undefined;
  readonly Marker?: string | undefined;
}

/** For `operation`: a page's marker, or `undefined` on the last page (`IsTruncated` false). */
function nextMarker(operation: string): (page: IamPage) => string | undefined {
  return (page) => {
    if (page.IsTruncated !== true) return undefined;
    if (page.Marker === undefined || page.Marker === "") {
      throw new AccountReadError(`iam:${operation} returned IsTruncated without a Marker`);
    }
    return page.Marker;
  };
}

/**
 * IAM facts read through the API.
 *
 * @example
 * const iam = new ApiIamFacts(new IAMClient({}));
 * const policy = await iam.managedPolicy("arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser");
 * policy?.defaultVersionId; // "v3" — a second call reads nothing
 */
export class ApiIamFacts implements IamFacts {
  private readonly now: () => number;
  private readonly ttl: number;
  private readonly awsTtl: number;
  private readonly policies: TtlCache<ManagedPolicyRecord | undefined>;
  private readonly groups: TtlCache<PrincipalRecord | undefined>;

  constructor(
    private readonly client: IAMClient,
    options: ApiIamFactsOptions = {},
  ) {
    this.now = options.now ?? (() => Date.now());
    this.ttl = options.customerPolicyTtlMs ?? DEFAULT_CUSTOMER_POLICY_TTL_MS;
    this.awsTtl = options.awsPolicyTtlMs ?? DEFAULT_AWS_POLICY_TTL_MS;
    this.policies = new TtlCache(this.now);
    this.groups = new TtlCache(this.now);
  }

  managedPolicy(arn: string): Promise<ManagedPolicyRecord | undefined> {
    return this.policies.get(
      arn,
      () => this.readPolicy(arn),
      (policy) => (policy !== undefined && isAwsManaged(arn) ? this.awsTtl : this.ttl),
    );
  }

  /** Forgets every cached policy and group: the next read of each goes to IAM. */
  invalidate(): void {
    this.policies.clear();
    this.groups.clear();
  }

  group(name: string): Promise<PrincipalRecord | undefined> {
    return this.groups.get(
      name,
      () => this.readGroup(name),
      () => this.ttl,
    );
  }

  async groupMembers(name: string): Promise<readonly PrincipalRecord[]> {
    const pages = await this.walk(["User"]);
    const details = this.parse("GetAccountAuthorizationDetails", () => authorizationDetails(pages));
    return details.principals.filter((p) => p.type === "user" && p.groups.includes(name));
  }

  async everything(): Promise<AuthorizationDetails> {
    const pages = await this.walk(["User", "Role", "Group", "LocalManagedPolicy"]);
    const details = this.parse("GetAccountAuthorizationDetails", () => authorizationDetails(pages));
    for (const policy of details.policies) this.policies.set(policy.arn, policy, this.ttl);
    for (const principal of details.principals) {
      if (principal.type === "group") this.groups.set(principal.name, principal, this.ttl);
    }
    return details;
  }

  /** Sends one IAM request (or reads pages); a failure becomes an error naming the call. */
  private async call<O>(operation: string, send: () => Promise<O>): Promise<O> {
    try {
      return await send();
    } catch (error) {
      if (error instanceof AccountReadError) throw error;
      throw new AccountReadError(`iam:${operation} failed: ${describe(error)}`, { cause: error });
    }
  }

  /** Like `call`, but `NoSuchEntity` is an answer: `undefined`. */
  private async find<O>(operation: string, send: () => Promise<O>): Promise<O | undefined> {
    try {
      return await this.call(operation, send);
    } catch (error) {
      if (error instanceof AccountReadError && error.cause instanceof NoSuchEntityException) return undefined;
      throw error;
    }
  }

  /** Runs a normalizer over an IAM response; a response it cannot read is a failed read of that call. */
  private parse<T>(operation: string, read: () => T): T {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof ConfigInputError)) throw error;
      throw new AccountReadError(`iam:${operation} returned an unreadable response: ${error.message}`, {
        cause: error,
      });
    }
  }

  private async readPolicy(arn: string): Promise<ManagedPolicyRecord | undefined> {
    const found = await this.find("GetPolicy", () =>
      this.client.send(new GetPolicyCommand({ PolicyArn: arn })),
    );
    const policy = found?.Policy;
    if (policy === undefined) return undefined;
    const versionId = policy.DefaultVersionId;
    if (versionId === undefined)
      throw new AccountReadError(`iam:GetPolicy returned no DefaultVersionId for ${arn}`);
    // A NoSuchEntity here means the default version went away between the two reads (the policy changed or
    // was deleted): the read fails and Config retries, rather than taking the policy as granting nothing.
    const { PolicyVersion } = await this.call("GetPolicyVersion", () =>
      this.client.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId })),
    );
    const detail: ManagedPolicyDetail = {
      ...policy,
      PolicyVersionList: PolicyVersion === undefined ? [] : [PolicyVersion],
    };
    return this.parse("GetPolicyVersion", () => managedPolicyRecord(detail, "pascal", arn));
  }

  private async readGroup(name: string): Promise<PrincipalRecord | undefined> {
    // GetGroup also lists the members, a page at a time; only the group itself is used here (members come
    // from groupMembers), so one page of one member is enough.
    const found = await this.find("GetGroup", () =>
      this.client.send(new GetGroupCommand({ GroupName: name, MaxItems: 1 })),
    );
    if (found === undefined) return undefined;
    if (found.Group === undefined) throw new AccountReadError(`iam:GetGroup returned no group for ${name}`);
    const [inline, attached] = await Promise.all([this.groupInline(name), this.groupAttached(name)]);
    // A list that finds no group: deleted since GetGroup.
    if (inline === undefined || attached === undefined) return undefined;
    const detail: GroupDetail = {
      ...found.Group,
      GroupPolicyList: inline,
      AttachedManagedPolicies: attached,
    };
    return this.parse("GetGroup", () => principalRecord("group", detail, "pascal", name));
  }

  private async groupInline(name: string): Promise<PolicyDetail[] | undefined> {
    const pages = await this.find("ListGroupPolicies", () =>
      readPages(
        "iam:ListGroupPolicies",
        paginateListGroupPolicies({ client: this.client }, { GroupName: name }),
        nextMarker("ListGroupPolicies"),
      ),
    );
    if (pages === undefined) return undefined;
    const names = pages.flatMap((page) => page.PolicyNames ?? []);
    const policies = await Promise.all(
      names.map((policyName) =>
        this.find("GetGroupPolicy", () =>
          this.client.send(new GetGroupPolicyCommand({ GroupName: name, PolicyName: policyName })),
        ),
      ),
    );
    // An inline policy deleted between the list and the read grants nothing any more.
    return policies.flatMap((p) =>
      p === undefined ? [] : [{ PolicyName: p.PolicyName, PolicyDocument: p.PolicyDocument }],
    );
  }

  private async groupAttached(name: string): Promise<AttachedPolicy[] | undefined> {
    const pages = await this.find("ListAttachedGroupPolicies", () =>
      readPages(
        "iam:ListAttachedGroupPolicies",
        paginateListAttachedGroupPolicies({ client: this.client }, { GroupName: name }),
        nextMarker("ListAttachedGroupPolicies"),
      ),
    );
    return pages?.flatMap((page) => page.AttachedPolicies ?? []);
  }

  /** Every page of `GetAccountAuthorizationDetails` for the entity types in `filter`. */
  private walk(filter: EntityType[]): Promise<GetAccountAuthorizationDetailsCommandOutput[]> {
    return readPages(
      "iam:GetAccountAuthorizationDetails",
      paginateGetAccountAuthorizationDetails(
        { client: this.client },
        { Filter: filter, MaxItems: GAAD_PAGE_SIZE },
      ),
      nextMarker("GetAccountAuthorizationDetails"),
    );
  }
}
