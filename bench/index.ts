/**
 * `npm run bench`: how close the rule pack is to its limits, measured side by side in one run (issue 12).
 *
 *   npm run bench                      # every section, tables on standard output (under 5 minutes)
 *   npm run bench -- --quick           # smaller inputs (under a minute)
 *   npm run bench -- --json            # ONE JSON object on standard output (shape: BENCHMARKS.md)
 *   npm run bench -- --markdown        # the tables as Markdown
 *   npm run bench -- --record          # and writes them into BENCHMARKS.md, between its bench markers
 *   npm run bench -- --only sweep,api  # some sections: throughput, cold-start, sweep, api
 *   npm run bench -- --tiny            # the smoke test's inputs (seconds; figures mean nothing)
 *   npm run bench -- --from FILE --record   # records an earlier run's JSON (e.g. bench/out/results.json)
 *
 * Sections: 1 analysis throughput (in process, one core), 2 cold start of each rule's bundle against the
 * Config-client floor, 3 sweep scale (`scan` and `who-can-write` in child processes), 4 API economy (the
 * packaged periodic handlers against the local fake of AWS). Progress goes to standard error. The JSON is
 * also written to bench/out/results.json (except for `--tiny`).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type ApiEconomySection, runApiEconomy } from "./api-economy.js";
import type { Bundle } from "./bundles.js";
import { type ColdStartSection, obtainBundles, runColdStart } from "./cold-start.js";
import { PROFILES, type Profile, type ProfileName } from "./profile.js";
import { BenchError, markdownTable, round, type Table, textTable } from "./stats.js";
import { runSweepScale, type SweepSection } from "./sweep-scale.js";
import { runThroughput, type ThroughputSection } from "./throughput.js";

export const SECTIONS = ["throughput", "cold-start", "sweep", "api"] as const;
export type SectionName = (typeof SECTIONS)[number];

/** One goal of issue 12 and how this run measured against it. */
export interface TargetResult {
  readonly id: string;
  readonly goal: string;
  readonly measured: string;
  /** `null`: not measured at the target's size (a `--quick` or `--tiny` run). */
  readonly met: boolean | null;
}

/** The one JSON object `--json` prints (its shape is documented in BENCHMARKS.md). */
export interface BenchResults {
  readonly schema: 1;
  readonly profile: ProfileName;
  readonly date: string;
  readonly node: string;
  readonly machine: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly memoryGb: number;
    readonly platform: string;
    /** The 1-minute load average when the run started (other work on the machine). */
    readonly loadAverage: number;
  };
  readonly durationSeconds: number;
  readonly throughput: ThroughputSection | null;
  readonly coldStart: ColdStartSection | null;
  readonly sweep: SweepSection | null;
  readonly apiEconomy: ApiEconomySection | null;
  readonly targets: readonly TargetResult[];
}

const root = fileURLToPath(new URL("..", import.meta.url));

