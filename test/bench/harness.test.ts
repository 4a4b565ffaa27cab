/**
 * The benchmark harness (`npm run bench`, bench/index.ts) on tiny inputs, so that it cannot rot: the JSON's
 * shape, finite positive figures and counts that agree with each other. Never speeds.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect } from "chai";
import { serverlessEsbuildOptions } from "../../bench/bundles.js";
import {
  BEGIN_MARKER,
  type BenchResults,
  END_MARKER,
  markdown,
  recorded,
  runBench,
  tables,
} from "../../bench/index.js";
import { PROFILES } from "../../bench/profile.js";
import { growthExponent, median, textTable } from "../../bench/stats.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const run = promisify(execFile);

function positive(value: unknown, path: string): void {
  expect(value, path).to.be.a("number");
  expect(Number.isFinite(value), `${path} is finite`).to.equal(true);
  expect(value, path).to.be.greaterThan(0);
}

function sum(values: Readonly<Record<string, number>>): number {
  return Object.values(values).reduce((a, b) => a + b, 0);
}

describe("Benchmark harness", function () {
  // A guard against a hang, not a speed: the tiny run takes seconds.
  this.timeout(180_000);

  describe("its helpers", () => {
    const variants: Array<[string, readonly number[], number]> = [
      ["an odd count", [5, 1, 3], 3],
      ["an even count", [4, 1, 3, 2], 2.5],
      ["one value", [7], 7],
    ];
    for (const [name, values, expected] of variants) {
      it(`takes the median of ${name}`, () => {
        expect(median(values)).to.equal(expected);
      });
    }

    it("fits the growth exponent of a power law", () => {
      const sizes = [1000, 3000, 10_000];
      expect(
        growthExponent(
          sizes,
          sizes.map((n) => 2 * n ** 1.5),
        ),
      ).to.be.closeTo(1.5, 1e-9);
      expect(growthExponent(sizes, [4, 4, 4])).to.be.closeTo(0, 1e-9);
    });

    it("reads serverless.yml's esbuild options as serverless-esbuild passes them to esbuild", () => {
      const options = serverlessEsbuildOptions(ROOT);
      expect(options).to.include({
        bundle: true,
        platform: "node",
        format: "esm",
        minify: true,
        keepNames: true,
      });
      expect(options.outExtension).to.deep.equal({ ".js": ".mjs" });
      expect(options.external).to.deep.equal([]);
      expect(options).not.to.have.any.keys("exclude", "outputFileExtension");
    });

    it("records the Markdown between the bench markers and keeps the rest of the file", () => {
      const before = `# Benchmarks\n\nintro\n\n${BEGIN_MARKER}\n\nold figures\n${END_MARKER}\n\n## Worst case\n`;
      const after = recorded(before, "new figures\n");
      expect(after).to.equal(
        `# Benchmarks\n\nintro\n\n${BEGIN_MARKER}\n\nnew figures\n\n${END_MARKER}\n\n## Worst case\n`,
      );
      expect(recorded(after, "new figures\n")).to.equal(after);
    });

    it("refuses to record into a file without the markers", () => {
      expect(() => recorded("# Benchmarks\n", "x")).to.throw(/no bench markers/);
    });
  });

  describe("a tiny run of every section", () => {
    let results: BenchResults;
    before(async () => {
      results = await runBench(PROFILES.tiny, undefined, () => {});
    });

    it("describes the run: profile, date, Node, machine", () => {
      expect(results.schema).to.equal(1);
      expect(results.profile).to.equal("tiny");
      expect(Number.isNaN(Date.parse(results.date))).to.equal(false);
      expect(results.node).to.equal(process.version);
      positive(results.machine.cpus, "machine.cpus");
      positive(results.machine.memoryGb, "machine.memoryGb");
      positive(results.durationSeconds, "durationSeconds");
    });

    it("measures throughput over as many documents as asked, once per pass", () => {
      const throughput = results.throughput;
      if (throughput === null) throw new Error("no throughput section");
      expect(throughput.identity.documents).to.equal(PROFILES.tiny.identityDocuments);
      expect(throughput.resourcePolicies.documents).to.equal(PROFILES.tiny.resourcePolicies);
      expect(throughput.trustPolicies.documents).to.be.within(1, PROFILES.tiny.trustRoles);
      const corpora = [
        ["identity", throughput.identity],
        ["resourcePolicies", throughput.resourcePolicies],
        ["trustPolicies", throughput.trustPolicies],
      ] as const;
      for (const [name, f] of corpora) {
        expect(f.passMs, name).to.have.length(PROFILES.tiny.passes);
        positive(f.medianMs, `${name}.medianMs`);
        positive(f.documentsPerSecond, `${name}.documentsPerSecond`);
        expect(f.refused, name).to.be.within(0, f.documents);
      }
    });

    it("measures the anchor simulator and our engine side by side on the same sample", () => {
      const anchor = results.throughput?.anchor;
      if (anchor === null || anchor === undefined) throw new Error("no anchor figures");
      expect(anchor.documents).to.equal(PROFILES.tiny.anchorDocuments);
      expect(anchor.simulationsPerDocument).to.be.greaterThan(0);
      expect(anchor.errors, "every simulation answers").to.equal(0);
      positive(anchor.documentsPerSecond, "anchor.documentsPerSecond");
      positive(anchor.engineDocumentsPerSecond, "anchor.engineDocumentsPerSecond");
      const ratio = anchor.engineDocumentsPerSecond / anchor.documentsPerSecond;
      expect(anchor.engineRatio).to.be.closeTo(ratio, 0.02 * ratio + 0.1);
    });

    it("loads each bundle and the floor, and each first invocation sends exactly one PutEvaluations", () => {
      const cold = results.coldStart;
      if (cold === null) throw new Error("no cold-start section");
      expect(cold.handlers.map((h) => h.name)).to.deep.equal(PROFILES.tiny.handlers);
      for (const f of [cold.floor, ...cold.handlers]) {
        for (const key of ["zipBytes", "bundleBytes", "loadMs", "firstInvocationMs"] as const) {
          positive(f[key], `${f.name}.${key}`);
        }
        expect(f.requestsPerRun, f.name).to.equal(1);
        expect(f.zipBytes, `${f.name}: zipped smaller than the file`).to.be.below(f.bundleBytes);
      }
      for (const h of cold.handlers) {
        expect(h.loadRatio).to.be.closeTo(h.loadMs / cold.floor.loadMs, 0.01);
        expect(h.firstInvocationRatio).to.be.closeTo(
          h.firstInvocationMs / cold.floor.firstInvocationMs,
          0.01,
        );
      }
    });

    it("sweeps each account size with scan and who-can-write, and fits the exponents", () => {
      const sweep = results.sweep;
      if (sweep === null) throw new Error("no sweep section");
      expect(sweep.accounts.map((a) => a.sizes.roles)).to.deep.equal(PROFILES.tiny.sweepRoles);
      for (const a of sweep.accounts) {
        const who = a.whoCanWrite;
        if (who.status !== "done") throw new Error(`who-can-write ${who.status} at ${a.sizes.roles} roles`);
        for (const command of [a.scan, who]) {
          positive(command.wallSeconds, "wallSeconds");
          positive(command.cpuSeconds, "cpuSeconds");
          positive(command.peakRssMb, "peakRssMb");
        }
        // Every user, role and group is evaluated by the principal rule at least.
        expect(a.scan.evaluations).to.be.at.least(a.sizes.roles + a.sizes.users + a.sizes.groups);
        expect(who.repositories).to.equal(PROFILES.tiny.whoCanWriteRepositories);
      }
      const { scan, whoCanWrite } = sweep.exponents;
      for (const value of [scan.wall, scan.cpu, whoCanWrite?.wall, whoCanWrite?.cpu]) {
        expect(Number.isFinite(value)).to.equal(true);
      }
    });

    it("counts the periodic sweeps' calls by operation against a lower bound that adds up", () => {
      const api = results.apiEconomy;
      if (api === null) throw new Error("no API economy section");
      expect(api.periodic.map((p) => p.sweep)).to.deep.equal(["first", "steady"]);
      for (const p of api.periodic) {
        expect(sum(p.calls), p.rule).to.equal(p.totalCalls);
        expect(p.calls["config.PutEvaluations"]).to.equal(Math.ceil(p.evaluations / 100));
        expect(p.calls["iam.GetAccountAuthorizationDetails"]).to.be.at.least(1);
        const b = p.lowerBound;
        expect(b.total).to.equal(b.authorizationDetailsPages + b.awsManagedPolicyReads + b.putEvaluations);
        expect(p.ratio).to.be.closeTo(p.totalCalls / b.total, 0.001);
        expect(p.totalCalls, "no sweep beats the lower bound").to.be.at.least(b.total);
      }
      const [first, steady] = api.periodic;
      expect(first?.previousEvaluations).to.equal(0);
      expect(steady?.previousEvaluations, "the steady sweep finds the first's evaluations").to.be.greaterThan(
        0,
      );
    });

    it("counts a cold and a warm change-triggered evaluation", () => {
      const api = results.apiEconomy;
      if (api === null) throw new Error("no API economy section");
      for (const i of [api.change.cold, api.change.warm]) {
        expect(sum(i.calls)).to.equal(i.totalCalls);
        expect(i.iamCalls).to.be.at.most(i.totalCalls);
        expect(i.calls["config.PutEvaluations"]).to.equal(1);
      }
      expect(api.change.cold.iamCalls, "a cold container reads the account").to.be.greaterThan(0);
    });

    it("holds every section against its targets, and prints a table for each", () => {
      expect(results.targets.map((t) => t.id)).to.deep.equal([
        "identity-throughput",
        "module-load",
        "sweep-cpu",
        "sweep-rss",
        "sweep-growth",
        "sweep-calls",
        "warm-change",
      ]);
      const text = tables(results).map(textTable).join("\n");
      for (const title of ["1. Analysis", "2. Cold start", "3. Sweep scale", "4. API economy", "Targets"]) {
        expect(text).to.include(title);
      }
      expect(markdown(results)).to.match(/^Recorded \d{4}-\d\d-\d\d by `npm run bench -- --tiny`/u);
    });
  });

  it("prints one JSON object with --json, and null for the sections not run", async () => {
    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", "bench/index.ts", "--tiny", "--json", "--only", "throughput"],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
    );
    const parsed: unknown = JSON.parse(stdout);
    expect(parsed).to.be.an("object");
    expect(parsed).to.include({ schema: 1, profile: "tiny", coldStart: null, sweep: null, apiEconomy: null });
    expect(parsed).to.have.nested.property("throughput.identity.documents", PROFILES.tiny.identityDocuments);
  });
});
