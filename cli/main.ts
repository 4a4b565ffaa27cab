/**
 * The `ecr-access-rules` command line (docs/command-line.md): parses the command, dispatches to it, and returns the exit
 * status. Everything it prints goes through the injected {@link CliIo}, so tests call it in-process.
 * Commands are imported when run: `--help` loads no engine. What commands share is in `common.ts`.
 */
import type { BaseClientConfig } from "../shared/aws/clients.js";
import { type CliIo, type ExitStatus, PROGRAM, programVersion } from "./common.js";
import type { ProgressOptions } from "./terminal.js";

export type { CliIo, ExitStatus, TextSink } from "./common.js";

export const USAGE = `Usage: ${PROGRAM} <command> [options]

Commands:
  analyze FILE…   what ECR access IAM identity policies grant one principal
  evaluate        run one rule on one AWS Config event and print its evaluations
  replay          re-run the invocations the functions' on-failure queue holds
  scan            run every rule over account snapshots or live accounts (and regions)
  snapshot        write the account snapshot that scan reads (read-only)
  rules           list the rules: severity, control, resource types, triggers, parameters
  who-can-write   per repository, every principal and door that can push, delete or re-permission it

Options:
  --version       print the version
  -h, --help      show this help

Run "${PROGRAM} <command> --help" for a command's options. Reference: docs/command-line.md.

Exit status: 0 compliant, 1 not compliant, 2 bad input, an unreadable file or a failed read.
`;

/**
 * Runs the command line with `argv` (the arguments after the program name) and returns the exit status.
 * It never calls `process.exit`; errors that are not bad input or unreadable files are bugs and propagate.
 *
 * @example
 * process.exitCode = await main(["analyze", "--json", "policy.json"], { stdout: process.stdout, stderr: process.stderr });
 */
export async function main(
  argv: readonly string[],
  io: CliIo,
  options: {
    readonly clientConfig?: BaseClientConfig;
    readonly env?: NodeJS.ProcessEnv;
    /** How progress is shown on stderr (tests fix the clock and the delays). */
    readonly progress?: ProgressOptions;
  } = {},
): Promise<ExitStatus> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    io.stderr.write(USAGE);
    return 2;
  }
  if (command === "--help" || command === "-h" || command === "help") {
    io.stdout.write(USAGE);
    return 0;
  }
  if (command === "--version" || command === "-V" || command === "version") {
    io.stdout.write(`${PROGRAM} ${programVersion()}\n`);
    return 0;
  }
  if (command === "who-can-write") {
    const { runWhoCanWrite } = await import("./who-can-write.js");
    return runWhoCanWrite(rest, io, options);
  }
  if (command === "snapshot") {
    const { runSnapshot } = await import("./snapshot.js");
    return runSnapshot(rest, io, options);
  }
  if (command === "rules") {
    const { runRules } = await import("./rules.js");
    return runRules(rest, io, options.env);
  }
  if (command === "analyze") {
    const { runAnalyze } = await import("./analyze.js");
    return runAnalyze(rest, io);
  }
  if (command === "evaluate") {
    const { runEvaluate } = await import("./evaluate.js");
    return runEvaluate(rest, io, options);
  }
  if (command === "replay") {
    const { runReplay } = await import("./replay.js");
    return runReplay(rest, io, options);
  }
  if (command === "scan") {
    const { runScan } = await import("./scan.js");
    return runScan(rest, io, options);
  }
  const what = command.startsWith("-") ? `unknown option '${command}'` : `unknown command '${command}'`;
  io.stderr.write(`${PROGRAM}: ${what}\n\n${USAGE}`);
  return 2;
}
