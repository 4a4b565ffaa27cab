/**
 * Walks the corpus of role trust policies (test/fixtures/corpus/trust-cases.json, format in
 * TRUST-FORMAT.md): each case is a trust policy and the doors the trust semantics of
 * `docs/policy-semantics.md` say it opens. The first part checks the corpus itself; the second holds the
 * trust-policy analysis to it once `shared/policy/trust.ts` exists.
 */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { PolicyParseError } from "../../../shared/policy/parse.js";

const DOOR_KINDS = [
  "owner-account",
  "owner-principal",
  "external-account",
  "public",
  "service",
  "saml",
  "web-identity",
  "untrusted-principal",
  "deleted-principal",
] as const;
type DoorKind = (typeof DOOR_KINDS)[number];

const PARAMETER_NAMES = ["trustedAccountIds", "trustedOrganizationIds", "trustedOidcSubjects"] as const;
type ParameterName = (typeof PARAMETER_NAMES)[number];

interface Door {
  readonly statement: number;
  readonly kind: DoorKind;
  readonly principal: string;
  readonly trusted: boolean;
  readonly bounded?: boolean;
  readonly admitsNoOne?: boolean;
}

type Expectation =
  | { readonly type: "doors"; readonly open: boolean; readonly doors: readonly Door[] }
  | { readonly type: "error"; readonly error: string };

interface TrustCase {
  readonly id: string;
  readonly why: string;
  readonly source: string;
  readonly owner: string;
  readonly partition: string;
  readonly parameters: Readonly<Partial<Record<ParameterName, string>>>;
  readonly policy: unknown;
  /** How many statements the policy has, when it is given as an object with a Statement list or object. */
  readonly statementCount: number | undefined;
  readonly expect: Expectation;
}

/** A fault in the corpus file itself, named by case and field. */
class CorpusFormatError extends Error {
  constructor(where: string, detail: string) {
    super(`trust-cases.json ${where}: ${detail}`);
    this.name = "CorpusFormatError";
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(record: Record<string, unknown>, key: string, where: string): string {
  const value = record[key];
  if (typeof value !== "string") throw new CorpusFormatError(`${where}.${key}`, "must be a string");
  return value;
}

function isDoorKind(value: unknown): value is DoorKind {
  return DOOR_KINDS.some((kind) => kind === value);
}

function isParameterName(value: string): value is ParameterName {
  return PARAMETER_NAMES.some((name) => name === value);
}

function readDoor(raw: unknown, where: string): Door {
  if (!isRecord(raw)) throw new CorpusFormatError(where, "must be an object");
  const known = new Set(["statement", "kind", "principal", "trusted", "bounded", "admitsNoOne"]);
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) throw new CorpusFormatError(`${where}.${key}`, "is not a door field");
  }
  const { statement, kind, trusted, bounded, admitsNoOne } = raw;
  if (typeof statement !== "number" || !Number.isInteger(statement) || statement < 0)
    throw new CorpusFormatError(`${where}.statement`, "must be a statement index");
  if (!isDoorKind(kind)) throw new CorpusFormatError(`${where}.kind`, `${String(kind)} is not a door kind`);
  if (typeof trusted !== "boolean") throw new CorpusFormatError(`${where}.trusted`, "must be a boolean");
  if (bounded !== undefined && typeof bounded !== "boolean")
    throw new CorpusFormatError(`${where}.bounded`, "must be a boolean");
  if (admitsNoOne !== undefined && admitsNoOne !== true)
    throw new CorpusFormatError(`${where}.admitsNoOne`, "is written only as true");
  return {
    statement,
    kind,
    principal: text(raw, "principal", where),
    trusted,
    ...(bounded === undefined ? {} : { bounded }),
    ...(admitsNoOne === undefined ? {} : { admitsNoOne }),
  };
}

