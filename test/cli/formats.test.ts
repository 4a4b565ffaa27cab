/**
 * `scan --format …`: every format of the example account's scan is valid against its published schema
 * (SARIF 2.1.0, ASFF, OCSF 1.8.0 Compliance Finding), carries each finding whole, and agrees with the
 * others; `-o` writes one file per format or a directory.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { CSV_COLUMNS } from "../../cli/formats/csv.js";
import type { ReportJson } from "../../cli/formats/json.js";
import { main } from "../../cli/main.js";
import { RULES } from "../../rules/index.js";
import { ANNOTATION_LIMIT } from "../../shared/config/evaluation.js";
import { asffValidator, ocsfValidator, sarifValidator, schemaErrors } from "../support/schemas/validate.js";

const EXAMPLE = new URL("../../examples/account-snapshot.json", import.meta.url).pathname;

function collector() {
  let text = "";
  return { sink: { write: (chunk: string) => (text += chunk) }, text: () => text };
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += ch;
  }
  return rows;
}

const read = (dir: string, file: string): unknown => JSON.parse(readFileSync(join(dir, file), "utf8"));

describe("ecr-access-rules scan --format", () => {
  let dir = "";
  let status = -1;
  let report: ReportJson;
  before(async () => {
    // Prepare
    dir = mkdtempSync(join(tmpdir(), "formats-test-"));
    const formats = ["text", "json", "sarif", "csv", "asff", "ocsf"].flatMap((f) => ["--format", f]);
    // Act
    status = await main(["scan", "--snapshot", EXAMPLE, ...formats, "-o", `${dir}/`], {
      stdout: collector().sink,
      stderr: collector().sink,
    });
    report = read(dir, "ecr-access-rules.json") as ReportJson;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes every format into the -o directory and exits as the verdicts say", () => {
    expect(status).to.equal(1);
    expect(report.evaluations.length).to.be.greaterThan(40);
  });

  it("carries whole explanations, longer than Config's 256 characters, with every field of a finding", () => {
    const long = report.evaluations.filter((e) => (e.annotation?.length ?? 0) > ANNOTATION_LIMIT);
    expect(long.length).to.be.greaterThan(0);
    for (const e of long) expect(e.annotation).to.not.match(/…$/u);
    for (const e of report.evaluations) {
      const rule = RULES.find((r) => r.name === e.configRuleName);
      expect(rule, e.configRuleName).to.not.equal(undefined);
      expect(e.severity).to.equal(rule?.severity);
      expect(e.control).to.deep.equal({
        framework: "CIS Amazon EKS Benchmark",
        version: "v1.5.0",
        id: "5.1.2",
        title: "Minimize user access to Amazon ECR",
      });
      expect(e.title).to.equal(rule?.title);
      expect(e.remediation).to.equal(rule?.remediation);
      expect(e.accountId).to.equal("111122223333");
      expect(e.region).to.equal("us-east-1");
      expect(e.resourceArn).to.match(/^arn:aws:(iam|ecr):/u);
      expect(e.resourceName).to.be.a("string");
    }
  });

  it("writes SARIF that the SARIF 2.1.0 schema accepts, naming each rule once with its help text", () => {
    const sarif = read(dir, "ecr-access-rules.sarif");
    expect(schemaErrors(sarifValidator(), sarif)).to.deep.equal([]);
    const run = (
      sarif as {
        runs: {
          tool: { driver: { rules: { id: string; help: { text: string } }[] } };
          results: { ruleId: string; locations: unknown[] }[];
        }[];
      }
    ).runs[0];
    const ids = run?.tool.driver.rules.map((r) => r.id) ?? [];
    expect(ids).to.deep.equal(RULES.map((r) => r.name));
    for (const rule of run?.tool.driver.rules ?? []) expect(rule.help.text).to.include("Remediation:");
    const failing = report.evaluations.filter((e) => e.complianceType === "NON_COMPLIANT");
    expect(run?.results).to.have.length(failing.length);
    for (const result of run?.results ?? []) expect(result.locations).to.have.length(1);
  });

  it("writes ASFF that the Security Hub model accepts, with the control in Compliance.RelatedRequirements", () => {
    const asff = read(dir, "ecr-access-rules.asff.json");
    expect(schemaErrors(asffValidator(), asff)).to.deep.equal([]);
    const findings = asff as { Compliance: { Status: string; RelatedRequirements: string[] } }[];
    expect(findings).to.have.length(report.evaluations.length);
    for (const f of findings)
      expect(f.Compliance.RelatedRequirements).to.deep.equal(["CIS Amazon EKS Benchmark v1.5.0/5.1.2"]);
    const failed = findings.filter((f) => f.Compliance.Status === "FAILED").length;
    expect(failed).to.equal(report.evaluations.filter((e) => e.complianceType === "NON_COMPLIANT").length);
  });

  it("writes OCSF Compliance Findings that the OCSF 1.8.0 schema accepts", () => {
    const ocsf = read(dir, "ecr-access-rules.ocsf.json");
    expect(schemaErrors(ocsfValidator(), ocsf)).to.deep.equal([]);
    const events = ocsf as { class_uid: number; message: string }[];
    expect(events).to.have.length(report.evaluations.length);
    expect(new Set(events.map((e) => e.class_uid))).to.deep.equal(new Set([2003]));
    expect(events.map((e) => e.message)).to.include.members(
      report.evaluations.flatMap((e) => (e.annotation === undefined ? [] : [e.annotation])),
    );
  });

  it("writes CSV whose rows give back each finding's explanation exactly", () => {
    const rows = parseCsv(readFileSync(join(dir, "ecr-access-rules.csv"), "utf8"));
    expect(rows[0]).to.deep.equal([...CSV_COLUMNS]);
    expect(rows).to.have.length(report.evaluations.length + 1);
    const explanation = CSV_COLUMNS.indexOf("explanation");
    expect(rows.slice(1).map((r) => r[explanation])).to.deep.equal(
      report.evaluations.map((e) => e.annotation ?? ""),
    );
  });

  const broken: Array<[string, () => ReturnType<typeof sarifValidator>, string, (doc: unknown) => void]> = [
    [
      "SARIF without a version",
      sarifValidator,
      "ecr-access-rules.sarif",
      (doc) => Reflect.deleteProperty(doc as object, "version"),
    ],
    [
      "ASFF without a Title",
      asffValidator,
      "ecr-access-rules.asff.json",
      (doc) => Reflect.deleteProperty((doc as object[])[0] ?? {}, "Title"),
    ],
    [
      "ASFF with a Description over 1,024 characters",
      asffValidator,
      "ecr-access-rules.asff.json",
      (doc) => Reflect.set((doc as object[])[0] ?? {}, "Description", "x".repeat(1025)),
    ],
    [
      "OCSF with an unknown attribute",
      ocsfValidator,
      "ecr-access-rules.ocsf.json",
      (doc) => Reflect.set((doc as object[])[0] ?? {}, "ecrVerdict", "bad"),
    ],
    [
      "OCSF without compliance",
      ocsfValidator,
      "ecr-access-rules.ocsf.json",
      (doc) => Reflect.deleteProperty((doc as object[])[0] ?? {}, "compliance"),
    ],
  ];
  for (const [what, validator, file, breakIt] of broken) {
    it(`rejects ${what} (the schema checks what it should)`, () => {
      const doc = read(dir, file);
      breakIt(doc);
      expect(schemaErrors(validator(), doc)).to.not.deep.equal([]);
    });
  }
});
