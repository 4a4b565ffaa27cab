/**
 * The SSM Automation documents of deploy/remediation/, as the generators deploy them: the stack
 * (serverless.yml) and the console template (deploy/ecr-access-rules.yaml) create each as an
 * `AWS::SSM::Document`, with a remediation role allowed exactly the API calls their steps make; the
 * remediation conformance pack points an `AWS::Config::RemediationConfiguration` at them.
 *
 * The actions of that role are read from the documents (`aws:executeAwsApi` steps: `Service` + `Api`), so
 * a step added to a document cannot run with a permission nobody reviewed, nor keep a stale one.
 */
import { readFileSync } from "node:fs";
import { load } from "js-yaml";
import { EcrAccessRulesError } from "../shared/errors.js";

/** A document of deploy/remediation/: its file, its deployed name (after the rule prefix), its purpose. */
export interface RemediationDocument {
  readonly file: string;
  /** The document's name without the deployment's rule prefix (`EcrAccessRules-…`). */
  readonly name: string;
  /** The CloudFormation logical id of its `AWS::SSM::Document`. */
  readonly logicalId: string;
}

export const REMEDIATION_DOCUMENTS: readonly RemediationDocument[] = [
  {
    file: "deploy/remediation/set-image-tag-immutable.yaml",
    name: "EcrAccessRules-SetImageTagImmutable",
    logicalId: "SetImageTagImmutableDocument",
  },
  {
    file: "deploy/remediation/enable-scan-on-push.yaml",
    name: "EcrAccessRules-EnableScanOnPush",
    logicalId: "EnableScanOnPushDocument",
  },
  {
    file: "deploy/remediation/remediate-image-integrity.yaml",
    name: "EcrAccessRules-RemediateImageIntegrity",
    logicalId: "RemediateImageIntegrityDocument",
  },
];

/** The document that fixes both halves of `ecr-repository-image-integrity`. */
export const INTEGRITY_DOCUMENT = "EcrAccessRules-RemediateImageIntegrity";
/** The document that only turns on scan on push (where tag exclusions are allowed). */
export const SCAN_ON_PUSH_DOCUMENT = "EcrAccessRules-EnableScanOnPush";
/** The document that only makes tags immutable (where scanning is not required). */
export const IMMUTABLE_DOCUMENT = "EcrAccessRules-SetImageTagImmutable";

/** The logical id of the role the automations assume. */
export const REMEDIATION_ROLE = "RemediationRole";

/** A document's content is not what the generators can deploy. */
export class RemediationDocumentError extends EcrAccessRulesError {
  constructor(file: string, detail: string, options?: { cause?: unknown }) {
    super(`${file}: ${detail}`, options);
  }
}

/** A parsed document: a JSON-like mapping. */
export type DocumentContent = { readonly [key: string]: unknown };

function isMapping(value: unknown): value is DocumentContent {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads and parses a document (its comments are dropped; the content is what SSM receives).
 *
 * @example
 * readDocument("deploy/remediation/enable-scan-on-push.yaml").schemaVersion; // "0.3"
 */
export function readDocument(file: string, root = new URL("../", import.meta.url)): DocumentContent {
  let parsed: unknown;
  try {
    parsed = load(readFileSync(new URL(file, root), "utf8"));
  } catch (error) {
    throw new RemediationDocumentError(file, "not readable YAML", { cause: error });
  }
  if (!isMapping(parsed)) throw new RemediationDocumentError(file, "not a mapping");
  return parsed;
}

/** One `aws:executeAwsApi` step's IAM action: `ecr` + `PutImageTagMutability` → `ecr:PutImageTagMutability`. */
export interface ApiStep {
  readonly name: string;
  readonly action: string;
  /** The API's request, as the step sends it (`{{ … }}` placeholders unresolved). */
  readonly inputs: DocumentContent;
}

/**
 * The `aws:executeAwsApi` steps of a document; any other action is refused (the generators could not
 * tell what it needs).
 *
 * @example
 * apiSteps(readDocument(file), file).map((s) => s.action); // ["ecr:PutImageTagMutability"]
 */
export function apiSteps(content: DocumentContent, file: string): ApiStep[] {
  const steps = content.mainSteps;
  if (!Array.isArray(steps)) throw new RemediationDocumentError(file, "mainSteps is not a list");
  return steps.map((step, index) => {
    if (!isMapping(step) || step.action !== "aws:executeAwsApi" || !isMapping(step.inputs))
      throw new RemediationDocumentError(file, `mainSteps[${index}] is not an aws:executeAwsApi step`);
    const { Service, Api, ...inputs } = step.inputs;
    if (typeof Service !== "string" || typeof Api !== "string" || typeof step.name !== "string")
      throw new RemediationDocumentError(file, `mainSteps[${index}] needs a name, Service and Api`);
    return { name: step.name, action: `${Service}:${Api}`, inputs };
  });
}

/** Every action the remediation role needs: the union of the documents' steps, sorted. */
export function remediationActions(root?: URL): string[] {
  const actions = REMEDIATION_DOCUMENTS.flatMap(({ file }) =>
    apiSteps(readDocument(file, root), file).map((step) => step.action),
  );
  return [...new Set(actions)].sort();
}
