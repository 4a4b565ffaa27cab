/**
 * Builds `test/fixtures/schemas/asff-2018-10-08.schema.json`, the JSON schema the ASFF tests validate
 * against, from the AWS Security Hub API model (botocore's `securityhub/2018-10-26/service-2.json`, the
 * machine-readable definition AWS publishes of `AwsSecurityFinding`): structures become objects with their
 * required members and no others, lists arrays, maps objects, enums enums, patterns patterns, and the
 * "Length Constraints: … Maximum length of N" of a member's documentation a `maxLength`. `Resources[].Details`
 * (hundreds of resource shapes this tool never writes) is kept as an object of known keys only.
 *
 * Run by hand when the model changes:
 *   npx tsx test/support/schemas/build-asff-schema.ts PATH/TO/service-2.json
 */
import { readFileSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

interface Shape {
  readonly type: string;
  readonly members?: Record<string, { readonly shape: string; readonly documentation?: string }>;
  readonly required?: readonly string[];
  readonly member?: { readonly shape: string };
  readonly key?: { readonly shape: string };
  readonly value?: { readonly shape: string };
  readonly enum?: readonly string[];
  readonly pattern?: string;
  readonly min?: number;
  readonly max?: number;
}

const [file] = process.argv.slice(2);
if (file === undefined) throw new Error("usage: build-asff-schema.ts service-2.json[.gz]");
const bytes = readFileSync(file);
const model: { shapes: Record<string, Shape>; metadata: { apiVersion: string } } = JSON.parse(
  (file.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8"),
);
const defs: Record<string, unknown> = {};
const ref = (name: string) => ({ $ref: `#/definitions/${name}` });

function maxLengthOf(documentation: string | undefined): number | undefined {
  // The model words it two ways: "Maximum of 512 length" and "Maximum length of 1024".
  const match = /Maximum (?:of (\d+) length|length of (\d+))/u.exec(documentation ?? "");
  return match === null ? undefined : Number(match[1] ?? match[2]);
}

function define(name: string): void {
  if (name in defs) return;
  const shape = model.shapes[name];
  if (shape === undefined) throw new Error(`no shape ${name}`);
  defs[name] = {};
  if (name === "ResourceDetails") {
    defs[name] = {
      type: "object",
      additionalProperties: false,
      properties: Object.fromEntries(Object.keys(shape.members ?? {}).map((k) => [k, { type: "object" }])),
    };
    return;
  }
  switch (shape.type) {
    case "structure": {
      const properties: Record<string, unknown> = {};
      for (const [member, target] of Object.entries(shape.members ?? {})) {
        define(target.shape);
        const max = maxLengthOf(target.documentation);
        properties[member] =
          max === undefined ? ref(target.shape) : { allOf: [ref(target.shape)], maxLength: max };
      }
      defs[name] = {
        type: "object",
        additionalProperties: false,
        properties,
        ...(shape.required === undefined ? {} : { required: [...shape.required] }),
      };
      return;
    }
    case "list":
      if (shape.member === undefined) throw new Error(`${name}: list without member`);
      define(shape.member.shape);
      defs[name] = { type: "array", items: ref(shape.member.shape) };
      return;
    case "map":
      if (shape.value === undefined) throw new Error(`${name}: map without value`);
      define(shape.value.shape);
      defs[name] = { type: "object", additionalProperties: ref(shape.value.shape) };
      return;
    case "string":
      defs[name] = {
        type: "string",
        ...(shape.enum === undefined ? {} : { enum: [...shape.enum] }),
        ...(shape.pattern === undefined ? {} : { pattern: shape.pattern }),
        ...(shape.min === undefined ? {} : { minLength: shape.min }),
        ...(shape.max === undefined ? {} : { maxLength: shape.max }),
      };
      return;
    case "integer":
    case "long":
      defs[name] = { type: "integer" };
      return;
    case "double":
    case "float":
      defs[name] = { type: "number" };
      return;
    case "boolean":
      defs[name] = { type: "boolean" };
      return;
    case "timestamp":
      defs[name] = { type: "string", format: "date-time" };
      return;
    default:
      throw new Error(`${name}: shape type ${shape.type}`);
  }
}

define("AwsSecurityFinding");
const schema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: `AWS Security Finding Format (AwsSecurityFinding), from the Security Hub API model ${model.metadata.apiVersion}`,
  type: "array",
  items: ref("AwsSecurityFinding"),
  definitions: defs,
};
writeFileSync(
  new URL("../../fixtures/schemas/asff-2018-10-08.schema.json", import.meta.url),
  `${JSON.stringify(schema, null, 1)}\n`,
);
