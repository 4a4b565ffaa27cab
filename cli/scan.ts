/**
 * `ecr-access-rules scan [--snapshot FILE | --live]` (docs/command-line.md#scan): every rule over whole
 * accounts, in one process, through the one evaluation path of the Lambda handlers (`runRule`): a rule with
 * a periodic trigger runs its sweep, a change-triggered rule runs once per resource on the configuration
 * item Config would record — what the deployed pack puts after a periodic run and a change of each
 * resource. Read-only: nothing is sent to Config. Many regions (`--regions`) and accounts (`--accounts`
 * with `--role-name`) are scanned with a bounded concurrency into one report; an account that fails is
 * reported and the others are still scanned.
 */
import { parseArgs } from "node:util";
import { OrganizationsClient, paginateListAccounts } from "@aws-sdk/client-organizations";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromIni } from "@aws-sdk/credential-providers";
import { RULES } from "../rules/index.js";
import type { AccountFacts } from "../shared/account/facts.js";
import { WalkedIamFacts } from "../shared/account/iam.js";
import { accountItems } from "../shared/account/items.js";
import { ALL_READERS } from "../shared/account/readers.js";
import { parseSnapshot, SnapshotAccountFacts } from "../shared/account/snapshot.js";
import { ApiAccountFacts } from "../shared/account/sources.js";
import type { BaseClientConfig, ClientFactory } from "../shared/aws/clients.js";
import type { ConfigurationItem } from "../shared/config/item.js";
import { parseParameters, RuleParameterError } from "../shared/config/parameters.js";
import { isObj, type Obj } from "../shared/config/read.js";
import type { Trigger } from "../shared/config/trigger.js";
import { EcrAccessRulesError } from "../shared/errors.js";
import { runRule } from "../shared/runtime/evaluate.js";
import type { Rule } from "../shared/runtime/rule.js";
import { inputErrorMessage } from "./analyze.js";
import type { CliIo, ExitStatus } from "./common.js";
import { PROGRAM, programVersion, startCommand } from "./common.js";
import { type Failure, type Finding, type Report, type Skipped, toFinding } from "./finding.js";
import { jsonOption, parseJsonInput, readInput, readProcessStdin, type StdinReader } from "./input.js";
import { type ObservedCall, ObservedClientFactory, plural, ReadTally } from "./live-progress.js";
import { enabledRegions, regionChoice } from "./regions.js";
import {
  exitStatus,
  filtered,
  REPORT_OPTIONS,
  REPORT_USAGE,
  reportChoice,
  writeReport,
} from "./report-options.js";
import { type Progress, type ProgressOptions, progressFor, type TerminalSink } from "./terminal.js";

export const SCAN_USAGE = `Usage: ${PROGRAM} scan (--snapshot FILE | --live) [options]

Runs every rule over whole accounts and prints a summary (rule × verdicts), then each NON_COMPLIANT
resource with its severity, the whole explanation and the remediation. Nothing is sent to Config.

Input:
  --snapshot FILE      an account snapshot ("${PROGRAM} snapshot", or a plain "aws iam
                       get-account-authorization-details" export: the ECR rules are then skipped);
                       - reads standard input
  --live               read live accounts (read-only calls)
  --profile NAME       the credentials and region of a profile of the shared AWS files
  --region NAME        one region (default: the snapshot's, AWS_REGION, or the profile's)
  --regions LIST|all   comma-separated regions, or all: every region enabled for the account
                       (ec2:DescribeRegions; of a snapshot, every region it holds); IAM rules run in
                       the first (all: the default region), ECR rules in each
  --accounts IDS       comma-separated account ids, each read through --role-name
  --organization       every active account of the caller's organization, through --role-name
  --role-name NAME     the role to assume in each of --accounts (read-only permissions)
  --concurrency N      accounts scanned at once (default 4)
Rules:
  --rules NAMES        comma-separated rule names (default: all; see "${PROGRAM} rules")
  --parameters JSON    rule parameters, inline or @FILE: {"trustedOrganizationIds":"o-…"} goes to every
                       rule that takes it; {"<rule name>": {…}} to one rule
${REPORT_USAGE}
  -h, --help           show this help

Exit status: 0 nothing NON_COMPLIANT (at or above --fail-on), 1 something is, 2 bad input, a failed
read, or an account that could not be scanned.
`;

