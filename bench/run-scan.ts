/**
 * `npm run bench` (second part): `ecr-access-rules scan --snapshot` over a generated account of 10,000
 * roles, 2,000 users, 500 groups and 3,000 customer managed policies (plus 200 repositories), in one
 * process; wall time, CPU and peak RSS under /usr/bin/time. Writes bench/out/scan.json.
 * Smaller sizes: `tsx bench/run-scan.ts --scale 0.1`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateSnapshot } from "./generate-snapshot.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = join(root, "dist/cli/ecr-access-rules.js");
const scaleArg = process.argv.indexOf("--scale");
const scale = scaleArg > 0 ? Number(process.argv[scaleArg + 1]) : 1;
const sizes = {
  roles: Math.round(10_000 * scale),
  users: Math.round(2_000 * scale),
  groups: Math.round(500 * scale),
  customerPolicies: Math.round(3_000 * scale),
  repositories: Math.round(200 * scale),
  seed: 42,
};

const dir = mkdtempSync(join(tmpdir(), "ecr-scan-bench-"));
try {
  if (!existsSync(cli)) execFileSync("npm", ["run", "build", "--silent"], { cwd: root, stdio: "inherit" });
  const file = join(dir, "snapshot.json");
  writeFileSync(file, JSON.stringify(generateSnapshot(sizes)));
  const megabytes = statSync(file).size / 1e6;
  const result = spawnSync(
    "/usr/bin/time",
    ["-f", "%e %U %S %M", process.execPath, cli, "scan", "--snapshot", file, "--json", "--exit-zero"],
    { encoding: "utf8", maxBuffer: 1 << 30 },
  );
  const timing = result.stderr.trim().split("\n").at(-1) ?? "";
  const [wall = Number.NaN, user = Number.NaN, sys = Number.NaN, rssKb = Number.NaN] = timing
    .split(" ")
    .map(Number);
  if (result.status !== 0 || Number.isNaN(wall)) {
    throw new Error(`scan failed (status ${result.status}): ${result.stderr.slice(-800)}`);
  }
  const evaluations: unknown[] = JSON.parse(result.stdout).evaluations;
  const figures = {
    date: new Date().toISOString(),
    node: process.version,
    ...sizes,
    snapshotMegabytes: Number(megabytes.toFixed(1)),
    evaluations: evaluations.length,
    wallSeconds: wall,
    cpuSeconds: Number((user + sys).toFixed(2)),
    peakRssMegabytes: Math.round(rssKb / 1024),
    microsecondsPerEvaluation: Math.round((wall * 1e6) / evaluations.length),
  };
  mkdirSync(join(root, "bench/out"), { recursive: true });
  writeFileSync(join(root, "bench/out/scan.json"), `${JSON.stringify(figures, null, 2)}\n`);
  const rows: Array<[string, string]> = [
    [
      "account",
      `${sizes.roles} roles, ${sizes.users} users, ${sizes.groups} groups, ${sizes.customerPolicies} policies, ${sizes.repositories} repositories`,
    ],
    ["snapshot", `${figures.snapshotMegabytes} MB`],
    ["evaluations", String(figures.evaluations)],
    ["scan wall / CPU", `${figures.wallSeconds} s / ${figures.cpuSeconds} s`],
    ["peak RSS", `${figures.peakRssMegabytes} MB`],
    ["per evaluation (wall)", `${figures.microsecondsPerEvaluation} µs`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