function progress(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

/**
 * Runs the sections named in `only` (default: all) at `profile`'s sizes.
 *
 * @example
 * const results = await runBench(PROFILES.tiny, ["throughput"]);
 * results.throughput?.identity.documentsPerSecond; // a positive number
 */
export async function runBench(
  profile: Profile,
  only: readonly SectionName[] = SECTIONS,
  log: (text: string) => void = progress,
): Promise<BenchResults> {
  const started = performance.now();
  const load = loadavg()[0] ?? 0;
  const dir = mkdtempSync(join(tmpdir(), "ecr-bench-"));
  try {
    const wants = (section: SectionName) => only.includes(section);
    let throughput: ThroughputSection | null = null;
    if (wants("throughput")) {
      log("1/4 analysis throughput");
      throughput = await runThroughput(profile);
    }
    let bundles: Bundle[] = [];
    if (wants("cold-start") || wants("api")) {
      log(profile.bundler === "serverless-package" ? "bundles: npm run package" : "bundles: esbuild");
      bundles = await obtainBundles(profile, root, dir);
    }
    let coldStart: ColdStartSection | null = null;
    if (wants("cold-start")) {
      log("2/4 cold start");
      coldStart = await runColdStart(profile, root, bundles, join(dir, "cold"));
    }
    let sweep: SweepSection | null = null;
    if (wants("sweep")) {
      log("3/4 sweep scale");
      const sweepDir = join(dir, "sweep");
      mkdirSync(sweepDir, { recursive: true });
      sweep = runSweepScale(profile, root, sweepDir);
    }
    let apiEconomy: ApiEconomySection | null = null;
    if (wants("api")) {
      log("4/4 API economy");
      const apiDir = join(dir, "api");
      mkdirSync(apiDir, { recursive: true });
      apiEconomy = await runApiEconomy(profile, bundles, apiDir);
    }
    const cpu = cpus();
    const partial = { throughput, coldStart, sweep, apiEconomy };
    return {
      schema: 1,
      profile: profile.name,
      date: new Date().toISOString(),
      node: process.version,
      machine: {
        cpus: cpu.length,
        cpuModel: cpu[0]?.model.trim() ?? "unknown",
        memoryGb: round(totalmem() / 2 ** 30, 1),
        platform: `${process.platform} ${process.arch}`,
        loadAverage: round(load, 2),
      },
      durationSeconds: round((performance.now() - started) / 1000, 1),
      ...partial,
      targets: targets(partial),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The goals of issue 12, held against what this run measured (a section not run has no row). */
export function targets(
  results: Pick<BenchResults, "throughput" | "coldStart" | "sweep" | "apiEconomy">,
): TargetResult[] {
  const out: TargetResult[] = [];
  const { throughput, coldStart, sweep, apiEconomy } = results;
  if (throughput !== null) {
    const rate = throughput.identity.documentsPerSecond;
    out.push({
      id: "identity-throughput",
      goal: "identity analysis ≥ 20,000 documents/s on one core",
      measured: `${rate.toLocaleString("en-US")} documents/s`,
      met: rate >= 20_000,
    });
  }
  if (coldStart !== null && coldStart.handlers.length > 0) {
    const worst = coldStart.handlers.reduce((a, b) => (b.loadRatio > a.loadRatio ? b : a));
    out.push({
      id: "module-load",
      goal: "each handler's module load ≤ 1.10 × the Config-client floor",
      measured: `worst ${worst.loadRatio} × (${worst.name})`,
      met: coldStart.handlers.every((h) => h.loadRatio <= 1.1),
    });
  }
  const largest = sweep?.accounts.at(-1);
  if (sweep !== null && largest !== undefined) {
    const at = `${largest.sizes.roles.toLocaleString("en-US")} roles`;
    const atSize = (met: boolean) => (largest.sizes.roles === 10_000 ? met : null);
    out.push(
      {
        id: "sweep-cpu",
        goal: "10,000-role sweep (scan, reach included) ≤ 5 s CPU",
        measured: `${largest.scan.cpuSeconds} s at ${at}`,
        met: atSize(largest.scan.cpuSeconds <= 5),
      },
      {
        id: "sweep-rss",
        goal: "10,000-role sweep ≤ 512 MB peak RSS",
        measured: `${largest.scan.peakRssMb} MB at ${at}`,
        met: atSize(largest.scan.peakRssMb <= 512),
      },
      {
        id: "sweep-growth",
        goal: "growth exponent ≤ 1.15 (CPU of scan)",
        measured: `${sweep.exponents.scan.cpu} (who-can-write ${sweep.exponents.whoCanWrite?.cpu ?? "not fitted"})`,
        met: sweep.exponents.scan.cpu <= 1.15,
      },
    );
  }
  if (apiEconomy !== null) {
    const steady = apiEconomy.periodic.filter((p) => p.sweep === "steady");
    if (steady.length > 0) {
      const worst = steady.reduce((a, b) => (b.ratio > a.ratio ? b : a));
      out.push({
        id: "sweep-calls",
        goal: "sweep API calls ≤ 1.05 × the lower bound",
        measured: `worst ${worst.ratio} × (${worst.rule}, steady state)`,
        met: steady.every((p) => p.ratio <= 1.05),
      });
    }
    out.push({
      id: "warm-change",
      goal: "a warm change-triggered evaluation makes no IAM call",
      measured: `${apiEconomy.change.warm.iamCalls} IAM calls`,
      met: apiEconomy.change.warm.iamCalls === 0,
    });
  }
  return out;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const ms = (value: number) => `${value.toFixed(1)} ms`;
const int = (value: number) => value.toLocaleString("en-US");

/** The tables of a run, one per section (the human and Markdown output). */
export function tables(results: BenchResults): Table[] {
  const out: Table[] = [];
  const { throughput, coldStart, sweep, apiEconomy } = results;
  if (throughput !== null) {
    const row = (name: string, f: ThroughputSection["identity"]) => [
      name,
      int(f.documents),
      ms(f.medianMs),
      int(f.documentsPerSecond),
      f.passMs.map((p) => p.toFixed(0)).join(", "),
      String(f.refused),
    ];
    out.push({
      title: "1. Analysis throughput (in process, one core; median of the warm passes)",
      columns: ["corpus", "documents", "median pass", "documents/s", "passes (ms)", "refused"],
      rows: [
        row("identity: every version of every AWS managed policy", throughput.identity),
        row("resource: generated repository policies", throughput.resourcePolicies),
        row("trust doors: the generated account's roles", throughput.trustPolicies),
        ...(throughput.anchor === null
          ? []
          : [
              [
                `anchor: @cloud-copilot/iam-simulate, the first ${throughput.anchor.documents} identity documents (${throughput.anchor.simulationsPerDocument} simulations each)`,
                int(throughput.anchor.documents),
                "—",
                throughput.anchor.documentsPerSecond.toLocaleString("en-US"),
                throughput.anchor.passMs.map((p) => p.toFixed(0)).join(", "),
                String(throughput.anchor.errors),
              ],
            ]),
      ],
      notes:
        throughput.anchor === null
          ? []
          : [
              `side by side on the anchor's sample: our identity analysis ${int(throughput.anchor.engineDocumentsPerSecond)} documents/s, ${throughput.anchor.engineRatio} × the simulator (which answers one action on one repository per simulation; ours, every action and whether it covers all repositories).`,
            ],
    });
  }
  if (coldStart !== null) {
    const row = (f: ColdStartSection["floor"], load: string, first: string) => [
      f.name,
      kib(f.zipBytes),
      kib(f.bundleBytes),
      ms(f.loadMs),
      load,
      ms(f.firstInvocationMs),
      first,
      String(f.requestsPerRun),
    ];
    out.push({
      title: `2. Cold start (${coldStart.bundler === "serverless-package" ? "npm run package zips" : "esbuild bundles"}; median of ${coldStart.runs} fresh node processes, interleaved)`,
      columns: [
        "bundle",
        "zip",
        "bundle",
        "module load",
        "× floor",
        "first invocation",
        "× floor",
        "requests",
      ],
      rows: [
        row(coldStart.floor, "1.00", "1.00"),
        ...coldStart.handlers.map((h) => row(h, h.loadRatio.toFixed(2), h.firstInvocationRatio.toFixed(2))),
      ],
      notes: [
        "floor: ConfigServiceClient + PutEvaluationsCommand alone, built with serverless.yml's esbuild options; its zip is zip -9 of its files (the entry and its chunks).",
        "first invocation: a handler's first event (a deleted resource: NOT_APPLICABLE, one PutEvaluations) / the floor's new client + one PutEvaluations, to the local fake.",
      ],
    });
  }
  if (sweep !== null) {
    const who = (w: SweepSection["accounts"][number]["whoCanWrite"]): string[] => {
      switch (w.status) {
        case "done":
          return [`${w.wallSeconds} s`, `${w.cpuSeconds} s`, `${w.peakRssMb} MB`, int(w.writers)];
        case "timed-out":
          return [`> ${w.limitSeconds} s (stopped)`, "—", "—", "—"];
        case "skipped":
          return ["not run", "—", "—", "—"];
        default: {
          const never: never = w;
          throw new BenchError(`unknown who-can-write run ${JSON.stringify(never)}`);
        }
      }
    };
    const whoExponent = sweep.exponents.whoCanWrite;
    out.push({
      title: `3. Sweep scale (child processes under /usr/bin/time; CLI from ${sweep.cli})`,
      columns: [
        "roles",
        "users / groups / policies / repositories",
        "snapshot",
        "scan wall",
        "scan CPU",
        "scan RSS",
        "evaluations",
        `who-can-write (${sweep.whoCanWriteRepositories} repo) wall`,
        "CPU",
        "RSS",
        "writers",
      ],
      rows: sweep.accounts.map((a) => [
        int(a.sizes.roles),
        `${int(a.sizes.users)} / ${int(a.sizes.groups)} / ${int(a.sizes.customerPolicies)} / ${int(a.sizes.repositories)}`,
        `${a.snapshotMb} MB`,
        `${a.scan.wallSeconds} s`,
        `${a.scan.cpuSeconds} s`,
        `${a.scan.peakRssMb} MB`,
        int(a.scan.evaluations),
        ...who(a.whoCanWrite),
      ]),
      notes: [
        `growth exponent (least squares of log time on log roles): scan CPU ${sweep.exponents.scan.cpu}, wall ${sweep.exponents.scan.wall}; who-can-write ${whoExponent === null ? "not fitted (fewer than two runs finished)" : `CPU ${whoExponent.cpu}, wall ${whoExponent.wall}`}.`,
        `who-can-write names the account's first ${sweep.whoCanWriteRepositories} repositor${sweep.whoCanWriteRepositories === 1 ? "y" : "ies"}, with a limit of ${sweep.whoCanWriteLimitSeconds} s; once a run reaches it, larger accounts are not run.`,
      ],
    });
  }
  if (apiEconomy !== null) {
    out.push({
      title: `4. API economy: periodic sweeps (${int(apiEconomy.roles)}-role account, ${apiEconomy.latencyMs} ms per call, packaged handlers in a fresh node)`,
      columns: [
        "rule",
        "sweep",
        "calls by operation",
        "calls",
        "lower bound",
        "× bound",
        "× bound + previous",
        "wall",
      ],
      rows: apiEconomy.periodic.map((p) => [
        p.rule,
        p.sweep,
        Object.entries(p.calls)
          .map(([op, n]) => `${op} ${n}`)
          .join(", "),
        int(p.totalCalls),
        `${p.lowerBound.total} = ${p.lowerBound.authorizationDetailsPages} + ${p.lowerBound.awsManagedPolicyReads} + ${p.lowerBound.putEvaluations}`,
        p.ratio.toFixed(3),
        `${p.ratioWithPrevious.toFixed(3)} (${p.previousEvaluationPages} pages)`,
        `${p.wallSeconds} s`,
      ]),
      notes: [
        `lower bound = ⌈${int(apiEconomy.walkItems)} walk items / 1,000⌉ GetAccountAuthorizationDetails pages + 2 × ${apiEconomy.awsManagedInUse} AWS managed policies in use + ⌈evaluations / 100⌉ PutEvaluations.`,
        "× bound + previous: the bound plus the GetComplianceDetailsByConfigRule pages (100 results each) that list the rule's previous evaluations, read to mark vanished resources NOT_APPLICABLE.",
      ],
    });
    const change = apiEconomy.change;
    const row = (name: string, i: ApiEconomySection["change"]["cold"]) => [
      name,
      Object.entries(i.calls)
        .map(([op, n]) => `${op} ${n}`)
        .join(", "),
      int(i.totalCalls),
      int(i.iamCalls),
      int(i.evaluations),
      `${i.wallSeconds} s`,
    ];
    out.push({
      title: `4. API economy: one role's change (${change.rule})`,
      columns: ["cache", "calls by operation", "calls", "IAM calls", "evaluations", "wall"],
      rows: [
        row("cold (new container)", change.cold),
        row("warm (a second role, same container)", change.warm),
      ],
    });
  }
  out.push({
    title: "Targets (issue 12)",
    columns: ["goal", "measured", "met"],
    rows: results.targets.map((t) => [
      t.goal,
      t.measured,
      t.met === null ? "not at this size" : t.met ? "met" : "**missed**",
    ]),
  });
  return out;
}

/** The Markdown block `--markdown` prints and `--record` writes into BENCHMARKS.md. */
export function markdown(results: BenchResults): string {
  const m = results.machine;
  return [
    `Recorded ${results.date.slice(0, 10)} by \`npm run bench${results.profile === "full" ? "" : ` -- --${results.profile}`}\` in ${results.durationSeconds} s: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GiB, ${m.platform}, Node ${results.node}; load average ${m.loadAverage} at the start.`,
    "",
    ...tables(results).map(markdownTable),
  ].join("\n");
}

export const BEGIN_MARKER = "<!-- bench:begin (npm run bench -- --record rewrites this part) -->";
export const END_MARKER = "<!-- bench:end -->";

/**
 * `text` with the part between the bench markers replaced by `block`.
 *
 * @example
 * recorded("a\n<!-- bench:begin … -->\nold\n<!-- bench:end -->\nb", "new");
 */
export function recorded(text: string, block: string): string {
  const begin = text.indexOf(BEGIN_MARKER);
  const end = text.indexOf(END_MARKER);
  if (begin < 0 || end < begin) throw new BenchError("BENCHMARKS.md has no bench markers");
  return `${text.slice(0, begin + BEGIN_MARKER.length)}\n\n${block}\n${text.slice(end)}`;
}

/** An earlier run's JSON, checked for its schema (the harness wrote it: the rest is trusted). */
function isBenchResults(value: unknown): value is BenchResults {
  return (
    typeof value === "object" &&
    value !== null &&
    "schema" in value &&
    value.schema === 1 &&
    "targets" in value
  );
}

function readResults(text: string): BenchResults {
  const value: unknown = JSON.parse(text);
  if (!isBenchResults(value)) throw new BenchError("--from: not the JSON of npm run bench (schema 1)");
  // The targets are judged again from the figures, by this version of the harness.
  return { ...value, targets: targets(value) };
}

function parseSections(value: string | undefined): SectionName[] {
  if (value === undefined) return [...SECTIONS];
  return value.split(",").map((name) => {
    const found = SECTIONS.find((s) => s === name.trim());
    if (found === undefined) throw new BenchError(`--only: unknown section ${name} (${SECTIONS.join(", ")})`);
    return found;
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: "boolean", default: false },
      markdown: { type: "boolean", default: false },
      record: { type: "boolean", default: false },
      quick: { type: "boolean", default: false },
      tiny: { type: "boolean", default: false },
      only: { type: "string" },
      from: { type: "string" },
    },
  });
  const profile = PROFILES[values.tiny ? "tiny" : values.quick ? "quick" : "full"];
  // --from FILE: the results of an earlier run (its --json, or bench/out/results.json), printed or recorded
  // again without measuring.
  const results: BenchResults =
    values.from === undefined
      ? await runBench(profile, parseSections(values.only))
      : readResults(readFileSync(values.from, "utf8"));
  const json = `${JSON.stringify(results, null, 2)}\n`;
  if (values.from === undefined && profile.name !== "tiny") {
    mkdirSync(join(root, "bench/out"), { recursive: true });
    writeFileSync(join(root, "bench/out/results.json"), json);
  }
  if (values.record) {
    const file = join(root, "BENCHMARKS.md");
    writeFileSync(file, recorded(readFileSync(file, "utf8"), markdown(results)));
    progress("BENCHMARKS.md recorded");
  }
  if (values.json) process.stdout.write(json);
  else if (values.markdown) process.stdout.write(markdown(results));
  else process.stdout.write(tables(results).map(textTable).join("\n"));
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  });
}
