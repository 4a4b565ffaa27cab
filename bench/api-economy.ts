/**
 * Section 4, API economy: the packaged periodic handlers (the bundles of section 2, in a fresh `node` each:
 * a new Lambda container) over a generated account served by the local fake of AWS with a fixed latency
 * per call, counting the calls by operation, against the lower bound of what any sweep must call:
 *
 *   ⌈walk items / 1,000⌉ GetAccountAuthorizationDetails pages (users, roles, groups, customer managed
 *   policies; 1,000 is the API's largest page) + 2 × the AWS managed policies in use (GetPolicy for the
 *   default version, GetPolicyVersion for its document) + ⌈evaluations / 100⌉ PutEvaluations.
 *
 * Then one change-triggered evaluation of a role by the principal rule in a fresh container (cold: it reads
 * the account), and a second role's change in the same container (warm: it should read nothing from IAM).
 */
import { type ChildProcess, fork } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { principalConfiguration } from "../shared/account/items.js";
import { parseSnapshot } from "../shared/account/snapshot.js";
import { changeEvent, notificationItem, scheduledEvent } from "../test/support/events.js";
import { FakeAws, type RecordedRequest } from "../test/support/fake-aws.js";
import { generatedAccount } from "./accounts.js";
import type { Bundle } from "./bundles.js";
import { resultToken, serveAccount } from "./fake-account.js";
import type { Profile } from "./profile.js";
import { BenchError, round } from "./stats.js";

const ACCOUNT = "111122223333";
const PRINCIPAL_RULE = "ecr-iam-principal-write-authorized";

/** Run by plain `node` with an IPC channel: loads a handler, answers each event sent with its outcome. */
const DRIVER = `
import { pathToFileURL } from "node:url";
const module = await import(pathToFileURL(process.argv[2]).href);
process.on("message", async (event) => {
  const started = performance.now();
  try {
    const result = await module.handler(event);
    process.send({ evaluations: result.evaluations.length, ms: performance.now() - started });
  } catch (error) {
    process.send({ error: String(error && error.name) + ": " + String(error && error.message), ms: performance.now() - started });
  }
});
process.send({ ready: true });
`;

export interface Invocation {
  /** Calls by `service.Operation`. */
  readonly calls: Readonly<Record<string, number>>;
  readonly totalCalls: number;
  readonly iamCalls: number;
  readonly evaluations: number;
  readonly wallSeconds: number;
}

export interface PeriodicFigures extends Invocation {
  readonly rule: string;
  readonly lowerBound: {
    readonly authorizationDetailsPages: number;
    readonly awsManagedPolicyReads: number;
    readonly putEvaluations: number;
    readonly total: number;
  };
  /** `first`: Config holds no evaluation of the rule yet; `steady`: it holds the first sweep's. */
  readonly sweep: "first" | "steady";
  /** totalCalls / lowerBound.total (the bound of issue 12). */
  readonly ratio: number;
  /** COMPLIANT and NON_COMPLIANT evaluations Config held before the run (what it lists back). */
  readonly previousEvaluations: number;
  /** ⌈previousEvaluations / 100⌉: the pages of GetComplianceDetailsByConfigRule they take (at least one). */
  readonly previousEvaluationPages: number;
  /** totalCalls / (lowerBound.total + max(1, previousEvaluationPages)): the bound of a sweep that also
   * marks vanished resources NOT_APPLICABLE, as these rules do. */
  readonly ratioWithPrevious: number;
}

export interface ApiEconomySection {
  readonly latencyMs: number;
  readonly roles: number;
  readonly walkItems: number;
  readonly awsManagedInUse: number;
  readonly periodic: readonly PeriodicFigures[];
  readonly change: { readonly rule: string; readonly cold: Invocation; readonly warm: Invocation };
}

/** A fresh container: the bundle's handler loaded in a new `node`. */
class Container {
  private constructor(
    private readonly child: ChildProcess,
    private readonly fake: FakeAws,
  ) {}