export interface ScanOptions {
  /** Client settings (tests point `endpoint` at a fake of AWS). */
  readonly clientConfig?: BaseClientConfig;
  /** The environment: region (AWS_REGION, AWS_DEFAULT_REGION), NO_COLOR, COLUMNS, AWS_CONFIG_FILE. */
  readonly env?: NodeJS.ProcessEnv;
  /** How progress is shown on stderr (tests fix the clock and the intervals). */
  readonly progress?: ProgressOptions;
  /** Standard input, for `--snapshot -` and `--parameters @-`. */
  readonly stdin?: StdinReader;
  /** The run's time (tests fix it). */
  readonly now?: () => Date;
}

/** `executionRoleName` picks the role a deployed rule assumes; a scan takes --role-name. */
function refuseExecutionRole(parameters: Obj, where: string): void {
  if ("executionRoleName" in parameters) {
    throw new RuleParameterError(
      where,
      "scan does not assume roles through it: it reads the account of its credentials (--profile), or assumes --role-name in each of --accounts",
    );
  }
}

/**
 * Splits `--parameters` into each rule's raw parameters, rejecting names no selected rule takes (a
 * rule-name key of a rule `--rules` left out is accepted and unused).
 */
export function parametersByRule(raw: unknown, rules: readonly Rule[]): Map<string, Obj> {
  if (!isObj(raw)) throw new RuleParameterError("--parameters", "must be a JSON object");
  refuseExecutionRole(raw, "executionRoleName");
  const shared: Record<string, unknown> = {};
  const own = new Map<string, Obj>();
  for (const [key, value] of Object.entries(raw)) {
    const rule = rules.find((r) => r.name === key);
    if (rule !== undefined) {
      if (!isObj(value)) throw new RuleParameterError(key, "must be an object of that rule's parameters");
      refuseExecutionRole(value, `${key}.executionRoleName`);
      own.set(key, value);
    } else if (!RULES.some((r) => r.name === key)) {
      const takers = rules.filter((r) => r.parameters.some((p) => p.name === key));
      if (takers.length === 0) {
        throw new RuleParameterError(
          key,
          `no selected rule takes it (rules: ${rules.map((r) => r.name).join(", ")})`,
        );
      }
      shared[key] = value;
    }
  }
  const out = new Map<string, Obj>();
  for (const rule of rules) {
    const accepted = Object.fromEntries(
      Object.entries(shared).filter(([key]) => rule.parameters.some((p) => p.name === key)),
    );
    out.set(rule.name, { ...accepted, ...(own.get(rule.name) ?? {}) });
  }
  return out;
}

/** One account to read: its facts, where it is, and whether it has ECR facts. */
export interface AccountTarget {
  readonly facts: AccountFacts;
  readonly accountId: string;
  readonly partition: string;
  /** The regions its ECR rules run in; the IAM rules run in the first. */
  readonly regions: readonly string[];
  /** `--regions all`: asks the account for its enabled regions, which replace `regions`. */
  readonly enabledRegions?: () => Promise<readonly string[]>;
  /** Why the ECR rules cannot run here (a plain IAM export), or `undefined`. */
  readonly noEcr: string | undefined;
}

const isEcrRule = (rule: Rule): boolean => rule.resourceTypes.some((type) => type.startsWith("AWS::ECR::"));

/**
 * The regions of a snapshot scan: `--region`, the `--regions` list, or every region the snapshot's `ecr`
 * sections hold (`--regions all` or neither option), each of which it must hold.
 */
function snapshotRegions(
  file: string,
  held: readonly string[],
  region: string | undefined,
  regions: string | undefined,
): string[] {
  if (region !== undefined && regions !== undefined)
    throw new EcrAccessRulesError("give one of --region and --regions");
  const asked =
    region !== undefined
      ? [region]
      : regions === undefined || regions.trim() === "all"
        ? []
        : [
            ...new Set(
              regions
                .split(",")
                .map((r) => r.trim())
                .filter((r) => r !== ""),
            ),
          ];
  if (regions !== undefined && regions.trim() !== "all" && asked.length === 0)
    throw new EcrAccessRulesError("--regions: no region given");
  if (asked.length === 0) return held.length > 0 ? [...held] : ["us-east-1"];
  const missing = held.length === 0 ? [] : asked.filter((r) => !held.includes(r));
  if (missing.length > 0) {
    throw new EcrAccessRulesError(
      `${region !== undefined ? "--region" : "--regions"}: --snapshot ${file} has no ecr section for ${missing.join(", ")} (it holds ${held.join(", ")})`,
    );
  }
  return asked;
}

