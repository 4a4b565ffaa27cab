/**
 * `who-can-write --html FILE` in a real browser: Debian's headless Chromium opens the example account's page
 * from a file:// URL and the test checks what a person would see — the graph's nodes and arrows (as many as
 * the answer has repositories and writers), the legend, the search box, the side panel — and that the page
 * asks for nothing over the network. It takes a screenshot (kept at /tmp/who-can-write.png too) to look at.
 * Skips, saying so, where /usr/bin/chromium is missing (scripts/install-chromium.sh installs it).
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { expect } from "chai";
import { type Browser, chromium, type Page } from "playwright-core";
import { main } from "../../cli/main.js";
import { whoCanWriteHtml } from "../../cli/who-can-write-html.js";
import type { RepositoryWriters } from "../../shared/reach/writers.js";

const CHROMIUM = "/usr/bin/chromium";
const EXAMPLE = new URL("../../examples/account-snapshot.json", import.meta.url).pathname;
const KEPT_SCREENSHOT = "/tmp/who-can-write.png";

function collector() {
  let text = "";
  return { sink: { write: (chunk: string) => (text += chunk) }, text: () => text };
}

/** What the page showed, read from the graph the page drew (`window.whoCanWriteGraph`, a Cytoscape instance). */
interface Shown {
  readonly repositories: number;
  readonly writers: number;
  readonly edges: number;
  readonly labels: string[];
}

/** The little of Cytoscape's API the checks call, on the page's `window.whoCanWriteGraph`. */
interface Box {
  x1: number;
  x2: number;
  y1: number;
  y2: number;
}
interface GraphElement {
  data(key: "kind" | "label"): string;
  style(name: "display"): string;
  renderedBoundingBox(options: { includeLabels: boolean }): Box;
}
interface GraphCollection {
  readonly length: number;
  filter(test: (element: GraphElement) => boolean): GraphCollection;
  map<T>(f: (element: GraphElement) => T): T[];
}
interface Graph {
  nodes(): GraphCollection;
  edges(): GraphCollection;
  zoom(): number;
  width(): number;
  height(): number;
}

function shown(page: Page): Promise<Shown> {
  return page.evaluate(() => {
    const cy = (globalThis as unknown as { whoCanWriteGraph: Graph }).whoCanWriteGraph;
    const visible = cy.nodes().filter((n) => n.style("display") !== "none");
    return {
      repositories: visible.filter((n) => n.data("kind") === "repository").length,
      writers: visible.filter((n) => n.data("kind") !== "repository").length,
      edges: cy.edges().filter((e) => e.style("display") !== "none").length,
      labels: visible.map((n) => n.data("label")),
    };
  });
}

interface Opened {
  readonly page: Page;
  readonly requests: string[];
  readonly errors: string[];
}

