/**
 * Reads a CloudFormation template written in YAML, short-form tags included: `!Ref X` becomes
 * `{ Ref: "X" }`, `!GetAtt A.B` becomes `{ "Fn::GetAtt": ["A", "B"] }`, `!Sub …` becomes `{ "Fn::Sub": … }`,
 * and so on for every intrinsic function. The generated templates use the long forms; this is for the
 * hand-written ones and for templates others give us.
 */
import {
  CORE_SCHEMA,
  defineMappingTag,
  defineScalarTag,
  defineSequenceTag,
  load,
  type TagDefinition,
} from "js-yaml";

const FUNCTIONS = [
  "And",
  "Base64",
  "Cidr",
  "Equals",
  "FindInMap",
  "ForEach",
  "GetAtt",
  "GetAZs",
  "If",
  "ImportValue",
  "Join",
  "Length",
  "Not",
  "Or",
  "Select",
  "Split",
  "Sub",
  "ToJsonString",
  "Transform",
];

type Mapping = Record<string, unknown>;

function tagsFor(name: string, key: string): TagDefinition[] {
  const tag = `!${name}`;
  return [
    defineScalarTag<Mapping>(tag, {
      resolve: (source) => {
        if (name !== "GetAtt") return { [key]: source };
        const dot = source.indexOf(".");
        return { [key]: dot < 0 ? [source] : [source.slice(0, dot), source.slice(dot + 1)] };
      },
      identify: () => false,
    }),
    defineSequenceTag<unknown[], Mapping>(tag, {
      create: () => [],
      addItem: (carrier, item) => {
        carrier.push(item);
      },
      finalize: (carrier) => ({ [key]: carrier }),
      identify: () => false,
    }),
    defineMappingTag<Mapping, Mapping>(tag, {
      create: () => ({}),
      addPair: (carrier, pairKey, value) => {
        if (typeof pairKey !== "string") return `${tag}: mapping keys must be strings`;
        carrier[pairKey] = value;
        return "";
      },
      has: (carrier, pairKey) => typeof pairKey === "string" && Object.hasOwn(carrier, pairKey),
      keys: (result) => Object.keys(result),
      get: (result, pairKey) => result[String(pairKey)],
      finalize: (carrier) => ({ [key]: carrier }),
      identify: () => false,
    }),
  ];
}

/** YAML 1.2 core schema plus CloudFormation's short-form tags. */
export const CFN_SCHEMA = CORE_SCHEMA.withTags(
  ...tagsFor("Ref", "Ref"),
  ...tagsFor("Condition", "Condition"),
  ...FUNCTIONS.flatMap((name) => tagsFor(name, `Fn::${name}`)),
);

/**
 * Parses a CloudFormation YAML template (short or long forms) into plain data.
 *
 * @example
 * parseCfnYaml("Value: !GetAtt Fn.Arn"); // { Value: { "Fn::GetAtt": ["Fn", "Arn"] } }
 */
export function parseCfnYaml(text: string, filename?: string): unknown {
  return load(text, { schema: CFN_SCHEMA, ...(filename === undefined ? {} : { filename }) });
}
