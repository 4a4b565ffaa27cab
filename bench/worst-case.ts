/**
 * `npx tsx bench/worst-case.ts [--json] [--root DIR] [--timeout SECONDS] [--only NAME]`: time and memory of
 * the policy engine on one document at each of IAM's size limits, filled with the worst patterns known
 * (see BENCHMARKS.md). Each case runs in a child process of its own, so that its peak RSS is its own and
 * a case that runs away is stopped at the timeout instead of stopping the run.
 *
 * `--root DIR` measures the engine of another checkout (a worktree of an older commit, say) with the same
 * documents: the child imports `DIR/shared/policy/index.ts`.
 *
 * Figures only: nothing here is asserted by a test.
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** IAM's limits, in characters without whitespace (JSON.stringify without spaces writes none). */
const LIMITS = {
  user: 2_048,
  managed: 6_144,
  "inline role": 10_240,
  repository: 10_240,
} as const;
type Limit = keyof typeof LIMITS;

type Kind = "identity" | "resource";
interface Case {
  readonly name: string;
  readonly kind: Kind;
  readonly limits: readonly Limit[];
  /** The document's text with `n` repetitions of its unit; the largest `n` that fits the limit is used. */
  readonly make: (n: number) => string;
}

const identity = (statements: object[]): string =>
  JSON.stringify({ Version: "2012-10-17", Statement: statements });
const allow = (resource: string | string[], action: string | string[] = "ecr:PutImage") => ({
  Effect: "Allow",
  Action: action,
  Resource: resource,
});
const LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789";
const IDENTITY_LIMITS: readonly Limit[] = ["user", "managed", "inline role"];
/** An IAM policy variable (written so that it is not read as a template placeholder). */
const VARIABLE = ["$", "{aws:PrincipalAccount}"].join("");

