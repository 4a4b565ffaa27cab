/**
 * `ecr-access-rules analyze FILE…` (docs/command-line.md#analyze): what ECR access a principal's identity policies grant.
 * Files are read synchronously and the output is built once and written once, so a folder of thousands of
 * policies costs little more than the analysis itself.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { EcrAccessRulesError } from "../shared/errors.js";
import {
  type ActionGrant,
  analyzeIdentityPolicies,
  decodePolicyText,
  type IdentityAnalysis,
  type IdentityOptions,
  type LabelledPolicy,
  type PolicyDocument,
  PolicyParseError,
  parsePolicyDocument,
  type StatementRef,
} from "../shared/policy/index.js";
import type { CliIo, ExitStatus } from "./common.js";
import { isArgumentError, PROGRAM } from "./common.js";

export const ANALYZE_USAGE = `Usage: ${PROGRAM} analyze [options] FILE…

What ECR access IAM identity policies grant. Each FILE holds a policy document (JSON, or URL-encoded JSON)
or an "aws iam get-policy-version" response; a directory stands for its *.json files (not recursive).
Without --each, all documents are the policies of one principal and are analysed together.

Options:
  --json                 print JSON instead of a table
  --each                 analyse every file on its own
  --boundary FILE        a permissions boundary: only what it also grants counts
  --partition NAME       the partition of the policies' owner (default: aws)
  --exempt-actions LIST  comma-separated action globs that are not sensitive (ecr:PutImage,ecr:Tag*)
  --exit-zero            exit 0 whatever the findings (errors are still printed)
  -h, --help             show this help

Exit status: 0 when no sensitive action is granted on all repositories, 1 when one is,
2 on bad input or an unreadable file.
`;

/** One input file: its parsed document, or why it could not be used. */
export type LoadedFile =
  | { readonly file: string; readonly document: PolicyDocument }
  | { readonly file: string; readonly error: string };

/** One `--json` action entry: exactly the documented fields (docs/command-line.md#analyze) plus `grantedBy`. */
export interface ActionJson {
  readonly action: string;
  readonly accessLevels: readonly string[];
  readonly sensitive: boolean;
  readonly scope: "all" | "some";
  readonly conditional: boolean;
  readonly grantedBy: readonly StatementRef[];
}

/** One `--each --json` result. */
export type FileResultJson =
  | { readonly file: string; readonly actions: readonly ActionJson[] }
  | { readonly file: string; readonly error: string };

interface AnalyzeSettings {
  readonly json: boolean;
  readonly each: boolean;
  readonly exitZero: boolean;
  readonly paths: readonly string[];
  readonly boundaryFile: string | undefined;
  readonly partition: string;
  readonly exemptActions: readonly string[];
}

/** Filesystem error codes that mean "this file cannot be read", as opposed to a bug. */
const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: "no such file or directory",
  ENOTDIR: "a part of the path is not a directory",
  EISDIR: "is a directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ELOOP: "too many symbolic links",
  ENAMETOOLONG: "file name too long",
};

const PARTITION = /^aws(-[a-z]+)*$/u;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fileErrorCode(error: unknown): string | undefined {
  if (!(error instanceof Error) || !("code" in error) || typeof error.code !== "string") return undefined;
  return Object.hasOwn(FILE_ERRORS, error.code) ? error.code : undefined;
}

/**
 * The message for an error that means bad input or an unreadable file; `undefined` for anything else
 * (a bug, which the caller must rethrow).
 *
 * @example
 * inputErrorMessage(new PolicyParseError("Statement[1].Effect", 'must be "Allow" or "Deny"')); // 'Statement[1].Effect: must be "Allow" or "Deny"'
 */
export function inputErrorMessage(error: unknown): string | undefined {
  if (error instanceof EcrAccessRulesError) return error.message;
  const code = fileErrorCode(error);
  if (code !== undefined) return `cannot read: ${FILE_ERRORS[code] ?? code} (${code})`;
  return undefined;
}

/**
 * Parses the text of a policy file: a policy document (JSON, or URL-encoded JSON) or an
 * `aws iam get-policy-version` response, whose `PolicyVersion.Document` may be an object or URL-encoded
 * text. Throws {@link PolicyParseError} naming the path of the fault (`PolicyVersion.Document.Statement[0]…`).
 *
 * @example
 * parsePolicyFileText('{"PolicyVersion":{"Document":"%7B%22Statement%22%3A%5B%5D%7D"}}').statements; // []
 */
