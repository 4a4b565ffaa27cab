/**
 * `ecr-access-rules scan [--snapshot FILE | --live]` (docs/command-line.md): every rule over a whole
 * account, in one process, through the one evaluation path of the Lambda handlers (`runRule`): a rule with
 * a periodic trigger runs its sweep, a change-triggered rule runs once per resource on the configuration
 * item Config would record — what the deployed pack puts after a periodic run and a change of each
 * resource. Read-only: nothing is sent to Config.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { RULES } from "../rules/index.js";
import type { AccountFacts } from "../shared/account/facts.js";
import { WalkedIamFacts } from "../shared/account/iam.js";
import { accountItems } from "../shared/account/items.js";
import { ALL_READERS } from "../shared/account/readers.js";
import { parseSnapshot, SnapshotAccountFacts } from "../shared/account/snapshot.js";
import { ApiAccountFacts } from "../shared/account/sources.js";
import { type BaseClientConfig, ClientFactory } from "../shared/aws/clients.js";
import { toEvaluation } from "../shared/config/evaluation.js";
import type { ConfigurationItem } from "../shared/config/item.js";
import { parseParameters, RuleParameterError } from "../shared/config/parameters.js";
import { isObj, type Obj } from "../shared/config/read.js";
import type { Trigger } from "../shared/config/trigger.js";
import { EcrAccessRulesError } from "../shared/errors.js";
import { runRule } from "../shared/runtime/evaluate.js";
import type { Rule } from "../shared/runtime/rule.js";
import { formatTable, inputErrorMessage } from "./analyze.js";
import type { CliIo, ExitStatus } from "./common.js";
import { commandFailure, isArgumentError, PROGRAM } from "./common.js";
import { type EvaluationJson, evaluationJson } from "./evaluate.js";

export const SCAN_USAGE = `Usage: ${PROGRAM} scan (--snapshot FILE | --live) [options]

Runs every rule over a whole account and prints a summary (rule × verdicts), then each NON_COMPLIANT
resource with its annotation. Nothing is sent to Config.

Options:
  --snapshot FILE      an account snapshot: "aws iam get-account-authorization-details" output, with an
                       optional "ecr" section (see README)
  --live               read the account of the default credentials (read-only calls)
  --region NAME        the region of the ECR resources (default: the snapshot's, or AWS_REGION)
  --rules NAMES        comma-separated rule names (default: all)
  --parameters JSON    rule parameters: {"trustedOrganizationIds":"o-…"} goes to every rule that takes
                       it; {"<rule name>": {…}} to one rule
  --json               print JSON
  --exit-zero          exit 0 whatever the verdicts
  -h, --help           show this help

Exit status: 0 nothing NON_COMPLIANT, 1 something is, 2 bad input or a failed read.
`;

/** One `--json` evaluation: the rule's name and the fields of `evaluate --json`. */
export interface ScanEvaluationJson extends EvaluationJson {
  readonly configRuleName: string;
}

export interface ScanOptions {
  /** Client settings (tests point `endpoint` at a fake of AWS). */
  readonly clientConfig?: BaseClientConfig;
  /** The region for `--live` when `--region` is absent (default: AWS_REGION, AWS_DEFAULT_REGION). */
  readonly env?: NodeJS.ProcessEnv;
  /** Progress lines are printed once a scan has at least this many evaluations to make. */
  readonly progressThreshold?: number;
}

