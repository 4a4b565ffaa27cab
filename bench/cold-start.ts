/**
 * Section 2, cold start: per rule's bundle, its zip size, its module load in a fresh `node` and its first
 * invocation, against the Config-client floor (a bundle exporting only `ConfigServiceClient` and
 * `PutEvaluationsCommand`, built in the same run with serverless.yml's esbuild options).
 *
 * Each run is a fresh `node` (no loader, no `node_modules` above the bundle) that times `import()` of the
 * bundle, then its first invocation: for a handler, one change notification of a deleted resource (the rule
 * builds its clients and sends one `PutEvaluations` with NOT_APPLICABLE, reading nothing else); for the
 * floor, `new ConfigServiceClient({})` and one `PutEvaluations`. Both go to the local fake endpoint. Runs
 * are interleaved (run 1 of every bundle, then run 2, …) so that a busy minute weighs on all alike; the
 * median of each is reported.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { promisify } from "node:util";
import { RULES } from "../rules/index.js";
import { changeEvent, notificationItem } from "../test/support/events.js";
import { FakeAws, ok } from "../test/support/fake-aws.js";
import {
  type Bundle,
  buildFloor,
  codeBytes,
  esbuildBundles,
  packagedBundles,
  serverlessEsbuildOptions,
} from "./bundles.js";
import type { Profile } from "./profile.js";
import { BenchError, median, round } from "./stats.js";

const run = promisify(execFile);

/** Run by plain `node`: loads a bundle, invokes it once, prints `{loadMs, firstInvocationMs}`. */
const PROBE = `
import { pathToFileURL } from "node:url";
const [path, kind, event] = process.argv.slice(2);
const loadStart = performance.now();
const module = await import(pathToFileURL(path).href);
const loadMs = performance.now() - loadStart;
const firstStart = performance.now();
if (kind === "handler") {
  await module.handler(JSON.parse(event));
} else {
  const client = new module.ConfigServiceClient({});
  await client.send(new module.PutEvaluationsCommand({
    ResultToken: "token",
    Evaluations: [{ ComplianceResourceType: "AWS::ECR::Repository", ComplianceResourceId: "floor",
      ComplianceType: "NOT_APPLICABLE", OrderingTimestamp: new Date() }],
  }));
}
const firstInvocationMs = performance.now() - firstStart;
process.stdout.write(JSON.stringify({ loadMs, firstInvocationMs }));
`;

export interface BundleFigures {
  readonly name: string;
  readonly zipBytes: number;
  readonly bundleBytes: number;
  readonly loadMs: number;
  readonly firstInvocationMs: number;
  /** Requests the fake received per run (a handler's first invocation sends one `PutEvaluations`). */
  readonly requestsPerRun: number;
}

export interface HandlerFigures extends BundleFigures {
  /** loadMs / the floor's loadMs. */
  readonly loadRatio: number;
  readonly firstInvocationRatio: number;
}

export interface ColdStartSection {
  readonly bundler: Profile["bundler"];
  readonly runs: number;
  readonly floor: BundleFigures;
  readonly handlers: readonly HandlerFigures[];
}

interface Target {
  readonly name: string;
  readonly kind: "handler" | "floor";
  readonly path: string;
  readonly zipBytes: number;
  readonly bundleBytes: number;
  readonly event: string;
}

function numberField(raw: unknown, key: string): number {
  const value =
    typeof raw === "object" && raw !== null ? Object.getOwnPropertyDescriptor(raw, key)?.value : undefined;
  if (typeof value !== "number" || !Number.isFinite(value))
    throw new BenchError(`probe output has no ${key}`);
  return value;
}

/** A change notification of a deleted resource of the rule's first type: NOT_APPLICABLE, no reads. */
function deletedResourceEvent(ruleName: string, resourceType: string): string {
  const item = notificationItem({
    resourceType,
    resourceId: "bench-deleted-resource",
    configuration: null,
    status: "ResourceDeleted",
  });
  return JSON.stringify(changeEvent(item, { ruleName, resultToken: "token" }));
}

/**
 * The bundles of the rules `profile` names: `npm run package`'s zips, or esbuild alone with the options of
 * serverless.yml (the smoke test), unpacked under `dir`.
 */