  static async start(bundle: Bundle, driver: string, fake: FakeAws, home: string): Promise<Container> {
    const child = fork(driver, [bundle.path], {
      // The SDK warns of Node 20's end of support (Lambda runs Node 22): not the figures' business.
      execArgv: ["--no-warnings"],
      stdio: ["ignore", "ignore", "inherit", "ipc"],
      env: {
        PATH: process.env.PATH ?? "",
        HOME: home,
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "AKIDBENCH",
        AWS_SECRET_ACCESS_KEY: "bench",
        AWS_CONFIG_FILE: join(home, "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE: join(home, "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_ENDPOINT_URL: fake.endpoint,
        POWERTOOLS_LOG_LEVEL: "CRITICAL",
      },
    });
    await new Promise<void>((resolve, reject) => {
      child.once("message", () => resolve());
      child.once("exit", (code) => reject(new BenchError(`${bundle.name}: the handler exited (${code})`)));
    });
    return new Container(child, fake);
  }

  /** Sends one event; the calls the fake received meanwhile, and the handler's outcome. */
  async invoke(event: object): Promise<Invocation> {
    const before = this.fake.requests.length;
    const started = performance.now();
    const reply = await new Promise<unknown>((resolve) => {
      this.child.once("message", resolve);
      this.child.send(event);
    });
    const wallSeconds = (performance.now() - started) / 1000;
    const error = typeof reply === "object" && reply !== null && "error" in reply ? reply.error : undefined;
    const evaluations =
      typeof reply === "object" && reply !== null && "evaluations" in reply ? reply.evaluations : undefined;
    if (error !== undefined || typeof evaluations !== "number") {
      throw new BenchError(`the handler failed: ${String(error ?? JSON.stringify(reply))}`);
    }
    return tally(this.fake.requests.slice(before), evaluations, wallSeconds);
  }

  stop(): void {
    this.child.disconnect();
    this.child.kill();
  }
}

function tally(requests: readonly RecordedRequest[], evaluations: number, wallSeconds: number): Invocation {
  const calls: Record<string, number> = {};
  for (const r of requests) {
    const key = `${r.service}.${r.operation}`;
    calls[key] = (calls[key] ?? 0) + 1;
  }
  const sent = requests
    .filter((r) => r.operation === "PutEvaluations")
    .reduce((sum, r) => sum + (Array.isArray(r.input.Evaluations) ? r.input.Evaluations.length : 0), 0);
  if (sent !== evaluations)
    throw new BenchError(`the handler returned ${evaluations} evaluations but put ${sent}`);
  return {
    calls,
    totalCalls: requests.length,
    iamCalls: requests.filter((r) => r.service === "iam").length,
    evaluations,
    wallSeconds: round(wallSeconds, 2),
  };
}

/** The change notification of one role of the account, as Config sends it. */
function roleChange(snapshot: object, index: number): object {
  const roles = parseSnapshot(snapshot).iam.principals.filter(
    (p) => p.type === "role" && !p.path.startsWith("/aws-service-role/"),
  );
  const role = roles[index];
  if (role === undefined) throw new BenchError(`the account has no role ${index}`);
  const item = notificationItem({
    resourceType: "AWS::IAM::Role",
    resourceId: role.id,
    resourceName: role.name,
    arn: role.arn,
    region: "global",
    accountId: ACCOUNT,
    configuration: principalConfiguration(role),
  });
  return changeEvent(item, {
    ruleName: PRINCIPAL_RULE,
    accountId: ACCOUNT,
    resultToken: resultToken(PRINCIPAL_RULE),
  });
}

/** Runs section 4 with the bundles of section 2; `dir` is a scratch folder. */
export async function runApiEconomy(
  profile: Profile,
  bundles: readonly Bundle[],
  dir: string,
): Promise<ApiEconomySection> {
  const principal = bundles.find((b) => b.name === PRINCIPAL_RULE);
  if (principal === undefined) throw new BenchError(`section 4 needs the ${PRINCIPAL_RULE} bundle`);
  const driver = join(dir, "driver.mjs");
  writeFileSync(driver, DRIVER);
  const { snapshot } = generatedAccount(profile.economyRoles);
  const fake = await FakeAws.start({ latencyMs: profile.latencyMs });
  try {
    const served = serveAccount(fake, snapshot);
    const periodic: PeriodicFigures[] = [];
    for (const bundle of bundles.filter((b) => profile.periodicRules.includes(b.name))) {
      // The first sweep finds no previous evaluations; the second (a new container) is the steady state.
      for (const sweep of ["first", "steady"] as const) {
        const held = served.heldEvaluations(bundle.name);
        const container = await Container.start(bundle, driver, fake, dir);
        try {
          const run = await container.invoke(
            scheduledEvent({
              ruleName: bundle.name,
              accountId: ACCOUNT,
              resultToken: resultToken(bundle.name),
            }),
          );
          const bound = {
            authorizationDetailsPages: Math.ceil(served.walkItems / 1000),
            awsManagedPolicyReads: 2 * served.awsManagedInUse,
            putEvaluations: Math.ceil(run.evaluations / 100),
          };
          const total = bound.authorizationDetailsPages + bound.awsManagedPolicyReads + bound.putEvaluations;
          const previousEvaluationPages = Math.ceil(held / 100);
          periodic.push({
            rule: bundle.name,
            sweep,
            ...run,
            lowerBound: { ...bound, total },
            ratio: round(run.totalCalls / total, 3),
            previousEvaluations: held,
            previousEvaluationPages,
            ratioWithPrevious: round(run.totalCalls / (total + Math.max(1, previousEvaluationPages)), 3),
          });
        } finally {
          container.stop();
        }
      }
    }
    const container = await Container.start(principal, driver, fake, dir);
    try {
      const cold = await container.invoke(roleChange(snapshot, 0));
      const warm = await container.invoke(roleChange(snapshot, 1));
      return {
        latencyMs: profile.latencyMs,
        roles: profile.economyRoles,
        walkItems: served.walkItems,
        awsManagedInUse: served.awsManagedInUse,
        periodic,
        change: { rule: PRINCIPAL_RULE, cold, warm },
      };
    } finally {
      container.stop();
    }
  } finally {
    await fake.stop();
  }
}
