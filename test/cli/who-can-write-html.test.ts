/**
 * `who-can-write --html FILE` without a browser: the page's model (nodes, entries, arrows), the labels, the
 * escaping of the embedded data, the page's promise to load nothing, and the option's I/O.
 * The page in a browser: who-can-write-html-browser.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { main } from "../../cli/main.js";
import { pageModel, scriptSafeJson, whoCanWriteHtml, writerLabel } from "../../cli/who-can-write-html.js";
import type { RepositoryWriters, WriterKind } from "../../shared/reach/writers.js";

const EXAMPLE = new URL("../../examples/account-snapshot.json", import.meta.url).pathname;

function collector() {
  let text = "";
  return { sink: { write: (chunk: string) => (text += chunk) }, text: () => text };
}

async function exampleWriters(): Promise<RepositoryWriters[]> {
  const out = collector();
  const status = await main(["who-can-write", "--snapshot", EXAMPLE, "--json"], {
    stdout: out.sink,
    stderr: collector().sink,
  });
  expect(status).to.equal(0);
  const parsed: { repositories: RepositoryWriters[] } = JSON.parse(out.text());
  return parsed.repositories;
}

/** The JSON of the page's data element, as a browser's `textContent` would hand it to `JSON.parse`. */
function embeddedData(page: string): unknown {
  const match = /<script type="application\/json" id="who-can-write-data">(.*?)<\/script>/su.exec(page);
  expect(match, "the page has its data element").to.not.equal(null);
  return JSON.parse(match?.[1] ?? "null");
}

const ARN = "arn:aws:ecr:us-east-1:111122223333:repository/";

function repository(name: string, writers: RepositoryWriters["writers"]): RepositoryWriters {
  return { repositoryName: name, repositoryArn: `${ARN}${name}`, writers };
}

