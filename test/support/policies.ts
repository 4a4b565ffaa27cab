/** Test helpers: parse policy fixtures the way the engine's callers do. */
import { type LabelledPolicy, parsePolicyDocument } from "../../shared/policy/index.js";

/** Parses identity documents and labels them `doc0`, `doc1`, … (a fresh copy each call). */
export function labelled(documents: readonly unknown[], prefix = "doc"): LabelledPolicy[] {
  return documents.map((document, i) => ({
    label: `${prefix}${i}`,
    document: parsePolicyDocument(structuredClone(document), "identity"),
  }));
}