/**
 * The account of a snapshot file (or `-` for standard input), scanned in `region`, the `regions` list (or
 * `all`), or by default every region the snapshot holds.
 */
export function snapshotTarget(
  file: string,
  region: string | undefined,
  stdin: StdinReader,
  regions?: string,
): AccountTarget {
  const raw = parseJsonInput("--snapshot", file, readInput("--snapshot", file, stdin));
  const snapshot = parseSnapshot(raw);
  const someArn =
    snapshot.iam.principals[0]?.arn ?? snapshot.iam.policies.find((p) => !p.arn.includes("::aws:"))?.arn;
  const fromRepository = snapshot.ecr.flatMap((section) => section.repositories)[0]?.arn.split(":")[4];
  const accountId = someArn?.split(":")[4] ?? fromRepository;
  if (accountId === undefined || accountId === "") {
    throw new EcrAccessRulesError(`--snapshot ${file}: no principal, policy or repository names the account`);
  }
  return {
    facts: new SnapshotAccountFacts(snapshot),
    accountId,
    partition: someArn?.split(":")[1] ?? "aws",
    regions: snapshotRegions(
      file,
      snapshot.ecr.map((section) => section.region),
      region,
      regions,
    ),
    noEcr:
      snapshot.ecr.length === 0
        ? 'the snapshot has no "ecr" section (a plain get-account-authorization-details export)'
        : undefined,
  };
}

/** Live facts of one account: one authorization-details walk serves every rule. */
export function liveFacts(
  factory: ClientFactory,
  target: { accountId: string; region: string; partition: string; roleName?: string },
): AccountFacts {
  const api = new ApiAccountFacts(factory, target, ALL_READERS);
  const iam = new WalkedIamFacts(api.iam());
  // Config's past evaluations are not the scan's business.
  return { ecr: (r) => api.ecr(r), iam: () => iam, evaluatedResources: async () => undefined };
}

function describe(cause: unknown): string {
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}

/** An error an AWS service answered (the SDK's errors carry `$metadata`). */
function isServiceError(cause: unknown): cause is Error {
  return cause instanceof Error && "$metadata" in cause;
}

/** Runs `work` over `inputs` with at most `limit` at once, keeping the inputs' order in the results. */
async function pooled<I, O>(
  inputs: readonly I[],
  limit: number,
  work: (input: I) => Promise<O>,
): Promise<O[]> {
  const results: O[] = new Array(inputs.length);
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const i = next++;
      const input = inputs[i];
      if (input !== undefined) results[i] = await work(input);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, inputs.length)) }, worker));
  return results;
}

interface AccountResult {
  readonly findings: Finding[];
  readonly skipped: Skipped[];
  readonly failures: Failure[];
}

interface RunContext {
  readonly rules: readonly Rule[];
  readonly parameters: ReadonlyMap<string, ReturnType<typeof parseParameters>>;
  readonly captureTime: Date;
  readonly tracker: ScanProgress;
}

/**
 * The scan's progress: accounts, rule runs (a rule in a region: their number is known as soon as an
 * account's regions are, so the bar never moves back), evaluations, and what live reads have read.
 */
class ScanProgress {
  evaluations = 0;
  runsDone = 0;
  runsTotal = 0;
  accountsDone = 0;
  private readonly regions = new Set<string>();

  constructor(
    private readonly progress: Progress,
    private readonly tally: ReadTally,
    private readonly accounts: number,
    private readonly started: number,
    private readonly now: () => number,
  ) {}

  region(accountId: string, region: string): void {
    this.regions.add(`${accountId}|${region}`);
  }

  private counts(): string[] {
    const reads = this.tally.text();
    return [plural(this.evaluations, "evaluation"), ...(reads === "" ? [] : [reads])];
  }

  /** Redraws (on a terminal) or, for a milestone, prints a line (off one). */
  show(milestone = false): void {
    if (this.accounts > 1) {
      const label = ["accounts", ...this.counts()].join(" · ");
      this.progress.update({ done: this.accountsDone, total: this.accounts, label, milestone });
    } else if (this.runsTotal > 0) {
      const label = ["rule runs", ...this.counts()].join(" · ");
      this.progress.update({ done: this.runsDone, total: this.runsTotal, label, milestone });
    } else {
      this.progress.update({ label: ["reading", ...this.counts()].join(" · "), milestone });
    }
  }

