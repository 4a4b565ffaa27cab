/**
 * The Lambda bundles the harness measures: the zips `npm run package` writes to `.serverless/`, or (the
 * smoke test) the same handlers bundled by esbuild alone with the options of serverless.yml; and the
 * Config-client floor, built in the same run with exactly those options.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { type BuildOptions, build } from "esbuild";
import { load } from "js-yaml";
import { BenchError } from "./stats.js";

/** One handler's bundle, unpacked where no `node_modules` is above it. */
export interface Bundle {
  readonly name: string;
  /** The zip's size; for esbuild-only bundles, the size `zip -9` gives the one file. */
  readonly zipBytes: number;
  /** The unpacked code: `handler.mjs` and its chunks (serverless.yml's `splitting`). */
  readonly bundleBytes: number;
  /** The unpacked `handler.mjs`. */
  readonly path: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function strings(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw new BenchError(`serverless.yml: expected a list of strings, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** serverless-esbuild's own settings: it removes these before it calls esbuild. */
const PLUGIN_KEYS = new Set([
  "concurrency",
  "zipConcurrency",
  "exclude",
  "nativeZip",
  "packager",
  "packagePath",
  "watch",
  "keepOutputDirectory",
  "packagerOptions",
  "installExtraArgs",
  "outputFileExtension",
  "outputBuildFolder",
  "outputWorkFolder",
  "nodeExternals",
  "skipBuild",
  "skipRebuild",
  "skipBuildExcludeFns",
  "stripEntryResolveExtensions",
  "disposeContext",
  "config",
]);

/**
 * The esbuild options serverless-esbuild builds each function with, read from serverless.yml's
 * `custom.esbuild`: its defaults (`bundle`, `platform: node`, the runtime's target, `exclude: [aws-sdk]`)
 * under the file's values, the plugin's own keys removed, `exclude` turned into `external`, and
 * `outputFileExtension` into `outExtension` — as the plugin does.
 *
 * @example
 * serverlessEsbuildOptions("/repo").format; // "esm"
 */
export function serverlessEsbuildOptions(root: string): BuildOptions {
  const config: unknown = load(readFileSync(join(root, "serverless.yml"), "utf8"));
  const provider = isRecord(config) && isRecord(config.provider) ? config.provider : {};
  const custom = isRecord(config) && isRecord(config.custom) ? config.custom : {};
  const esbuild = isRecord(custom.esbuild) ? custom.esbuild : {};
  const runtime = typeof provider.runtime === "string" ? provider.runtime : "";
  const target = /^nodejs(\d+)\.x$/u.exec(runtime)?.[1];
  const merged: Record<string, unknown> = {
    bundle: true,
    platform: "node",
    ...(target === undefined ? {} : { target: `node${target}` }),
    exclude: ["aws-sdk"],
    outputFileExtension: ".js",
    ...esbuild,
  };
  const exclude = strings(merged.exclude);
  const extension = String(merged.outputFileExtension);
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(merged)) if (!PLUGIN_KEYS.has(key)) options[key] = value;
  options.external = [...strings(merged.external), ...(exclude.includes("*") ? [] : exclude)];
  if (extension !== ".js") options.outExtension = { ".js": extension };
  return options;
}

/** The floor's entry: what any handler that calls `PutEvaluations` must load. */
export const FLOOR_ENTRY =
  'export { ConfigServiceClient, PutEvaluationsCommand } from "@aws-sdk/client-config-service";\n';

/**
 * Builds the floor bundle into `dir` with `options` (serverless.yml's); returns the path of its entry.
 *
 * @example
 * await buildFloor("/repo", serverlessEsbuildOptions("/repo"), "/tmp/floor"); // "/tmp/floor/floor.mjs"
 */
export async function buildFloor(root: string, options: BuildOptions, dir: string): Promise<string> {
  const { outExtension, ...rest } = options;
  const path = join(dir, `floor${outExtension?.[".js"] ?? ".js"}`);
  mkdirSync(dir, { recursive: true });
  // An output folder, not a file: with `splitting` the bundle is an entry and its chunks.
  await build({
    ...rest,
    stdin: { contents: FLOOR_ENTRY, resolveDir: root, sourcefile: "floor.ts", loader: "ts" },
    outdir: dir,
    entryNames: "floor",
    ...(outExtension === undefined ? {} : { outExtension }),
    logLevel: "silent",
  });
  return path;
}

/**
 * The bytes of the bundle whose entry is `entry`: the entry and every file of its folder with its
 * extension (with serverless.yml's `splitting`, its chunks).
 *
 * @example
 * codeBytes("/tmp/zips/unpacked/ecr-iam-principal-write-authorized/rules/ecr-iam-principal-write-authorized/handler.mjs");
 */
export function codeBytes(entry: string): number {
  const dir = dirname(entry);
  return readdirSync(dir)
    .filter((file) => extname(file) === extname(entry))
    .reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
}

function unzipHandler(zip: string, name: string, dir: string): Bundle {
  const into = join(dir, name);
  mkdirSync(into, { recursive: true });
  execFileSync("unzip", ["-q", "-o", zip, "-d", into]);
  const path = join(into, "rules", name, "handler.mjs");
  return { name, zipBytes: statSync(zip).size, bundleBytes: codeBytes(path), path };
}

/**
 * `npm run package` in `root`, then every requested rule's zip unpacked into `dir`.
 *
 * @example
 * packagedBundles("/repo", ["ecr-iam-principal-write-authorized"], "/tmp/zips");
 */
export function packagedBundles(root: string, names: readonly string[], dir: string): Bundle[] {
  execFileSync("npm", ["run", "package", "--silent"], {
    cwd: root,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, SLS_TELEMETRY_DISABLED: "1", SLS_NOTIFICATIONS_MODE: "off" },
  });
  return names.map((name) => unzipHandler(join(root, ".serverless", `${name}.zip`), name, dir));
}

/**
 * Every requested rule's handler bundled by esbuild with `options`, zipped with `zip -9`, unpacked into `dir`.
 *
 * @example
 * await esbuildBundles("/repo", serverlessEsbuildOptions("/repo"), ["ecr-iam-principal-write-authorized"], "/tmp/b");
 */
export async function esbuildBundles(
  root: string,
  options: BuildOptions,
  names: readonly string[],
  dir: string,
): Promise<Bundle[]> {
  const bundles: Bundle[] = [];
  for (const name of names) {
    const built = join(dir, "built", name);
    await build({
      ...options,
      entryPoints: [join(root, "rules", name, "handler.ts")],
      outdir: join(built, "rules", name),
      logLevel: "silent",
    });
    const zip = join(dir, `${name}.zip`);
    execFileSync("zip", ["-q", "-9", "-r", zip, "rules"], { cwd: built });
    bundles.push(unzipHandler(zip, name, join(dir, "unpacked")));
  }
  return bundles;
}
