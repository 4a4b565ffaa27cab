#!/usr/bin/env node
/**
 * `npm start`'s build step: compiles (`tsc -p tsconfig.build.json`) only when a source is newer than the
 * build, so a start with nothing changed costs a directory walk (milliseconds) instead of `tsc` (seconds).
 * Sources: every file under cli/, rules/, shared/, and the tsconfig and package files. Plain JavaScript,
 * so it needs no loader.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const built = join(root, "dist/cli/ecr-access-rules.js");

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

function builtAt() {
  try {
    return statSync(built).mtimeMs;
  } catch (error) {
    if (error.code === "ENOENT") return 0;
    throw error;
  }
}

const sources = ["cli", "rules", "shared", "tsconfig.json", "tsconfig.build.json", "package.json"];
const changed = Math.max(...sources.map((source) => newest(join(root, source))));
if (changed > builtAt()) {
  process.stderr.write("sources changed since the last build: compiling (tsc -p tsconfig.build.json)\n");
  execFileSync(
    process.execPath,
    [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: root,
      stdio: "inherit",
    },
  );
}
