/**
 * What every command of the command line shares: where it writes, its exit statuses, the program's name,
 * and the handling of bad arguments. Commands import this module, never `main.ts`, so the command modules
 * and the dispatcher form no import cycle.
 */

import { readFileSync } from "node:fs";

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

/** How a command's start ended: run it with its arguments, or stop with a status (bad arguments, `--help`). */
export type CommandStart<P> =
  | { readonly kind: "run"; readonly parsed: P; readonly fail: (message: string) => ExitStatus }
  | { readonly kind: "done"; readonly status: ExitStatus };

/**
 * The shared start of a command: its arguments parsed (a `parseArgs` error is status 2 with the message
 * of {@link commandFailure}), `--help` printed (status 0), else the parsed arguments and its `fail`.
 *
 * @example
 * const start = startCommand("scan", io, SCAN_USAGE, () => parse(args));
 * if (start.kind === "done") return start.status;
 */
export function startCommand<P extends { readonly values: { readonly help?: boolean | undefined } }>(
  command: string,
  io: CliIo,
  usage: string,
  parse: () => P,
): CommandStart<P> {
  const { fail, argumentError } = commandFailure(command, io);
  let parsed: P;
  try {
    parsed = parse();
  } catch (error) {
    if (!isArgumentError(error)) throw error;
    return { kind: "done", status: fail(argumentError(error)) };
  }
  if (parsed.values.help === true) {
    io.stdout.write(usage);
    return { kind: "done", status: 0 };
  }
  return { kind: "run", parsed, fail };
}

/**
 * The program's version, from the `package.json` beside the sources (`cli/…`) or the build
 * (`dist/cli/…`).
 *
 * @example
 * programVersion(); // "0.1.0"
 */
export function programVersion(): string {
  for (const relative of ["../package.json", "../../package.json"]) {
    try {
      const raw: unknown = JSON.parse(readFileSync(new URL(relative, import.meta.url), "utf8"));
      if (typeof raw === "object" && raw !== null && Reflect.get(raw, "name") === PROGRAM) {
        const version = Reflect.get(raw, "version");
        if (typeof version === "string") return version;
      }
    } catch (cause) {
      // Not this one (absent, or another project's file): try the next place.
      if (!(cause instanceof Error && "code" in cause && cause.code === "ENOENT")) throw cause;
    }
  }
  return "unknown";
}
