/**
 * AWS SDK clients, built once per container and per (account, region, role) — SPEC §6: with a role name
 * (`ASSUME_ROLE_NAME` or the `executionRoleName` parameter) the clients act through that role, assumed in
 * the event's account; otherwise through the function's own credentials. Every client counts its calls.
 */
import { ConfigServiceClient } from "@aws-sdk/client-config-service";
import { ECRClient } from "@aws-sdk/client-ecr";
import { IAMClient } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, type AssumeRoleCommandOutput, STSClient } from "@aws-sdk/client-sts";
import type { InitializeHandlerOptions, InitializeMiddleware, MetadataBearer } from "@smithy/types";
import { clientSettings } from "../aws/client-settings.js";
import { EcrAccessRulesError } from "../errors.js";

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

export interface AwsClients {
  readonly config: ConfigServiceClient;
  readonly ecr: ECRClient;
  readonly iam: IAMClient;
  readonly sts: STSClient;
}

/** Counts the API calls made through the clients, by `Service.Operation`. */
export class ApiCallCounter {
  private readonly counts = new Map<string, number>();

  record(operation: string): void {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
  }

  /** The counts since `since` (a snapshot taken earlier), or in total. */
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
 * Credentials from `sts:AssumeRole`, cached until five minutes before they expire.
 *
 * @example
 * const credentials = assumedRoleCredentials(sts, "arn:aws:iam::111122223333:role/ConfigRuleRole", "ecr-access-rules");
 */
export function assumedRoleCredentials(
  sts: STSClient,
  roleArn: string,
  sessionName: string,
): CredentialProvider {
  let cached: Credentials | undefined;
  return async () => {
    if (cached?.expiration !== undefined && cached.expiration.getTime() - Date.now() > 5 * 60_000)
      return cached;
    let response: AssumeRoleCommandOutput;
    try {
      response = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName }));
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

/**
 * Builds and caches clients per (account, region, role).
 *
 * @example
 * const factory = new ClientFactory({ maxAttempts: 3 });
 * const { config } = factory.clients({ accountId: "111122223333", region: "us-east-1", partition: "aws" });
 */
export class ClientFactory {
  readonly counter = new ApiCallCounter();
  private readonly cache = new Map<string, AwsClients>();

  constructor(private readonly base: BaseClientConfig = {}) {}

  private config(region: string, credentials?: Credentials | CredentialProvider) {
    const chosen = credentials ?? this.base.credentials;
    return {
      region,
      ...(this.base.endpoint === undefined ? {} : { endpoint: this.base.endpoint }),
      ...(chosen === undefined ? {} : { credentials: chosen }),
      ...clientSettings({ maxAttempts: this.base.maxAttempts }),
    };
  }

  clients(target: ClientTarget): AwsClients {
    const key = `${target.accountId}|${target.region}|${target.roleName ?? ""}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    let credentials: CredentialProvider | undefined;
    if (target.roleName !== undefined) {
      const sts = new STSClient(this.config(target.region));
      countCalls(sts, "STS", this.counter);
      const roleArn = `arn:${target.partition}:iam::${target.accountId}:role/${target.roleName}`;
      credentials = assumedRoleCredentials(sts, roleArn, "ecr-access-rules");
    }
    const settings = this.config(target.region, credentials);
    const clients: AwsClients = {
      config: new ConfigServiceClient(settings),
      ecr: new ECRClient(settings),
      iam: new IAMClient(settings),
      sts: new STSClient(settings),
    };
    countCalls(clients.config, "Config", this.counter);
    countCalls(clients.ecr, "ECR", this.counter);
    countCalls(clients.iam, "IAM", this.counter);
    countCalls(clients.sts, "STS", this.counter);
    this.cache.set(key, clients);
    return clients;
  }
}