function readExpectation(raw: unknown, where: string): Expectation {
  if (!isRecord(raw)) throw new CorpusFormatError(where, "must be an object");
  if (raw.error !== undefined) {
    if (raw.open !== undefined || raw.doors !== undefined)
      throw new CorpusFormatError(where, "has error and doors; a case expects one or the other");
    return { type: "error", error: text(raw, "error", where) };
  }
  const { open, doors } = raw;
  if (typeof open !== "boolean") throw new CorpusFormatError(`${where}.open`, "must be a boolean");
  if (!Array.isArray(doors)) throw new CorpusFormatError(`${where}.doors`, "must be a list");
  return { type: "doors", open, doors: doors.map((door, i) => readDoor(door, `${where}.doors[${i}]`)) };
}

/** The policy as an object: text cases are decoded here (JSON, or URL-encoded JSON), undefined when unreadable. */
function policyObject(policy: unknown): unknown {
  if (typeof policy !== "string") return policy;
  try {
    const json = policy.trimStart().startsWith("{") ? policy : decodeURIComponent(policy);
    const value: unknown = JSON.parse(json);
    return value;
  } catch {
    // The malformed-text cases: no statements to count.
    return undefined;
  }
}

function statementCount(raw: unknown): number | undefined {
  const policy = policyObject(raw);
  if (!isRecord(policy)) return undefined;
  const statements = policy.Statement;
  if (Array.isArray(statements)) return statements.length;
  return isRecord(statements) ? 1 : undefined;
}

function readCase(raw: unknown, index: number): TrustCase {
  const where = `[${index}]`;
  if (!isRecord(raw)) throw new CorpusFormatError(where, "must be an object");
  const parameters: Partial<Record<ParameterName, string>> = {};
  if (raw.parameters !== undefined) {
    if (!isRecord(raw.parameters)) throw new CorpusFormatError(`${where}.parameters`, "must be an object");
    for (const [name, value] of Object.entries(raw.parameters)) {
      if (!isParameterName(name))
        throw new CorpusFormatError(`${where}.parameters.${name}`, "unknown parameter");
      if (typeof value !== "string")
        throw new CorpusFormatError(`${where}.parameters.${name}`, "must be a comma-separated string");
      parameters[name] = value;
    }
  }
  const partition = raw.partition === undefined ? "aws" : text(raw, "partition", where);
  return {
    id: text(raw, "id", where),
    why: text(raw, "why", where),
    source: text(raw, "source", where),
    owner: text(raw, "owner", where),
    partition,
    parameters,
    policy: raw.policy,
    statementCount: statementCount(raw.policy),
    expect: readExpectation(raw.expect, `${where}.expect`),
  };
}

function loadCorpus(): TrustCase[] {
  const json: unknown = JSON.parse(
    readFileSync(new URL("../../fixtures/corpus/trust-cases.json", import.meta.url), "utf8"),
  );
  if (!Array.isArray(json)) throw new CorpusFormatError("", "must be a list of cases");
  return json.map((raw, i) => readCase(raw, i));
}

/** A comma-separated rule parameter as a list, the way the rule's parameter parser reads it. */
function list(value: string | undefined): string[] {
  if (value === undefined || value.trim() === "") return [];
  return value.split(",").map((item) => item.trim());
}

const cases = loadCorpus();
const doorCases = cases.flatMap((c) => (c.expect.type === "doors" ? [{ ...c, expected: c.expect }] : []));
const webIdentityCases = doorCases.filter((c) => c.expected.doors.some((d) => d.kind === "web-identity"));

