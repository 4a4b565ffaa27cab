/**
 * Walks the reach corpus (test/fixtures/corpus/reach-cases.json, format in REACH-FORMAT.md): each case is
 * a small account snapshot, a principal, who it can act as with the evidence of each first step, what it
 * holds through them, and the principal rule's verdicts with and without `authorizedPrincipalArns`. The
 * expectations say what docs/policy-semantics.md#reach requires; they were reasoned from it, not copied
 * from the engine's output. The graph is built as the rule builds it (from the snapshot's IAM facts), and
 * the verdicts come from the rule's one evaluation path, on a change and on a periodic sweep.
 */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import fc from "fast-check";
import { RESOURCE_TYPES, rule } from "../../../rules/ecr-iam-principal-write-authorized/rule.js";
import { accountItems } from "../../../shared/account/items.js";
import { accountReach, gatherReachedPrincipal } from "../../../shared/account/reach-source.js";
import { parseSnapshot, SnapshotAccountFacts } from "../../../shared/account/snapshot.js";
import type { Verdict } from "../../../shared/config/evaluation.js";
import { parseParameters } from "../../../shared/config/parameters.js";
import { effectiveAccess } from "../../../shared/policy/effective-access.js";
import { describeStatement } from "../../../shared/policy/explain.js";
import { LAUNCHES } from "../../../shared/reach/launches.js";
import type { ReachEdge, ReachGraph } from "../../../shared/reach/reach.js";
import { ACCOUNT, CAPTURE_TIME } from "../../support/events.js";
import { type RuleContext, sweepVerdicts, verdictOf } from "../../support/run.js";

const EDGE_KINDS = ["trust-names", "trust-public", "assume-role", "update-trust", "pass-role", "credentials"];
const COMPLIANCE = ["COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE"] as const;
type Compliance = Verdict["compliance"];
const EVERY = "every-sensitive-action-on-all";
/** What the corpus must cover: every path and shape the reach semantics name. */
const REQUIRED_COVERS = [
  "trust-names",
  "public",
  "session",
  "account-door",
  "principal-arn",
  "deny-identity",
  "deny-trust",
  "boundary-role",
  "boundary-user",
  "update-trust",
  "pass-role",
  "instance-profile",
  "launch-both",
  "launch-missing",
  "passed-to-service",
  "wrong-role",
  "outside-table",
  "credentials",
  "chain",
  "cycle",
  "escalation",
  "create-and-empower",
  "notaction",
  "notresource",
  "groups",
  "managed",
  "conditional",
  "service-linked",
] as const;

type Variant = "unset" | "subjectAuthorized" | "writerAuthorized";
const VARIANTS: readonly Variant[] = ["unset", "subjectAuthorized", "writerAuthorized"];

/** One first step out of the subject: the principal it leads to, how, and its evidence. */
interface Step {
  readonly to: string;
  readonly kind: string;
  readonly trust?: string;
  readonly grant?: string;
  readonly service?: string;
  readonly launch?: readonly string[];
  readonly conditional: boolean;
}

interface ReachCase {
  readonly id: string;
  readonly why: string;
  readonly covers: readonly string[];
  readonly snapshot: Record<string, unknown>;
  readonly subject: string;
  readonly writer: string | null;
  readonly expect: {
    readonly actsAs: readonly string[];
    readonly steps: readonly Step[];
    readonly inherited: typeof EVERY | Readonly<Record<string, "some" | "all">>;
    readonly verdicts: Readonly<Partial<Record<Variant, Compliance>>>;
    readonly annotation?: string;
  };
}

