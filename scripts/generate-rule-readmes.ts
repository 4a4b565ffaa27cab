/**
 * Generates the header block of each rule's README (`rules/NAME/README.md`) from the rule's definition
 * data: identifier, severity, control, resource types, triggers and the remediation sentence. The block
 * sits between two markers; the rest of the README is written by hand. A test fails when a README's block
 * differs from what this produces (`npm run update-rule-readmes` rewrites them).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { RULES } from "../rules/index.js";
import type { RuleDefinition } from "../shared/runtime/rule.js";

export const HEADER_BEGIN =
  "<!-- rule-header: generated from rule.ts by `npm run update-rule-readmes`; edit rule.ts, not this block -->";
export const HEADER_END = "<!-- /rule-header -->";

/**
 * The header block of a rule's README.
 *
 * @example
 * ruleHeader(rule).startsWith(HEADER_BEGIN); // true
 */
export function ruleHeader(rule: RuleDefinition): string {
  const { framework, version, id, title } = rule.control;
  const lines = [
    `**Identifier:** \`${rule.name}\` (AWS Config custom Lambda rule)<br>`,
    `**Severity:** ${rule.severity}<br>`,
    `**Control:** ${framework} ${version}, ${id} *${title}*<br>`,
    `**Resource Types:** ${rule.resourceTypes.map((type) => `\`${type}\``).join(", ")}<br>`,
    `**Trigger type:** ${rule.periodic ? "Configuration changes and Periodic" : "Configuration changes"}<br>`,
    `**Remediation:** ${rule.remediation}`,
  ];
  return `${HEADER_BEGIN}\n${lines.join("\n")}\n${HEADER_END}`;
}

/** The README with its header block replaced (or, for a README that has none, put before `## Parameters`). */
export function withHeader(readme: string, rule: RuleDefinition): string {
  const begin = readme.indexOf(HEADER_BEGIN);
  const end = readme.indexOf(HEADER_END);
  if (begin >= 0 && end > begin) {
    return `${readme.slice(0, begin)}${ruleHeader(rule)}${readme.slice(end + HEADER_END.length)}`;
  }
  const at = readme.indexOf("\n## Parameters");
  if (at < 0)
    throw new Error(`the README of ${rule.name} has neither a header block nor a Parameters section`);
  return `${readme.slice(0, at)}\n${ruleHeader(rule)}\n${readme.slice(at)}`;
}

/** Where a rule's README is. */
export function readmeOf(rule: RuleDefinition): URL {
  return new URL(`../${rule.docs}`, import.meta.url);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const rule of RULES) {
    const file = readmeOf(rule);
    writeFileSync(file, withHeader(readFileSync(file, "utf8"), rule));
    console.log(`wrote ${fileURLToPath(file)}`);
  }
}