  end(): void {
    const seconds = ((this.now() - this.started) / 1000).toFixed(1);
    const [evaluations, ...reads] = this.counts();
    this.progress.end(
      [
        `${evaluations} in ${seconds} s`,
        plural(this.accounts, "account"),
        plural(this.regions.size, "region"),
        ...reads,
      ].join(" · "),
    );
  }
}

async function evaluateRule(
  rule: Rule,
  items: readonly ConfigurationItem[],
  target: AccountTarget,
  region: string,
  context: RunContext,
): Promise<Finding[]> {
  const ruleParameters = context.parameters.get(rule.name);
  if (ruleParameters === undefined) return [];
  const ruleItems = items.filter((item) => rule.resourceTypes.includes(item.resourceType));
  const names = new Map(
    items.map((item) => [
      `${item.resourceType}|${item.resourceId}`,
      { resourceName: item.resourceName, resourceArn: item.arn },
    ]),
  );
  const where = { accountId: target.accountId, region, partition: target.partition };
  const env = {
    facts: target.facts,
    scope: { ...where, ruleName: rule.name },
    parameters: ruleParameters,
    fetchOversized: () => {
      throw new EcrAccessRulesError("scan builds whole items: nothing is oversized");
    },
    globalResourcesRegion: undefined,
  };
  // What the deployed rule would hold: a periodic rule's sweep, else one change per resource.
  const triggers: Trigger[] = rule.periodic
    ? [{ kind: "periodic", time: context.captureTime }]
    : ruleItems.map((item) => ({ kind: "change", item, leftScope: false }));
  const out: Finding[] = [];
  const tracker = context.tracker;
  for (const trigger of triggers) {
    const verdicts = await runRule(rule, trigger, env);
    for (const verdict of verdicts) {
      out.push(toFinding(rule, verdict, where, names.get(`${verdict.resourceType}|${verdict.resourceId}`)));
    }
    tracker.evaluations += verdicts.length;
    tracker.show();
  }
  tracker.runsDone += 1;
  tracker.show();
  return out;
}

async function scanAccount(target: AccountTarget, context: RunContext): Promise<AccountResult> {
  const result: AccountResult = { findings: [], skipped: [], failures: [] };
  const regions = target.enabledRegions === undefined ? target.regions : await target.enabledRegions();
  const [first] = regions;
  if (first === undefined) return result;
  for (const region of regions) context.tracker.region(target.accountId, region);
  const iamRules = context.rules.filter((rule) => !isEcrRule(rule));
  const ecrRules = context.rules.filter(isEcrRule);
  context.tracker.runsTotal +=
    iamRules.length + (target.noEcr === undefined ? ecrRules.length * regions.length : 0);
  const items = (region: string, rules: readonly Rule[]) =>
    accountItems(target.facts, {
      accountId: target.accountId,
      region,
      partition: target.partition,
      captureTime: context.captureTime,
      resourceTypes: new Set(rules.flatMap((rule) => rule.resourceTypes)),
    });
  if (iamRules.length > 0) {
    const iamItems = await items(first, iamRules);
    for (const rule of iamRules)
      result.findings.push(...(await evaluateRule(rule, iamItems, target, first, context)));
  }
  for (const region of ecrRules.length > 0 ? regions : []) {
    if (target.noEcr !== undefined) {
      for (const rule of ecrRules)
        result.skipped.push({ rule: rule.name, accountId: target.accountId, region, reason: target.noEcr });
      continue;
    }
    const ecrItems = await items(region, ecrRules);
    for (const rule of ecrRules)
      result.findings.push(...(await evaluateRule(rule, ecrItems, target, region, context)));
  }
  return result;
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: false,
    strict: true,
    options: {
      snapshot: { type: "string" },
      live: { type: "boolean" },
      profile: { type: "string" },
      region: { type: "string" },
      regions: { type: "string" },
      accounts: { type: "string" },
      organization: { type: "boolean" },
      "role-name": { type: "string" },
      concurrency: { type: "string" },
      rules: { type: "string" },
      parameters: { type: "string" },
      ...REPORT_OPTIONS,
      help: { type: "boolean", short: "h" },
    },
  });
}