describe("trust-policy corpus", () => {
  describe("its own form", () => {
    it("holds at least 70 cases with unique ids", () => {
      const ids = cases.map((c) => c.id);
      const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);

      expect(cases.length).to.be.at.least(70);
      expect(repeated, "repeated ids").to.deep.equal([]);
    });

    it("gives every case a reason, a source and a 12-digit owner", () => {
      const faulty = cases.filter(
        (c) => c.why.trim().length < 20 || c.source.trim() === "" || !/^\d{12}$/u.test(c.owner),
      );

      expect(
        faulty.map((c) => c.id),
        "cases without why, source or owner",
      ).to.deep.equal([]);
    });

    it("names doors only of statements the policy has", () => {
      const outOfRange = doorCases.flatMap((c) =>
        c.expected.doors
          .filter((d) => c.statementCount === undefined || d.statement >= c.statementCount)
          .map((d) => `${c.id}: Statement[${d.statement}] of ${c.statementCount ?? "an unparsed policy"}`),
      );
      const unordered = doorCases.filter((c) =>
        c.expected.doors.some((d, i) => i > 0 && d.statement < (c.expected.doors[i - 1]?.statement ?? 0)),
      );

      expect(outOfRange).to.deep.equal([]);
      expect(
        unordered.map((c) => c.id),
        "doors must be in statement order",
      ).to.deep.equal([]);
    });

    it("uses every door kind", () => {
      const used = new Set(doorCases.flatMap((c) => c.expected.doors.map((d) => d.kind)));

      expect(DOOR_KINDS.filter((kind) => !used.has(kind))).to.deep.equal([]);
    });

    it("says open exactly when some door is not trusted", () => {
      const inconsistent = doorCases.filter(
        (c) => c.expected.open !== c.expected.doors.some((d) => !d.trusted),
      );

      expect(inconsistent.map((c) => c.id)).to.deep.equal([]);
    });

    it("gives bounded to web-identity doors only, trusted exactly when bounded, admitsNoOne only when bounded", () => {
      const faults = doorCases.flatMap((c) =>
        c.expected.doors.flatMap((d) => {
          if (d.kind !== "web-identity")
            return d.bounded === undefined && d.admitsNoOne === undefined
              ? []
              : [`${c.id}: ${d.kind} door with bounded/admitsNoOne`];
          if (d.bounded === undefined) return [`${c.id}: web-identity door without bounded`];
          if (d.trusted !== d.bounded) return [`${c.id}: trusted differs from bounded`];
          if (d.admitsNoOne === true && d.bounded !== true) return [`${c.id}: admitsNoOne but not bounded`];
          return [];
        }),
      );

      expect(faults).to.deep.equal([]);
    });

    it("covers web identities both with and without trustedOidcSubjects, bounded and unbounded", () => {
      const withSubjects = webIdentityCases.filter((c) => c.parameters.trustedOidcSubjects !== undefined);
      const withoutSubjects = webIdentityCases.filter((c) => c.parameters.trustedOidcSubjects === undefined);
      const boundedness = (group: typeof webIdentityCases) =>
        new Set(
          group.flatMap((c) => c.expected.doors.flatMap((d) => (d.bounded === undefined ? [] : [d.bounded]))),
        );

      expect([...boundedness(withSubjects)].sort()).to.deep.equal([false, true]);
      expect([...boundedness(withoutSubjects)].sort()).to.deep.equal([false, true]);
      expect(
        doorCases.some((c) => c.expected.doors.some((d) => d.admitsNoOne === true)),
        "a door that admits no one",
      ).to.equal(true);
    });

    it("holds malformed policies, and policies given as JSON text and URL-encoded text", () => {
      const errors = cases.filter((c) => c.expect.type === "error");
      const textPolicies = cases.filter((c) => typeof c.policy === "string");
      const unmarked = textPolicies.filter((c) => !/JSON string|URL-encoded/u.test(c.why));
      const encoded = textPolicies.filter((c) => typeof c.policy === "string" && c.policy.startsWith("%7B"));

      expect(errors.length, "malformed cases").to.be.at.least(5);
      expect(encoded.length, "URL-encoded cases").to.be.at.least(1);
      expect(
        textPolicies.some((c) => typeof c.policy === "string" && c.policy.startsWith("{")),
        "a JSON-text case",
      ).to.equal(true);
      expect(
        unmarked.map((c) => c.id),
        "text policies must say so in why",
      ).to.deep.equal([]);
    });
  });
});