export async function obtainBundles(profile: Profile, root: string, dir: string): Promise<Bundle[]> {
  const names = profile.handlers === "all" ? RULES.map((r) => r.name) : [...profile.handlers];
  return profile.bundler === "serverless-package"
    ? packagedBundles(root, names, join(dir, "zips"))
    : await esbuildBundles(root, serverlessEsbuildOptions(root), names, join(dir, "esbuild"));
}

/** Runs section 2 over `bundles`; `dir` is a scratch folder. */
export async function runColdStart(
  profile: Profile,
  root: string,
  bundles: readonly Bundle[],
  dir: string,
): Promise<ColdStartSection> {
  const options = serverlessEsbuildOptions(root);
  const floorPath = await buildFloor(root, options, join(dir, "floor"));
  const floorZip = join(dir, "floor", "floor.zip");
  // Every file of the floor's build: with serverless.yml's `splitting`, its entry and its chunks.
  const floorFiles = readdirSync(dirname(floorPath)).filter((f) => f.endsWith(extname(floorPath)));
  execFileSync("zip", ["-q", "-9", "-j", floorZip, ...floorFiles.map((f) => join(dirname(floorPath), f))]);
  const probe = join(dir, "probe.mjs");
  mkdirSync(dir, { recursive: true });
  writeFileSync(probe, PROBE);

  const targets: Target[] = [
    {
      name: "floor",
      kind: "floor",
      path: floorPath,
      zipBytes: statSync(floorZip).size,
      bundleBytes: codeBytes(floorPath),
      event: "",
    },
    ...bundles.map((bundle): Target => {
      const rule = RULES.find((r) => r.name === bundle.name);
      const type = rule?.resourceTypes[0];
      if (type === undefined) throw new BenchError(`no rule named ${bundle.name}`);
      return {
        name: bundle.name,
        kind: "handler",
        path: bundle.path,
        zipBytes: bundle.zipBytes,
        bundleBytes: bundle.bundleBytes,
        event: deletedResourceEvent(bundle.name, type),
      };
    }),
  ];

  const fake = await FakeAws.start();
  fake.on("config", "PutEvaluations", () => ok({ FailedEvaluations: [] }));
  const samples = new Map<string, { load: number[]; first: number[]; requests: number[] }>(
    targets.map((t) => [t.name, { load: [], first: [], requests: [] }]),
  );
  try {
    for (let i = 0; i < profile.coldRuns; i += 1) {
      for (const target of targets) {
        const before = fake.requests.length;
        const { stdout } = await run(process.execPath, [probe, target.path, target.kind, target.event], {
          cwd: dir,
          timeout: 60_000,
          env: {
            PATH: process.env.PATH ?? "",
            HOME: dir,
            AWS_REGION: "us-east-1",
            AWS_ACCESS_KEY_ID: "AKIDBENCH",
            AWS_SECRET_ACCESS_KEY: "bench",
            AWS_CONFIG_FILE: join(dir, "no-aws-config"),
            AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-aws-credentials"),
            AWS_EC2_METADATA_DISABLED: "true",
            AWS_ENDPOINT_URL: fake.endpoint,
            POWERTOOLS_LOG_LEVEL: "CRITICAL",
          },
        });
        const raw: unknown = JSON.parse(stdout);
        const sample = samples.get(target.name);
        sample?.load.push(numberField(raw, "loadMs"));
        sample?.first.push(numberField(raw, "firstInvocationMs"));
        sample?.requests.push(fake.requests.length - before);
      }
    }
  } finally {
    await fake.stop();
  }

  const figures = (target: Target): BundleFigures => {
    const sample = samples.get(target.name) ?? { load: [], first: [], requests: [] };
    return {
      name: target.name,
      zipBytes: target.zipBytes,
      bundleBytes: target.bundleBytes,
      loadMs: round(median(sample.load), 1),
      firstInvocationMs: round(median(sample.first), 1),
      requestsPerRun: Math.max(...sample.requests),
    };
  };
  const [floorTarget, ...handlerTargets] = targets;
  if (floorTarget === undefined) throw new BenchError("no floor");
  const floor = figures(floorTarget);
  return {
    bundler: profile.bundler,
    runs: profile.coldRuns,
    floor,
    handlers: handlerTargets.map((target) => {
      const f = figures(target);
      return {
        ...f,
        loadRatio: round(f.loadMs / floor.loadMs, 2),
        firstInvocationRatio: round(f.firstInvocationMs / floor.firstInvocationMs, 2),
      };
    }),
  };
}
