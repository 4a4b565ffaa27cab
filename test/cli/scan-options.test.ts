/**
 * `scan`'s filters and exit policy, its inputs (a plain IAM export, standard input, `@FILE`), `-o`, the
 * terminal (colour, width), and the `rules` and `--version` commands.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import type { ReportJson } from "../../cli/formats/json.js";
import { main } from "../../cli/main.js";
import { runScan } from "../../cli/scan.js";
import { fitTable, visibleLength, wrap } from "../../cli/terminal.js";
import { RULES } from "../../rules/index.js";

const EXAMPLE = new URL("../../examples/account-snapshot.json", import.meta.url).pathname;
const PACKAGE = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));

function collector(tty?: { columns: number }) {
  let text = "";
  return {
    sink: {
      write: (chunk: string) => (text += chunk),
      ...(tty === undefined ? {} : { isTTY: true, columns: tty.columns }),
    },
    text: () => text,
  };
}

async function scan(args: string[], options: Parameters<typeof runScan>[2] = {}) {
  const out = collector();
  const err = collector();
  const status = await runScan(args, { stdout: out.sink, stderr: err.sink }, { env: {}, ...options });
  return { status, stdout: out.text(), stderr: err.text() };
}

const json = (stdout: string): ReportJson => JSON.parse(stdout);

describe("ecr-access-rules scan: filters, exit policy, inputs", () => {
  let dir = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "scan-options-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const filters: Array<[string, string[], (e: ReportJson["evaluations"][number]) => boolean]> = [
    ["--quiet keeps only NON_COMPLIANT findings", ["--quiet"], (e) => e.complianceType === "NON_COMPLIANT"],
    [
      "--severity keeps only the severities listed",
      ["--severity", "critical,medium"],
      (e) => ["critical", "medium"].includes(e.severity),
    ],
    [
      "--resource-type keeps only the types listed",
      ["--resource-type", "AWS::IAM::Role"],
      (e) => e.complianceResourceType === "AWS::IAM::Role",
    ],
    [
      "--status keeps only the verdicts listed",
      ["--status", "compliant"],
      (e) => e.complianceType === "COMPLIANT",
    ],
  ];
  for (const [what, args, keep] of filters) {
    it(what, async () => {
      const all = json((await scan(["--snapshot", EXAMPLE, "--json"])).stdout).evaluations;
      const some = json((await scan(["--snapshot", EXAMPLE, "--json", ...args])).stdout).evaluations;
      expect(some.length).to.be.greaterThan(0);
      const strip = (rows: ReportJson["evaluations"]) => rows.map(({ orderingTimestamp: _t, ...e }) => e);
      expect(strip(some)).to.deep.equal(strip(all.filter(keep)));
      expect(some.every(keep)).to.equal(true);
    });
  }

  const exits: Array<[string, string[], number]> = [
    ["exits 1 when a NON_COMPLIANT finding is at or above --fail-on", ["--fail-on", "critical"], 1],
    [
      "exits 0 when every NON_COMPLIANT finding is below --fail-on",
      ["--severity", "high,medium", "--fail-on", "critical"],
      0,
    ],
    ["exits 0 with --exit-zero", ["--exit-zero"], 0],
    ["exits 0 when the filters leave nothing NON_COMPLIANT", ["--status", "compliant"], 0],
  ];
  for (const [what, args, expected] of exits) {
    it(what, async () => {
      expect((await scan(["--snapshot", EXAMPLE, "--json", ...args])).status).to.equal(expected);
    });
  }

  it("runs the IAM rules over a plain get-account-authorization-details export and skips the ECR rules with one stderr line", async () => {
    // Prepare
    const { ecr: _ecr, ...plain } = JSON.parse(readFileSync(EXAMPLE, "utf8"));
    const file = join(dir, "plain.json");
    writeFileSync(file, JSON.stringify(plain));
    // Act
    const result = await scan(["--snapshot", file, "--json"]);
    // Assess
    const report = json(result.stdout);
    expect(result.status).to.equal(1);
    expect(result.stderr.trim().split("\n")).to.have.length(1);
    expect(result.stderr).to.match(
      /ecr-repository-policy-trusted, ecr-repository-image-integrity skipped: the snapshot has no "ecr" section/u,
    );
    expect(new Set(report.evaluations.map((e) => e.configRuleName))).to.deep.equal(
      new Set([
        "ecr-iam-policy-no-unscoped-write",
        "ecr-iam-principal-write-authorized",
        "ecr-writer-role-trust-restricted",
      ]),
    );
    expect(report.skipped.map((s) => s.rule)).to.deep.equal([
      "ecr-repository-policy-trusted",
      "ecr-repository-image-integrity",
    ]);
  });

  it("reads the snapshot from standard input with --snapshot - and parameters from a file with @FILE", async () => {
    // Prepare
    const parameters = join(dir, "parameters.json");
    writeFileSync(parameters, JSON.stringify({ trustedAccountIds: "444455556666" }));
    const text = readFileSync(EXAMPLE, "utf8");
    // Act
    const fromStdin = await scan(["--snapshot", "-", "--json", "--parameters", `@${parameters}`], {
      stdin: () => text,
    });
    const fromFile = await scan([
      "--snapshot",
      EXAMPLE,
      "--json",
      "--parameters",
      '{"trustedAccountIds":"444455556666"}',
    ]);
    // Assess
    const strip = (r: ReportJson) => r.evaluations.map(({ orderingTimestamp: _t, ...e }) => e);
    expect(fromStdin.status).to.equal(fromFile.status);
    expect(strip(json(fromStdin.stdout))).to.deep.equal(strip(json(fromFile.stdout)));
  });

  it("writes one file per --format in the order of -o", async () => {
    const sarif = join(dir, "out.sarif");
    const csv = join(dir, "out.csv");
    const result = await scan([
      "--snapshot",
      EXAMPLE,
      "--format",
      "sarif",
      "--format",
      "csv",
      "-o",
      sarif,
      "-o",
      csv,
    ]);
    expect(result.stdout).to.equal("");
    expect(JSON.parse(readFileSync(sarif, "utf8")).version).to.equal("2.1.0");
    expect(readFileSync(csv, "utf8")).to.match(/^account_id,region,rule,/u);
  });

  const errors: Array<[string, string[], RegExp]> = [
    ["an unknown format", ["--format", "xml"], /--format: unknown format xml/],
    [
      "several formats without -o",
      ["--format", "json", "--format", "csv"],
      /several --format values need -o/,
    ],
    ["an unknown severity", ["--fail-on", "severe"], /--fail-on: unknown severity severe/],
    ["an unknown verdict", ["--status", "passed"], /--status: unknown verdict passed/],
    [
      "--regions naming a region the snapshot does not hold",
      ["--regions", "us-east-1,eu-west-1"],
      /--regions: --snapshot \S+ has no ecr section for eu-west-1 \(it holds us-east-1\)/,
    ],
    [
      "--region naming a region the snapshot does not hold",
      ["--region", "eu-west-1"],
      /--region: .* eu-west-1/,
    ],
    ["--profile on a snapshot", ["--profile", "prod"], /--profile goes with --live/],
    [
      "an unreadable @FILE",
      ["--parameters", "@/nonexistent/p.json"],
      /--parameters \/nonexistent\/p\.json: cannot read/,
    ],
  ];
  for (const [what, args, message] of errors) {
    it(`exits 2 naming the fault for ${what}`, async () => {
      const result = await scan(["--snapshot", EXAMPLE, ...args]);
      expect(result.status).to.equal(2);
      expect(result.stderr).to.match(message);
    });
  }

  it("exits 2 when --accounts has no --role-name, and for a bad account id", async () => {
    const noRole = await scan(["--live", "--region", "us-east-1", "--accounts", "111122223333"], {
      clientConfig: {
        endpoint: "http://127.0.0.1:9",
        credentials: { accessKeyId: "x", secretAccessKey: "x" },
        maxAttempts: 1,
      },
    });
    expect(noRole.status).to.equal(2);
    expect(noRole.stderr).to.match(/--accounts needs --role-name/u);
    const bad = await scan(["--live", "--region", "us-east-1", "--accounts", "1234", "--role-name", "audit"]);
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.match(/not a 12-digit account id: 1234/u);
  });
});

describe("ecr-access-rules scan: the terminal", () => {
  it("colours only a TTY, and never with NO_COLOR", async () => {
    const run = async (tty: boolean, env: NodeJS.ProcessEnv) => {
      const out = collector(tty ? { columns: 120 } : undefined);
      await runScan(["--snapshot", EXAMPLE], { stdout: out.sink, stderr: collector().sink }, { env });
      return out.text();
    };
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for the escape sequences.
    const sequence = /\u001b\[/u;
    expect(await run(true, {})).to.match(sequence);
    expect(await run(true, { NO_COLOR: "1" })).to.not.match(sequence);
    expect(await run(false, {})).to.not.match(sequence);
  });

  for (const columns of [60, 80, 200]) {
    it(`fits every line to a ${columns}-column terminal without losing a word`, async () => {
      const out = collector({ columns });
      await runScan(
        ["--snapshot", EXAMPLE],
        { stdout: out.sink, stderr: collector().sink },
        { env: { NO_COLOR: "1" } },
      );
      const lines = out.text().split("\n");
      expect(lines.filter((line) => visibleLength(line) > columns)).to.deep.equal([]);
      const report = json((await scan(["--snapshot", EXAMPLE, "--json"])).stdout);
      const flat = out.text().replace(/\s+/gu, " ");
      for (const e of report.evaluations.filter((x) => x.complianceType === "NON_COMPLIANT")) {
        // Words wrap whole; only a word longer than a line is split.
        for (const word of (e.annotation ?? "").split(/\s+/u).filter((w) => w.length < columns - 8)) {
          expect(flat).to.include(word);
        }
      }
    });
  }

  it("wraps between words and splits only a word longer than the line", () => {
    expect(wrap("the repository policy admits everyone", 16)).to.deep.equal([
      "the repository",
      "policy admits",
      "everyone",
    ]);
    expect(wrap("arn:aws:iam::111122223333:role/x", 12).join("")).to.equal(
      "arn:aws:iam::111122223333:role/x",
    );
  });

  it("narrows the widest column of a table until it fits", () => {
    const table = fitTable(
      [
        ["name", "note"],
        ["a", "one two three four five six seven eight nine ten"],
      ],
      30,
    );
    for (const line of table.trimEnd().split("\n")) expect(line.length).to.be.at.most(30);
    expect(table.replace(/\s+/gu, " ")).to.include("one two three four five six seven eight nine ten");
  });
});

describe("ecr-access-rules rules and --version", () => {
  it("lists every rule with its severity, resource types, triggers and parameters (--json)", async () => {
    const out = collector();
    const status = await main(["rules", "--json"], { stdout: out.sink, stderr: collector().sink });
    const listed: {
      name: string;
      severity: string;
      resourceTypes: string[];
      triggers: string[];
      parameters: { name: string }[];
    }[] = JSON.parse(out.text()).rules;
    expect(status).to.equal(0);
    expect(listed.map((r) => r.name)).to.deep.equal(RULES.map((r) => r.name));
    for (const rule of RULES) {
      const entry = listed.find((r) => r.name === rule.name);
      expect(entry?.severity).to.equal(rule.severity);
      expect(entry?.resourceTypes).to.deep.equal([...rule.resourceTypes]);
      expect(entry?.triggers).to.deep.equal(rule.periodic ? ["change", "periodic"] : ["change"]);
      expect(entry?.parameters.map((p) => p.name)).to.deep.equal(rule.parameters.map((p) => p.name));
    }
  });

  it("prints the rules as a table", async () => {
    const out = collector();
    await main(["rules"], { stdout: out.sink, stderr: collector().sink });
    for (const rule of RULES) expect(out.text()).to.include(rule.name);
  });

  it("prints the version of package.json", async () => {
    const out = collector();
    const status = await main(["--version"], { stdout: out.sink, stderr: collector().sink });
    expect(status).to.equal(0);
    expect(out.text()).to.equal(`ecr-access-rules ${PACKAGE.version}\n`);
  });
});
