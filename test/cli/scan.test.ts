/**
 * `ecr-access-rules scan`: the same verdicts as the change-triggered handlers for every resource of the
 * example account, the summary and JSON outputs, and its input errors.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { main } from "../../cli/main.js";
import { RULES } from "../../rules/index.js";
import { accountItems } from "../../shared/account/items.js";
import { ALL_READERS } from "../../shared/account/readers.js";
import { parseSnapshot, SnapshotAccountFacts } from "../../shared/account/snapshot.js";
import { ClientFactory } from "../../shared/aws/clients.js";
import { fitAnnotation } from "../../shared/config/evaluation.js";
import { createConfigRuleHandler } from "../../shared/runtime/handler.js";
import { silentLogger } from "../../shared/runtime/logger.js";
import type { Rule } from "../../shared/runtime/rule.js";
import { deployedPackRows, type PackRow, sortedRows } from "../support/pack-run.js";

const EXAMPLE = new URL("../../examples/account-snapshot.json", import.meta.url);

function collector() {
  let text = "";
  return { sink: { write: (chunk: string) => (text += chunk) }, text: () => text };
}

describe("ecr-access-rules scan", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "scan-test-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("gives exactly what the deployed pack holds after a periodic run and one change per resource (example account)", async () => {
    // Prepare
    const snapshot = parseSnapshot(JSON.parse(readFileSync(EXAMPLE, "utf8")));
    const region = snapshot.ecr[0]?.region ?? "us-east-1";
    const accountId = "111122223333";
    const items = await accountItems(new SnapshotAccountFacts(snapshot), {
      accountId,
      region,
      partition: "aws",
      captureTime: new Date("2026-11-20T10:00:00.000Z"),
      resourceTypes: new Set(RULES.flatMap((rule) => rule.resourceTypes)),
    });
    const handlerOf = (rule: Rule) =>
      createConfigRuleHandler(rule, ALL_READERS, {
        clients: new ClientFactory({
          endpoint: "http://127.0.0.1:9",
          credentials: { accessKeyId: "x", secretAccessKey: "x" },
        }),
        logger: silentLogger,
        assumeRoleName: undefined,
        facts: () => new SnapshotAccountFacts(snapshot),
        reporter: () => ({ report: async () => {} }),
      });
    // Act
    const out = collector();
    const status = await main(["scan", "--snapshot", EXAMPLE.pathname, "--json"], {
      stdout: out.sink,
      stderr: collector().sink,
    });
    const fromPack = await deployedPackRows(RULES, items, handlerOf, { region, accountId });
    // Assess
    // The command line prints whole explanations; the pack holds them cut to Config's 256 characters.
    const scanned: PackRow[] = JSON.parse(out.text()).evaluations.map((row: PackRow) => ({
      ...row,
      annotation: fitAnnotation(row.annotation),
    }));
    expect(status).to.equal(1);
    expect(scanned.length).to.be.greaterThan(40);
    expect(sortedRows(scanned)).to.deep.equal(fromPack);
  });

  it("prints a summary table, then each NON_COMPLIANT resource with its annotation", async () => {
    const out = collector();
    await main(["scan", "--snapshot", EXAMPLE.pathname], { stdout: out.sink, stderr: collector().sink });
    const text = out.text();
    expect(text).to.match(/^rule\s+severity\s+compliant\s+non-compliant\s+not applicable\n/u);
    for (const rule of RULES) expect(text).to.include(rule.name);
    expect(text).to.match(/NON_COMPLIANT \(\d+\):/u);
  });

  it("runs only the rules named with --rules, with shared and per-rule --parameters", async () => {
    const out = collector();
    const status = await main(
      [
        "scan",
        "--snapshot",
        EXAMPLE.pathname,
        "--rules",
        "ecr-repository-policy-trusted",
        "--parameters",
        JSON.stringify({
          exemptActions: "ecr:PutImage",
          "ecr-repository-policy-trusted": { trustedAccountIds: "444455556666" },
        }),
        "--json",
      ],
      { stdout: out.sink, stderr: collector().sink },
    );
    const rows: PackRow[] = JSON.parse(out.text()).evaluations;
    expect(rows.length).to.be.greaterThan(0);
    expect(new Set(rows.map((r) => r.configRuleName))).to.deep.equal(
      new Set(["ecr-repository-policy-trusted"]),
    );
    expect([0, 1]).to.include(status);
  });

  const errors: Array<[string, string[], RegExp]> = [
    ["neither --snapshot nor --live", [], /exactly one of --snapshot FILE and --live/],
    ["an unknown rule", ["--snapshot", "x.json", "--rules", "nope"], /--rules: unknown rule nope/],
    ["a missing snapshot", ["--snapshot", "/nonexistent/s.json"], /cannot read/],
    [
      "a parameter no rule takes",
      ["--snapshot", "x.json", "--parameters", '{"trustedAccounts":"1"}'],
      /trustedAccounts: no selected rule takes it/,
    ],
    [
      "an execution role (a scan reads the account of its credentials)",
      ["--live", "--region", "us-east-1", "--parameters", '{"executionRoleName":"audit"}'],
      /executionRoleName: scan does not assume roles/,
    ],
    [
      "an execution role given to one rule",
      [
        "--snapshot",
        "x.json",
        "--parameters",
        '{"ecr-repository-policy-trusted":{"executionRoleName":"audit"}}',
      ],
      /ecr-repository-policy-trusted\.executionRoleName: scan does not assume roles/,
    ],
    [
      "a bad parameter value",
      ["--snapshot", "x.json", "--parameters", '{"trustedAccountIds":"12"}'],
      /trustedAccountIds: entry 1 "12"/,
    ],
  ];
  for (const [what, args, message] of errors) {
    it(`exits 2 naming the fault for ${what}`, async () => {
      const err = collector();
      const status = await main(["scan", ...args], { stdout: collector().sink, stderr: err.sink });
      expect(status).to.equal(2);
      expect(err.text()).to.match(message);
    });
  }

  it("exits 2 naming the field for a malformed snapshot", async () => {
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ RoleDetailList: [{ RoleName: "x" }] }));
    const err = collector();
    const status = await main(["scan", "--snapshot", file], { stdout: collector().sink, stderr: err.sink });
    expect(status).to.equal(2);
    expect(err.text()).to.include("RoleDetailList[0].RoleId");
  });

  it("prints plain progress lines off a terminal once the interval has passed, then the summary", async () => {
    const err = collector();
    const { runScan } = await import("../../cli/scan.js");
    await runScan(
      ["--snapshot", EXAMPLE.pathname, "--json"],
      { stdout: collector().sink, stderr: err.sink },
      { progress: { intervalMs: 0 } },
    );
    expect(err.text()).to.match(/scan: \d+\/\d+ rule runs · [\d,]+ evaluations\n/u);
    expect(err.text()).to.match(/scan: [\d,]+ evaluations in \d+\.\d s · 1 account · 1 region\n$/u);
  });
});
