/**
 * Progress on stderr: on a terminal one line redrawn in place with a bar, ending in a summary line; off a
 * terminal plain lines at an interval and for milestones, nothing for a quick run; the regions a command
 * reads.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { regionChoice } from "../../cli/regions.js";
import { progressFor } from "../../cli/terminal.js";

/** A stream that records what is written, a terminal when `isTTY`. */
function stream(isTTY: boolean, columns = 60) {
  const chunks: string[] = [];
  return { sink: { isTTY, columns, write: (chunk: string) => chunks.push(chunk) }, chunks };
}

/** A clock the test moves. */
function clock(start = 1_000) {
  let now = start;
  return { now: () => now, tick: (ms: number) => (now += ms) };
}

describe("Function: progressFor", () => {
  it("on a terminal redraws one line in place with a bar and leaves the summary as its final line", () => {
    // Prepare
    const { sink, chunks } = stream(true, 100);
    const time = clock();
    const progress = progressFor(sink, "ecr-access-rules scan", { now: time.now });
    // Act
    time.tick(300);
    progress.update({ label: "evaluations", done: 0, total: 4 });
    time.tick(100);
    progress.update({ label: "evaluations", done: 2, total: 4 });
    time.tick(10);
    progress.update({ label: "evaluations", done: 3, total: 4 }); // within 80 ms: not drawn
    progress.update({ label: "evaluations", done: 4, total: 4 }); // the last step is always drawn
    progress.end("4 evaluations in 0.4 s");
    // Assess
    expect(chunks).to.deep.equal([
      "\recr-access-rules scan: [------------------------] 0/4 evaluations\u001b[K",
      "\recr-access-rules scan: [############------------] 2/4 evaluations\u001b[K",
      "\recr-access-rules scan: [########################] 4/4 evaluations\u001b[K",
      "\recr-access-rules scan: 4 evaluations in 0.4 s\u001b[K\n",
    ]);
  });

  it("on a terminal draws nothing for work quicker than the delay, and fits the line to the width", () => {
    // Prepare
    const quick = stream(true);
    const narrow = stream(true, 30);
    const time = clock();
    const first = progressFor(quick.sink, "p", { now: time.now });
    const second = progressFor(narrow.sink, "p", { now: time.now, delayMs: 0 });
    // Act
    first.update({ label: "reading" });
    first.end("done");
    second.update({ label: "3 IAM pages (1,021 principals) · 12 repositories in 2 regions" });
    // Assess
    expect(quick.chunks).to.deep.equal([]);
    expect(narrow.chunks).to.deep.equal(["\rp: 3 IAM pages (1,021 princi…\u001b[K"]);
  });

  it("on a terminal prints a note above the bar and redraws the bar at the next update", () => {
    // Prepare
    const { sink, chunks } = stream(true);
    const time = clock();
    const progress = progressFor(sink, "p", { now: time.now, delayMs: 0 });
    // Act
    progress.update({ label: "accounts", done: 1, total: 2 });
    progress.note("p: account 333344445555 was not scanned: AccessDenied");
    progress.update({ label: "accounts", done: 2, total: 2 });
    progress.end();
    // Assess
    expect(chunks.slice(1)).to.deep.equal([
      "\r\u001b[Kp: account 333344445555 was not scanned: AccessDenied\n",
      "\rp: [########################] 2/2 accounts\u001b[K",
      "\r\u001b[K",
    ]);
  });

  it("off a terminal prints plain lines at the interval and for milestones, then the summary", () => {
    // Prepare
    const { sink, chunks } = stream(false);
    const time = clock();
    const progress = progressFor(sink, "ecr-access-rules scan", { now: time.now, intervalMs: 10_000 });
    // Act
    progress.update({ label: "reading · 1 IAM page (3 principals)" }); // before the interval: no line
    time.tick(10_000);
    progress.update({ label: "evaluations", done: 10, total: 40 });
    time.tick(1_000);
    progress.update({ label: "accounts", done: 1, total: 3, milestone: true });
    progress.update({ label: "accounts", done: 2, total: 3 });
    progress.end("3 accounts in 11.0 s");
    // Assess
    expect(chunks.join("")).to.equal(
      [
        "ecr-access-rules scan: 10/40 evaluations",
        "ecr-access-rules scan: 1/3 accounts",
        "ecr-access-rules scan: 3 accounts in 11.0 s",
        "",
      ].join("\n"),
    );
    expect(chunks.join("")).not.to.include("\r");
  });

  it("off a terminal says nothing for a quick run, nor with --quiet, but still prints notes", () => {
    // Prepare
    const quick = stream(false);
    const quiet = stream(false);
    const time = clock();
    const first = progressFor(quick.sink, "p", { now: time.now });
    const second = progressFor(quiet.sink, "p", { now: time.now, quiet: true, intervalMs: 0 });
    // Act
    first.update({ label: "reading" });
    first.end("done in 0.1 s");
    second.update({ label: "accounts", done: 1, total: 2, milestone: true });
    second.note("p: account 333344445555 was not scanned: AccessDenied");
    second.end("done");
    // Assess
    expect(quick.chunks).to.deep.equal([]);
    expect(quiet.chunks).to.deep.equal(["p: account 333344445555 was not scanned: AccessDenied\n"]);
  });

  it("draws the bar without colour codes, so NO_COLOR has nothing to take from it", () => {
    // Prepare
    const { sink, chunks } = stream(true);
    // Act
    progressFor(sink, "p", { delayMs: 0 }).update({ label: "x", done: 1, total: 2 });
    // Assess
    expect(chunks.join("").replaceAll("\u001b[K", "")).not.to.include("\u001b");
    expect(chunks.join("")).to.include("[############------------] 1/2 x");
  });
});