/** The interface the trust-policy analysis is held to. */
interface TrustAnalysisInput {
  readonly policy: unknown;
  readonly owner: string;
  readonly partition: string;
  readonly trust: {
    readonly trustedAccountIds: readonly string[];
    readonly trustedOrganizationIds: readonly string[];
    readonly trustedOidcSubjects: readonly string[];
  };
}
type AnalyzeTrustPolicy = (input: TrustAnalysisInput) => unknown;

const TRUST_MODULE = "../../../shared/policy/trust.js";

function hasAnalyzer(value: unknown): value is { analyzeTrustPolicy: AnalyzeTrustPolicy } {
  return isRecord(value) && typeof value.analyzeTrustPolicy === "function";
}

/** The analysis, or undefined while `shared/policy/trust.ts` does not exist. Any other failure is thrown. */
async function loadAnalyzer(): Promise<AnalyzeTrustPolicy | undefined> {
  let loaded: unknown;
  try {
    loaded = await import(TRUST_MODULE);
  } catch (error) {
    const missing =
      isRecord(error) &&
      error.code === "ERR_MODULE_NOT_FOUND" &&
      typeof error.message === "string" &&
      error.message.includes("trust");
    if (missing) return undefined;
    throw error;
  }
  if (!hasAnalyzer(loaded)) throw new Error(`${TRUST_MODULE} does not export a function analyzeTrustPolicy`);
  return loaded.analyzeTrustPolicy;
}

/** The analysis's answer, reduced to the fields the corpus states. */
function actualDoors(result: unknown): { open: unknown; doors: unknown[] } {
  if (!isRecord(result) || !Array.isArray(result.doors))
    throw new Error(`analyzeTrustPolicy must return { open, doors: [...] }, got ${JSON.stringify(result)}`);
  return {
    open: result.open,
    doors: result.doors.map((door: unknown) => {
      if (!isRecord(door)) return door;
      const statement = isRecord(door.statement) ? door.statement.index : door.statement;
      return {
        statement,
        kind: door.kind,
        principal: door.principal,
        trusted: door.trusted,
        ...(door.kind === "web-identity" ? { bounded: door.bounded } : {}),
        ...(door.admitsNoOne === true ? { admitsNoOne: true } : {}),
      };
    }),
  };
}

const analyze = await loadAnalyzer();

if (analyze === undefined) {
  describe("trust-policy analysis against the corpus", () => {
    it.skip(`skipped: ${TRUST_MODULE} does not exist yet, so the ${cases.length} cases wait for it`);
  });
} else {
  const analyzeTrustPolicy = analyze;
  describe("trust-policy analysis against the corpus", () => {
    for (const c of cases) {
      it(`answers ${c.id} as the corpus states`, () => {
        // Prepare
        const input: TrustAnalysisInput = {
          policy: structuredClone(c.policy),
          owner: c.owner,
          partition: c.partition,
          trust: {
            trustedAccountIds: list(c.parameters.trustedAccountIds),
            trustedOrganizationIds: list(c.parameters.trustedOrganizationIds),
            trustedOidcSubjects: list(c.parameters.trustedOidcSubjects),
          },
        };
        const wanted = c.expect;

        if (wanted.type === "error") {
          // Act
          let thrown: unknown;
          try {
            analyzeTrustPolicy(input);
          } catch (error) {
            thrown = error;
          }
          // Assess
          expect(thrown, `must be rejected: ${c.why}`).to.be.instanceOf(PolicyParseError);
          if (thrown instanceof PolicyParseError)
            expect(thrown.path, "path of the fault").to.include(wanted.error);
          return;
        }

        // Act
        const got = actualDoors(analyzeTrustPolicy(input));

        // Assess
        expect(got.doors, `doors: ${c.why}`).to.deep.equal(wanted.doors);
        expect(got.open, `open: ${c.why}`).to.equal(wanted.open);
      });
    }
  });
}
