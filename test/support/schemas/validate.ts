/**
 * JSON-schema validators for the report formats, from the schemas in `test/fixtures/schemas/`: SARIF
 * 2.1.0 as OASIS publishes it (draft-04), ASFF built from the Security Hub API model and OCSF 1.8.0
 * Compliance Finding built from the OCSF definitions (draft-07; see the builders beside this file).
 */
import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import AjvDraft04 from "ajv-draft-04";
import addFormatsModule from "ajv-formats";

const addFormats = addFormatsModule.default;

const schema = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../fixtures/schemas/${name}`, import.meta.url), "utf8"));

/** A validator's errors as one readable line each (empty when valid). */
export function schemaErrors(validate: ValidateFunction, data: unknown): string[] {
  if (validate(data)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`,
  );
}

export function sarifValidator(): ValidateFunction {
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema("sarif-schema-2.1.0.json"));
}

function draft07(name: string): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema(name));
}

export const asffValidator = (): ValidateFunction => draft07("asff-2018-10-08.schema.json");
export const ocsfValidator = (): ValidateFunction => draft07("ocsf-1.8.0-compliance_finding.schema.json");
