/**
 * Section 3, sweep scale: `scan --snapshot` (every rule, reach included) and `who-can-write --snapshot
 * --json` over generated accounts of growing size, each in a child process under `/usr/bin/time` (wall,
 * user + system CPU, peak RSS), and the growth exponent fitted by least squares of log time against log
 * roles.
 */
import { execFileSync } from "node:child_process";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generatedAccount } from "./accounts.js";
import type { SnapshotOptions } from "./generate-snapshot.js";
import type { Profile } from "./profile.js";
import { BenchError, growthExponent, round, type TimedRun, timeChild } from "./stats.js";

export interface CommandFigures {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
}

/** `who-can-write` over the account's first repositories: done, ended at the limit, or not run. */
export type WhoCanWriteRun =
  | (CommandFigures & { readonly status: "done"; readonly repositories: number; readonly writers: number })
  | { readonly status: "timed-out"; readonly limitSeconds: number }
  | { readonly status: "skipped"; readonly reason: string };

export interface SweepAccount {
  readonly sizes: SnapshotOptions;
  readonly snapshotMb: number;
  readonly scan: CommandFigures & { readonly evaluations: number };
  readonly whoCanWrite: WhoCanWriteRun;
}

export interface Exponents {
  readonly wall: number;
  readonly cpu: number;
}

export interface SweepSection {
  readonly cli: Profile["cli"];
  /** Repositories named to each `who-can-write` run (the account's first ones). */
  readonly whoCanWriteRepositories: number;
  readonly whoCanWriteLimitSeconds: number;
  readonly accounts: readonly SweepAccount[];
  /** `whoCanWrite` is null when fewer than two accounts' runs finished. */
  readonly exponents: { readonly scan: Exponents; readonly whoCanWrite: Exponents | null };
}

function figures(run: TimedRun): CommandFigures {
  return {
    wallSeconds: round(run.wallSeconds, 2),
    cpuSeconds: round(run.cpuSeconds, 2),
    peakRssMb: Math.round(run.peakRssMb),
  };
}

function field(raw: unknown, key: string): unknown {
  return typeof raw === "object" && raw !== null
    ? Object.getOwnPropertyDescriptor(raw, key)?.value
    : undefined;
}

function listOf(raw: unknown, key: string): unknown[] {
  const value = field(raw, key);
  if (!Array.isArray(value)) throw new BenchError(`the CLI's JSON has no list ${key}`);
  return value;
}

/**
 * The command that runs the CLI: the build (`dist`, rebuilt first when a source is newer, as `npm start`
 * does) or the sources through tsx (no build).
 */
export function cliCommand(root: string, cli: Profile["cli"]): { command: string; args: string[] } {
  if (cli === "tsx") {
    return { command: process.execPath, args: ["--import", "tsx", join(root, "cli/ecr-access-rules.ts")] };
  }
  execFileSync(process.execPath, [join(root, "scripts/build-if-stale.mjs")], { cwd: root, stdio: "ignore" });
  return { command: process.execPath, args: [join(root, "dist/cli/ecr-access-rules.js")] };
}

function fitted(xs: readonly number[], runs: readonly CommandFigures[]): Exponents {
  return {
    wall: round(
      growthExponent(
        xs,
        runs.map((r) => r.wallSeconds),
      ),
      2,
    ),
    cpu: round(
      growthExponent(
        xs,
        runs.map((r) => r.cpuSeconds),
      ),
      2,
    ),
  };
}

/** The names of the snapshot's first `count` repositories. */
function firstRepositories(snapshot: object, count: number): string[] {
  return listOf(field(snapshot, "ecr"), "repositories")
    .slice(0, count)
    .map((r) => String(field(r, "repositoryName")));
}

/**
 * Runs section 3; snapshots are written into `dir`. Each account is scanned whole; `who-can-write` names
 * its first repositories only (its answer lists every writer of each with its paths: tens of MB per hundred
 * repositories), under a time limit, and is not run on larger accounts once one run reached the limit.
 */
export function runSweepScale(profile: Profile, root: string, dir: string): SweepSection {
  const cli = cliCommand(root, profile.cli);
  let overLimit: number | undefined;
  const accounts = profile.sweepRoles.map((roles): SweepAccount => {
    const { sizes, snapshot } = generatedAccount(roles);
    const file = join(dir, `account-${roles}.json`);
    writeFileSync(file, JSON.stringify(snapshot));
    const scan = timeChild(cli.command, [...cli.args, "scan", "--snapshot", file, "--json", "--exit-zero"], {
      cwd: root,
    });
    if (scan === "timed-out") throw new BenchError("scan has no time limit");
    let whoCanWrite: WhoCanWriteRun;
    if (overLimit !== undefined) {
      whoCanWrite = { status: "skipped", reason: `the ${overLimit}-role account reached the limit` };
    } else {
      const names = firstRepositories(snapshot, profile.whoCanWriteRepositories);
      const who = timeChild(
        cli.command,
        [...cli.args, "who-can-write", "--snapshot", file, "--json", ...names],
        {
          cwd: root,
          limitSeconds: profile.whoCanWriteLimitSeconds,
        },
      );
      if (who === "timed-out") {
        overLimit = roles;
        whoCanWrite = { status: "timed-out", limitSeconds: profile.whoCanWriteLimitSeconds };
      } else {
        const repositories = listOf(JSON.parse(who.stdout), "repositories");
        whoCanWrite = {
          status: "done",
          ...figures(who),
          repositories: repositories.length,
          writers: repositories.reduce<number>((sum, r) => sum + listOf(r, "writers").length, 0),
        };
      }
    }
    return {
      sizes,
      snapshotMb: round(statSync(file).size / 1e6, 1),
      scan: { ...figures(scan), evaluations: listOf(JSON.parse(scan.stdout), "evaluations").length },
      whoCanWrite,
    };
  });
  const done = accounts.flatMap((a) =>
    a.whoCanWrite.status === "done" ? [[a.sizes.roles, a.whoCanWrite] as const] : [],
  );
  return {
    cli: profile.cli,
    whoCanWriteRepositories: profile.whoCanWriteRepositories,
    whoCanWriteLimitSeconds: profile.whoCanWriteLimitSeconds,
    accounts,
    exponents: {
      scan: fitted(
        accounts.map((a) => a.sizes.roles),
        accounts.map((a) => a.scan),
      ),
      whoCanWrite:
        done.length < 2
          ? null
          : fitted(
              done.map(([r]) => r),
              done.map(([, w]) => w),
            ),
    },
  };
}
