/**
 * `ecr-access-rules analyze` (docs/command-line.md#analyze): run in-process through `main(argv, io)` with captured output, over
 * the fixtures in test/fixtures/cli and temporary directories; one test runs the compiled executable.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import type { CliIo } from "../../cli/main.js";
import { main } from "../../cli/main.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FIXTURES = fileURLToPath(new URL("../fixtures/cli/", import.meta.url));
const fixture = (name: string): string => join(FIXTURES, name);

interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(...argv: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const status = await main(argv, io);
  return { status, stdout, stderr };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `value[key]` of a parsed JSON object; fails the test when `value` is not an object. */
function field(value: unknown, key: string): unknown {
  if (!isRecord(value)) throw new Error(`expected an object, got ${JSON.stringify(value)}`);
  return value[key];
}

function list(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new Error(`expected a list, got ${JSON.stringify(value)}`);
  return value;
}

function jsonOf(text: string): unknown {
  const value: unknown = JSON.parse(text);
  return value;
}

/** The `actions` of `{"actions": […]}` output, by action name. */
function actionsByName(stdout: string): Map<string, unknown> {
  const actions = list(field(jsonOf(stdout), "actions"));
  return new Map(actions.map((entry) => [String(field(entry, "action")), entry]));
}

describe("ecr-access-rules analyze", () => {
  let temp: string;

  beforeEach(() => {
    temp = mkdtempSync(join(tmpdir(), "ecr-access-rules-cli-"));
  });

  afterEach(() => {
    rmSync(temp, { recursive: true, force: true });
  });

  describe("one principal's policies together", () => {
    it("removes a grant of one file when a Deny in another file covers every repository", async () => {
      // Prepare
      const allow = fixture("ecr-all-repositories.json");
      const deny = fixture("deny-delete-everywhere.json");

      // Act
      const { status, stdout } = await run("analyze", "--json", allow, deny);

      // Assess
      const actions = actionsByName(stdout);
      expect(actions.has("ecr:BatchDeleteImage")).to.equal(false);
      expect(actions.has("ecr:DeleteRepository")).to.equal(false);
      expect(field(actions.get("ecr:PutImage"), "scope")).to.equal("all");
      expect(status).to.equal(1);
    });

    it("prints exactly action, accessLevels, sensitive, scope, conditional and grantedBy with --json", async () => {
      // Prepare
      const file = fixture("push-team-a.json");

      // Act
      const { status, stdout, stderr } = await run("analyze", "--json", file);

      // Assess
      expect(actionsByName(stdout).get("ecr:PutImage")).to.deep.equal({
        action: "ecr:PutImage",
        accessLevels: ["Write"],
        sensitive: true,
        scope: "some",
        conditional: false,
        grantedBy: [{ document: file, index: 0, sid: "PushImages" }],
      });
      expect(jsonOf(stdout)).to.have.all.keys("actions");
      expect(stderr).to.equal("");
      expect(status).to.equal(0);
    });

    it("prints a table naming the file, statement and Sid that grant each action", async () => {
      // Prepare
      const file = fixture("push-team-a.json");

      // Act
      const { status, stdout } = await run("analyze", file);

      // Assess
      const lines = stdout.split("\n");
      expect(lines[0]).to.match(/^\s*action\s+level\s+scope\s+conditional\s+sensitive\s+granted by$/);
      const putImage = lines.find((line) => line.includes("ecr:PutImage"));
      expect(putImage).to.match(/ecr:PutImage\s+Write\s+some\s+no\s+yes\s+/);
      expect(putImage).to.include(`${file} Statement[0] (Sid PushImages)`);
      expect(stdout).to.include("No sensitive action is granted on all repositories.");
      expect(status).to.equal(0);
    });

    it("marks sensitive actions granted on all repositories and counts them", async () => {
      // Prepare
      const file = fixture("policy-version-url-encoded.json");

      // Act
      const { status, stdout } = await run("analyze", file);

      // Assess
      expect(stdout.split("\n").find((line) => line.includes("ecr:PutImage"))).to.match(
        /^!\s+ecr:PutImage\s/,
      );
      expect(stdout).to.include("1 sensitive action granted on all repositories.");
      expect(status).to.equal(1);
    });

    it("says so in one line when nothing ECR is granted", async () => {
      // Prepare
      const file = fixture("no-ecr.json");

      // Act
      const { status, stdout } = await run("analyze", file);

      // Assess
      expect(stdout).to.equal("No ECR action is granted.\n");
      expect(status).to.equal(0);
    });

    it("reads a get-policy-version response whose Document is URL-encoded", async () => {
      // Prepare
      const file = fixture("policy-version-url-encoded.json");

      // Act
      const { status, stdout } = await run("analyze", "--json", file);

      // Assess
      expect(actionsByName(stdout).get("ecr:PutImage")).to.deep.include({
        scope: "all",
        sensitive: true,
        grantedBy: [{ document: file, index: 0, sid: "PushAnywhere" }],
      });
      expect(status).to.equal(1);
    });

    it("names the path inside the get-policy-version response when its Document is malformed", async () => {
      // Prepare
      const file = join(temp, "version.json");
      writeFileSync(
        file,
        JSON.stringify({ PolicyVersion: { Document: { Statement: [{ Effect: "Allow" }] } } }),
      );

      // Act
      const { status, stderr } = await run("analyze", file);

      // Assess
      expect(stderr).to.equal(
        `${file}: error: PolicyVersion.Document.Statement[0]: has neither Action nor NotAction\n`,
      );
      expect(status).to.equal(2);
    });

    it("counts an action only when the --boundary also grants it", async () => {
      // Prepare
      const file = fixture("ecr-all-repositories.json");
      const boundary = fixture("pull-only.json");

      // Act
      const { status, stdout } = await run("analyze", "--json", "--boundary", boundary, file);

      // Assess
      expect([...actionsByName(stdout).keys()]).to.deep.equal([
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetAuthorizationToken",
        "ecr:GetDownloadUrlForLayer",
      ]);
      expect(status).to.equal(0);
    });

    it("exits 2 naming the boundary file when it cannot be read", async () => {
      // Prepare
      const missing = join(temp, "no-boundary.json");

      // Act
      const { status, stdout, stderr } = await run(
        "analyze",
        "--boundary",
        missing,
        fixture("pull-only.json"),
      );

      // Assess
      expect(stderr).to.include(missing).and.include("ENOENT");
      expect(stdout).to.equal("");
      expect(status).to.equal(2);
    });

    it("does not count actions matched by --exempt-actions as sensitive", async () => {
      // Prepare
      const file = fixture("policy-version-url-encoded.json");

      // Act
      const { status, stdout } = await run(
        "analyze",
        "--json",
        "--exempt-actions",
        "ecr:Tag*, ecr:PutImage",
        file,
      );

      // Assess
      expect(field(actionsByName(stdout).get("ecr:PutImage"), "sensitive")).to.equal(false);
      expect(status).to.equal(0);
    });
  });

  describe("exit status", () => {
    const cases = [
      { name: "exits 1 when ecr:* is granted on *", args: [fixture("ecr-all-repositories.json")], status: 1 },
      { name: "exits 0 for a pull-only policy", args: [fixture("pull-only.json")], status: 0 },
      {
        name: "exits 0 with --exit-zero when ecr:* is granted on *",
        args: ["--exit-zero", fixture("ecr-all-repositories.json")],
        status: 0,
      },
      {
        name: "exits 1 with --each when one file of several grants ecr:* on *",
        args: ["--each", fixture("pull-only.json"), fixture("ecr-all-repositories.json")],
        status: 1,
      },
    ];
    for (const { name, args, status: expected } of cases) {
      it(name, async () => {
        // Act
        const { status } = await run("analyze", ...args);

        // Assess
        expect(status).to.equal(expected);
      });
    }

    it("exits 2 naming a file that does not exist", async () => {
      // Prepare
      const missing = join(temp, "missing.json");

      // Act
      const { status, stdout, stderr } = await run("analyze", fixture("pull-only.json"), missing);

      // Assess
      expect(stderr).to.equal(`${missing}: error: cannot read: no such file or directory (ENOENT)\n`);
      expect(stdout).to.equal("");
      expect(status).to.equal(2);
    });

    it("exits 2 naming a path that runs through a file", async () => {
      // Prepare
      const through = join(fixture("pull-only.json"), "inner.json");

      // Act
      const { status, stderr } = await run("analyze", "--each", through);

      // Assess
      expect(stderr).to.equal(
        `${through}: error: cannot read: a part of the path is not a directory (ENOTDIR)\n`,
      );
      expect(status).to.equal(2);
    });

    it("exits 2 naming the file and the fault of a malformed policy", async () => {
      // Prepare
      const bad = fixture("bad-effect.json");

      // Act
      const { status, stderr } = await run("analyze", bad);

      // Assess
      expect(stderr).to.equal(
        `${bad}: error: Statement[1].Effect: must be "Allow" or "Deny", got string "Permit"\n`,
      );
      expect(status).to.equal(2);
    });

    it("exits 0 with --exit-zero on a malformed file but still prints its error", async () => {
      // Prepare
      const bad = fixture("bad-effect.json");

      // Act
      const { status, stderr } = await run("analyze", "--each", "--exit-zero", bad);

      // Assess
      expect(stderr).to.include(bad).and.include("Statement[1].Effect");
      expect(status).to.equal(0);
    });
  });

  describe("inputs too complex or too deep", () => {
    it("exits 2 naming the file when its patterns are too complex to analyse", async () => {
      // Prepare
      const complex = join(temp, "complex.json");
      const resource = `arn:aws:ecr:*a${"?".repeat(16)}:*:repository/*`;
      writeFileSync(
        complex,
        JSON.stringify({ Statement: { Effect: "Allow", Action: "ecr:*", Resource: resource } }),
      );

      // Act
      const { status, stdout, stderr } = await run("analyze", complex);

      // Assess
      expect(stderr.startsWith(`${complex}: error: Resource: the patterns`), stderr).to.equal(true);
      expect(stderr).to.include("too complex to analyse");
      expect(stdout).to.equal("");
      expect(status).to.equal(2);
    });
  });

  describe("--each", () => {
    it("reports a malformed file's error in --json and still analyses the other files", async () => {
      // Prepare
      const pull = fixture("pull-only.json");
      const bad = fixture("bad-effect.json");
      const all = fixture("ecr-all-repositories.json");

      // Act
      const { status, stdout, stderr } = await run("analyze", "--each", "--json", pull, bad, all);

      // Assess
      const results = list(field(jsonOf(stdout), "results"));
      expect(results.map((result) => field(result, "file"))).to.deep.equal([pull, bad, all]);
      expect(field(results[1], "error")).to.match(/^Statement\[1\]\.Effect: /);
      expect(field(results[1], "actions")).to.equal(undefined);
      expect(list(field(results[0], "actions"))).to.have.length(4);
      expect(list(field(results[2], "actions")).length).to.be.greaterThan(50);
      expect(stderr).to.include(`${bad}: error: Statement[1].Effect`);
      expect(status).to.equal(2);
    });

    it("reports a file too complex to analyse as its error and still analyses the other files", async () => {
      // Prepare
      const pull = fixture("pull-only.json");
      const complex = join(temp, "complex.json");
      const resource = `arn:aws:ecr:*a${"?".repeat(16)}:*:repository/*`;
      writeFileSync(
        complex,
        JSON.stringify({ Statement: { Effect: "Allow", Action: "ecr:*", Resource: resource } }),
      );
      const all = fixture("ecr-all-repositories.json");

      // Act
      const { status, stdout, stderr } = await run("analyze", "--each", "--json", pull, complex, all);

      // Assess
      const results = list(field(jsonOf(stdout), "results"));
      expect(results.map((result) => field(result, "file"))).to.deep.equal([pull, complex, all]);
      expect(field(results[1], "error")).to.match(/^Resource: the patterns .* too complex to analyse/);
      expect(list(field(results[0], "actions"))).to.have.length(4);
      expect(list(field(results[2], "actions")).length).to.be.greaterThan(50);
      expect(stderr).to.include(`${complex}: error: Resource: the patterns`);
      expect(status).to.equal(2);
    });

    it("reports a document nested thousands of levels deep as its error, naming where", async () => {
      // Prepare
      const deep = join(temp, "deep.json");
      const nested = `${'{"a":'.repeat(3000)}0${"}".repeat(3000)}`;
      writeFileSync(deep, `{"Statement":{"Effect":"Allow","Action":"ecr:*","Resource":"*"},"X":${nested}}`);
      const pull = fixture("pull-only.json");

      // Act
      const { status, stdout, stderr } = await run("analyze", "--each", deep, pull);

      // Assess
      expect(stderr).to.match(/deep\.json: error: X(\.a){31}: nested more than 32 levels deep/);
      expect(stdout).to.include(`== ${pull} ==\n`);
      expect(status).to.equal(2);
    });

    it("prints one section per file and errors as FILE: error: message", async () => {
      // Prepare
      const pull = fixture("pull-only.json");
      const bad = fixture("bad-effect.json");

      // Act
      const { status, stdout, stderr } = await run("analyze", "--each", pull, bad);

      // Assess
      expect(stdout).to.include(`== ${pull} ==\n`);
      expect(stdout).to.include("Statement[0] (Sid PullImages)");
      expect(stdout).not.to.include(`== ${bad} ==`);
      expect(stderr).to.equal(
        `${bad}: error: Statement[1].Effect: must be "Allow" or "Deny", got string "Permit"\n`,
      );
      expect(status).to.equal(2);
    });

    it("expands a directory to its *.json files sorted by name, not recursively", async () => {
      // Prepare
      copyFileSync(fixture("pull-only.json"), join(temp, "b-pull.json"));
      copyFileSync(fixture("push-team-a.json"), join(temp, "a-push.json"));
      writeFileSync(join(temp, "notes.txt"), "not a policy");
      mkdirSync(join(temp, "nested.json"));
      mkdirSync(join(temp, "sub"));
      copyFileSync(fixture("ecr-all-repositories.json"), join(temp, "sub", "c-all.json"));

      // Act
      const { status, stdout } = await run("analyze", "--each", "--json", temp);

      // Assess
      const results = list(field(jsonOf(stdout), "results"));
      expect(results.map((result) => field(result, "file"))).to.deep.equal([
        join(temp, "a-push.json"),
        join(temp, "b-pull.json"),
      ]);
      expect(status).to.equal(0);
    });

    it("analyses a directory's files together without --each", async () => {
      // Prepare
      copyFileSync(fixture("ecr-all-repositories.json"), join(temp, "allow.json"));
      copyFileSync(fixture("deny-delete-everywhere.json"), join(temp, "deny.json"));

      // Act
      const { stdout } = await run("analyze", "--json", temp);

      // Assess
      const actions = actionsByName(stdout);
      expect(actions.has("ecr:PutImage")).to.equal(true);
      expect(actions.has("ecr:DeleteRepository")).to.equal(false);
    });
  });

  describe("arguments", () => {
    it("exits 2 naming an unknown option", async () => {
      // Act
      const { status, stdout, stderr } = await run("analyze", "--jsno", fixture("pull-only.json"));

      // Assess
      expect(stderr).to.include("--jsno");
      expect(stdout).to.equal("");
      expect(status).to.equal(2);
    });

    it("exits 2 when no FILE is given", async () => {
      // Act
      const { status, stderr } = await run("analyze", "--json");

      // Assess
      expect(stderr).to.include("no FILE given");
      expect(status).to.equal(2);
    });

    it("prints the usage with --help and exits 0", async () => {
      // Act
      const { status, stdout } = await run("--help");

      // Assess
      expect(stdout).to.include("Usage: ecr-access-rules <command>");
      expect(status).to.equal(0);
    });

    it("prints the usage on stderr and exits 2 without a command", async () => {
      // Act
      const { status, stderr } = await run();

      // Assess
      expect(stderr).to.include("Usage: ecr-access-rules <command>");
      expect(status).to.equal(2);
    });
  });

  describe("the compiled executable", () => {
    before(function () {
      this.timeout(60_000);
      execFileSync(
        process.execPath,
        [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
        {
          cwd: ROOT,
          stdio: "pipe",
        },
      );
    });

    it("prints JSON and exits 0 for a pull-only policy", () => {
      // Prepare
      const file = fixture("pull-only.json");

      // Act
      const child = spawnSync(
        process.execPath,
        [join(ROOT, "dist/cli/ecr-access-rules.js"), "analyze", "--json", file],
        {
          encoding: "utf8",
        },
      );

      // Assess
      expect(child.stderr).to.equal("");
      expect([...actionsByName(child.stdout).keys()]).to.include("ecr:BatchGetImage");
      expect(child.status).to.equal(0);
    });
  });
});
