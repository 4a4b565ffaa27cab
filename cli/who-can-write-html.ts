/**
 * `who-can-write --html FILE` (docs/command-line.md#who-can-write): one self-contained page that draws the
 * repositories, the principals and doors that can write to them, and the paths between, from the same
 * `RepositoryWriters[]` the table and `--json` print. The page loads nothing: the graph library
 * (Cytoscape.js with its dagre layout, read from node_modules when the page is written) and the data are
 * inline, and a Content-Security-Policy forbids every fetch and every script but the page's own.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { EcrAccessRulesError } from "../shared/errors.js";
import type { RepositoryWriters, WriterKind } from "../shared/reach/writers.js";

/** A node of the picture: a repository, or a principal or door that writes to one. */
export interface PageNode {
  readonly id: string;
  readonly kind: WriterKind | "repository";
  /** The short text drawn beside the node. */
  readonly label: string;
  /** The whole name: a repository's name, a principal's ARN, a door's text. */
  readonly full: string;
  /** A repository's ARN. */
  readonly arn?: string;
}

/** One writer of one repository, as `writersOf` gave it. */
export interface PageEntry {
  /** The repository node's id. */
  readonly repository: string;
  /** The writer node's id. */
  readonly writer: string;
  readonly actions: readonly string[];
  readonly path: readonly string[];
  /** The writer (of the same repository) it acts as, named by the path's last step; absent when it writes itself. */
  readonly via?: string;
}

/** An arrow of the picture: a writer to the repository it writes, or to the writer it acts as. */
export interface PageEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  readonly kind: "writes" | "acts-as";
  /** Indexes into `entries`: the writers of repositories that this arrow is a step of. */
  readonly entries: readonly number[];
}

export interface PageModel {
  readonly nodes: readonly PageNode[];
  readonly edges: readonly PageEdge[];
  readonly entries: readonly PageEntry[];
}

const WEB_IDENTITY_LABELS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^token\.actions\.githubusercontent\.com(?:\/[^:]*)?:/u, "GitHub "],
  [/^oidc\.eks\.[^/]+\/id\/[^:]+:(?:system:serviceaccount:)?/u, "EKS service account "],
  [/^accounts\.google\.com:/u, "Google "],
  [/^cognito-identity\.amazonaws\.com:/u, "Cognito "],
];

/**
 * The short label of a writer: an ARN's last name, a door's provider in words and its subject.
 *
 * @example
 * writerLabel("role", "arn:aws:iam::111122223333:role/ci/ci-deploy"); // "ci-deploy"
 * writerLabel("web-identity", "token.actions.githubusercontent.com:repo:acme/*"); // "GitHub repo:acme/*"
 */
export function writerLabel(kind: WriterKind, principal: string): string {
  switch (kind) {
    case "user":
    case "role":
    case "group":
    case "saml":
      return principal.startsWith("arn:") ? (principal.split("/").at(-1) ?? principal) : principal;
    case "web-identity": {
      for (const [pattern, words] of WEB_IDENTITY_LABELS) {
        const match = pattern.exec(principal);
        if (match !== null) return `${words}${principal.slice(match[0].length)}`;
      }
      return principal;
    }
    case "public":
      return principal === "*" ? "everyone (*)" : principal;
    case "external-account":
      return `account ${principal}`;
    case "service":
      return principal;
    default: {
      const never: never = kind;
      return never;
    }
  }
}

/**
 * `role NAME writes: how it holds them` (or `user`/`group`; the part after the colon may be absent): the
 * last step of a reach or door path. IAM names hold no space.
 */
const WRITES_THROUGH = /^(user|role|group) (\S+) writes(?:: .*)?$/su;

/**
 * The picture's model: one node per repository and per distinct writer (kind and principal), one entry per
 * writer of a repository, and the arrows — a writer that writes itself points at the repository; one that
 * writes by acting as another writer of the same repository points at that writer (the full path is in the
 * entry). When a path's last step names no writer of the repository, the arrow points at the repository.
 *
 * @example
 * const model = pageModel(results);
 * model.nodes.filter((n) => n.kind === "repository").length === results.length; // true
 */
