/**
 * Small numeric and process helpers for the benchmark harness: medians, the fitted growth exponent, and
 * child processes timed by `/usr/bin/time` (wall, user + system CPU, peak RSS).
 */
import { spawnSync } from "node:child_process";

/** Thrown when a measured command fails or its figures cannot be read. */
export class BenchError extends Error {
  override readonly name = "BenchError";
}

/**
 * The median of a non-empty list (the mean of the middle two for an even count).
 *
 * @example
 * median([3, 1, 2]); // 2
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new BenchError("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const high = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? high : ((sorted[middle - 1] ?? Number.NaN) + high) / 2;
}

/**
 * The slope of the least-squares line through (log x, log y): y grows as x to this power.
 *
 * @example
 * growthExponent([1000, 2000, 4000], [1, 2, 4]); // 1
 */
export function growthExponent(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length || xs.length < 2)
    throw new BenchError("growthExponent needs two points or more");
  const lx = xs.map(Math.log);
  const ly = ys.map(Math.log);
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length;
  const my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < lx.length; i += 1) {
    const dx = (lx[i] ?? 0) - mx;
    num += dx * ((ly[i] ?? 0) - my);
    den += dx * dx;
  }
  if (den === 0) throw new BenchError("growthExponent needs two different sizes");
  return num / den;
}

/**
 * Rounds to `digits` decimals (a figure for a table or the JSON).
 *
 * @example
 * round(3.14159, 2); // 3.14
 */
export function round(value: number, digits = 0): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** What `/usr/bin/time` reports of one child process. */
export interface TimedRun {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
  readonly stdout: string;
}

/**
 * Runs `command` under `/usr/bin/time -f "%e %U %S %M"` and reads wall time, user + system CPU and peak RSS
 * (the kernel's high-water mark of the child, in KiB) from its last line of standard error. With
 * `limitSeconds`, coreutils' `timeout` ends the command after that long, and the answer is `"timed-out"`.
 *
 * @example
 * const run = timeChild(process.execPath, ["-e", "0"]); // { wallSeconds: 0.04, cpuSeconds: 0.03, … }
 */
export function timeChild(
  command: string,
  args: readonly string[],
  options: { readonly cwd?: string; readonly limitSeconds?: number } = {},
): TimedRun | "timed-out" {
  const limited =
    options.limitSeconds === undefined
      ? [command, ...args]
      : ["timeout", String(options.limitSeconds), command, ...args];
  const result = spawnSync("/usr/bin/time", ["-f", "%e %U %S %M", ...limited], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  if (result.error !== undefined) throw new BenchError(`cannot run ${command}`, { cause: result.error });
  // timeout(1) exits 124 when it ended the command.
  if (options.limitSeconds !== undefined && result.status === 124) return "timed-out";
  const line = result.stderr.trim().split("\n").at(-1) ?? "";
  const [wall, user, sys, rss] = line.split(" ").map(Number);
  if (result.status !== 0 || [wall, user, sys, rss].some((n) => n === undefined || !Number.isFinite(n))) {
    throw new BenchError(
      `${[command, ...args].join(" ")} failed (status ${result.status}): ${result.stderr.slice(-800)}`,
    );
  }
  return {
    wallSeconds: wall ?? 0,
    cpuSeconds: (user ?? 0) + (sys ?? 0),
    peakRssMb: (rss ?? 0) / 1024,
    stdout: result.stdout,
  };
}

/** A table of one section: its title, column heads, and rows of cells. */
export interface Table {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
  /** Lines printed under the table. */
  readonly notes?: readonly string[];
}

/**
 * A table as aligned text for a terminal.
 *
 * @example
 * textTable({ title: "t", columns: ["a", "b"], rows: [["1", "2"]] });
 */
export function textTable(table: Table): string {
  const widths = table.columns.map((head, i) =>
    Math.max(head.length, ...table.rows.map((row) => (row[i] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [
    table.title,
    line(table.columns),
    line(widths.map((w) => "-".repeat(w))),
    ...table.rows.map(line),
    ...(table.notes ?? []).map((note) => `  ${note}`),
    "",
  ].join("\n");
}

/**
 * A table as GitHub Markdown, under a `###` heading.
 *
 * @example
 * markdownTable({ title: "t", columns: ["a"], rows: [["1"]] }); // "### t\n\n| a |\n|---|\n| 1 |\n"
 */
export function markdownTable(table: Table): string {
  const cell = (text: string) => text.replace(/\|/gu, "\\|");
  return [
    `### ${table.title}`,
    "",
    `| ${table.columns.map(cell).join(" | ")} |`,
    `|${table.columns.map(() => "---").join("|")}|`,
    ...table.rows.map((row) => `| ${row.map(cell).join(" | ")} |`),
    ...(table.notes === undefined || table.notes.length === 0 ? [] : ["", ...table.notes]),
    "",
  ].join("\n");
}