type Values = ReturnType<typeof parse>["values"];

function selectedRules(names: string | undefined): readonly Rule[] {
  if (names === undefined) return RULES;
  const wanted = names.split(",").map((name) => name.trim());
  const unknown = wanted.filter((name) => !RULES.some((rule) => rule.name === name));
  if (unknown.length > 0) {
    throw new EcrAccessRulesError(
      `--rules: unknown rule ${unknown.join(", ")} (rules: ${RULES.map((r) => r.name).join(", ")})`,
    );
  }
  return RULES.filter((rule) => wanted.includes(rule.name));
}

/** The active accounts of the caller's organization (`organizations:ListAccounts`, from the management account or a delegated administrator). */
async function organizationAccounts(factory: ClientFactory, region: string): Promise<string[]> {
  const client = factory.client(OrganizationsClient, "Organizations", {
    accountId: "self",
    region,
    partition: "aws",
  });
  const ids: string[] = [];
  try {
    for await (const page of paginateListAccounts({ client }, {})) {
      for (const account of page.Accounts ?? []) {
        if (account.Id !== undefined && (account.State ?? account.Status) === "ACTIVE") ids.push(account.Id);
      }
    }
  } catch (cause) {
    throw new EcrAccessRulesError(`--organization: organizations:ListAccounts failed: ${describe(cause)}`, {
      cause,
    });
  }
  if (ids.length === 0)
    throw new EcrAccessRulesError("--organization: organizations:ListAccounts listed no active account");
  return ids.sort();
}

/** The live accounts to scan, and one stderr line per account that could not be reached. */
async function liveTargets(
  values: Values,
  options: ScanOptions,
  env: NodeJS.ProcessEnv,
  observe: (call: ObservedCall) => void,
): Promise<AccountTarget[]> {
  const choice = regionChoice(values, env);
  const regions = choice.kind === "listed" ? choice.regions : [choice.home];
  const [first] = regions;
  if (first === undefined) return [];
  const base: BaseClientConfig = {
    ...(options.clientConfig ?? {}),
    ...(values.profile !== undefined && options.clientConfig?.credentials === undefined
      ? { credentials: fromIni({ profile: values.profile }) }
      : {}),
  };
  const roleName = values["role-name"];
  const many = values.accounts !== undefined || values.organization === true;
  if (values.accounts !== undefined && values.organization === true)
    throw new EcrAccessRulesError("give one of --accounts and --organization");
  if (!many && roleName !== undefined)
    throw new EcrAccessRulesError("--role-name goes with --accounts or --organization");
  if (many && roleName === undefined)
    throw new EcrAccessRulesError(
      `${values.organization === true ? "--organization" : "--accounts"} needs --role-name: the role to assume in each account`,
    );
  const ids = [
    ...new Set(
      (values.accounts ?? "")
        .split(",")
        .map((id) => id.trim())
        .filter((id) => id !== ""),
    ),
  ];
  const bad = ids.filter((id) => !/^\d{12}$/u.test(id));
  if (bad.length > 0)
    throw new EcrAccessRulesError(`--accounts: not a 12-digit account id: ${bad.join(", ")}`);
  const factory = new ObservedClientFactory(base, observe);
  let identity: { Account?: string | undefined; Arn?: string | undefined };
  try {
    identity = await factory
      .client(STSClient, "STS", { accountId: "self", region: first, partition: "aws" })
      .send(new GetCallerIdentityCommand({}));
  } catch (cause) {
    throw new EcrAccessRulesError(
      `--live: sts:GetCallerIdentity failed (no usable credentials?): ${describe(cause)}`,
      { cause },
    );
  }
  const own = identity.Account;
  if (own === undefined) throw new EcrAccessRulesError("--live: sts:GetCallerIdentity returned no account");
  const partition = identity.Arn?.split(":")[1] ?? "aws";
  if (values.organization === true) ids.push(...(await organizationAccounts(factory, first)));
  const target = (accountId: string, role: string | undefined): AccountTarget => {
    const where = { accountId, region: first, partition, ...(role === undefined ? {} : { roleName: role }) };
    return {
      facts: liveFacts(factory, where),
      accountId,
      partition,
      regions,
      ...(choice.kind === "enabled" ? { enabledRegions: () => enabledRegions(factory, where) } : {}),
      noEcr: undefined,
    };
  };
  if (!many || roleName === undefined) return [target(own, undefined)];
  return ids.map((accountId) => target(accountId, roleName));
}