export function pageModel(results: readonly RepositoryWriters[]): PageModel {
  const nodes = new Map<string, PageNode>();
  const entries: PageEntry[] = [];
  const edges = new Map<
    string,
    { source: string; target: string; kind: PageEdge["kind"]; entries: number[] }
  >();
  // Short ids keep the embedded data small: r0, r1… for repositories, w0, w1… for writers.
  const writerIds = new Map<string, string>();
  const writerId = (kind: WriterKind, principal: string) => {
    const key = `${kind}|${principal}`;
    let id = writerIds.get(key);
    if (id === undefined) {
      id = `w${writerIds.size}`;
      writerIds.set(key, id);
    }
    return id;
  };
  for (const [index, repository] of results.entries()) {
    const repositoryId = `r${index}`;
    nodes.set(repositoryId, {
      id: repositoryId,
      kind: "repository",
      label: repository.repositoryName,
      full: repository.repositoryName,
      arn: repository.repositoryArn,
    });
    // The writers of this repository that can be the end of a path, by "type name".
    const byName = new Map<string, string>();
    for (const writer of repository.writers) {
      if (writer.kind === "user" || writer.kind === "role" || writer.kind === "group") {
        const name = writer.principal.split("/").at(-1) ?? writer.principal;
        byName.set(`${writer.kind} ${name}`, writerId(writer.kind, writer.principal));
      }
    }
    for (const writer of repository.writers) {
      const id = writerId(writer.kind, writer.principal);
      if (!nodes.has(id))
        nodes.set(id, {
          id,
          kind: writer.kind,
          label: writerLabel(writer.kind, writer.principal),
          full: writer.principal,
        });
      const last = WRITES_THROUGH.exec(writer.path.at(-1) ?? "");
      const through = last === null ? undefined : byName.get(`${last[1]} ${last[2]}`);
      const via = through !== undefined && through !== id ? through : undefined;
      const index = entries.length;
      entries.push({
        repository: repositoryId,
        writer: id,
        actions: writer.actions,
        path: writer.path,
        ...(via === undefined ? {} : { via }),
      });
      const target = via ?? repositoryId;
      const key = `${id}\n${target}`;
      const edge = edges.get(key) ?? {
        source: id,
        target,
        kind: via === undefined ? ("writes" as const) : ("acts-as" as const),
        entries: [],
      };
      edge.entries.push(index);
      edges.set(key, edge);
    }
  }
  return {
    nodes: [...nodes.values()],
    edges: [...edges.values()].map((edge, index) => ({ id: `e${index}`, ...edge })),
    entries,
  };
}

/**
 * The model as the page embeds it, in arrays of numbers so that a large account's page stays small: each
 * distinct action list and path step once; nodes by index; an arrow `[source, target, 0 writes | 1 acts as]`;
 * an entry `[repository, writer, action list, arrow, via or -1, step…]`.
 */
function packModel(model: PageModel) {
  const nodeIndex = new Map(model.nodes.map((node, index) => [node.id, index]));
  const at = (id: string) => nodeIndex.get(id) ?? -1;
  const edgeOfEntry = new Map<number, number>();
  for (const [index, edge] of model.edges.entries())
    for (const entry of edge.entries) edgeOfEntry.set(entry, index);
  const actionSets: (readonly string[])[] = [];
  const actionSetIndex = new Map<string, number>();
  const steps: string[] = [];
  const stepIndex = new Map<string, number>();
  const intern = <T>(list: T[], index: Map<string, number>, key: string, value: T) => {
    let found = index.get(key);
    if (found === undefined) {
      found = list.push(value) - 1;
      index.set(key, found);
    }
    return found;
  };
  const entries = model.entries.map((entry, index) => [
    at(entry.repository),
    at(entry.writer),
    intern(actionSets, actionSetIndex, entry.actions.join("\n"), entry.actions),
    edgeOfEntry.get(index) ?? -1,
    entry.via === undefined ? -1 : at(entry.via),
    ...entry.path.map((step) => intern(steps, stepIndex, step, step)),
  ]);
  return {
    nodes: model.nodes.map(({ id: _, ...node }) => node),
    edges: model.edges.map((edge) => [at(edge.source), at(edge.target), edge.kind === "writes" ? 0 : 1]),
    entries,
    actionSets,
    steps,
  };
}

