/**
 * Reading the command line's inputs: `-` for standard input, `@FILE` for an option's value from a file,
 * and the region of a profile from the shared config file.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { EcrAccessRulesError } from "../shared/errors.js";
import { inputErrorMessage } from "./analyze.js";

/** Where standard input comes from (tests pass text). */
export type StdinReader = () => string;

export const readProcessStdin: StdinReader = () => readFileSync(0, "utf8");

/**
 * The text of `file`, or standard input when it is `-`. Unreadable files throw an
 * {@link EcrAccessRulesError} that names the option and the file.
 *
 * @example
 * readInput("--snapshot", "-", () => "{}"); // "{}"
 */
export function readInput(option: string, file: string, stdin: StdinReader): string {
  try {
    return file === "-" ? stdin() : readFileSync(file, "utf8");
  } catch (cause) {
    const message = inputErrorMessage(cause);
    if (message === undefined) throw cause;
    throw new EcrAccessRulesError(`${option} ${file === "-" ? "(standard input)" : file}: ${message}`, {
      cause,
    });
  }
}

/** Parses JSON text, naming the option and the file when it is not JSON. */
export function parseJsonInput(option: string, file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    const where = file === "-" ? "standard input" : file;
    throw new EcrAccessRulesError(
      `${option} ${where} is not valid JSON: ${cause instanceof Error ? cause.message : cause}`,
      { cause },
    );
  }
}

/**
 * An option's JSON value: inline text, or `@FILE` (`@-` for standard input).
 *
 * @example
 * jsonOption("--parameters", '{"trustedAccountIds":"111122223333"}', stdin);
 */
export function jsonOption(option: string, value: string, stdin: StdinReader): unknown {
  if (value.startsWith("@")) {
    const file = value.slice(1);
    return parseJsonInput(option, file, readInput(option, file, stdin));
  }
  try {
    return JSON.parse(value);
  } catch (cause) {
    throw new EcrAccessRulesError(
      `${option} is not valid JSON: ${cause instanceof Error ? cause.message : cause}`,
      { cause },
    );
  }
}

/**
 * The region a profile names in the shared config file (`AWS_CONFIG_FILE`, else `~/.aws/config`):
 * `[default]` or `[profile NAME]`; `undefined` when neither the file nor the setting exists. Fifteen lines
 * of INI do not earn a dependency.
 *
 * @example
 * profileRegion("prod", process.env); // "eu-west-1"
 */
export function profileRegion(profile: string, env: NodeJS.ProcessEnv): string | undefined {
  const file = env.AWS_CONFIG_FILE ?? join(homedir(), ".aws", "config");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    // No shared config file: the region must come from --regions or the environment.
    if (cause instanceof Error && "code" in cause && cause.code === "ENOENT") return undefined;
    const message = inputErrorMessage(cause);
    if (message === undefined) throw cause;
    throw new EcrAccessRulesError(`the shared config file ${file}: ${message}`, { cause });
  }
  const wanted = profile === "default" ? ["default", "profile default"] : [`profile ${profile}`];
  let inSection = false;
  for (const raw of text.split(/\r?\n/u)) {
    const line = raw.replace(/[;#].*$/u, "").trim();
    const section = /^\[(.+)\]$/u.exec(line);
    if (section !== null) {
      inSection = wanted.includes((section[1] ?? "").trim().replace(/\s+/gu, " "));
      continue;
    }
    const setting = /^region\s*=\s*(\S+)$/u.exec(line);
    if (inSection && setting !== null) return setting[1];
  }
  return undefined;
}
