/**
 * docs/command-line.md and the README show what `--help` prints: every option line of `scan`, `snapshot`
 * and `rules` is in the reference, and every command of the top-level help is in both.
 */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { USAGE } from "../../cli/main.js";
import { RULES_USAGE } from "../../cli/rules.js";
import { SCAN_USAGE } from "../../cli/scan.js";
import { SNAPSHOT_USAGE } from "../../cli/snapshot.js";

const REFERENCE = readFileSync(new URL("../../docs/command-line.md", import.meta.url), "utf8");
const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

/** The option lines of a usage text: those that start with two spaces and a dash. */
const optionNames = (usage: string): string[] =>
  usage
    .split("\n")
    .filter((line) => /^ {2}-/u.test(line))
    .map((line) => (line.trim().split(/\s{2,}/u)[0] ?? "").trim());

describe("docs/command-line.md and README match --help", () => {
  it("shows scan --help's option block as it prints", () => {
    const block = SCAN_USAGE.slice(SCAN_USAGE.indexOf("Input:"), SCAN_USAGE.indexOf("  -h, --help"));
    expect(REFERENCE).to.include(block);
  });

  const usages: Array<[string, string]> = [
    ["snapshot", SNAPSHOT_USAGE],
    ["rules", RULES_USAGE],
  ];
  for (const [command, usage] of usages) {
    it(`names every option of ${command} --help`, () => {
      for (const option of optionNames(usage).filter((o) => o !== "-h, --help")) {
        const flag = option.split(/[ ,]/u).find((part) => part.startsWith("--")) ?? option;
        expect(REFERENCE, `${command} ${flag}`).to.include(flag);
      }
    });
  }

  it("names every command of the top-level help in the reference and the README", () => {
    const commands = USAGE.slice(USAGE.indexOf("Commands:"), USAGE.indexOf("Options:"))
      .split("\n")
      .slice(1)
      .map((line) => line.trim().split(/\s+/u)[0] ?? "")
      .filter((name) => name !== "");
    expect(commands).to.include.members(["analyze", "evaluate", "scan", "snapshot", "rules"]);
    for (const command of commands) {
      expect(REFERENCE, command).to.include(`## ${command}`);
      expect(README, command).to.include(`ecr-access-rules ${command}`);
    }
  });
});
