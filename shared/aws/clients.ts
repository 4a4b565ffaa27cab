/**
 * AWS SDK clients, built on first use and cached per (account, region, role) for the container's life
 * (docs/config-contract.md): with a role name (`ASSUME_ROLE_NAME` or the `executionRoleName` parameter) the
 * clients act through that role, assumed in the evaluated account; otherwise through the function's own
 * credentials. Every client counts its calls. The factory imports only the Config client every handler
 * needs; a fact reader asks it for the client of its own service (`client(IAMClient, …)`), so a rule's
 * bundle carries only the clients its rule calls. The STS client is imported when a role is first
 * assumed (a chunk of its own in the Lambda bundles): a function that uses its own credentials never
 * loads it.
 */
import { ConfigServiceClient } from "@aws-sdk/client-config-service";
import type { AssumeRoleCommandOutput, STSClient } from "@aws-sdk/client-sts";
import type { InitializeHandlerOptions, InitializeMiddleware, MetadataBearer } from "@smithy/types";
import { EcrAccessRulesError } from "../errors.js";
import { clientSettings, type RetryAndTimeoutSettings } from "./client-settings.js";

/** Credentials as the SDK takes them. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

export type CredentialProvider = () => Promise<Credentials>;

/** Settings shared by every client (tests point `endpoint` at a local fake of AWS). */
export interface BaseClientConfig {
  readonly endpoint?: string;
  readonly credentials?: Credentials | CredentialProvider;
  /** The SDK's attempts per call (default: `clientSettings`'s); tests pass 1 to see faults at once. */
  readonly maxAttempts?: number;
}

/** Counts the API calls made through the clients, by `Service.Operation`. */
export class ApiCallCounter {
  private readonly counts = new Map<string, number>();

  record(operation: string): void {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
  }

  /** A copy of the counts so far; {@link ApiCallCounter.difference} of two copies gives the calls between them. */
  snapshot(): ReadonlyMap<string, number> {
    return new Map(this.counts);
  }

  static difference(
    after: ReadonlyMap<string, number>,
    before: ReadonlyMap<string, number>,
  ): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [operation, count] of after) {
      const delta = count - (before.get(operation) ?? 0);
      if (delta > 0) out[operation] = delta;
    }
    return out;
  }
}

/** Assuming the execution role failed: the error names the role. */
export class AssumeRoleError extends EcrAccessRulesError {}

/** Any SDK v3 client: its middleware stack takes an initialize-step middleware. */
interface Countable<I extends object, O extends MetadataBearer> {
  readonly middlewareStack: {
    add(middleware: InitializeMiddleware<I, O>, options: InitializeHandlerOptions & { name: string }): void;
  };
}

function countCalls<I extends object, O extends MetadataBearer>(
  client: Countable<I, O>,
  service: string,
  counter: ApiCallCounter,
): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      counter.record(`${service}.${(context.commandName ?? "Unknown").replace(/Command$/u, "")}`);
      return next(args);
    },
    { step: "initialize", name: "ecrAccessRulesCallCounter" },
  );
}

/**
 * Credentials from `sts:AssumeRole`, cached until five minutes before they expire. `sts` gives the STS
 * client on the first call (the SDK's STS module is imported then, not when this module loads).
 *
 * @example
 * const credentials = assumedRoleCredentials(async () => sts, "arn:aws:iam::111122223333:role/ConfigRuleRole", "ecr-access-rules");
 */
export function assumedRoleCredentials(
  sts: () => Promise<STSClient>,
  roleArn: string,
  sessionName: string,
): CredentialProvider {
  let cached: Credentials | undefined;
  return async () => {
    if (cached?.expiration !== undefined && cached.expiration.getTime() - Date.now() > 5 * 60_000)
      return cached;
    let response: AssumeRoleCommandOutput;
    try {
      const [client, { AssumeRoleCommand }] = await Promise.all([sts(), import("@aws-sdk/client-sts")]);
      response = await client.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName }));
    } catch (cause) {
      const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
      throw new AssumeRoleError(`cannot assume ${roleArn} (sts:AssumeRole): ${reason}`, { cause });
    }
    const c = response.Credentials;
    if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined) {
      throw new AssumeRoleError(`sts:AssumeRole for ${roleArn} returned no credentials`);
    }
    cached = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken === undefined ? {} : { sessionToken: c.SessionToken }),
      ...(c.Expiration === undefined ? {} : { expiration: c.Expiration }),
    };
    return cached;
  };
}

export interface ClientTarget {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  /** The role to assume in `accountId`; absent: the function's own credentials. */
  readonly roleName?: string;
}

/** The settings every client of one target is built with. */
export interface ClientSettings extends RetryAndTimeoutSettings {
  readonly region: string;
  readonly endpoint?: string;
  readonly credentials?: Credentials | CredentialProvider;
}

/** An SDK v3 client class. */
export type ClientClass<C> = new (settings: ClientSettings) => C;

/**
 * Builds and caches clients per (service, account, region, role).
 *
 * @example
 * const factory = new ClientFactory({ maxAttempts: 3 });
 * const target = { accountId: "111122223333", region: "us-east-1", partition: "aws" };
 * factory.config(target); // the Config client
 * factory.client(IAMClient, "IAM", target); // any other service's
 */
export class ClientFactory {
  readonly counter = new ApiCallCounter();
  private readonly cache = new Map<string, unknown>();
  private readonly credentials = new Map<string, CredentialProvider>();

  constructor(private readonly base: BaseClientConfig = {}) {}

  /** The settings of `target`'s clients: its region, and the assumed role's credentials when it names one. */
  settings(target: ClientTarget): ClientSettings {
    const chosen = target.roleName === undefined ? this.base.credentials : this.roleCredentials(target);
    return {
      region: target.region,
      ...(this.base.endpoint === undefined ? {} : { endpoint: this.base.endpoint }),
      ...(chosen === undefined ? {} : { credentials: chosen }),
      ...clientSettings({ maxAttempts: this.base.maxAttempts }),
    };
  }

  private roleCredentials(target: ClientTarget): CredentialProvider {
    const roleArn = `arn:${target.partition}:iam::${target.accountId}:role/${target.roleName}`;
    let provider = this.credentials.get(roleArn);
    if (provider === undefined) {
      // The role is assumed with the function's own credentials, in the target's region.
      const own = { accountId: target.accountId, region: target.region, partition: target.partition };
      const sts = async (): Promise<STSClient> => {
        const { STSClient } = await import("@aws-sdk/client-sts");
        return this.client(STSClient, "STS", own);
      };
      provider = assumedRoleCredentials(sts, roleArn, "ecr-access-rules");
      this.credentials.set(roleArn, provider);
    }
    return provider;
  }

  /**
   * The client of `Class` for `target`, built on first use; `service` names its calls in the counts.
   *
   * @example
   * factory.client(ECRClient, "ECR", target).send(new DescribeRepositoriesCommand({}));
   */
  client<C extends Countable<object, MetadataBearer>>(
    Class: ClientClass<C>,
    service: string,
    target: ClientTarget,
  ): C {
    const key = `${service}|${target.accountId}|${target.region}|${target.roleName ?? ""}`;
    const cached = this.cache.get(key);
    if (cached instanceof Class) return cached;
    const client = new Class(this.settings(target));
    countCalls(client, service, this.counter);
    this.cache.set(key, client);
    return client;
  }

  /** The Config client of `target` (every handler's `PutEvaluations` and `GetResourceConfigHistory`). */
  config(target: ClientTarget): ConfigServiceClient {
    return this.client(ConfigServiceClient, "Config", target);
  }
}
