/**
 * Builds `test/fixtures/schemas/ocsf-1.8.0-compliance_finding.schema.json`, the JSON schema the OCSF tests
 * validate against, from a checkout of the OCSF schema's own definitions (github.com/ocsf/ocsf-schema at a
 * release tag): the class `compliance_finding` with what it extends (`finding`, `base_event`) and includes,
 * every object it reaches, the dictionary's attribute types and enums, and the `cloud` profile applied.
 * What the OCSF server's JSON-schema export does, kept small: an attribute the definitions do not name is
 * rejected, a `required` one must be present, an `_id` enum takes only its listed values, `class_uid` and
 * `category_uid` are fixed.
 *
 * Run by hand when moving to another OCSF version:
 *   git clone --branch 1.8.0 https://github.com/ocsf/ocsf-schema && \
 *   npx tsx test/support/schemas/build-ocsf-schema.ts ocsf-schema
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

type Json = Record<string, unknown>;
interface Attribute extends Json {
  readonly type?: string;
  readonly is_array?: boolean;
  readonly enum?: Record<string, unknown>;
  readonly requirement?: string;
  readonly profile?: string | null;
}
interface Definition {
  readonly name: string;
  readonly extends?: string;
  readonly uid?: number;
  readonly attributes?: Record<string, unknown>;
}

const [root] = process.argv.slice(2);
if (root === undefined) throw new Error("usage: build-ocsf-schema.ts PATH/TO/ocsf-schema");
const PROFILES = new Set(["cloud"]);
const read = (path: string): Json => JSON.parse(readFileSync(join(root, path), "utf8"));
const dictionary = read("dictionary.json") as {
  attributes: Record<string, Attribute>;
  types: { attributes: Record<string, Json> };
};
const version = String(read("version.json").version);
const objects = new Map<string, Definition>();
for (const file of readdirSync(join(root, "objects"))) {
  const definition = read(`objects/${file}`) as unknown as Definition;
  objects.set(definition.name, definition);
}

/** A definition's attributes, its parents' first, `$include`d files merged in. */
function attributesOf(
  definition: Definition,
  parent: (name: string) => Definition | undefined,
): Map<string, Attribute> {
  const out = new Map<string, Attribute>();
  const up = definition.extends === undefined ? undefined : parent(definition.extends);
  if (up !== undefined && up.name !== definition.name)
    for (const [k, v] of attributesOf(up, parent)) out.set(k, v);
  const own = { ...(definition.attributes ?? {}) };
  const includes = own.$include;
  delete own.$include;
  for (const path of Array.isArray(includes) ? includes : []) {
    const included = read(String(path)) as {
      meta?: string;
      name?: string;
      attributes?: Record<string, Attribute>;
    };
    // A profile's attributes belong to that profile: required only where it is applied.
    const profile = included.meta === "profile" ? { profile: included.name ?? null } : {};
    for (const [k, v] of Object.entries(included.attributes ?? {}))
      out.set(k, { ...(out.get(k) ?? {}), ...profile, ...v });
  }
  for (const [k, v] of Object.entries(own)) out.set(k, { ...(out.get(k) ?? {}), ...(v as Attribute) });
  return out;
}

const BASE: Record<string, Json> = {
  boolean_t: { type: "boolean" },
  integer_t: { type: "integer" },
  long_t: { type: "integer" },
  float_t: { type: "number" },
  string_t: { type: "string" },
  json_t: {},
  object_t: { type: "object" },
};

function scalar(type: string): Json | undefined {
  const base = BASE[type];
  if (base !== undefined) return base;
  const derived = dictionary.types.attributes[type];
  if (derived === undefined) return undefined;
  const parentType = typeof derived.type === "string" ? derived.type : "string_t";
  const out = { ...(scalar(parentType) ?? {}) };
  if (typeof derived.regex === "string") {
    try {
      new RegExp(derived.regex, "u");
      out.pattern = derived.regex;
    } catch {
      // A regex JavaScript cannot read (PCRE-only syntax) constrains nothing here: the type still does.
    }
  }
  return out;
}

const defs: Record<string, Json> = {};

function objectSchema(name: string): Json {
  if (!(name in defs)) {
    const definition = objects.get(name);
    if (definition === undefined) throw new Error(`no object ${name}`);
    defs[name] = {};
    defs[name] = properties(attributesOf(definition, (n) => objects.get(n)));
  }
  return { $ref: `#/definitions/${name}` };
}

function attributeSchema(name: string, local: Attribute): Json {
  const merged: Attribute = { ...(dictionary.attributes[name] ?? {}), ...local };
  const enums = { ...(dictionary.attributes[name]?.enum ?? {}), ...(local.enum ?? {}) };
  const type = merged.type ?? "string_t";
  let schema = scalar(type) ?? objectSchema(type);
  if (Object.keys(enums).length > 0) {
    schema =
      type === "string_t"
        ? { type: "string", enum: Object.keys(enums) }
        : { type: "integer", enum: Object.keys(enums).map(Number) };
  }
  return merged.is_array === true ? { type: "array", items: schema } : schema;
}

function properties(attributes: Map<string, Attribute>): Json {
  const props: Json = {};
  const required: string[] = [];
  for (const [name, attribute] of attributes) {
    const profile = attribute.profile;
    if (
      profile !== undefined &&
      profile !== null &&
      !PROFILES.has(profile) &&
      attribute.requirement === "required"
    )
      continue;
    props[name] = attributeSchema(name, attribute);
    if (
      attribute.requirement === "required" &&
      (profile === undefined || profile === null || PROFILES.has(profile))
    )
      required.push(name);
  }
  return { type: "object", additionalProperties: false, properties: props, required };
}

const events = new Map<string, Definition>();
for (const path of [
  "events/base_event.json",
  "events/findings/finding.json",
  "events/findings/compliance_finding.json",
]) {
  const definition = read(path) as unknown as Definition;
  events.set(definition.name, definition);
}
const compliance = events.get("compliance_finding");
if (compliance === undefined) throw new Error("no compliance_finding");
const categories = read("categories.json") as { attributes: Record<string, { uid: number }> };
const categoryUid = categories.attributes.findings?.uid ?? 2;
const classUid = categoryUid * 1000 + (compliance.uid ?? 0);
const top = properties(attributesOf(compliance, (n) => events.get(n)));
const topProps = top.properties as Json;
topProps.class_uid = { const: classUid };
topProps.category_uid = { const: categoryUid };
const schema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: `OCSF ${version} Compliance Finding (class ${classUid}), profile cloud`,
  type: "array",
  items: { $ref: "#/definitions/compliance_finding" },
  definitions: { compliance_finding: top, ...defs },
};
writeFileSync(
  new URL(`../../fixtures/schemas/ocsf-${version}-compliance_finding.schema.json`, import.meta.url),
  `${JSON.stringify(schema, null, 1)}\n`,
);
