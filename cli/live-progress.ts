/**
 * What live reads have read so far, for the progress line of `snapshot --live` and `scan --live`: the clients
 * of an {@link ObservedClientFactory} report each answered call, and a {@link ReadTally} counts the
 * `GetAccountAuthorizationDetails` pages and their principals, the AWS managed policies, and the
 * repositories per region. The readers are not told: the count is taken at the SDK's edge.
 */
import type { InitializeHandlerOptions, InitializeMiddleware, MetadataBearer } from "@smithy/types";
import {
  type BaseClientConfig,
  type ClientClass,
  ClientFactory,
  type ClientTarget,
} from "../shared/aws/clients.js";
import { isObj } from "../shared/config/read.js";

/** An answered call, as an observer sees it. */
export interface ObservedCall {
  readonly service: string;
  /** The operation's name without `Command`: `GetAccountAuthorizationDetails`. */
  readonly operation: string;
  readonly accountId: string;
  readonly region: string;
  readonly input: unknown;
  readonly output: unknown;
}

/** Any SDK v3 client: its middleware stack takes an initialize-step middleware. */
interface Stacked<I extends object, O extends MetadataBearer> {
  readonly middlewareStack: {
    add(middleware: InitializeMiddleware<I, O>, options: InitializeHandlerOptions & { name: string }): void;
  };
}

/**
 * A {@link ClientFactory} whose clients tell `observe` of every call that was answered (after the SDK's
 * retries).
 *
 * @example
 * const tally = new ReadTally();
 * const factory = new ObservedClientFactory({}, (call) => tally.record(call));
 */
export class ObservedClientFactory extends ClientFactory {
  private readonly observed = new WeakSet<object>();

  constructor(
    base: BaseClientConfig,
    private readonly observe: (call: ObservedCall) => void,
  ) {
    super(base);
  }

  override client<C extends Stacked<object, MetadataBearer>>(
    Class: ClientClass<C>,
    service: string,
    target: ClientTarget,
  ): C {
    const client = super.client(Class, service, target);
    if (this.observed.has(client)) return client;
    this.observed.add(client);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        this.observe({
          service,
          operation: (context.commandName ?? "Unknown").replace(/Command$/u, ""),
          accountId: target.accountId,
          region: target.region,
          input: args.input,
          output: result.output,
        });
        return result;
      },
      { step: "initialize", name: "ecrAccessRulesProgress" },
    );
    return client;
  }
}

/** The `key` field of each entry of the list `field` of an answer. */
const keysOf = (value: unknown, field: string, key: string): string[] => {
  const list = isObj(value) ? value[field] : undefined;
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry: unknown) => {
    const id = isObj(entry) ? entry[key] : undefined;
    return typeof id === "string" ? [id] : [];
  });
};

/** `1 region`, `1,021 principals`. */
export const plural = (n: number, one: string, many = `${one}s`): string =>
  `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/**
 * Counts what live reads have read.
 *
 * @example
 * tally.record(call);
 * tally.text(); // "2 IAM pages (1,021 principals) · 3 AWS managed policies · 12 repositories (2 regions)"
 */
export class ReadTally {
  private pages = 0;
  // Sets, not sums: a reader that lists twice (one listing per rule) reads nothing new.
  private readonly principals = new Set<string>();
  private readonly managed = new Set<string>();
  private readonly repositories = new Set<string>();
  private readonly regions = new Set<string>();

  record(call: ObservedCall): void {
    if (call.service === "IAM" && call.operation === "GetAccountAuthorizationDetails") {
      this.pages += 1;
      for (const list of ["UserDetailList", "RoleDetailList", "GroupDetailList"])
        for (const arn of keysOf(call.output, list, "Arn")) this.principals.add(arn);
    } else if (call.service === "IAM" && call.operation === "GetPolicyVersion") {
      const arn = isObj(call.input) ? call.input.PolicyArn : undefined;
      if (typeof arn === "string" && arn.split(":")[4] === "aws")
        this.managed.add(`${call.accountId}|${arn}`);
    } else if (call.service === "ECR" && call.operation === "DescribeRepositories") {
      for (const arn of keysOf(call.output, "repositories", "repositoryArn")) this.repositories.add(arn);
      this.regions.add(`${call.accountId}|${call.region}`);
    }
  }

  /** Whether anything has been read. */
  get empty(): boolean {
    return this.pages === 0 && this.regions.size === 0;
  }

  /** The counts so far, for the progress line (empty before the first read). */
  text(): string {
    const parts: string[] = [];
    if (this.pages > 0)
      parts.push(`${plural(this.pages, "IAM page")} (${plural(this.principals.size, "principal")})`);
    if (this.managed.size > 0)
      parts.push(plural(this.managed.size, "AWS managed policy", "AWS managed policies"));
    if (this.regions.size > 0)
      parts.push(
        `${plural(this.repositories.size, "repository", "repositories")} (${plural(this.regions.size, "region")})`,
      );
    return parts.join(" · ");
  }
}
