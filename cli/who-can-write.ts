/**
 * `ecr-access-rules who-can-write [REPOSITORY…] (--snapshot FILE | --live)` (docs/command-line.md#who-can-write):
 * per repository, every principal and door that can perform a sensitive ECR action on it, with the path —
 * identity grants on the repository's ARN, its repository policy, and reach (who can act as a writer, back
 * to the doors of the writer roles' trust policies).
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { accountReach } from "../shared/account/reach-source.js";
import { ClientFactory } from "../shared/aws/clients.js";
import { EcrAccessRulesError } from "../shared/errors.js";
import { type RepositoryWriters, WritersIndex, type WritersRepository } from "../shared/reach/writers.js";
import { formatTable, inputErrorMessage } from "./analyze.js";
import { type CliIo, type ExitStatus, PROGRAM, startCommand, type TextSink } from "./common.js";
import { readProcessStdin } from "./input.js";
import { type AccountTarget, liveFacts, type ScanOptions, snapshotTarget } from "./scan.js";
import { whoCanWriteHtml } from "./who-can-write-html.js";

export const WHO_CAN_WRITE_USAGE = `Usage: ${PROGRAM} who-can-write [REPOSITORY…] (--snapshot FILE | --live) [options]

For each repository (every one of the account, or those named), every principal and door that can push,
delete or re-permission its images, per action, with the path: identity grants matched against the
repository's ARN and tags, its repository policy and the registry policy (less their Deny statements), and
who can act as those writers (roles they can assume or pass, and the doors of the writer roles' trust
policies: a GitHub subject, an EKS service account, a SAML provider, an account).

Options:
  --snapshot FILE      an account snapshot with an "ecr" section ("-" reads standard input)
  --live               read the account of the default credentials (read-only calls)
  --region NAME        the region of the repositories (default: the snapshot's, or AWS_REGION)
  --json               print {"repositories": [{"repositoryName", "repositoryArn", "writers": […]}]}
  --html FILE          also write one self-contained page (it loads nothing from the network): the
                       repositories, their writers and the paths between as a graph, searchable by
                       repository or principal; the table is then not printed (--json still is)
  -h, --help           show this help

Reference: docs/command-line.md#who-can-write. Exit status: 0 answered, 2 bad input or a failed read.
`;

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      snapshot: { type: "string" },
      live: { type: "boolean" },
      region: { type: "string" },
      json: { type: "boolean" },
      html: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

async function liveTarget(region: string | undefined, options: ScanOptions): Promise<AccountTarget> {
  const env = options.env ?? process.env;
  const chosen = region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (chosen === undefined)
    throw new EcrAccessRulesError("--live needs a region: --region NAME, or AWS_REGION");
  const factory = new ClientFactory(options.clientConfig ?? {});
  let identity: { Account?: string | undefined; Arn?: string | undefined };
  try {
    identity = await factory
      .client(STSClient, "STS", { accountId: "self", region: chosen, partition: "aws" })
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
  return {
    facts: liveFacts(factory, { accountId, region: chosen, partition }),
    accountId,
    partition,
    regions: [chosen],
    noEcr: undefined,
  };
}

/**
 * What `JSON.stringify({ repositories }, null, 2)` puts before the first repository and after the last:
 * one repository is written as that of a one-element list, less these, already indented.
 */
const OPENING = '{\n  "repositories": [\n';
const CLOSING = "\n  ]\n}";

/** A stream that says when its buffer is full (`write` returns `false`) and when it has drained. */
interface DrainableSink {
  write(text: string): unknown;
  once(event: "drain", listener: () => void): unknown;
}

function isDrainable(sink: TextSink): sink is DrainableSink {
  return "once" in sink && typeof sink.once === "function";
}

/** Waits, after a write the sink could not take at once, until it has drained (a pipe to a slow reader). */
async function drained(sink: TextSink, written: unknown): Promise<void> {
  if (written !== false || !isDrainable(sink)) return;
  await new Promise<void>((resolve) => {
    sink.once("drain", resolve);
  });
}