/** A fault in the corpus file itself, named by case and field. */
class CorpusFormatError extends Error {
  constructor(where: string, detail: string) {
    super(`reach-cases.json ${where}: ${detail}`);
    this.name = "CorpusFormatError";
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (!isRecord(value)) throw new CorpusFormatError(where, "must be an object");
  return value;
}

function text(value: unknown, where: string): string {
  if (typeof value !== "string") throw new CorpusFormatError(where, "must be a string");
  return value;
}

function texts(value: unknown, where: string): string[] {
  if (!Array.isArray(value)) throw new CorpusFormatError(where, "must be a list of strings");
  return value.map((item, i) => text(item, `${where}[${i}]`));
}

function onlyKeys(raw: Record<string, unknown>, known: readonly string[], where: string): void {
  for (const key of Object.keys(raw))
    if (!known.includes(key)) throw new CorpusFormatError(`${where}.${key}`, "is not a field of this format");
}

function isCompliance(value: unknown): value is Compliance {
  return COMPLIANCE.some((c) => c === value);
}

function readStep(raw: unknown, where: string): Step {
  const step = record(raw, where);
  onlyKeys(step, ["to", "kind", "trust", "grant", "service", "launch", "conditional"], where);
  const kind = text(step.kind, `${where}.kind`);
  if (!EDGE_KINDS.includes(kind)) throw new CorpusFormatError(`${where}.kind`, `${kind} is not a step kind`);
  if (typeof step.conditional !== "boolean")
    throw new CorpusFormatError(`${where}.conditional`, "must be a boolean");
  return {
    to: text(step.to, `${where}.to`),
    kind,
    ...(step.trust === undefined ? {} : { trust: text(step.trust, `${where}.trust`) }),
    ...(step.grant === undefined ? {} : { grant: text(step.grant, `${where}.grant`) }),
    ...(step.service === undefined ? {} : { service: text(step.service, `${where}.service`) }),
    ...(step.launch === undefined ? {} : { launch: texts(step.launch, `${where}.launch`) }),
    conditional: step.conditional,
  };
}

function readInherited(raw: unknown, where: string): ReachCase["expect"]["inherited"] {
  if (raw === EVERY) return EVERY;
  const map = record(raw, where);
  const out: Record<string, "some" | "all"> = {};
  for (const [action, scope] of Object.entries(map)) {
    if (scope !== "some" && scope !== "all")
      throw new CorpusFormatError(`${where}.${action}`, 'must be "some" or "all"');
    out[action] = scope;
  }
  return out;
}

function readCase(raw: unknown, index: number): ReachCase {
  const where = `[${index}]`;
  const c = record(raw, where);
  onlyKeys(c, ["id", "why", "covers", "snapshot", "subject", "writer", "expect"], where);
  const e = record(c.expect, `${where}.expect`);
  onlyKeys(e, ["actsAs", "steps", "inherited", "verdicts", "annotation"], `${where}.expect`);
  const v = record(e.verdicts, `${where}.expect.verdicts`);
  const verdicts: Partial<Record<Variant, Compliance>> = {};
  for (const [name, value] of Object.entries(v)) {
    const variant = VARIANTS.find((x) => x === name);
    if (variant === undefined)
      throw new CorpusFormatError(`${where}.expect.verdicts.${name}`, "unknown variant");
    if (!isCompliance(value))
      throw new CorpusFormatError(`${where}.expect.verdicts.${name}`, `${String(value)} is not a compliance`);
    verdicts[variant] = value;
  }
  if (!Array.isArray(e.steps)) throw new CorpusFormatError(`${where}.expect.steps`, "must be a list");
  return {
    id: text(c.id, `${where}.id`),
    why: text(c.why, `${where}.why`),
    covers: texts(c.covers, `${where}.covers`),
    snapshot: record(c.snapshot, `${where}.snapshot`),
    subject: text(c.subject, `${where}.subject`),
    writer: c.writer === null ? null : text(c.writer, `${where}.writer`),
    expect: {
      actsAs: texts(e.actsAs, `${where}.expect.actsAs`),
      steps: e.steps.map((s, i) => readStep(s, `${where}.expect.steps[${i}]`)),
      inherited: readInherited(e.inherited, `${where}.expect.inherited`),
      verdicts,
      ...(e.annotation === undefined ? {} : { annotation: text(e.annotation, `${where}.expect.annotation`) }),
    },
  };
}

function loadCorpus(): ReachCase[] {
  const json: unknown = JSON.parse(
    readFileSync(new URL("../../fixtures/corpus/reach-cases.json", import.meta.url), "utf8"),
  );
  if (!Array.isArray(json)) throw new CorpusFormatError("", "must be a list of cases");
  return json.map((raw, i) => readCase(raw, i));
}

const SCOPE = { accountId: ACCOUNT, partition: "aws" } as const;

/** The account of a case, read as `scan --snapshot` reads a snapshot file (a fresh copy each time). */
function factsOf(snapshot: Record<string, unknown>): SnapshotAccountFacts {
  return new SnapshotAccountFacts(parseSnapshot(structuredClone(snapshot)));
}

function graphOf(snapshot: Record<string, unknown>): Promise<ReachGraph> {
  return accountReach(factsOf(snapshot).iam(), SCOPE);
}

/** Every principal `subject` can act as, directly or through others. */
function actsAs(graph: ReachGraph, subject: string): string[] {
  return graph
    .principalArns()
    .filter((arn) => arn !== subject && graph.reachers(arn).has(subject))
    .sort();
}

function stepOf(first: ReachEdge, last: ReachEdge): Step {
  const trust = last.trust ?? first.trust;
  return {
    to: last.to,
    kind: first.kind,
    ...(trust === undefined ? {} : { trust: describeStatement(trust) }),
    ...(first.grant === undefined ? {} : { grant: describeStatement(first.grant, true) }),
    ...(first.service === undefined ? {} : { service: first.service }),
    ...(first.launch === undefined ? {} : { launch: [...first.launch] }),
    conditional: first.conditional || last.conditional,
  };
}

const byStep = (a: Step, b: Step) => `${a.to} ${a.kind}`.localeCompare(`${b.to} ${b.kind}`);

/** The subject's first steps, each to a principal: a step to a hub (a shared set of targets) is expanded. */
function stepsOf(graph: ReachGraph, subject: string): Step[] {
  const steps = new Map<string, Step>();
  for (const edge of graph.edgesFrom(subject)) {
    const lasts = edge.to.startsWith("hub:") ? graph.edgesFrom(edge.to) : [edge];
    for (const last of lasts) {
      if (last.to === subject) continue;
      const step = stepOf(edge, last);
      const key = `${step.to} ${step.kind}`;
      if (!steps.has(key)) steps.set(key, step);
    }
  }
  return [...steps.values()].sort(byStep);
}

function inheritedOf(graph: ReachGraph, subject: string): Record<string, "some" | "all"> {
  return Object.fromEntries(graph.inherited(subject).map((item) => [item.action, item.scope]));
}

function wantedInherited(graph: ReachGraph, wanted: ReachCase["expect"]["inherited"]) {
  return wanted === EVERY
    ? Object.fromEntries(graph.sensitiveActions.map((action) => [action, "all"]))
    : { ...wanted };
}

function contextOf(c: ReachCase, facts: SnapshotAccountFacts, variant: Variant): RuleContext {
  const authorized =
    variant === "subjectAuthorized" ? c.subject : variant === "writerAuthorized" ? c.writer : null;
  return {
    parameters: parseParameters(
      rule.parameters,
      authorized === null ? {} : { authorizedPrincipalArns: authorized },
    ),
    accountId: ACCOUNT,
    region: "us-east-1",
    partition: "aws",
    facts,
    ruleName: rule.name,
  };
}

/** The subject's verdict after a change of its item, and in a periodic sweep of the account. */
async function verdictsOf(c: ReachCase, variant: Variant) {
  const facts = factsOf(c.snapshot);
  const context = contextOf(c, facts, variant);
  const items = await accountItems(facts, {
    ...SCOPE,
    region: "us-east-1",
    captureTime: new Date(CAPTURE_TIME),
    resourceTypes: new Set(RESOURCE_TYPES),
  });
  const item = items.find((i) => i.arn === c.subject);
  if (item === undefined) throw new Error(`${c.id}: the snapshot has no ${c.subject}`);
  const change = await verdictOf(rule, item, context);
  const swept = (await sweepVerdicts(rule, context)).find((v) => v.resourceId === item.resourceId);
  if (swept === undefined) throw new Error(`${c.id}: the sweep gave no verdict on ${c.subject}`);
  return { change, sweep: swept.verdict };
}

/** Every user, role and group ARN a snapshot holds. */
function arnsOf(snapshot: Record<string, unknown>): Set<string> {
  return new Set(parseSnapshot(structuredClone(snapshot)).iam.principals.map((p) => p.arn));
}

const cases = loadCorpus();
const launchServices = new Set(LAUNCHES.map((row) => row.service));

describe("reach corpus", () => {
  describe("its own form", () => {
    it("holds at least 45 cases with unique ids and a reason each", () => {
      const ids = cases.map((c) => c.id);
      const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
      const unexplained = cases.filter((c) => c.why.trim().length < 40).map((c) => c.id);

      expect(cases.length).to.be.at.least(45);
      expect(repeated, "repeated ids").to.deep.equal([]);
      expect(unexplained, "cases without a why").to.deep.equal([]);
    });

    it("covers every path and shape of the reach semantics", () => {
      const used = new Set(cases.flatMap((c) => c.covers));

      expect(REQUIRED_COVERS.filter((tag) => !used.has(tag))).to.deep.equal([]);
    });

    it("passes roles to at least 8 services of the launch table, reached and not, and to one outside it", () => {
      const services = (reached: boolean) =>
        new Set(
          cases
            .filter((c) => c.covers.includes("pass-role") && c.expect.actsAs.length > 0 === reached)
            .flatMap((c) => c.covers.filter((t) => t.startsWith("service:")).map((t) => t.slice(8))),
        );
      const named = new Set(cases.flatMap((c) => c.covers.filter((t) => t.startsWith("service:"))));
      const inTable = [...named].map((t) => t.slice(8)).filter((s) => launchServices.has(s));
      const outside = [...named].map((t) => t.slice(8)).filter((s) => !launchServices.has(s));

      expect(inTable.length, "services of the table").to.be.at.least(8);
      expect(outside.length, "services outside the table").to.be.at.least(1);
      expect(services(true).size, "services reached").to.be.at.least(8);
      expect(services(false).size, "services not reached").to.be.at.least(3);
    });

    it("names only principals its snapshot holds, and chains of three hops or more", () => {
      const faults = cases.flatMap((c) => {
        const arns = arnsOf(c.snapshot);
        const named = [c.subject, ...(c.writer === null ? [] : [c.writer]), ...c.expect.actsAs];
        return [
          ...named.filter((arn) => !arns.has(arn)).map((arn) => `${c.id}: ${arn}`),
          ...c.expect.steps
            .filter((s) => !c.expect.actsAs.includes(s.to))
            .map((s) => `${c.id}: step ${s.to}`),
        ];
      });
      const chains = cases.filter((c) => c.covers.includes("chain"));

      expect(faults).to.deep.equal([]);
      expect(chains.length).to.be.at.least(2);
      expect(chains.every((c) => c.expect.actsAs.length >= 3)).to.equal(true);
    });

    it("gives each case the verdicts with and without authorizedPrincipalArns", () => {
      const missing = cases.filter(
        (c) =>
          c.expect.verdicts.unset === undefined ||
          c.expect.verdicts.subjectAuthorized === undefined ||
          (c.writer !== null && c.expect.verdicts.writerAuthorized === undefined),
      );

      expect(missing.map((c) => c.id)).to.deep.equal([]);
    });
  });

  describe("reach against the corpus", () => {
    for (const c of cases) {
      it(`reaches what ${c.id} states`, async () => {
        // Prepare
        const graph = await graphOf(c.snapshot);

        // Act
        const got = {
          actsAs: actsAs(graph, c.subject),
          steps: stepsOf(graph, c.subject),
          inherited: inheritedOf(graph, c.subject),
        };

        // Assess
        expect(got.actsAs, `acts as: ${c.why}`).to.deep.equal([...c.expect.actsAs].sort());
        expect(got.steps, `first steps: ${c.why}`).to.deep.equal([...c.expect.steps].sort(byStep));
        expect(got.inherited, `inherited: ${c.why}`).to.deep.equal(
          wantedInherited(graph, c.expect.inherited),
        );
      });
    }
  });

  describe("the principal rule against the corpus", () => {
    for (const c of cases) {
      it(`judges ${c.id} as the corpus states, on a change and in a sweep`, async () => {
        for (const variant of VARIANTS) {
          const wanted = c.expect.verdicts[variant];
          if (wanted === undefined) continue;
          // Act
          const { change, sweep } = await verdictsOf(c, variant);

          // Assess
          expect(change.compliance, `${variant} on a change: ${c.why} (${change.annotation})`).to.equal(
            wanted,
          );
          expect(sweep.compliance, `${variant} in a sweep: ${c.why} (${sweep.annotation})`).to.equal(wanted);
          if (variant === "unset" && c.expect.annotation !== undefined) {
            expect(change.annotation).to.include(c.expect.annotation);
            expect(sweep.annotation).to.include(c.expect.annotation);
          }
        }
      });
    }
  });
});

describe("reach properties over the corpus", () => {
  it("is transitive: whoever a principal can act as, it can act as whoever they can", async () => {
    const faults: string[] = [];
    for (const c of cases) {
      // Prepare
      const graph = await graphOf(c.snapshot);
      for (const p of graph.principalArns()) {
        // Act
        const reached = new Set(actsAs(graph, p));
        for (const q of reached) {
          for (const r of actsAs(graph, q))
            if (r !== p && !reached.has(r)) faults.push(`${c.id}: ${p} → ${q} → ${r}`);
        }
      }
    }

    // Assess
    expect(faults).to.deep.equal([]);
  });

  const REACH_ACTIONS = [
    "sts:AssumeRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:PassRole",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:PutRolePolicy",
    "iam:PutUserPolicy",
    "lambda:CreateFunction",
    "lambda:InvokeFunction",
    "ec2:RunInstances",
    "ecs:RunTask",
    "iam:CreateRole",
    "iam:*",
    "sts:*",
  ];
  const RESOURCES = [
    "*",
    `arn:aws:iam::${ACCOUNT}:role/*`,
    `arn:aws:iam::${ACCOUNT}:user/*`,
    `arn:aws:iam::${ACCOUNT}:role/ci`,
    `arn:aws:iam::${ACCOUNT}:role/plain`,
    `arn:aws:iam::${ACCOUNT}:user/bot`,
    `arn:aws:iam::${ACCOUNT}:role/h*`,
  ];
  const subjects = cases.filter((c) => !c.subject.includes(":group/"));
  const statement = (effect: "Allow" | "Deny") =>
    fc.record({
      Effect: fc.constant(effect),
      Action: fc.subarray(REACH_ACTIONS, { minLength: 1, maxLength: 3 }),
      Resource: fc.constantFrom(...RESOURCES),
    });

  /** The case's snapshot with one more inline policy on its subject. */
  function withStatement(c: ReachCase, added: object): Record<string, unknown> {
    const snapshot = structuredClone(c.snapshot);
    for (const [list, field] of [
      ["UserDetailList", "UserPolicyList"],
      ["RoleDetailList", "RolePolicyList"],
    ] as const) {
      const entries = snapshot[list];
      if (!Array.isArray(entries)) continue;
      for (const entry of entries) {
        if (!isRecord(entry) || entry.Arn !== c.subject) continue;
        const policies = Array.isArray(entry[field]) ? entry[field] : [];
        entry[field] = [
          ...policies,
          { PolicyName: "added", PolicyDocument: { Version: "2012-10-17", Statement: [added] } },
        ];
      }
    }
    return snapshot;
  }

  const rank = (scope: "some" | "all" | undefined) => (scope === "all" ? 2 : scope === "some" ? 1 : 0);

  it("is monotone in the subject's Allow statements: one more never takes a principal or an action away", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...subjects), statement("Allow"), async (c, added) => {
        const before = await graphOf(c.snapshot);
        const after = await graphOf(withStatement(c, added));
        const lost = actsAs(before, c.subject).filter((arn) => !actsAs(after, c.subject).includes(arn));
        const held = {
          before: await holdings(c.snapshot, c.subject),
          after: await holdings(withStatement(c, added), c.subject),
        };
        const weaker = [...held.before].filter(
          ([action, scope]) => rank(held.after.get(action)) < rank(scope),
        );
        expect(lost, `${c.id} + ${JSON.stringify(added)}`).to.deep.equal([]);
        expect(weaker, `${c.id} + ${JSON.stringify(added)}`).to.deep.equal([]);
      }),
      { numRuns: Number(process.env.REACH_RUNS ?? 80) },
    );
  });

  it("is antitone in the subject's unconditional Deny statements: one more never adds a principal", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...subjects), statement("Deny"), async (c, added) => {
        const before = await graphOf(c.snapshot);
        const after = await graphOf(withStatement(c, added));
        const gained = actsAs(after, c.subject).filter((arn) => !actsAs(before, c.subject).includes(arn));
        expect(gained, `${c.id} + ${JSON.stringify(added)}`).to.deep.equal([]);
      }),
      { numRuns: Number(process.env.REACH_RUNS ?? 80) },
    );
  });
});

/** What a principal holds, its own sensitive actions and what it inherits, each action at its broadest scope. */
async function holdings(
  snapshot: Record<string, unknown>,
  subject: string,
): Promise<Map<string, "some" | "all">> {
  const facts = factsOf(snapshot);
  const principal = (await facts.iam().everything()).principals.find((p) => p.arn === subject);
  if (principal === undefined) throw new Error(`no ${subject}`);
  const gathered = await gatherReachedPrincipal(principal, facts, SCOPE);
  const own = effectiveAccess(gathered, { ...SCOPE, exemptActions: [] });
  const held = new Map<string, "some" | "all">();
  const take = (action: string, scope: "some" | "all") => {
    if (held.get(action) !== "all") held.set(action, scope);
  };
  for (const grant of own.sensitive) take(grant.action, grant.scope);
  if (own.escalations.length > 0)
    for (const action of (await accountReach(facts.iam(), SCOPE)).sensitiveActions) take(action, "all");
  for (const item of gathered.inherited) take(item.action, item.scope);
  return held;
}