describe("who-can-write --html in headless Chromium", function () {
  this.timeout(90_000);
  let browser: Browser | undefined;
  let dir = "";
  let results: RepositoryWriters[] = [];
  let file = "";
  /** The example's page, opened once for the checks that only look; those that type or click open their own. */
  let example: Opened | undefined;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(
        `      skipped: ${CHROMIUM} is missing (scripts/install-chromium.sh installs Debian's chromium)`,
      );
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), "who-can-write-browser-"));
    file = join(dir, "who-can-write.html");
    const out = collector();
    const status = await main(["who-can-write", "--snapshot", EXAMPLE, "--json", "--html", file], {
      stdout: out.sink,
      stderr: collector().sink,
    });
    expect(status).to.equal(0);
    results = (JSON.parse(out.text()) as { repositories: RepositoryWriters[] }).repositories;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    example = await open(file);
  });
  after(async () => {
    await example?.page.close();
    await browser?.close();
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  /** Opens a page file from file://, recording every request and every error it causes. */
  async function open(path: string): Promise<Opened> {
    if (browser === undefined) throw new Error("no browser");
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    await page.goto(pathToFileURL(path).href);
    await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
    return { page, requests, errors };
  }

  function looked(): Opened {
    if (example === undefined) throw new Error("the example page did not open");
    return example;
  }

  it("draws one node per repository and per distinct writer, and loads nothing but itself", async () => {
    // Prepare
    const distinct = new Set(results.flatMap((r) => r.writers.map((w) => `${w.kind}|${w.principal}`)));

    // Act
    const { page, requests, errors } = looked();
    const graph = await shown(page);

    // Assess
    expect(graph.repositories).to.equal(results.length);
    expect(graph.writers).to.equal(distinct.size);
    expect(graph.labels).to.include.members([
      "team-a/api",
      "GitHub *",
      "EKS service account ci:image-builder",
    ]);
    expect(requests).to.deep.equal([pathToFileURL(file).href]);
    expect(errors).to.deep.equal([]);
    expect(await page.textContent("#count")).to.equal(
      `${results.length} repositories, ${distinct.size} principals and doors`,
    );
  });

  it("shows a legend entry, in colour and shape, for every kind it draws", async () => {
    // Prepare
    const kinds = new Set(["repository", ...results.flatMap((r) => r.writers.map((w) => w.kind))]);

    // Act
    const { page } = looked();
    const legend = await page.$$eval("#legend li", (items) =>
      items.map((li) => ({
        kind: li.getAttribute("data-kind"),
        text: li.textContent,
        icon: li.querySelector("svg") !== null,
      })),
    );

    // Assess
    expect(legend.map((l) => l.kind)).to.have.members([...kinds, "writes", "acts-as"]);
    for (const entry of legend) expect(entry.icon, `${entry.kind} has an icon`).to.equal(true);
  });

  it("narrows the graph to a repository and its writers when its name is typed in the search box", async () => {
    // Prepare
    const target = results.find((r) => r.repositoryName === "prod-payments");
    expect(target, "the example has prod-payments").to.not.equal(undefined);
    const writersMatching = results
      .flatMap((r) => r.writers)
      .filter((w) => w.principal.includes("prod-payments"));
    expect(writersMatching, "no principal's name holds the query").to.deep.equal([]);
    const { page } = await open(file);
    const before = await shown(page);

    // Act
    await page.fill("#search", "prod-payments");
    const after = await shown(page);

    // Assess
    expect(after.repositories).to.equal(1);
    expect(after.writers).to.equal(target?.writers.length);
    expect(after.writers).to.be.lessThan(before.writers);
    expect(after.edges).to.be.lessThan(before.edges);
    expect(await page.textContent("#count")).to.equal(
      `showing 1 of ${results.length} repositories, ${target?.writers.length} of ${before.writers} principals and doors`,
    );
    await page.close();
  });

  it("narrows the graph to a principal and the repositories it writes when its name is typed", async () => {
    // Prepare
    const writes = results.filter((r) => r.writers.some((w) => w.principal.endsWith("user/ivan.petrov")));
    expect(writes.length, "ivan.petrov writes somewhere").to.be.greaterThan(0);
    const { page } = await open(file);

    // Act
    await page.fill("#search", "ivan.petrov");
    const after = await shown(page);

    // Assess
    expect(after.repositories).to.equal(writes.length);
    expect(after.labels).to.include.members(["ivan.petrov", "team-a-pipeline"]);
    await page.fill("#search", "");
    expect((await shown(page)).repositories).to.equal(results.length);
    await page.close();
  });

  it("lists each writer's actions and path in the side panel when a repository is clicked", async () => {
    // Prepare
    const api = results.find((r) => r.repositoryName === "team-a/api");
    const github = api?.writers.find((w) => w.principal === "token.actions.githubusercontent.com:*");
    expect(github, "the example's unpinned GitHub door writes team-a/api").to.not.equal(undefined);
    const { page } = await open(file);

    // Act: click the panel's link to the repository, as a person would.
    await page.getByRole("button", { name: "team-a/api", exact: true }).click();

    // Assess
    expect(await page.textContent("#panel h2")).to.equal("team-a/api");
    const sections = await page.$$eval("#panel section", (all) => all.map((s) => s.textContent ?? ""));
    expect(sections).to.have.length(api?.writers.length ?? -1);
    const door = sections.find((s) => s.includes("GitHub *"));
    expect(door).to.include("PutImage");
    for (const step of github?.path ?? []) expect(door).to.include(step);
    await page.close();
  });

  it("lays the example out readably: no two nodes (with their labels) overlap, labels at a legible zoom", async () => {
    // Prepare
    const { page } = looked();

    // Act
    const layout = await page.evaluate(() => {
      const cy = (globalThis as unknown as { whoCanWriteGraph: Graph }).whoCanWriteGraph;
      const boxes = cy
        .nodes()
        .map((n) => ({ label: n.data("label"), box: n.renderedBoundingBox({ includeLabels: true }) }));
      const overlaps: string[] = [];
      for (const [i, a] of boxes.entries())
        for (const b of boxes.slice(i + 1))
          if (a.box.x1 < b.box.x2 && b.box.x1 < a.box.x2 && a.box.y1 < b.box.y2 && b.box.y1 < a.box.y2)
            overlaps.push(`${a.label} / ${b.label}`);
      const outside = boxes
        .filter((b) => b.box.x1 < 0 || b.box.y1 < 0 || b.box.x2 > cy.width() || b.box.y2 > cy.height())
        .map((b) => b.label);
      return { zoom: cy.zoom(), overlaps, outside };
    });
    const screenshot = join(dir, "who-can-write.png");
    await page.screenshot({ path: screenshot });
    copyFileSync(screenshot, KEPT_SCREENSHOT);

    // Assess
    expect(layout.overlaps).to.deep.equal([]);
    expect(layout.outside).to.deep.equal([]);
    expect(layout.zoom, "12px labels drawn at 8px or more").to.be.at.least(8 / 12);
    expect(statSync(screenshot).size).to.be.greaterThan(20_000);
  });

  it("draws nothing past its limit, says so, and draws a repository's writers once it is searched or picked", async () => {
    // Prepare: the example's page with a limit below its size (the default limit is for large accounts).
    const small = join(dir, "limited.html");
    writeFileSync(small, whoCanWriteHtml(results, { drawLimit: 100 }));
    const payments = results.find((r) => r.repositoryName === "prod-payments");
    const api = results.find((r) => r.repositoryName === "team-a/api");
    const { page, errors } = await open(small);
    const first = await shown(page);
    const notice = await page.textContent("#notice");

    // Act
    await page.fill("#search", "prod-payments");
    const searched = await shown(page);
    await page.fill("#search", "");
    await page.getByRole("button", { name: "team-a/api", exact: true }).click();
    const picked = await shown(page);

    // Assess
    expect(first).to.deep.include({ repositories: 0, writers: 0, edges: 0 });
    expect(notice).to.match(
      /^Too many to draw at once: \d+ nodes and \d+ arrows \(this page draws up to 100\)/u,
    );
    expect(searched).to.deep.include({ repositories: 1, writers: payments?.writers.length });
    expect(picked.writers).to.equal(api?.writers.length);
    expect(await page.isVisible("#notice")).to.equal(false);
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it("shows a </script> in a principal's name as text, without breaking the page or running it", async () => {
    // Prepare
    const evil = "token.actions.githubusercontent.com:repo:</script><script>window.pwned=1</script>";
    const page = join(dir, "evil.html");
    writeFileSync(
      page,
      whoCanWriteHtml([
        {
          repositoryName: "api",
          repositoryArn: "arn:aws:ecr:us-east-1:111122223333:repository/api",
          writers: [
            {
              principal: evil,
              kind: "web-identity",
              actions: ["ecr:PutImage"],
              path: ["<img src=x onerror=pwned=2>"],
            },
          ],
        },
      ]),
    );

    // Act
    const opened = await open(page);
    await opened.page.getByRole("button", { name: "api", exact: true }).click();

    // Assess
    expect(await opened.page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).to.equal(
      undefined,
    );
    expect((await shown(opened.page)).writers).to.equal(1);
    const panel = (await opened.page.textContent("#panel")) ?? "";
    expect(panel).to.include(evil);
    expect(panel).to.include("<img src=x onerror=pwned=2>");
    expect(opened.errors).to.deep.equal([]);
    await opened.page.close();
  });
});