const CASES: readonly Case[] = [
  {
    name: "baseline: one small statement (start-up and loading)",
    kind: "identity",
    limits: ["user"],
    make: () => identity([allow("arn:aws:ecr:*:*:repository/team-a/*")]),
  },
  {
    name: "repository/ then *a repeated",
    kind: "identity",
    limits: IDENTITY_LIMITS,
    make: (n) => identity([allow(`arn:aws:ecr:*:*:repository/${"*a".repeat(n)}`)]),
  },
  {
    name: "*- repeated in the region field",
    kind: "identity",
    limits: IDENTITY_LIMITS,
    make: (n) => identity([allow(`arn:aws:ecr:${"*-".repeat(n)}:*:repository/*`)]),
  },
  {
    name: "repository/* then ? repeated",
    kind: "identity",
    limits: IDENTITY_LIMITS,
    make: (n) => identity([allow(`arn:aws:ecr:*:*:repository/*${"?".repeat(n)}`)]),
  },
  {
    name: "repository/* then a long literal",
    kind: "identity",
    limits: IDENTITY_LIMITS,
    make: (n) => identity([allow(`arn:aws:ecr:*:*:repository/*${"ab".repeat(n)}*`)]),
  },
  {
    name: "*a???????????????? in the region (exponential DFA)",
    kind: "identity",
    limits: IDENTITY_LIMITS,
    make: (n) =>
      identity([
        allow([`arn:aws:ecr:*a${"?".repeat(16)}:*:repository/*`, ...Array(n).fill("arn:aws:s3:::x")]),
      ]),
  },
  {
    name: "one statement per action, each *X?^12 in the region",
    kind: "identity",
    limits: IDENTITY_LIMITS,
    make: (n) =>
      identity(
        Array.from({ length: n }, (_, i) =>
          allow(
            `arn:aws:ecr:*${LETTERS[i % LETTERS.length]}${"?".repeat(12)}:*:repository/*`,
            `ecr:${"*".repeat(1 + Math.floor(i / LETTERS.length))}`,
          ),
        ),
      ),
  },
  {
    name: "names: *c?^k for every name character, plus every short length",
    kind: "identity",
    limits: IDENTITY_LIMITS,
    make: (n) => {
      const k = Math.max(1, n);
      return identity([
        allow([
          ...[...LETTERS, ".", "_", "-", "/"].map((c) => `arn:aws:ecr:*:*:repository/*${c}${"?".repeat(k)}`),
          ...Array.from({ length: k + 1 }, (_, i) => `arn:aws:ecr:*:*:repository/${"?".repeat(i + 2)}`),
        ]),
      ]);
    },
  },
  {
    name: "many patterns *X*a* (one statement)",
    kind: "identity",
    limits: IDENTITY_LIMITS,
    make: (n) =>
      identity([
        allow(Array.from({ length: n }, (_, i) => `arn:aws:ecr:*:*:repository/*${i.toString(36)}*a*`)),
      ]),
  },
  {
    name: "policy variables: $${aws:PrincipalAccount}- repeated in the region".replace("$$", "$"),
    kind: "identity",
    limits: IDENTITY_LIMITS,
    make: (n) => identity([allow(`arn:aws:ecr:${`${VARIABLE}-`.repeat(n)}:*:repository/*`)]),
  },
  {
    name: "nesting: a list nested n deep under Condition",
    kind: "identity",
    limits: IDENTITY_LIMITS,
    // Written as text: a value this deep is more than JSON.stringify itself can write.
    make: (n) =>
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:PutImage","Resource":"*","Condition":{"StringEquals":{"aws:SourceIp":${"[".repeat(n)}"x"${"]".repeat(n)}}}}]}`,
  },
  {
    name: "nesting: objects nested n deep under an unknown key",
    kind: "identity",
    limits: IDENTITY_LIMITS,
    make: (n) =>
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:PutImage","Resource":"*"}],"X":${'{"a":'.repeat(n)}0${"}".repeat(n)}}`,
  },
  {
    name: "repository policy: Deny on *a repeated, Allow to everyone",
    kind: "resource",
    limits: ["repository"],
    make: (n) =>
      identity([
        { Effect: "Allow", Principal: "*", Action: "ecr:*" },
        {
          Effect: "Deny",
          Principal: "*",
          Action: "ecr:*",
          Resource: `arn:aws:ecr:*:*:repository/${"*a".repeat(n)}`,
        },
      ]),
  },
  {
    name: "repository policy: Deny on *- repeated in the region",
    kind: "resource",
    limits: ["repository"],
    make: (n) =>
      identity([
        { Effect: "Allow", Principal: "*", Action: "ecr:*" },
        {
          Effect: "Deny",
          Principal: "*",
          Action: "ecr:*",
          Resource: `arn:aws:ecr:${"*-".repeat(n)}:*:repository/*`,
        },
      ]),
  },
];

/** The largest `n` whose document fits the limit, by binary search on the compact JSON text. */
function fitted(item: Case, limit: number): { n: number; text: string } {
  let low = 1;
  let high = 1;
  while (item.make(high).length <= limit && high <= limit) high *= 2;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (item.make(middle).length <= limit) low = middle;
    else high = middle;
  }
  return { n: low, text: item.make(low) };
}

interface Measured {
  readonly case: string;
  readonly limit: Limit;
  readonly characters: number;
  readonly outcome: string;
  readonly ms?: number;
  readonly peakRssMb?: number;
  readonly heapDeltaMb?: number;
}

interface EngineModule {
  parsePolicyDocument(input: unknown, kind: Kind): unknown;
  analyzeIdentityPolicies(policies: Array<{ label: string; document: unknown }>): {
    actions: Array<{ action: string; scope: string; sensitive: boolean }>;
  };
  analyzeResourcePolicy(input: { policy: unknown; owner: string; kind: "repository" }): {
    verdict: { compliance: string };
  };
}

