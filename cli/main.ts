/**
 * The `ecr-access-rules` command line (SPEC §7): parses the command, dispatches to it, and returns the exit
 * status. Everything it prints goes through the injected {@link CliIo}, so tests call it in-process.
 * Commands are imported when run: `--help` loads no engine, and a command module may import this one
 * (for {@link PROGRAM}, {@link isArgumentError}) without an import cycle at load time.
 */
import type { BaseClientConfig } from "../shared/runtime/clients.js";

/** Anything text can be written to: `process.stdout`, `process.stderr`, or a test's collector. */
export interface TextSink {
  write(text: string): unknown;
}

/** Where the command line writes. */
export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
}

/** 0: nothing found; 1: something is not compliant; 2: bad input or an unreadable file. */
export type ExitStatus = 0 | 1 | 2;

export const PROGRAM = "ecr-access-rules";

export const USAGE = `Usage: ${PROGRAM} <command> [options]

Commands:
  analyze FILE…   what ECR access IAM identity policies grant one principal (SPEC §3)
  evaluate        run one rule on one AWS Config event and print its evaluations (SPEC §6)
  scan            run every rule over an account snapshot or a live account

Run "${PROGRAM} <command> --help" for a command's options.

Exit status: 0 compliant, 1 not compliant, 2 bad input or an unreadable file.
`;

const PLANNED_COMMANDS = new Set<string>();

/**
 * Whether an error is one `node:util` `parseArgs` throws for bad arguments (unknown option, missing value,
 * unexpected positional), as opposed to a bug.
 *
 * @example
 * try { parseArgs({ args: ["--nope"], options: {} }); } catch (error) { isArgumentError(error); } // true
 */
export function isArgumentError(error: unknown): error is Error & { readonly code: string } {
  return (
    error instanceof Error &&
    "code" in error &&
    typeof error.code === "string" &&
    error.code.startsWith("ERR_PARSE_ARGS_")
  );
}

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
  options: { readonly clientConfig?: BaseClientConfig; readonly env?: NodeJS.ProcessEnv } = {},
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
  if (command === "analyze") {
    const { runAnalyze } = await import("./analyze.js");
    return runAnalyze(rest, io);
  }
  if (command === "evaluate") {
    const { runEvaluate } = await import("./evaluate.js");
    return runEvaluate(rest, io, options);
  }
  if (command === "scan") {
    const { runScan } = await import("./scan.js");
    return runScan(rest, io, options);
  }
  if (PLANNED_COMMANDS.has(command)) {
    io.stderr.write(`${PROGRAM} ${command}: not implemented yet (available: analyze, evaluate)\n`);
    return 2;
  }
  const what = command.startsWith("-") ? `unknown option '${command}'` : `unknown command '${command}'`;
  io.stderr.write(`${PROGRAM}: ${what}\n\n${USAGE}`);
  return 2;
}

/**
 * The shared start of a command: a `fail` that prints `PROGRAM COMMAND: message` and answers 2, and the
 * message for a `parseArgs` error (its first sentence, and where to find the options).
 *
 * @example
 * const { fail, argumentError } = commandFailure("scan", io);
 * try { parse(args); } catch (error) { if (!isArgumentError(error)) throw error; return fail(argumentError(error)); }
 */
export function commandFailure(
  command: string,
  io: CliIo,
): { fail: (message: string) => ExitStatus; argumentError: (error: Error) => string } {
  return {
    fail: (message) => {
      io.stderr.write(`${PROGRAM} ${command}: ${message}\n`);
      return 2;
    },
    argumentError: (error) =>
      `${error.message.split(". ")[0] ?? error.message}\nRun "${PROGRAM} ${command} --help" for the options.`,
  };
}