describe("Function: regionChoice", () => {
  const cases: Array<[string, Parameters<typeof regionChoice>[0], NodeJS.ProcessEnv, unknown]> = [
    [
      "a list, deduplicated in order",
      { regions: "eu-west-1, us-east-1,eu-west-1" },
      {},
      ["eu-west-1", "us-east-1"],
    ],
    ["one --region", { region: "ap-south-1" }, { AWS_REGION: "us-east-1" }, ["ap-south-1"]],
    [
      "AWS_REGION by default",
      {},
      { AWS_REGION: "eu-central-1", AWS_CONFIG_FILE: "/nonexistent" },
      ["eu-central-1"],
    ],
    [
      "AWS_DEFAULT_REGION next",
      {},
      { AWS_DEFAULT_REGION: "us-gov-west-1", AWS_CONFIG_FILE: "/nonexistent" },
      ["us-gov-west-1"],
    ],
  ];
  for (const [what, values, env, regions] of cases) {
    it(`lists ${what}`, () => {
      expect(regionChoice(values, env)).to.deep.equal({ kind: "listed", regions });
    });
  }

  it("takes the region of --profile, or of AWS_PROFILE, from the shared config file", () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), "regions-"));
    const file = join(dir, "config");
    writeFileSync(file, "[default]\nregion = us-west-2\n\n[profile audit]\nregion = eu-north-1\n");
    try {
      // Act
      const fromOption = regionChoice({ profile: "audit" }, { AWS_CONFIG_FILE: file });
      const fromEnv = regionChoice({}, { AWS_CONFIG_FILE: file, AWS_PROFILE: "audit" });
      const fallback = regionChoice({}, { AWS_CONFIG_FILE: file });
      const all = regionChoice({ profile: "audit", regions: "all" }, { AWS_CONFIG_FILE: file });
      // Assess
      expect(fromOption).to.deep.equal({ kind: "listed", regions: ["eu-north-1"] });
      expect(fromEnv).to.deep.equal({ kind: "listed", regions: ["eu-north-1"] });
      expect(fallback).to.deep.equal({ kind: "listed", regions: ["us-west-2"] });
      expect(all).to.deep.equal({ kind: "enabled", home: "eu-north-1" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes all as every enabled region, asked in the default region", () => {
    expect(regionChoice({ regions: "all" }, { AWS_REGION: "eu-west-1" })).to.deep.equal({
      kind: "enabled",
      home: "eu-west-1",
    });
  });

  const faults: Array<[string, Parameters<typeof regionChoice>[0], NodeJS.ProcessEnv, RegExp]> = [
    [
      "both options",
      { region: "us-east-1", regions: "eu-west-1" },
      {},
      /give one of --region and --regions/u,
    ],
    ["an empty list", { regions: " , " }, {}, /--regions: no region given/u],
    [
      "a name that is not a region",
      { regions: "us-east-1,useast2" },
      {},
      /--regions: not a region name: useast2/u,
    ],
    ["all inside a list", { regions: "all,us-east-1" }, {}, /all stands alone/u],
    [
      "all without a home region",
      { regions: "all" },
      { AWS_CONFIG_FILE: "/nonexistent" },
      /--regions all needs a home region/u,
    ],
    ["no region at all", {}, { AWS_CONFIG_FILE: "/nonexistent" }, /--live needs a region/u],
  ];
  for (const [what, values, env, message] of faults) {
    it(`rejects ${what}`, () => {
      expect(() => regionChoice(values, env)).to.throw(message);
    });
  }
});
