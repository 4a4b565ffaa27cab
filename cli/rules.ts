/**
 * `ecr-access-rules rules [--json]` (docs/command-line.md#rules): the rules of the pack with their
 * severity, control, resource types, triggers and parameters — the definition data the READMEs and the
 * conformance pack are generated from.
 */
import { parseArgs } from "node:util";
import { RULES } from "../rules/index.js";
import type { RuleInfo } from "../shared/runtime/rule.js";
import type { CliIo, ExitStatus } from "./common.js";
import { commandFailure, isArgumentError, PROGRAM } from "./common.js";
import { fitTable, styleFor, type TerminalSink, widthOf } from "./terminal.js";

export const RULES_USAGE = `Usage: ${PROGRAM} rules [--json]

Lists the rules with their severity, control, resource types, triggers and parameters.

Options:
  --json               print JSON: {"rules": [{"name", "title", "severity", "control", …}]}
  -h, --help           show this help
`;

/** A rule's triggers as the docs name them. */
export function triggersOf(rule: Pick<RuleInfo, "periodic">): string {
  return rule.periodic ? "change + periodic" : "change";
}

/** One rule of `rules --json`. */
export function ruleJson(rule: RuleInfo) {
  return {
    name: rule.name,
    title: rule.title,
    description: rule.description,
    severity: rule.severity,
    control: rule.control,
    resourceTypes: [...rule.resourceTypes],
    triggers: rule.periodic ? ["change", "periodic"] : ["change"],
    parameters: rule.parameters.map((p) => ({
      name: p.name,
      kind: p.kind,
      description: p.description,
      ...("defaultValue" in p ? { default: p.defaultValue } : {}),
    })),
    remediation: rule.remediation,
    docs: rule.docs,
  };
}

/**
 * Runs `rules` and returns the exit status.
 *
 * @example
 * await runRules(["--json"], io);
 */
export async function runRules(
  args: readonly string[],
  io: CliIo & { readonly stdout: TerminalSink },
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExitStatus> {
  const { fail, argumentError } = commandFailure("rules", io);
  let values: { json?: boolean | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: [...args],
      allowPositionals: false,
      strict: true,
      options: { json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    }));
  } catch (error) {
    if (!isArgumentError(error)) throw error;
    return fail(argumentError(error));
  }
  if (values.help === true) {
    io.stdout.write(RULES_USAGE);
    return 0;
  }
  if (values.json === true) {
    io.stdout.write(`${JSON.stringify({ rules: RULES.map(ruleJson) }, null, 2)}\n`);
    return 0;
  }
  const style = styleFor(io.stdout, env);
  const rows = [
    ["rule", "severity", "resource types", "triggers", "parameters"],
    ...RULES.map((rule) => [
      rule.name,
      rule.severity,
      rule.resourceTypes.join(", "),
      triggersOf(rule),
      rule.parameters.map((p) => p.name).join(", "),
    ]),
  ];
  const control = RULES[0]?.control;
  const footer =
    control === undefined
      ? ""
      : `\nEvery rule automates ${control.framework} ${control.version} ${control.id}, "${control.title}".\nEach takes executionRoleName too. Details: docs/rules.md and rules/<name>/README.md.\n`;
  io.stdout.write(`${fitTable(rows, widthOf(io.stdout, env), style)}${footer}`);
  return 0;
}
