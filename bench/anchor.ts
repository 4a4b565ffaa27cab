/**
 * The anchor of section 1: `@cloud-copilot/iam-simulate` (a dev dependency used by this benchmark only),
 * the most complete TypeScript IAM simulator, asked the nearest question it answers to ours on a sample of
 * the same AWS managed policy documents: for each sensitive ECR action, may a principal holding this one
 * document call it on a repository of the account (`runSimulation`, Discovery mode, the resource
 * `arn:aws:ecr:us-east-1:111122223333:repository/team-a/api`, or `*` for registry-level actions that take
 * no resource)? It answers one request per action and resource, so a document costs one simulation per
 * sensitive action, and it says nothing of *all* repositories; our engine answers every action, and whether
 * it covers every repository or some, in one analysis. A lower bound on the simulator's cost, then.
 */
import { isWildcardOnlyAction, runSimulation } from "@cloud-copilot/iam-simulate";
import { ECR_ACTIONS, isSensitive } from "../shared/policy/index.js";
import { median, round } from "./stats.js";

const ACCOUNT = "111122223333";
const REPOSITORY = `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/team-a/api`;

export interface AnchorFigures {
  readonly simulator: "@cloud-copilot/iam-simulate";
  readonly documents: number;
  /** Simulations per document: one per sensitive ECR action. */
  readonly simulationsPerDocument: number;
  readonly passes: number;
  readonly passMs: readonly number[];
  readonly documentsPerSecond: number;
  /** Simulations that answered with errors (the document or request refused). */
  readonly errors: number;
  /** Our identity analysis over the same sample, measured alongside, and how many times faster it is. */
  readonly engineDocumentsPerSecond: number;
  readonly engineRatio: number;
}

/** One pass: every sensitive action of every document; how many simulations answered with errors. */
async function pass(
  documents: readonly unknown[],
  actions: ReadonlyArray<{ readonly action: string; readonly resource: string }>,
): Promise<number> {
  let errors = 0;
  for (const [i, policy] of documents.entries()) {
    for (const { action, resource } of actions) {
      const result = await runSimulation(
        {
          request: {
            principal: `arn:aws:iam::${ACCOUNT}:role/bench`,
            action,
            resource: { resource, accountId: ACCOUNT },
            contextVariables: {},
          },
          identityPolicies: [{ name: `document-${i}`, policy }],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
        },
        { simulationMode: "Discovery" },
      );
      if (result.resultType === "error") errors += 1;
    }
  }
  return errors;
}

/**
 * Times the simulator over `documents`: one untimed pass, then `passes` timed ones (the median reported).
 *
 * @example
 * const figures = await measureAnchor(managedPolicyVersions(50), 3, (docs) => measure(docs, 3, identityAnalysis).documentsPerSecond);
 */
export async function measureAnchor(
  documents: readonly unknown[],
  passes: number,
  engine: (documents: readonly unknown[]) => number,
): Promise<AnchorFigures> {
  const actions = await Promise.all(
    ECR_ACTIONS.filter((a) => isSensitive(a)).map(async (a) => ({
      action: a.name,
      resource: (await isWildcardOnlyAction("ecr", a.name.slice("ecr:".length))) ? "*" : REPOSITORY,
    })),
  );
  const errors = await pass(documents, actions);
  const passMs: number[] = [];
  for (let i = 0; i < passes; i += 1) {
    const started = performance.now();
    await pass(documents, actions);
    passMs.push(performance.now() - started);
  }
  const documentsPerSecond = (documents.length * 1000) / median(passMs);
  const engineDocumentsPerSecond = engine(documents);
  return {
    simulator: "@cloud-copilot/iam-simulate",
    documents: documents.length,
    simulationsPerDocument: actions.length,
    passes,
    passMs: passMs.map((ms) => round(ms, 1)),
    documentsPerSecond: round(documentsPerSecond, 1),
    errors,
    engineDocumentsPerSecond: Math.round(engineDocumentsPerSecond),
    engineRatio: round(engineDocumentsPerSecond / documentsPerSecond, 1),
  };
}
