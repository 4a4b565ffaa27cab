/**
 * How big a run of `npm run bench` is: `full` (the figures of BENCHMARKS.md, under 5 minutes on two
 * cores), `quick` (`--quick`, under a minute) and `tiny` (`--tiny`, the smoke test's inputs: seconds).
 */
export type ProfileName = "full" | "quick" | "tiny";

export interface Profile {
  readonly name: ProfileName;
  /** AWS managed policy versions analysed: every one, or the first N (in the package's order). */
  readonly identityDocuments: number | "all";
  /** Timed warm passes over them (after one untimed pass); the median is reported. */
  readonly passes: number;
  /** Generated repository policies (each one present: no absent policy counts). */
  readonly resourcePolicies: number;
  /** Roles of the account whose trust policies are analysed. */
  readonly trustRoles: number;
  /** `serverless package` (the deployed zips), or esbuild alone with serverless.yml's options. */
  readonly bundler: "serverless-package" | "esbuild";
  /** Rules whose bundles are measured (`all`: every rule). */
  readonly handlers: "all" | readonly string[];
  /** Fresh `node` processes per bundle, interleaved. */
  readonly coldRuns: number;
  /** Role counts of the sweep's accounts. */
  readonly sweepRoles: readonly number[];
  /** Repositories named to each `who-can-write` run, and its time limit (wall seconds). */
  readonly whoCanWriteRepositories: number;
  readonly whoCanWriteLimitSeconds: number;
  /** `dist` (built, as users run it) or `tsx` (the sources, no build: for the smoke test). */
  readonly cli: "dist" | "tsx";
  /** Role count of the API-economy account, and the fake endpoint's latency per call. */
  readonly economyRoles: number;
  readonly latencyMs: number;
  /** Measure `@cloud-copilot/iam-simulate` on this many documents (0: skip), with this many timed passes. */
  readonly anchorDocuments: number;
  readonly anchorPasses: number;
  /** The periodic rules whose sweeps section 4 counts (each: a first sweep and the steady state). */
  readonly periodicRules: readonly string[];
}

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  full: {
    name: "full",
    identityDocuments: "all",
    passes: 5,
    resourcePolicies: 10_000,
    trustRoles: 10_000,
    bundler: "serverless-package",
    handlers: "all",
    coldRuns: 11,
    sweepRoles: [1_000, 3_000, 10_000],
    whoCanWriteRepositories: 1,
    whoCanWriteLimitSeconds: 30,
    cli: "dist",
    economyRoles: 10_000,
    latencyMs: 20,
    anchorDocuments: 100,
    anchorPasses: 3,
    periodicRules: ["ecr-iam-principal-write-authorized"],
  },
  quick: {
    name: "quick",
    identityDocuments: "all",
    passes: 3,
    resourcePolicies: 2_000,
    trustRoles: 2_000,
    bundler: "serverless-package",
    handlers: "all",
    coldRuns: 5,
    sweepRoles: [250, 500, 1_000],
    whoCanWriteRepositories: 1,
    whoCanWriteLimitSeconds: 20,
    cli: "dist",
    economyRoles: 1_000,
    latencyMs: 20,
    anchorDocuments: 30,
    anchorPasses: 2,
    periodicRules: ["ecr-iam-principal-write-authorized"],
  },
  tiny: {
    name: "tiny",
    identityDocuments: 60,
    passes: 2,
    resourcePolicies: 60,
    trustRoles: 40,
    bundler: "esbuild",
    handlers: ["ecr-iam-principal-write-authorized"],
    coldRuns: 2,
    sweepRoles: [20, 40],
    whoCanWriteRepositories: 2,
    whoCanWriteLimitSeconds: 120,
    cli: "tsx",
    economyRoles: 40,
    latencyMs: 1,
    anchorDocuments: 5,
    anchorPasses: 2,
    periodicRules: ["ecr-iam-principal-write-authorized"],
  },
};