/**
 * Runs `scan` and returns the exit status.
 *
 * @example
 * await runScan(["--snapshot", "examples/account-snapshot.json", "--format", "sarif"], io);
 */
export async function runScan(
  args: readonly string[],
  io: CliIo,
  options: ScanOptions = {},
): Promise<ExitStatus> {
  const start = startCommand("scan", io, SCAN_USAGE, () => parse(args));
  if (start.kind === "done") return start.status;
  const { fail } = start;
  const values: Values = start.parsed.values;
  if ((values.snapshot === undefined) === (values.live !== true))
    return fail("give exactly one of --snapshot FILE and --live");
  const env = options.env ?? process.env;
  const stdin = options.stdin ?? readProcessStdin;
  try {
    const choice = reportChoice(values);
    const rules = selectedRules(values.rules);
    const concurrency = values.concurrency === undefined ? 4 : Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
      throw new EcrAccessRulesError("--concurrency: a whole number from 1 to 64");
    const rawParameters =
      values.parameters === undefined ? {} : jsonOption("--parameters", values.parameters, stdin);
    const byRule = parametersByRule(rawParameters, rules);
    const parameters = new Map(
      rules.map((rule) => [rule.name, parseParameters(rule.parameters, byRule.get(rule.name) ?? {})]),
    );
    if (values.snapshot !== undefined) {
      for (const option of ["profile", "accounts", "role-name", "organization"] as const) {
        if (values[option] !== undefined)
          throw new EcrAccessRulesError(`--${option} goes with --live, not --snapshot`);
      }
    }
    const stderr: TerminalSink = io.stderr;
    const clock = options.progress?.now ?? Date.now;
    const started = clock();
    const bar = progressFor(stderr, `${PROGRAM} scan`, {
      ...options.progress,
      now: clock,
      quiet: values.quiet === true,
    });
    const tally = new ReadTally();
    let tracker: ScanProgress | undefined;
    const targets =
      values.snapshot !== undefined
        ? [snapshotTarget(values.snapshot, values.region, stdin, values.regions)]
        : await liveTargets(values, options, env, (call) => {
            tally.record(call);
            tracker?.show();
          });
    tracker = new ScanProgress(bar, tally, targets.length, started, clock);
    const context: RunContext = {
      rules,
      parameters,
      captureTime: (options.now ?? (() => new Date()))(),
      tracker,
    };
    const many = targets.length > 1;
    const scanned = pooled(targets, concurrency, async (target): Promise<AccountResult> => {
      if (!many) return scanAccount(target, context);
      try {
        const result = await scanAccount(target, context);
        tracker.accountsDone += 1;
        tracker.show(true);
        return result;
      } catch (cause) {
        // An account's own fault (a denied AssumeRole, a failed read) is reported; a bug still propagates.
        const message = inputErrorMessage(cause) ?? (isServiceError(cause) ? describe(cause) : undefined);
        if (message === undefined) throw cause;
        bar.note(`${PROGRAM} scan: account ${target.accountId} was not scanned: ${message}`);
        tracker.accountsDone += 1;
        tracker.show(true);
        return {
          findings: [],
          skipped: [],
          failures: [{ accountId: target.accountId, region: undefined, message }],
        };
      }
    });
    let results: AccountResult[];
    try {
      results = await scanned;
    } catch (error) {
      bar.end();
      throw error;
    }
    tracker.end();
    const skipped = results.flatMap((r) => r.skipped);
    if (skipped.length > 0) {
      const names = [...new Set(skipped.map((s) => s.rule))].join(", ");
      io.stderr.write(`${PROGRAM} scan: ${names} skipped: ${skipped[0]?.reason ?? ""}\n`);
    }
    const report: Report = filtered(
      {
        rules,
        findings: results.flatMap((r) => r.findings),
        skipped,
        failures: results.flatMap((r) => r.failures),
        generatedAt: context.captureTime,
        version: programVersion(),
      },
      choice,
    );
    writeReport(report, choice, io, env);
    return exitStatus(report, choice);
  } catch (error) {
    const message = inputErrorMessage(error);
    if (message === undefined) throw error;
    return fail(message);
  }
}