function formatText(results: readonly RepositoryWriters[]): string {
  let out = "";
  for (const repository of results) {
    out += `${repository.repositoryName}  (${repository.repositoryArn})\n`;
    if (repository.writers.length === 0) {
      out += "  no principal or door can write to it\n\n";
      continue;
    }
    out += formatTable([
      ["kind", "principal", "actions", "path"],
      ...repository.writers.map((w) => [
        w.kind,
        w.principal,
        w.actions.length > 3
          ? `${w.actions
              .slice(0, 3)
              .map((a) => a.replace(/^ecr:/u, ""))
              .join(", ")} +${w.actions.length - 3}`
          : w.actions.map((a) => a.replace(/^ecr:/u, "")).join(", "),
        w.path.join(" → "),
      ]),
    ]);
    out += "\n";
  }
  return out;
}

/**
 * Runs `who-can-write` and returns the exit status.
 *
 * @example
 * await runWhoCanWrite(["--snapshot", "examples/account-snapshot.json", "team-a/api"], io);
 */
export async function runWhoCanWrite(
  args: readonly string[],
  io: CliIo,
  options: ScanOptions = {},
): Promise<ExitStatus> {
  const start = startCommand("who-can-write", io, WHO_CAN_WRITE_USAGE, () => parse(args));
  if (start.kind === "done") return start.status;
  const { fail } = start;
  const { values, positionals } = start.parsed;
  if ((values.snapshot === undefined) === (values.live !== true))
    return fail("give exactly one of --snapshot FILE and --live");
  try {
    const target =
      values.snapshot !== undefined
        ? snapshotTarget(values.snapshot, values.region, readProcessStdin)
        : await liveTarget(values.region, options);
    if (target.noEcr !== undefined) return fail(`${target.noEcr}: who-can-write needs the repositories`);
    const region = target.regions[0] ?? "us-east-1";
    const ecr = target.facts.ecr(region);
    const repositories = await ecr.repositories();
    const unknown = positionals.filter((name) => !repositories.some((r) => r.name === name));
    if (unknown.length > 0)
      return fail(`no repository named ${unknown.join(", ")} in ${target.accountId} ${region}`);
    const chosen =
      positionals.length === 0 ? repositories : repositories.filter((r) => positionals.includes(r.name));
    const graph = await accountReach(target.facts.iam(), target);
    const registryPolicy = await ecr.registryPolicy();
    // Every read first (a failed one prints nothing), then one repository at a time, printed as it is
    // answered: the answer of a large account is larger than one string may hold. The JSON is byte for
    // byte `JSON.stringify({ repositories }, null, 2)`.
    const questions: WritersRepository[] = [];
    for (const repository of chosen) {
      questions.push({
        repositoryName: repository.name,
        repositoryArn: repository.arn,
        policy: await ecr.repositoryPolicy(repository.name),
        tags: await ecr.repositoryTags(repository),
        registryPolicy,
      });
    }
    const index = new WritersIndex(graph);
    const json = values.json === true;
    if (values.html !== undefined) {
      // The page holds the whole answer: built in memory (a picture of an account whose answer does not
      // fit in memory would not be readable either).
      const results = questions.map((question) => index.writersOf(question));
      const page = whoCanWriteHtml(results, { title: `${target.accountId} ${region}` });
      try {
        writeFileSync(values.html, page);
      } catch (cause) {
        return fail(`cannot write ${values.html}: ${cause instanceof Error ? cause.message : String(cause)}`);
      }
      if (!json) {
        const writers = new Set(results.flatMap((r) => r.writers.map((w) => `${w.kind}|${w.principal}`)));
        io.stdout.write(
          `wrote ${values.html}: ${results.length} repositories, ${writers.size} principals and doors (${Math.ceil(Buffer.byteLength(page) / 1024)} KiB)\n`,
        );
        return 0;
      }
    }
    if (json) io.stdout.write(chosen.length === 0 ? '{\n  "repositories": []\n}\n' : OPENING);
    for (const [i, question] of questions.entries()) {
      const answer = index.writersOf(question);
      const text = !json
        ? formatText([answer])
        : `${i === 0 ? "" : ",\n"}${JSON.stringify({ repositories: [answer] }, null, 2).slice(OPENING.length, -CLOSING.length)}`;
      await drained(io.stdout, io.stdout.write(text));
    }
    if (json && chosen.length > 0) io.stdout.write(`${CLOSING}\n`);
    return 0;
  } catch (error) {
    const message = inputErrorMessage(error);
    if (message === undefined) throw error;
    return fail(message);
  }
}