export function parsePolicyFileText(text: string): PolicyDocument {
  const value = decodePolicyText(text);
  if (!isRecord(value) || !("PolicyVersion" in value)) return parsePolicyDocument(value, "identity");
  const version = value.PolicyVersion;
  if (!isRecord(version)) throw new PolicyParseError("PolicyVersion", "must be an object holding Document");
  if (version.Document === undefined) throw new PolicyParseError("PolicyVersion.Document", "missing");
  try {
    return parsePolicyDocument(version.Document, "identity");
  } catch (error) {
    if (!(error instanceof PolicyParseError)) throw error;
    const path = error.path === "" ? "PolicyVersion.Document" : `PolicyVersion.Document.${error.path}`;
    throw new PolicyParseError(path, error.detail, { cause: error });
  }
}

/** A file to read, or an argument that stands for no file (an empty or unreadable directory). */
export type PolicySource = { readonly file: string } | { readonly file: string; readonly error: string };

function listDirectory(directory: string): PolicySource[] {
  let names: string[];
  try {
    names = readdirSync(directory, { withFileTypes: true })
      .filter((entry) => entry.name.endsWith(".json") && !entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    const message = inputErrorMessage(error);
    if (message === undefined) throw error;
    return [{ file: directory, error: message }];
  }
  if (names.length === 0) return [{ file: directory, error: "no *.json files in this directory" }];
  return names.map((name) => ({ file: join(directory, name) }));
}

/**
 * The files the command line names, in argument order: a directory stands for its `*.json` files sorted by
 * name (not recursive). Nothing is read yet; a path that does not exist is kept, for reading to report.
 *
 * @example
 * expandPaths(["policies/", "extra.json"]); // [{ file: "policies/a.json" }, { file: "policies/b.json" }, { file: "extra.json" }]
 */
export function expandPaths(paths: readonly string[]): PolicySource[] {
  return paths.flatMap((path) => (isDirectory(path) ? listDirectory(path) : [{ file: path }]));
}

/** Whether a path is a directory; `false` when it cannot be examined (reading it will say why). */
function isDirectory(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch (error) {
    if (fileErrorCode(error) === undefined) throw error;
    return false;
  }
}

/**
 * Reads and parses one file (synchronously). A file that cannot be read or parsed gives its `error`;
 * anything else thrown is a bug and propagates.
 *
 * @example
 * loadPolicyFile({ file: "policies/bad.json" }); // { file: "policies/bad.json", error: 'Statement[1].Effect: must be "Allow" or "Deny", got string "Permit"' }
 */
export function loadPolicyFile(source: PolicySource): LoadedFile {
  if ("error" in source) return source;
  try {
    return { file: source.file, document: parsePolicyFileText(readFileSync(source.file, "utf8")) };
  } catch (error) {
    const message = inputErrorMessage(error);
    if (message === undefined) throw error;
    return { file: source.file, error: message };
  }
}

/**
 * Pads columns to a table: two spaces between columns, no trailing spaces.
 *
 * @example
 * formatTable([["a", "bb"], ["ccc", "d"]]); // "a    bb\nccc  d\n"
 */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  let out = "";
  for (const row of rows) {
    const cells = row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)));
    out += `${cells.join("  ").trimEnd()}\n`;
  }
  return out;
}

const isUnscopedSensitive = (grant: ActionGrant): boolean => grant.sensitive && grant.scope === "all";

