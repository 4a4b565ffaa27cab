#!/usr/bin/env node
/**
 * The `ecr-access-rules` executable: everything happens in {@link main}; this only wires the process to it.
 * An error that escapes `main` is a bug: it is printed with its stack and the status is 2, never 1 (which
 * would read as "not compliant") and never 0.
 */
import { main } from "./main.js";

try {
  process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
} catch (error) {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`ecr-access-rules: internal error (a bug; please report it):\n${detail}\n`);
  process.exitCode = 2;
}