/** `executionRoleName` picks the role a deployed rule assumes; a scan reads the account of its credentials. */
function refuseExecutionRole(parameters: Obj, where: string): void {
  if ("executionRoleName" in parameters) {
    throw new RuleParameterError(
      where,
      "scan does not assume roles: it reads the account of the credentials it runs with (choose them with the AWS_PROFILE or AWS_* environment variables)",
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

interface Target {
  readonly facts: AccountFacts;
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
}

function readSnapshotTarget(file: string, region: string | undefined): Target {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    const message = inputErrorMessage(cause);
    if (message === undefined) throw cause;
    throw new EcrAccessRulesError(`--snapshot ${file}: ${message}`, { cause });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new EcrAccessRulesError(
      `--snapshot ${file} is not valid JSON: ${cause instanceof Error ? cause.message : cause}`,
    );
  }
  const snapshot = parseSnapshot(raw);
  const someArn =
    snapshot.iam.principals[0]?.arn ?? snapshot.iam.policies.find((p) => !p.arn.includes("::aws:"))?.arn;
  const fromRepository = snapshot.ecr?.repositories[0]?.arn.split(":")[4];
  const accountId = someArn?.split(":")[4] ?? fromRepository;
  if (accountId === undefined || accountId === "") {
    throw new EcrAccessRulesError(`--snapshot ${file}: no principal, policy or repository names the account`);
  }
  return {
    facts: new SnapshotAccountFacts(snapshot),
    accountId,
    region: region ?? snapshot.ecr?.region ?? "us-east-1",
    partition: someArn?.split(":")[1] ?? "aws",
  };
}

async function liveTarget(options: ScanOptions, region: string | undefined): Promise<Target> {
  const env = options.env ?? process.env;
  const chosen = region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (chosen === undefined)
    throw new EcrAccessRulesError("--live needs a region: --region NAME, or AWS_REGION");
  const factory = new ClientFactory(options.clientConfig ?? {});
  let identity: { Account?: string | undefined; Arn?: string | undefined };
  try {
    identity = await factory
      .sts({ accountId: "self", region: chosen, partition: "aws" })
      .send(new GetCallerIdentityCommand({}));
  } catch (cause) {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    throw new EcrAccessRulesError(
      `--live: sts:GetCallerIdentity failed (no usable credentials?): ${reason}`,
      { cause },
    );
  }
  const accountId = identity.Account;
  if (accountId === undefined)
    throw new EcrAccessRulesError("--live: sts:GetCallerIdentity returned no account");
  const partition = identity.Arn?.split(":")[1] ?? "aws";
  const api = new ApiAccountFacts(factory, { accountId, region: chosen, partition }, ALL_READERS);
  // One authorization-details walk serves every rule; Config's past evaluations are not the scan's business.
  const iam = new WalkedIamFacts(api.iam());
  return {
    facts: { ecr: (r) => api.ecr(r), iam: () => iam, evaluatedResources: async () => undefined },
    accountId,
    region: chosen,
    partition,
  };
}

/**
 * Runs `scan` and returns the exit status.
 *
 * @example
 * await runScan(["--snapshot", "examples/account-snapshot.json"], io);
 */
export async function runScan(
  args: readonly string[],
  io: CliIo,
  options: ScanOptions = {},
): Promise<ExitStatus> {
  const { fail, argumentError } = commandFailure("scan", io);
  let values: ReturnType<typeof parse>["values"];
  try {
    ({ values } = parse(args));
  } catch (error) {
    if (!isArgumentError(error)) throw error;
    return fail(argumentError(error));
  }
  if (values.help === true) {
    io.stdout.write(SCAN_USAGE);
    return 0;
  }
  if ((values.snapshot === undefined) === (values.live !== true))
    return fail("give exactly one of --snapshot FILE and --live");
  let rules: readonly Rule[] = RULES;
  if (values.rules !== undefined) {
    const names = values.rules.split(",").map((name) => name.trim());
    const unknown = names.filter((name) => !RULES.some((rule) => rule.name === name));
    if (unknown.length > 0) {
      return fail(
        `--rules: unknown rule ${unknown.join(", ")} (rules: ${RULES.map((r) => r.name).join(", ")})`,
      );
    }
    rules = RULES.filter((rule) => names.includes(rule.name));
  }
  try {
    let rawParameters: unknown = {};
    if (values.parameters !== undefined) {
      try {
        rawParameters = JSON.parse(values.parameters);
      } catch (cause) {
        return fail(`--parameters is not valid JSON: ${cause instanceof Error ? cause.message : cause}`);
      }
    }
    const byRule = parametersByRule(rawParameters, rules);
    const parameters = new Map(
      rules.map((rule) => [rule.name, parseParameters(rule.parameters, byRule.get(rule.name) ?? {})]),
    );
    const target =
      values.snapshot !== undefined
        ? readSnapshotTarget(values.snapshot, values.region)
        : await liveTarget(options, values.region);
    const captureTime = new Date();
    const items = await accountItems(target.facts, {
      ...target,
      captureTime,
      resourceTypes: new Set(rules.flatMap((rule) => rule.resourceTypes)),
    });
    const evaluations = await evaluateAll(
      rules,
      items,
      target,
      parameters,
      captureTime,
      io,
      options.progressThreshold ?? 2_000,
    );
    const names = new Map(
      items.map((item) => [`${item.resourceType}|${item.resourceId}`, item.resourceName ?? ""]),
    );
    io.stdout.write(
      values.json === true
        ? `${JSON.stringify({ evaluations }, null, 2)}\n`
        : formatHuman(rules, evaluations, names),
    );
    if (values["exit-zero"] === true) return 0;
    return evaluations.some((e) => e.complianceType === "NON_COMPLIANT") ? 1 : 0;
  } catch (error) {
    const message = inputErrorMessage(error);
    if (message === undefined) throw error;
    return fail(message);
  }
}

async function evaluateAll(
  rules: readonly Rule[],
  items: readonly ConfigurationItem[],
  target: Target,
  parameters: ReadonlyMap<string, ReturnType<typeof parseParameters>>,
  captureTime: Date,
  io: CliIo,
  progressThreshold: number,
): Promise<ScanEvaluationJson[]> {
  const work = rules.map((rule) => ({
    rule,
    items: items.filter((item) => rule.resourceTypes.includes(item.resourceType)),
  }));
  const total = work.reduce((sum, w) => sum + w.items.length, 0);
  const showProgress = total >= progressThreshold;
  const out: ScanEvaluationJson[] = [];
  let done = 0;
  for (const { rule, items: ruleItems } of work) {
    const ruleParameters = parameters.get(rule.name);
    if (ruleParameters === undefined) continue;
    const env = {
      facts: target.facts,
      scope: {
        accountId: target.accountId,
        region: target.region,
        partition: target.partition,
        ruleName: rule.name,
      },
      parameters: ruleParameters,
      fetchOversized: () => {
        throw new EcrAccessRulesError("scan builds whole items: nothing is oversized");
      },
      globalResourcesRegion: undefined,
    };
    // What the deployed rule would hold: a periodic rule's sweep, else one change per resource.
    const triggers: Trigger[] = rule.periodic
      ? [{ kind: "periodic", time: captureTime }]
      : ruleItems.map((item) => ({ kind: "change", item, leftScope: false }));
    for (const trigger of triggers) {
      const verdicts = await runRule(rule, trigger, env);
      for (const verdict of verdicts) {
        out.push({ configRuleName: rule.name, ...evaluationJson(toEvaluation(verdict)) });
      }
      const before = done;
      done += trigger.kind === "periodic" ? ruleItems.length : 1;
      if (showProgress && (Math.floor(done / 1000) > Math.floor(before / 1000) || done === total)) {
        io.stderr.write(`${PROGRAM} scan: ${done}/${total} evaluations (${rule.name})\n`);
      }
    }
  }
  return out;
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: false,
    strict: true,
    options: {
      snapshot: { type: "string" },
      live: { type: "boolean" },
      region: { type: "string" },
      rules: { type: "string" },
      parameters: { type: "string" },
      json: { type: "boolean" },
      "exit-zero": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

function formatHuman(
  rules: readonly Rule[],
  evaluations: readonly ScanEvaluationJson[],
  names: ReadonlyMap<string, string>,
): string {
  const count = (rule: string, type: string) =>
    String(evaluations.filter((e) => e.configRuleName === rule && e.complianceType === type).length);
  let out = formatTable([
    ["rule", "compliant", "non-compliant", "not applicable"],
    ...rules.map((rule) => [
      rule.name,
      count(rule.name, "COMPLIANT"),
      count(rule.name, "NON_COMPLIANT"),
      count(rule.name, "NOT_APPLICABLE"),
    ]),
  ]);
  const failing = evaluations.filter((e) => e.complianceType === "NON_COMPLIANT");
  if (failing.length === 0) return `${out}\nNothing is NON_COMPLIANT.\n`;
  out += `\nNON_COMPLIANT (${failing.length}):\n`;
  for (const e of failing) {
    const name = names.get(`${e.complianceResourceType}|${e.complianceResourceId}`);
    const resource =
      name && name !== e.complianceResourceId
        ? `${name} (${e.complianceResourceId})`
        : e.complianceResourceId;
    out += `\n${e.configRuleName}  ${e.complianceResourceType}  ${resource}\n  ${e.annotation ?? ""}\n`;
  }
  return out;
}