function refText(ref: StatementRef, withDocument: boolean): string {
  const where = `Statement[${ref.index}]${ref.sid === undefined ? "" : ` (Sid ${ref.sid})`}`;
  return withDocument ? `${ref.document} ${where}` : where;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The table of one analysis, with its closing lines. `withDocument`: name the file in "granted by". */
function formatAnalysis(analysis: IdentityAnalysis, withDocument: boolean): string {
  if (analysis.actions.length === 0) {
    return analysis.denied.length === 0
      ? "No ECR action is granted.\n"
      : `No ECR action is granted (${plural(analysis.denied.length, "action is", "actions are")} allowed, then removed by Deny or the permissions boundary).\n`;
  }
  const rows: string[][] = [["", "action", "level", "scope", "conditional", "sensitive", "granted by"]];
  for (const grant of analysis.actions) {
    rows.push([
      isUnscopedSensitive(grant) ? "!" : "",
      grant.action,
      grant.accessLevels.join(", "),
      grant.scope,
      grant.conditional ? "yes" : "no",
      grant.sensitive ? "yes" : "no",
      grant.grantedBy.map((ref) => refText(ref, withDocument)).join("; "),
    ]);
  }
  let out = formatTable(rows);
  const unscoped = analysis.actions.filter(isUnscopedSensitive).length;
  out +=
    unscoped === 0
      ? "No sensitive action is granted on all repositories.\n"
      : `! ${plural(unscoped, "sensitive action", "sensitive actions")} granted on all repositories.\n`;
  if (analysis.denied.length > 0) {
    const names = analysis.denied.map((denied) => denied.action);
    const shown =
      names.length > 6 ? `${names.slice(0, 6).join(", ")}, … (${names.length - 6} more)` : names.join(", ");
    out += `${plural(names.length, "action", "actions")} allowed, then removed by Deny or the permissions boundary: ${shown}\n`;
  }
  return out;
}

/**
 * The `--json` form of one granted action: the documented fields plus `grantedBy`.
 *
 * @example
 * actionJson(analysis.actions[0]); // { action: "ecr:PutImage", accessLevels: ["Write"], sensitive: true, scope: "all", conditional: false, grantedBy: [{ document: "ci.json", index: 0 }] }
 */
export function actionJson(grant: ActionGrant): ActionJson {
  return {
    action: grant.action,
    accessLevels: grant.accessLevels,
    sensitive: grant.sensitive,
    scope: grant.scope,
    conditional: grant.conditional,
    grantedBy: grant.grantedBy.map((ref) => ({
      document: ref.document,
      index: ref.index,
      ...(ref.sid === undefined ? {} : { sid: ref.sid }),
    })),
  };
}

type Parsed =
  | { readonly ok: true; readonly settings: AnalyzeSettings }
  | { readonly ok: false; readonly status: ExitStatus };

const ANALYZE_OPTIONS = {
  json: { type: "boolean" },
  each: { type: "boolean" },
  "exit-zero": { type: "boolean" },
  help: { type: "boolean", short: "h" },
  boundary: { type: "string" },
  partition: { type: "string" },
  "exempt-actions": { type: "string" },
} as const satisfies ParseArgsConfig["options"];

function parseAnalyzeArgs(args: readonly string[]) {
  return parseArgs({ args: [...args], options: ANALYZE_OPTIONS, allowPositionals: true, strict: true });
}

function parseSettings(args: readonly string[], io: CliIo): Parsed {
  let parsed: ReturnType<typeof parseAnalyzeArgs>;
  try {
    parsed = parseAnalyzeArgs(args);
  } catch (error) {
    if (!isArgumentError(error)) throw error;
    // Node adds a hint about "--" to unknown options; the first sentence names the option.
    const message =
      error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION"
        ? (error.message.split(". ")[0] ?? error.message)
        : error.message;
    io.stderr.write(`${PROGRAM} analyze: ${message}\nRun "${PROGRAM} analyze --help" for the options.\n`);
    return { ok: false, status: 2 };
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout.write(ANALYZE_USAGE);
    return { ok: false, status: 0 };
  }
  const fail = (message: string): Parsed => {
    io.stderr.write(`${PROGRAM} analyze: ${message}\nRun "${PROGRAM} analyze --help" for the options.\n`);
    return { ok: false, status: 2 };
  };
  if (positionals.length === 0) return fail("no FILE given");
  const partition = values.partition ?? "aws";
  if (!PARTITION.test(partition))
    return fail(`--partition: not a partition name: ${JSON.stringify(partition)}`);
  const exemptText = values["exempt-actions"];
  const exemptActions = exemptText === undefined ? [] : exemptText.split(",").map((glob) => glob.trim());
  if (exemptActions.some((glob) => glob === "")) {
    return fail(`--exempt-actions: empty action glob in ${JSON.stringify(exemptText)}`);
  }
  if (values.boundary === "") return fail("--boundary: empty file name");
  return {
    ok: true,
    settings: {
      json: values.json === true,
      each: values.each === true,
      exitZero: values["exit-zero"] === true,
      paths: positionals,
      boundaryFile: values.boundary,
      partition,
      exemptActions,
    },
  };
}

function errorLine(file: string, error: string): string {
  return `${file}: error: ${error}\n`;
}

/**
 * A JSON object with one list, one item per line: `{"results": [\n  {…},\n  {…}\n]}`. Compact enough for
 * thousands of files, and still greppable and diffable line by line.
 */
function jsonList(key: string, items: readonly string[]): string {
  if (items.length === 0) return `{${JSON.stringify(key)}: []}\n`;
  return `{${JSON.stringify(key)}: [\n  ${items.join(",\n  ")}\n]}\n`;
}

interface EachOutcome {
  readonly out: string;
  readonly errors: string;
  readonly failed: number;
  readonly unscoped: number;
}

/**
 * Analyses policies, or says why they cannot be: an engine error (a pattern too complex to analyse) is bad
 * input, not a bug. Anything else propagates.
 */
function analyzeOrExplain(
  policies: readonly LabelledPolicy[],
  options: IdentityOptions,
): { readonly analysis: IdentityAnalysis } | { readonly error: string } {
  try {
    return { analysis: analyzeIdentityPolicies(policies, options) };
  } catch (error) {
    const message = inputErrorMessage(error);
    if (message === undefined) throw error;
    return { error: message };
  }
}

/** `--each`: every file on its own, read, analysed and turned into text in turn, so nothing but text outlives it. */
function analyzeEach(sources: readonly PolicySource[], options: IdentityOptions, json: boolean): EachOutcome {
  let failed = 0;
  let unscoped = 0;
  let errors = "";
  const parts: string[] = [];
  for (const source of sources) {
    const loaded = loadPolicyFile(source);
    if ("error" in loaded) {
      failed += 1;
      errors += errorLine(loaded.file, loaded.error);
      const result: FileResultJson = { file: loaded.file, error: loaded.error };
      if (json) parts.push(JSON.stringify(result));
      continue;
    }
    const analysed = analyzeOrExplain([{ label: loaded.file, document: loaded.document }], options);
    if ("error" in analysed) {
      // A document too complex to analyse is this file's error; the other files are still analysed.
      failed += 1;
      errors += errorLine(loaded.file, analysed.error);
      const result: FileResultJson = { file: loaded.file, error: analysed.error };
      if (json) parts.push(JSON.stringify(result));
      continue;
    }
    const { analysis } = analysed;
    if (analysis.actions.some(isUnscopedSensitive)) unscoped += 1;
    if (json) {
      const result: FileResultJson = { file: loaded.file, actions: analysis.actions.map(actionJson) };
      parts.push(JSON.stringify(result));
    } else {
      parts.push(`== ${loaded.file} ==\n${formatAnalysis(analysis, false)}\n`);
    }
  }
  if (json) return { out: jsonList("results", parts), errors, failed, unscoped };
  const summary = `${plural(sources.length, "file", "files")}: ${unscoped} granting sensitive actions on all repositories, ${failed} with errors.\n`;
  return { out: parts.join("") + summary, errors, failed, unscoped };
}

/**
 * Runs `analyze` with its arguments (those after the command name) and returns the exit status:
 * 0 when no sensitive action has scope `all`, 1 when one has, 2 on bad input or an unreadable file
 * (`--exit-zero`: always 0). Errors other than bad input and unreadable files propagate.
 *
 * @example
 * const status = runAnalyze(["--each", "--json", "policies/"], { stdout: process.stdout, stderr: process.stderr });
 */
export function runAnalyze(args: readonly string[], io: CliIo): ExitStatus {
  const parsed = parseSettings(args, io);
  if (!parsed.ok) return parsed.status;
  const { settings } = parsed;
  const status = (found: ExitStatus): ExitStatus => (settings.exitZero ? 0 : found);

  let boundary: LabelledPolicy[] | undefined;
  if (settings.boundaryFile !== undefined) {
    const loaded = loadPolicyFile({ file: settings.boundaryFile });
    if ("error" in loaded) {
      io.stderr.write(errorLine(loaded.file, loaded.error));
      return status(2);
    }
    boundary = [{ label: loaded.file, document: loaded.document }];
  }
  const options: IdentityOptions = {
    partition: settings.partition,
    exemptActions: settings.exemptActions,
    ...(boundary === undefined ? {} : { boundary }),
  };
  const sources = expandPaths(settings.paths);

  if (settings.each) {
    const { out, errors, failed, unscoped } = analyzeEach(sources, options, settings.json);
    io.stdout.write(out);
    if (errors !== "") io.stderr.write(errors);
    return status(failed > 0 ? 2 : unscoped > 0 ? 1 : 0);
  }

  const policies: LabelledPolicy[] = [];
  let errors = "";
  for (const loaded of sources.map(loadPolicyFile)) {
    if ("error" in loaded) errors += errorLine(loaded.file, loaded.error);
    else policies.push({ label: loaded.file, document: loaded.document });
  }
  if (errors !== "") {
    io.stderr.write(errors);
    return status(2);
  }
  const analysed = analyzeOrExplain(policies, options);
  if ("error" in analysed) {
    const files = policies.map((policy) => policy.label);
    const where = files.length === 1 ? (files[0] ?? "") : `${files.length} files together`;
    io.stderr.write(errorLine(where, analysed.error));
    return status(2);
  }
  const { analysis } = analysed;
  io.stdout.write(
    settings.json
      ? jsonList(
          "actions",
          analysis.actions.map((grant) => JSON.stringify(actionJson(grant))),
        )
      : formatAnalysis(analysis, true),
  );
  return status(analysis.actions.some(isUnscopedSensitive) ? 1 : 0);
}
