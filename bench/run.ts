/**
 * `npm run bench`: speed and memory of the policy engine and of `ecr-access-rules analyze --each --json`,
 * as figures and ratios (never asserted in tests). Writes bench/out/results.json and prints a table.
 *
 * Measures:
 * - engine, in process: parse + analyse every file's document, first pass (cold) and best of three (warm);
 * - the CLI as a child process under /usr/bin/time: wall, user+sys CPU and peak RSS, against `--help`
 *   (start-up alone), so that "CPU after start-up" is the difference.
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { analyzeIdentityPolicies, parsePolicyDocument } from "../shared/policy/index.js";
import { writePolicyFolder } from "./generate-policies.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = join(root, "dist/cli/ecr-access-rules.js");

function cpuMs(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function enginePass(texts: readonly string[]): number {
  const start = process.cpuUsage();
  for (const text of texts) {
    const document = parsePolicyDocument(text, "identity");
    analyzeIdentityPolicies([{ label: "bench", document }]);
  }
  return cpuMs(start);
}

interface Timed {
  wallMs: number;
  cpuMs: number;
  maxRssMb: number;
}

function timeCommand(args: readonly string[]): Timed {
  const result = spawnSync("/usr/bin/time", ["-f", "%e %U %S %M", process.execPath, cli, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  const line = result.stderr.trim().split("\n").at(-1) ?? "";
  const [wall, user, sys, rss] = line.split(" ").map(Number);
  if ([wall, user, sys, rss].some((n) => n === undefined || Number.isNaN(n))) {
    throw new Error(`could not read /usr/bin/time output: ${result.stderr.slice(-500)}`);
  }
  return {
    wallMs: (wall ?? 0) * 1000,
    cpuMs: ((user ?? 0) + (sys ?? 0)) * 1000,
    maxRssMb: (rss ?? 0) / 1024,
  };
}

function best(runs: readonly Timed[]): Timed {
  return runs.reduce((a, b) => (b.cpuMs < a.cpuMs ? b : a));
}

const dir = mkdtempSync(join(tmpdir(), "ecr-bench-"));
try {
  if (!existsSync(cli)) execFileSync("npm", ["run", "build", "--silent"], { cwd: root, stdio: "inherit" });
  const files = writePolicyFolder(dir, 400, 42);
  const texts = readdirSync(dir).map((name) => readFileSync(join(dir, name), "utf8"));
  const bytes = texts.reduce((sum, text) => sum + text.length, 0);

  const engineCold = enginePass(texts);
  const engineWarm = Math.min(enginePass(texts), enginePass(texts), enginePass(texts));

  const help = best([1, 2, 3].map(() => timeCommand(["--help"])));
  const analyze = best([1, 2, 3].map(() => timeCommand(["analyze", "--each", "--json", "--exit-zero", dir])));

  const results = {
    date: new Date().toISOString(),
    node: process.version,
    files,
    megabytes: Number((bytes / 1e6).toFixed(1)),
    engine: {
      coldCpuMs: Math.round(engineCold),
      warmCpuMs: Math.round(engineWarm),
      warmUsPerFile: Math.round((engineWarm * 1000) / files),
    },
    cli: {
      startupCpuMs: Math.round(help.cpuMs),
      analyzeWallMs: Math.round(analyze.wallMs),
      analyzeCpuMs: Math.round(analyze.cpuMs),
      cpuAfterStartupMs: Math.round(analyze.cpuMs - help.cpuMs),
      peakRssMb: Math.round(analyze.maxRssMb),
      cpuRatioToStartup: Number((analyze.cpuMs / help.cpuMs).toFixed(2)),
    },
  };
  mkdirSync(join(root, "bench/out"), { recursive: true });
  writeFileSync(join(root, "bench/out/results.json"), `${JSON.stringify(results, null, 2)}\n`);
  const rows: Array<[string, string]> = [
    ["policy files (managed + synthetic)", `${files} (${results.megabytes} MB)`],
    ["engine, cold pass (CPU)", `${results.engine.coldCpuMs} ms`],
    ["engine, warm pass (CPU)", `${results.engine.warmCpuMs} ms (${results.engine.warmUsPerFile} µs/file)`],
    ["CLI start-up (--help, CPU)", `${results.cli.startupCpuMs} ms`],
    [
      "analyze --each --json (wall / CPU)",
      `${results.cli.analyzeWallMs} ms / ${results.cli.analyzeCpuMs} ms`,
    ],
    ["  CPU after start-up", `${results.cli.cpuAfterStartupMs} ms`],
    ["  peak RSS", `${results.cli.peakRssMb} MB`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