/** In the child: parse and analyse one document (given as an object, as the CLI hands it over). */
async function child(root: string, name: string, limit: Limit): Promise<void> {
  const item = CASES.find((c) => c.name === name);
  if (item === undefined) throw new Error(`no case ${name}`);
  const { text } = fitted(item, LIMITS[limit]);
  const document: unknown = JSON.parse(text);
  // The engine's module, typed by the shape this benchmark uses (both old and new engines export it).
  const engine = (await import(pathToFileURL(resolve(root, "shared/policy/index.ts")).href)) as EngineModule;
  const heapBefore = process.memoryUsage().heapUsed;
  const start = performance.now();
  let outcome: string;
  try {
    if (item.kind === "identity") {
      const parsed = engine.parsePolicyDocument(document, "identity");
      const { actions } = engine.analyzeIdentityPolicies([{ label: "bench", document: parsed }]);
      const put = actions.find((a) => a.action === "ecr:PutImage");
      outcome = put === undefined ? "PutImage not granted" : `PutImage: ${put.scope}`;
    } else {
      const { verdict } = engine.analyzeResourcePolicy({
        policy: document,
        owner: "111122223333",
        kind: "repository",
      });
      outcome = verdict.compliance;
    }
  } catch (error) {
    const message = error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
    outcome = message.length > 90 ? `${message.slice(0, 90)}…` : message;
  }
  const ms = performance.now() - start;
  const heapDeltaMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ outcome, ms, peakRssMb, heapDeltaMb }));
}

function parseArgs(argv: readonly string[]) {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    json: argv.includes("--json"),
    root: resolve(value("--root") ?? fileURLToPath(new URL("..", import.meta.url))),
    timeout: Number(value("--timeout") ?? "120"),
    only: value("--only"),
    child: value("--child"),
    limit: value("--limit"),
  };
}

function isLimit(text: string | undefined): text is Limit {
  return text !== undefined && Object.hasOwn(LIMITS, text);
}

function measure(root: string, item: Case, limit: Limit, timeoutSeconds: number): Measured {
  const { text } = fitted(item, LIMITS[limit]);
  const script = fileURLToPath(import.meta.url);
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", script, "--child", item.name, "--limit", limit, "--root", root],
    { encoding: "utf8", timeout: timeoutSeconds * 1000, maxBuffer: 1 << 24 },
  );
  const base = { case: item.name, limit, characters: text.length };
  if (result.error !== undefined || result.signal !== null) {
    return {
      ...base,
      outcome: `stopped after ${timeoutSeconds} s (${result.signal ?? result.error?.message})`,
    };
  }
  if (result.status !== 0) {
    const last =
      result.stderr
        .trim()
        .split("\n")
        .find((line) => /Error/u.test(line)) ?? result.stderr.trim();
    return { ...base, outcome: `crashed: ${last.slice(0, 90)}` };
  }
  const figures = JSON.parse(result.stdout) as {
    outcome: string;
    ms: number;
    peakRssMb: number;
    heapDeltaMb: number;
  };
  return { ...base, ...figures };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.child !== undefined) {
    if (!isLimit(args.limit)) throw new Error(`--limit must be one of ${Object.keys(LIMITS).join(", ")}`);
    await child(args.root, args.child, args.limit);
    return;
  }
  const results: Measured[] = [];
  for (const item of CASES) {
    if (args.only !== undefined && !item.name.includes(args.only)) continue;
    for (const limit of item.limits) {
      const measured = measure(args.root, item, limit, args.timeout);
      results.push(measured);
      if (!args.json) {
        const ms = measured.ms === undefined ? "—" : `${measured.ms.toFixed(0)} ms`;
        const rss = measured.peakRssMb === undefined ? "—" : `${measured.peakRssMb.toFixed(0)} MB`;
        const heap = measured.heapDeltaMb === undefined ? "—" : `${measured.heapDeltaMb.toFixed(1)} MB`;
        process.stdout.write(
          `| ${item.name} | ${limit} (${measured.characters}) | ${ms} | ${rss} | ${heap} | ${measured.outcome} |\n`,
        );
      }
    }
  }
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ node: process.version, root: args.root, results }, null, 2)}\n`);
  }
}

await main();