/**
 * JSON that is safe inside an HTML `<script>` element: `<`, `>` and `&` become `\u003c` … (so `</script>`
 * or `<!--` in a name cannot end the element), and U+2028/U+2029 are escaped too.
 *
 * @example
 * scriptSafeJson({ name: "</script>" }); // '{"name":"\\u003c/script\\u003e"}'
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Thrown when a graph library the page inlines cannot be read from node_modules; `cause` holds the read's error. */
export class PageLibraryError extends EcrAccessRulesError {
  override readonly name = "PageLibraryError";
}

/** The inlined scripts, read once. */
let libraries: string | undefined;

/**
 * Cytoscape.js and cytoscape-dagre (with dagre inside), minified, as read from node_modules; their licence
 * banners stay, their source-map comments go (a page opened from a file has no map beside it).
 *
 * @example
 * graphLibraries().includes("cytoscape"); // true
 */
export function graphLibraries(): string {
  if (libraries !== undefined) return libraries;
  const require = createRequire(import.meta.url);
  const read = (what: string, locate: () => string) => {
    try {
      return readFileSync(locate(), "utf8").replace(/\n\/\/# sourceMappingURL=\S+\s*$/u, "\n");
    } catch (cause) {
      throw new PageLibraryError(`cannot read ${what} for the --html page (is it installed?)`, { cause });
    }
  };
  const cytoscape = read("cytoscape", () => require.resolve("cytoscape/dist/cytoscape.min.js"));
  const dagre = read("cytoscape-dagre", () =>
    join(dirname(require.resolve("cytoscape-dagre/package.json")), "dist", "cytoscape-dagre.min.js"),
  );
  if (/<\/script|<!--/iu.test(cytoscape + dagre))
    throw new PageLibraryError("a graph library contains </script or <!--: it cannot be inlined as is");
  libraries = `${cytoscape}\n;\n${dagre}\n`;
  return libraries;
}

/** Colour and Cytoscape shape per kind; the legend draws the same. Okabe–Ito colours, told apart by shape too. */
export const KIND_STYLES = {
  repository: { colour: "#1f2937", shape: "round-rectangle", words: "repository" },
  user: { colour: "#0072B2", shape: "ellipse", words: "IAM user" },
  role: { colour: "#009E73", shape: "round-hexagon", words: "IAM role" },
  group: { colour: "#56B4E9", shape: "round-octagon", words: "IAM group" },
  "web-identity": { colour: "#CC79A7", shape: "round-triangle", words: "web identity (GitHub, EKS…)" },
  saml: { colour: "#8e44ad", shape: "round-tag", words: "SAML provider" },
  "external-account": { colour: "#E69F00", shape: "round-diamond", words: "another account" },
  service: { colour: "#7f7f7f", shape: "barrel", words: "AWS service" },
  public: { colour: "#D55E00", shape: "star", words: "everyone" },
} as const satisfies Record<PageNode["kind"], { colour: string; shape: string; words: string }>;

const STYLE = `
*{box-sizing:border-box}
html,body{margin:0;height:100%;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#111827;background:#f9fafb}
body{display:grid;grid-template-rows:auto 1fr;grid-template-columns:1fr 360px;grid-template-areas:"head head" "graph panel"}
header{grid-area:head;display:flex;flex-wrap:wrap;align-items:center;gap:8px 20px;padding:10px 16px;background:#fff;border-bottom:1px solid #e5e7eb}
h1{font-size:17px;margin:0;font-weight:600}
#search{width:320px;padding:6px 10px;font:inherit;border:1px solid #9ca3af;border-radius:6px}
#search:focus{outline:2px solid #0072B2;border-color:#0072B2}
#count{color:#4b5563;font-size:13px}
#legend{display:flex;flex-wrap:wrap;gap:4px 14px;margin:0;padding:0;list-style:none;font-size:12.5px;color:#374151;width:100%}
#legend li{display:flex;align-items:center;gap:5px}
#legend svg{width:18px;height:18px;flex:none}
#graph{grid-area:graph;min-height:300px;position:relative;background:#fff}
#panel{grid-area:panel;overflow:auto;padding:12px 16px;border-left:1px solid #e5e7eb;background:#fff}
#panel h2{font-size:15px;margin:0 0 2px;overflow-wrap:anywhere}
#panel .sub{color:#4b5563;font-size:12.5px;margin:0 0 10px;overflow-wrap:anywhere}
#panel section{border-top:1px solid #e5e7eb;padding:8px 0}
#panel h3{font-size:13.5px;margin:0 0 4px;display:flex;gap:6px;align-items:baseline;overflow-wrap:anywhere}
#panel .kind{font-size:11px;color:#fff;border-radius:3px;padding:0 4px;flex:none}
#panel .full{font-size:11.5px;color:#6b7280;overflow-wrap:anywhere;margin:-2px 0 2px}
#tip{position:absolute;pointer-events:none;z-index:10;max-width:480px;padding:4px 8px;font-size:12px;background:#111827;color:#fff;border-radius:4px;overflow-wrap:anywhere;display:none}
#notice{position:absolute;z-index:10;top:40%;left:10%;right:10%;margin:0;padding:14px 18px;background:#fffbeb;border:1px solid #f59e0b;border-radius:6px;font-size:14px;text-align:center;display:none}
#panel .actions{font-size:12.5px;color:#1f2937;margin:2px 0 4px}
#panel ol{margin:0;padding-left:20px;font-size:12.5px;color:#374151}
#panel li{margin:1px 0}
#panel button.link{all:unset;cursor:pointer;color:#0057a3;text-decoration:underline}
#panel table{border-collapse:collapse;width:100%;font-size:13px}
#panel td{padding:2px 4px;border-bottom:1px solid #f3f4f6}
#panel td.n{text-align:right;color:#4b5563}
.empty{color:#6b7280}
`;

const SCRIPT = `
"use strict";
(function () {
  var packed = JSON.parse(document.getElementById("who-can-write-data").textContent);
  var STYLES = packed.styles;
  var LIMIT = packed.drawLimit;
  var nodes = packed.nodes;
  var edges = packed.edges.map(function (e) {
    return { source: e[0], target: e[1], kind: e[2] === 0 ? "writes" : "acts-as", entries: [] };
  });
  var entries = packed.entries.map(function (e, i) {
    var entry = {
      repository: e[0], writer: e[1], actions: packed.actionSets[e[2]], edge: e[3], via: e[4],
      path: e.slice(5).map(function (k) { return packed.steps[k]; })
    };
    if (entry.edge >= 0) edges[entry.edge].entries.push(i);
    return entry;
  });
  // Each node's entries (as repository, writer or the writer acted as), and an entry by repository and writer.
  var byNode = nodes.map(function () { return []; });
  var byRepositoryWriter = {};
  entries.forEach(function (e, i) {
    byNode[e.repository].push(i);
    byNode[e.writer].push(i);
    if (e.via >= 0) byNode[e.via].push(i);
    byRepositoryWriter[e.repository + " " + e.writer] = i;
  });
  var repositoryCount = nodes.filter(function (n) { return n.kind === "repository"; }).length;
  var writerCount = nodes.length - repositoryCount;
  var LAYOUT = { name: "dagre", rankDir: "LR", nodeSep: 10, rankSep: 70, edgeSep: 4, nodeDimensionsIncludeLabels: true, fit: true, padding: 24 };

  var nodeStyle = [];
  Object.keys(STYLES).forEach(function (kind) {
    nodeStyle.push({ selector: 'node[kind = "' + kind + '"]', style: { "background-color": STYLES[kind].colour, shape: STYLES[kind].shape } });
  });
  cytoscape.use(cytoscapeDagre);
  var cy = cytoscape({
    container: document.getElementById("graph"),
    elements: [],
    style: [
      { selector: "node", style: { label: "data(label)", width: 18, height: 18, "font-size": 12, color: "#111827",
        "text-valign": "center", "text-halign": "right", "text-margin-x": 4, "text-wrap": "ellipsis", "text-max-width": 230,
        "text-background-color": "#ffffff", "text-background-opacity": 0.85, "text-background-padding": 1,
        "border-width": 1, "border-color": "#ffffff" } },
      { selector: 'node[kind = "repository"]', style: { width: 24, height: 18, "font-size": 13, "font-weight": 600 } }
    ].concat(nodeStyle).concat([
      { selector: "edge", style: { width: 1.2, "line-color": "#9ca3af", "target-arrow-color": "#9ca3af",
        "target-arrow-shape": "triangle", "arrow-scale": 0.8, "curve-style": "bezier", opacity: 0.75 } },
      { selector: 'edge[kind = "acts-as"]', style: { "line-style": "dashed", "line-color": "#6b7280", "target-arrow-color": "#6b7280" } },
      { selector: ".match", style: { "border-width": 3, "border-color": "#facc15", "font-weight": 700 } },
      { selector: ".faded", style: { opacity: 0.15 } },
      { selector: "node:selected", style: { "border-width": 3, "border-color": "#111827" } },
      { selector: "edge.lit", style: { width: 2.4, "line-color": "#111827", "target-arrow-color": "#111827", opacity: 1 } }
    ])
  });
  window.whoCanWriteGraph = cy;

  var search = document.getElementById("search");
  var count = document.getElementById("count");
  var panel = document.getElementById("panel");
  var notice = document.getElementById("notice");
  var tip = document.getElementById("tip");

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls !== undefined) e.className = cls;
    return e;
  }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  // The entries a set of entries needs drawn: one that acts as another writer brings that writer's own entry.
  function closure(marked, list) {
    for (var k = 0; k < list.length; k++) {
      var e = entries[list[k]];
      if (e.via < 0) continue;
      var j = byRepositoryWriter[e.repository + " " + e.via];
      if (j !== undefined && !marked[j]) { marked[j] = 1; list.push(j); }
    }
    return list;
  }
  // What to draw for these nodes: their entries, those entries' nodes and arrows, and the nodes themselves.
  function around(nodeIndexes) {
    var marked = new Uint8Array(entries.length);
    var list = [];
    nodeIndexes.forEach(function (n) {
      byNode[n].forEach(function (i) { if (!marked[i]) { marked[i] = 1; list.push(i); } });
    });
    closure(marked, list);
    var nodeSet = {};
    var edgeSet = {};
    nodeIndexes.forEach(function (n) { nodeSet[n] = true; });
    list.forEach(function (i) {
      var e = entries[i];
      nodeSet[e.repository] = true;
      nodeSet[e.writer] = true;
      if (e.via >= 0) nodeSet[e.via] = true;
      if (e.edge >= 0) edgeSet[e.edge] = true;
    });
    return { entries: list, nodes: Object.keys(nodeSet).map(Number), edges: Object.keys(edgeSet).map(Number) };
  }
  function everything() {
    return { entries: entries.map(function (_, i) { return i; }), nodes: nodes.map(function (_, i) { return i; }), edges: edges.map(function (_, i) { return i; }) };
  }
  function counts(part) {
    var r = part.nodes.filter(function (n) { return nodes[n].kind === "repository"; }).length;
    return { repositories: r, writers: part.nodes.length - r };
  }

  // Draws exactly these nodes and arrows (or, past the limit, none, saying why) and lays them out.
  function draw(part, matched) {
    var size = part.nodes.length + part.edges.length;
    cy.elements().remove();
    tip.style.display = "none";
    if (size > LIMIT) {
      notice.textContent = "Too many to draw at once: " + plural(part.nodes.length, "node", "nodes") + " and " + plural(part.edges.length, "arrow", "arrows") +
        " (this page draws up to " + LIMIT + "). Type a repository or a principal in the search box, or pick a repository on the right.";
      notice.style.display = "block";
      return false;
    }
    notice.style.display = "none";
    var elements = [];
    part.nodes.forEach(function (n) {
      elements.push({ group: "nodes", data: { id: "n" + n, label: nodes[n].label, kind: nodes[n].kind }, classes: matched[n] ? "match" : "" });
    });
    part.edges.forEach(function (i) {
      var e = edges[i];
      elements.push({ group: "edges", data: { id: "e" + i, source: "n" + e.source, target: "n" + e.target, kind: e.kind } });
    });
    cy.add(elements);
    cy.layout(LAYOUT).run();
    // A drawing too tall to fit legibly: show it at a readable size around the first match (or the first
    // repository) instead; the rest is a pan or a scroll away.
    if (cy.zoom() < 0.6) {
      var first = part.nodes.filter(function (n) { return matched[n]; })[0];
      if (first === undefined) first = part.nodes.filter(function (n) { return nodes[n].kind === "repository"; })[0];
      cy.zoom(0.9);
      if (first !== undefined) cy.center(cy.getElementById("n" + first));
    }
    // A small drawing is not blown up past a comfortable size.
    if (cy.zoom() > 1.2) {
      cy.zoom(1.2);
      cy.center();
    }
    return true;
  }

  function kindBadge(kind) {
    var b = el("span", kind, "kind");
    b.style.background = STYLES[kind].colour;
    return b;
  }
  function nodeLink(n) {
    var b = el("button", nodes[n].label, "link");
    b.type = "button";
    b.title = nodes[n].full;
    b.addEventListener("click", function () { focus(n); });
    return b;
  }
  function entrySection(entry, titleNode) {
    var s = el("section");
    var h = el("h3");
    h.appendChild(kindBadge(nodes[titleNode].kind));
    h.appendChild(nodeLink(titleNode));
    s.appendChild(h);
    if (nodes[titleNode].full !== nodes[titleNode].label) s.appendChild(el("div", nodes[titleNode].full, "full"));
    s.appendChild(el("div", plural(entry.actions.length, "action", "actions") + ": " + entry.actions.map(function (a) { return a.replace(/^ecr:/, ""); }).join(", "), "actions"));
    var ol = el("ol");
    entry.path.forEach(function (step) { ol.appendChild(el("li", step)); });
    s.appendChild(ol);
    return s;
  }
  function overview() {
    panel.replaceChildren();
    panel.appendChild(el("h2", "Who can write"));
    panel.appendChild(el("p", "Click a repository, a principal or an arrow for its actions and paths. Solid arrows: writes to the repository; dashed: acts as a writer.", "sub"));
    var t = el("table");
    nodes.forEach(function (n, i) {
      if (n.kind !== "repository") return;
      var tr = el("tr");
      var td = el("td");
      td.appendChild(nodeLink(i));
      tr.appendChild(td);
      tr.appendChild(el("td", plural(byNode[i].length, "writer", "writers"), "n"));
      t.appendChild(tr);
    });
    panel.appendChild(t);
  }
  function showNode(n) {
    var node = nodes[n];
    panel.replaceChildren();
    panel.appendChild(el("h2", node.full));
    if (node.kind === "repository") {
      panel.appendChild(el("p", node.arn, "sub"));
      var list = byNode[n];
      panel.appendChild(el("p", plural(list.length, "principal or door", "principals and doors") + " can write to it", "sub"));
      if (list.length === 0) panel.appendChild(el("p", "No principal or door can write to it.", "empty"));
      list.forEach(function (i) { panel.appendChild(entrySection(entries[i], entries[i].writer)); });
      return;
    }
    panel.appendChild(el("p", STYLES[node.kind].words + " (" + node.kind + ")", "sub"));
    var own = byNode[n].filter(function (i) { return entries[i].writer === n; });
    panel.appendChild(el("p", "writes to " + plural(own.length, "repository", "repositories"), "sub"));
    own.forEach(function (i) { panel.appendChild(entrySection(entries[i], entries[i].repository)); });
    var through = byNode[n].filter(function (i) { return entries[i].via === n; });
    if (through.length > 0) {
      panel.appendChild(el("p", "others write by acting as it:", "sub"));
      through.forEach(function (i) { panel.appendChild(entrySection(entries[i], entries[i].writer)); });
    }
  }
  function showEdge(i) {
    var d = edges[i];
    panel.replaceChildren();
    panel.appendChild(el("h2", nodes[d.source].full));
    panel.appendChild(el("p", (d.kind === "writes" ? "writes to " : "acts as ") + nodes[d.target].full, "sub"));
    d.entries.forEach(function (k) { panel.appendChild(entrySection(entries[k], entries[k].repository)); });
  }
  // Lights a node's own paths and fades the rest of the drawing.
  function light(n) {
    cy.elements().removeClass("faded lit").unselect();
    var part = around([n]);
    var near = cy.collection();
    part.nodes.forEach(function (k) { near = near.union(cy.getElementById("n" + k)); });
    part.edges.forEach(function (k) { near = near.union(cy.getElementById("e" + k)); });
    cy.elements().not(near).addClass("faded");
    near.edges().addClass("lit");
    cy.getElementById("n" + n).select();
  }
  // Shows a node's details; draws its neighbourhood first when it is not drawn.
  function focus(n) {
    if (cy.getElementById("n" + n).empty()) {
      var part = around([n]);
      var matched = {};
      matched[n] = true;
      draw(part, matched);
      var c = counts(part);
      count.textContent = "showing " + c.repositories + " of " + repositoryCount + " repositories, " + c.writers + " of " + writerCount + " principals and doors";
    }
    if (!cy.getElementById("n" + n).empty()) light(n);
    showNode(n);
  }

  cy.on("mouseover", "node", function (evt) {
    var n = nodes[Number(evt.target.id().slice(1))];
    tip.textContent = n.full + " (" + STYLES[n.kind].words + ")";
    var p = evt.target.renderedPosition();
    tip.style.left = Math.round(p.x + 12) + "px";
    tip.style.top = Math.round(p.y + 12) + "px";
    tip.style.display = "block";
  });
  cy.on("mouseout", "node", function () { tip.style.display = "none"; });
  cy.on("tap", "node", function (evt) { focus(Number(evt.target.id().slice(1))); });
  cy.on("tap", "edge", function (evt) {
    cy.elements().removeClass("faded lit").unselect();
    evt.target.addClass("lit");
    showEdge(Number(evt.target.id().slice(1)));
  });
  cy.on("tap", function (evt) {
    if (evt.target === cy) { cy.elements().removeClass("faded lit"); overview(); }
  });

  function filter() {
    var q = search.value.trim().toLowerCase();
    if (q === "") {
      draw(everything(), {});
      count.textContent = repositoryCount + " repositories, " + writerCount + " principals and doors";
      return;
    }
    var matched = {};
    var hits = [];
    nodes.forEach(function (n, i) {
      if (n.full.toLowerCase().indexOf(q) >= 0 || n.label.toLowerCase().indexOf(q) >= 0 || (n.arn !== undefined && n.arn.toLowerCase().indexOf(q) >= 0)) {
        matched[i] = true;
        hits.push(i);
      }
    });
    var part = around(hits);
    draw(part, matched);
    var c = counts(part);
    count.textContent = "showing " + c.repositories + " of " + repositoryCount + " repositories, " + c.writers + " of " + writerCount + " principals and doors";
  }
  search.addEventListener("input", filter);
  filter();
  overview();
  document.body.setAttribute("data-ready", "true");
})();
`;

function legendIcon(kind: PageNode["kind"]): string {
  const colour = KIND_STYLES[kind].colour;
  const shapes: Record<PageNode["kind"], string> = {
    repository: `<rect x="2" y="4" width="14" height="10" rx="2"/>`,
    user: `<circle cx="9" cy="9" r="7"/>`,
    role: `<polygon points="5,2 13,2 17,9 13,16 5,16 1,9"/>`,
    group: `<polygon points="6,1 12,1 17,6 17,12 12,17 6,17 1,12 1,6"/>`,
    "web-identity": `<polygon points="9,1 17,16 1,16"/>`,
    saml: `<polygon points="1,3 12,3 17,9 12,15 1,15"/>`,
    "external-account": `<polygon points="9,1 17,9 9,17 1,9"/>`,
    service: `<rect x="2" y="2" width="14" height="14" rx="5"/>`,
    public: `<polygon points="9,1 11.2,6.6 17,6.9 12.5,10.6 14,16.5 9,13.2 4,16.5 5.5,10.6 1,6.9 6.8,6.6"/>`,
  };
  return `<svg viewBox="0 0 18 18" aria-hidden="true"><g fill="${colour}">${shapes[kind]}</g></svg>`;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/gu,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
}

function scriptHash(text: string): string {
  return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

/**
 * The most nodes plus arrows the page lays out at once; past it, the page asks for a search (dagre's layout
 * of a few thousand elements takes seconds, and a picture that large is unreadable anyway).
 */
export const DRAW_LIMIT = 2500;

/**
 * The whole page for `who-can-write --html FILE`: the graph, a search box that filters it by repository or
 * principal, a legend, and a side panel with each writer's actions and path.
 *
 * @example
 * writeFileSync("who-can-write.html", whoCanWriteHtml(results, { title: "111122223333 us-east-1" }));
 */
export function whoCanWriteHtml(
  results: readonly RepositoryWriters[],
  options: { readonly title?: string; readonly drawLimit?: number } = {},
): string {
  const model = pageModel(results);
  const styles = Object.fromEntries(
    Object.entries(KIND_STYLES).map(([kind, s]) => [
      kind,
      { colour: s.colour, shape: s.shape, words: s.words },
    ]),
  );
  const data = scriptSafeJson({ ...packModel(model), styles, drawLimit: options.drawLimit ?? DRAW_LIMIT });
  const library = graphLibraries();
  const title = `Who can write${options.title === undefined ? "" : ` — ${options.title}`}`;
  const kinds = Object.keys(KIND_STYLES).filter(
    (kind): kind is PageNode["kind"] => kind in KIND_STYLES && model.nodes.some((n) => n.kind === kind),
  );
  const legend = [
    ...kinds.map(
      (kind) => `<li data-kind="${kind}">${legendIcon(kind)}${escapeHtml(KIND_STYLES[kind].words)}</li>`,
    ),
    `<li data-kind="writes"><svg viewBox="0 0 18 18" aria-hidden="true"><path d="M1 9h12" stroke="#9ca3af" stroke-width="2"/><path d="M12 5l5 4-5 4z" fill="#9ca3af"/></svg>writes</li>`,
    `<li data-kind="acts-as"><svg viewBox="0 0 18 18" aria-hidden="true"><path d="M1 9h12" stroke="#6b7280" stroke-width="2" stroke-dasharray="3 2"/><path d="M12 5l5 4-5 4z" fill="#6b7280"/></svg>acts as a writer</li>`,
  ].join("");
  const csp = [
    "default-src 'none'",
    `script-src ${scriptHash(library)} ${scriptHash(SCRIPT)}`,
    "style-src 'unsafe-inline'",
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<input id="search" type="search" placeholder="Search a repository or a principal" aria-label="Search a repository or a principal" autocomplete="off">
<span id="count" role="status"></span>
<ul id="legend" aria-label="Legend">${legend}</ul>
</header>
<div id="graph" aria-label="Graph of who can write to which repository"><div id="tip" role="tooltip"></div><p id="notice" role="status"></p></div>
<aside id="panel"></aside>
<noscript>This page draws its graph with JavaScript; the same answer as text: ecr-access-rules who-can-write --json.</noscript>
<script type="application/json" id="who-can-write-data">${data}</script>
<script>${library}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