describe("who-can-write --html", () => {
  describe("pageModel", () => {
    it("has one node per repository and per distinct writer, and one entry per writer of a repository", async () => {
      // Prepare
      const results = await exampleWriters();
      const distinct = new Set(results.flatMap((r) => r.writers.map((w) => `${w.kind}|${w.principal}`)));

      // Act
      const model = pageModel(results);

      // Assess
      expect(model.nodes.filter((n) => n.kind === "repository").map((n) => n.full)).to.deep.equal(
        results.map((r) => r.repositoryName),
      );
      expect(model.nodes.filter((n) => n.kind !== "repository")).to.have.length(distinct.size);
      expect(model.entries).to.have.length(results.reduce((sum, r) => sum + r.writers.length, 0));
      expect(model.edges.flatMap((e) => e.entries).sort((a, b) => a - b)).to.deep.equal(
        model.entries.map((_, i) => i),
      );
    });

    it("points a writer that acts as another writer of the repository at that writer, and the other at the repository", () => {
      // Prepare
      const pipeline = "arn:aws:iam::111122223333:role/ci/team-a-pipeline";
      const results = [
        repository("api", [
          {
            principal: "token.actions.githubusercontent.com:repo:acme/*",
            kind: "web-identity",
            actions: ["ecr:PutImage"],
            path: [
              "trust Statement[0] of role team-a-pipeline: pinned",
              "role team-a-pipeline writes: inline policy deploy Statement[0] grants them on api",
            ],
          },
          {
            principal: pipeline,
            kind: "role",
            actions: ["ecr:PutImage"],
            path: ["role team-a-pipeline: its own policies grant them on api"],
          },
        ]),
      ];

      // Act
      const model = pageModel(results);

      // Assess
      const id = (full: string) => model.nodes.find((n) => n.full === full)?.id;
      expect(model.edges.map((e) => [e.source, e.target, e.kind])).to.deep.equal([
        [id("token.actions.githubusercontent.com:repo:acme/*"), id(pipeline), "acts-as"],
        [id(pipeline), id("api"), "writes"],
      ]);
      expect(model.entries[0]?.via).to.equal(id(pipeline));
    });

    it("points a writer at the repository when its path's last step names no writer of that repository", () => {
      // Prepare
      const results = [
        repository("api", [
          {
            principal: "arn:aws:iam::111122223333:user/ivan",
            kind: "user",
            actions: ["ecr:PutImage"],
            path: ["can assume role gone", "role gone writes"],
          },
        ]),
      ];

      // Act
      const model = pageModel(results);

      // Assess
      expect(model.edges.map((e) => e.kind)).to.deep.equal(["writes"]);
      expect(model.edges[0]?.target).to.equal(model.nodes.find((n) => n.kind === "repository")?.id);
      expect(model.entries[0]).to.not.have.property("via");
    });

    it("draws the example's GitHub and EKS doors as acting as the roles they open", async () => {
      // Prepare
      const results = await exampleWriters();

      // Act
      const model = pageModel(results);

      // Assess
      const label = (id: string) => model.nodes.find((n) => n.id === id)?.label;
      const actsAs = model.edges
        .filter((e) => e.kind === "acts-as")
        .map((e) => `${label(e.source)} → ${label(e.target)}`);
      expect(actsAs).to.include.members([
        "EKS service account ci:image-builder → eks-irsa-image-builder",
        "GitHub * → github-actions-legacy-deploy",
        "ivan.petrov → team-a-pipeline",
      ]);
    });
  });

  describe("writerLabel", () => {
    const cases: ReadonlyArray<readonly [WriterKind, string, string]> = [
      ["role", "arn:aws:iam::111122223333:role/ci/team-a-pipeline", "team-a-pipeline"],
      ["user", "arn:aws:iam::111122223333:user/ivan.petrov", "ivan.petrov"],
      ["saml", "arn:aws:iam::111122223333:saml-provider/Okta", "Okta"],
      ["web-identity", "token.actions.githubusercontent.com:repo:acme/*", "GitHub repo:acme/*"],
      ["web-identity", "token.actions.githubusercontent.com:*", "GitHub *"],
      [
        "web-identity",
        "oidc.eks.us-east-1.amazonaws.com/id/5E1C3A9B:system:serviceaccount:ci:image-builder",
        "EKS service account ci:image-builder",
      ],
      ["web-identity", "example.com/oidc:sub-1", "example.com/oidc:sub-1"],
      ["external-account", "999988887777", "account 999988887777"],
      ["public", "*", "everyone (*)"],
      ["service", "codebuild.amazonaws.com", "codebuild.amazonaws.com"],
    ];
    for (const [kind, principal, expected] of cases) {
      it(`labels ${kind} ${principal} as "${expected}"`, () => {
        // Act
        const label = writerLabel(kind, principal);

        // Assess
        expect(label).to.equal(expected);
      });
    }
  });

  describe("scriptSafeJson", () => {
    it("leaves no <, > or & that could end a script element, and parses back to the same value", () => {
      // Prepare
      const value = { name: "</script><script>alert(1)</script><!-- & \u2028\u2029" };

      // Act
      const text = scriptSafeJson(value);

      // Assess
      expect(text).to.not.match(/[<>&\u2028\u2029]/u);
      expect(JSON.parse(text)).to.deep.equal(value);
    });
  });

  describe("whoCanWriteHtml", () => {
    it("keeps a </script> in a principal inside the data element, where it parses back whole", () => {
      // Prepare
      const evil = "token.actions.githubusercontent.com:repo:</script><script>window.pwned=1</script>";
      const results = [
        repository("api", [
          { principal: evil, kind: "web-identity", actions: ["ecr:PutImage"], path: ["x"] },
        ]),
      ];

      // Act
      const page = whoCanWriteHtml(results, { title: "<b>title</b>" });

      // Assess
      expect(page).to.not.include("window.pwned=1</script>");
      expect(page).to.include("<title>Who can write — &lt;b&gt;title&lt;/b&gt;</title>");
      const data = embeddedData(page);
      expect(JSON.stringify(data)).to.include(JSON.stringify(evil));
    });

    it("loads nothing: no URL in a src or href, and a Content-Security-Policy that allows no fetch", async () => {
      // Prepare
      const results = await exampleWriters();

      // Act
      const page = whoCanWriteHtml(results);

      // Assess: the markup outside the inline scripts names no URL to load.
      const markup = page.replace(/(<script\b[^>]*>).*?<\/script>/gsu, "$1</script>");
      expect(markup).to.not.match(/\s(?:src|href)\s*=/iu);
      expect(markup).to.not.match(/<link\b|<iframe\b|<img\b|https?:\/\//iu);
      const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/u.exec(page)?.[1] ?? "";
      expect(csp).to.include("default-src 'none'");
      expect(csp).to.match(/script-src 'sha256-[^']+' 'sha256-[^']+'(;|$)/u);
      expect(csp).to.not.match(/connect-src|unsafe-eval/u);
    });

    it("writes the same page for the same answer", async () => {
      // Prepare
      const results = await exampleWriters();

      // Act
      const [first, second] = [whoCanWriteHtml(results), whoCanWriteHtml(results)];

      // Assess
      expect(first).to.equal(second);
    });
  });

  describe("the --html option", () => {
    let dir = "";
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), "who-can-write-html-"));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("writes the page, prints one line naming it, and exits 0", async () => {
      // Prepare
      const file = join(dir, "who.html");
      const out = collector();

      // Act
      const status = await main(["who-can-write", "--snapshot", EXAMPLE, "--html", file], {
        stdout: out.sink,
        stderr: collector().sink,
      });

      // Assess
      expect(status).to.equal(0);
      expect(out.text()).to.match(
        new RegExp(`^wrote ${file}: 10 repositories, \\d+ principals and doors \\(\\d+ KiB\\)\\n$`, "u"),
      );
      const page = readFileSync(file, "utf8");
      expect(page).to.match(/^<!doctype html>/u);
      expect(page).to.include("— 111122223333 us-east-1</title>");
    });

    it("prints the JSON as well with --json, and the page holds the same repositories", async () => {
      // Prepare
      const file = join(dir, "who.html");
      const out = collector();

      // Act
      const status = await main(
        ["who-can-write", "--snapshot", EXAMPLE, "--html", file, "--json", "team-a/api", "prod-payments"],
        { stdout: out.sink, stderr: collector().sink },
      );

      // Assess
      expect(status).to.equal(0);
      const parsed: { repositories: RepositoryWriters[] } = JSON.parse(out.text());
      expect(parsed.repositories.map((r) => r.repositoryName)).to.deep.equal(["team-a/api", "prod-payments"]);
      const data = embeddedData(readFileSync(file, "utf8"));
      expect(data)
        .to.have.nested.property("nodes")
        .that.satisfies(
          (nodes: Array<{ kind: string; full: string }>) =>
            nodes
              .filter((n) => n.kind === "repository")
              .map((n) => n.full)
              .join(",") === "team-a/api,prod-payments",
        );
    });

    it("exits 2 naming the file it cannot write", async () => {
      // Prepare
      const file = join(dir, "no-such-folder", "who.html");
      const err = collector();

      // Act
      const status = await main(["who-can-write", "--snapshot", EXAMPLE, "--html", file], {
        stdout: collector().sink,
        stderr: err.sink,
      });

      // Assess
      expect(status).to.equal(2);
      expect(err.text()).to.include(`cannot write ${file}`);
    });

    it("names --html in its help", async () => {
      // Prepare
      const out = collector();

      // Act
      const status = await main(["who-can-write", "--help"], { stdout: out.sink, stderr: collector().sink });

      // Assess
      expect(status).to.equal(0);
      expect(out.text()).to.include("--html FILE");
    });
  });
});
