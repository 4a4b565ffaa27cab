/**
 * `ecr-access-rules snapshot --live [-o FILE]` (docs/command-line.md#snapshot): writes the account snapshot
 * `scan --snapshot` reads — every `GetAccountAuthorizationDetails` page, the AWS managed policies the
 * principals use (attached or as a permissions boundary) with their default versions, and the `ecr`
 * section of each region asked (repositories with their policies and tags, the registry policy and scanning
 * configuration): one section for one region, a list of them for several. Read-only: Get, List and
 * Describe calls only. Progress goes to stderr.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  DescribeRepositoriesCommand,
  ECRClient,
  GetRegistryPolicyCommand,
  GetRegistryScanningConfigurationCommand,
  GetRepositoryPolicyCommand,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-ecr";
import {
  GetAccountAuthorizationDetailsCommand,
  type GetAccountAuthorizationDetailsCommandOutput,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
} from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromIni } from "@aws-sdk/credential-providers";
import type { BaseClientConfig, ClientFactory, ClientTarget } from "../shared/aws/clients.js";
import { EcrAccessRulesError } from "../shared/errors.js";
import { inputErrorMessage } from "./analyze.js";
import type { CliIo, ExitStatus } from "./common.js";
import { PROGRAM, startCommand } from "./common.js";
import { ObservedClientFactory, ReadTally } from "./live-progress.js";
import { enabledRegions, regionChoice } from "./regions.js";
import { type ProgressOptions, progressFor, type TerminalSink } from "./terminal.js";

export const SNAPSHOT_USAGE = `Usage: ${PROGRAM} snapshot --live [options]

Writes the account snapshot that "${PROGRAM} scan --snapshot" reads: every
GetAccountAuthorizationDetails page, the AWS managed policies in use, and the ECR section of each region
asked. Read-only calls only; progress on stderr.

Options:
  --live               read the account of the credentials (the only source today)
  --profile NAME       the credentials and region of a profile of the shared AWS files
  --region NAME        the region of the ECR section (default: AWS_REGION, or the profile's)
  --regions LIST|all   comma-separated regions, or all: every region enabled for the account
                       (ec2:DescribeRegions); one ECR section per region, the first is the home region
  -o, --output FILE    write to FILE (default: standard output)
  -q, --quiet          no progress lines off a terminal
  -h, --help           show this help

Exit status: 0 written, 2 bad input or a failed read.
`;

export interface SnapshotOptions {
  readonly clientConfig?: BaseClientConfig;
  readonly env?: NodeJS.ProcessEnv;
  /** How progress is shown on stderr (tests fix the clock and the intervals). */
  readonly progress?: ProgressOptions;
}

function describe(cause: unknown): string {
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}

/** Runs one read, naming the call when it fails. */
async function reading<T>(call: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (cause) {
    throw new EcrAccessRulesError(`${call} failed: ${describe(cause)}`, { cause });
  }
}

/** A policy read that answers "none" with a named exception: `null` then. */
async function policyOrNull(
  call: string,
  notFound: string,
  read: () => Promise<string | undefined>,
): Promise<string | null> {
  try {
    return (await read()) ?? null;
  } catch (cause) {
    if (cause instanceof Error && cause.name === notFound) return null;
    throw new EcrAccessRulesError(`${call} failed: ${describe(cause)}`, { cause });
  }
}

const isAwsManaged = (arn: string | undefined): arn is string => arn?.split(":")[4] === "aws";

/**
 * Reads the snapshot of the account of `factory`'s credentials: IAM once, the ECR section of each of
 * `regions` in turn (an object for one region, a list for several).
 *
 * @example
 * const snapshot = await readSnapshot(new ClientFactory(), target, ["us-east-1", "eu-west-1"]);
 */
export async function readSnapshot(
  factory: ClientFactory,
  target: ClientTarget,
  regions: readonly string[] = [target.region],
): Promise<Record<string, unknown>> {
  const iam = factory.client(IAMClient, "IAM", target);
  const pages: Omit<GetAccountAuthorizationDetailsCommandOutput, "$metadata">[] = [];
  const awsManaged = new Set<string>();
  let marker: string | undefined;
  do {
    const page = await reading("iam:GetAccountAuthorizationDetails", () =>
      iam.send(
        new GetAccountAuthorizationDetailsCommand({
          Filter: ["User", "Role", "Group", "LocalManagedPolicy"],
          ...(marker === undefined ? {} : { Marker: marker }),
        }),
      ),
    );
    const { $metadata: _metadata, ...data } = page;
    pages.push(data);
    for (const principal of [
      ...(page.UserDetailList ?? []),
      ...(page.RoleDetailList ?? []),
      ...(page.GroupDetailList ?? []),
    ]) {
      for (const attached of principal.AttachedManagedPolicies ?? []) {
        if (isAwsManaged(attached.PolicyArn)) awsManaged.add(attached.PolicyArn);
      }
    }
    for (const principal of [...(page.UserDetailList ?? []), ...(page.RoleDetailList ?? [])]) {
      const boundary = principal.PermissionsBoundary?.PermissionsBoundaryArn;
      if (isAwsManaged(boundary)) awsManaged.add(boundary);
    }
    marker = page.IsTruncated === true ? page.Marker : undefined;
  } while (marker !== undefined);
  const managed: Record<string, unknown>[] = [];
  const arns = [...awsManaged].sort();
  for (const arn of arns) {
    const policy = (
      await reading(`iam:GetPolicy ${arn}`, () => iam.send(new GetPolicyCommand({ PolicyArn: arn })))
    ).Policy;
    if (policy === undefined) throw new EcrAccessRulesError(`iam:GetPolicy ${arn} returned no policy`);
    const version = (
      await reading(`iam:GetPolicyVersion ${arn}`, () =>
        iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy.DefaultVersionId })),
      )
    ).PolicyVersion;
    managed.push({ ...policy, PolicyVersionList: version === undefined ? [] : [version] });
  }
  const sections: Record<string, unknown>[] = [];
  for (const region of regions) sections.push(await readEcrSection(factory, { ...target, region }));
  return {
    authorizationDetails: [
      ...pages,
      { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: managed },
    ],
    ecr: sections.length === 1 ? sections[0] : sections,
  };
}

/** The `ecr` section of `target.region`. */
async function readEcrSection(
  factory: ClientFactory,
  target: ClientTarget,
): Promise<Record<string, unknown>> {
  const ecr = factory.client(ECRClient, "ECR", target);
  const repositories: Record<string, unknown>[] = [];
  let token: string | undefined;
  do {
    const page = await reading("ecr:DescribeRepositories", () =>
      ecr.send(new DescribeRepositoriesCommand(token === undefined ? {} : { nextToken: token })),
    );
    for (const repository of page.repositories ?? []) {
      const name = repository.repositoryName;
      if (name === undefined) continue;
      repositories.push({
        repositoryName: name,
        repositoryArn: repository.repositoryArn,
        imageTagMutability: repository.imageTagMutability,
        imageScanningConfiguration: {
          scanOnPush: repository.imageScanningConfiguration?.scanOnPush === true,
        },
        policyText: await policyOrNull(
          `ecr:GetRepositoryPolicy ${name}`,
          "RepositoryPolicyNotFoundException",
          async () => (await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: name }))).policyText,
        ),
        // DescribeRepositories returns no tags; who-can-write matches tag conditions against them.
        tags:
          (
            await reading(`ecr:ListTagsForResource ${name}`, () =>
              ecr.send(new ListTagsForResourceCommand({ resourceArn: repository.repositoryArn })),
            )
          ).tags?.map((tag) => ({ Key: tag.Key, Value: tag.Value })) ?? [],
      });
    }
    token = page.nextToken;
  } while (token !== undefined);
  const scanning = (
    await reading("ecr:GetRegistryScanningConfiguration", () =>
      ecr.send(new GetRegistryScanningConfigurationCommand({})),
    )
  ).scanningConfiguration;
  const registryPolicy = await policyOrNull(
    "ecr:GetRegistryPolicy",
    "RegistryPolicyNotFoundException",
    async () => (await ecr.send(new GetRegistryPolicyCommand({}))).policyText,
  );
  return {
    region: target.region,
    registryScanningConfiguration: {
      scanType: scanning?.scanType ?? "BASIC",
      rules: scanning?.rules ?? [],
    },
    registryPolicy,
    repositories,
  };
}

/**
 * Runs `snapshot` and returns the exit status.
 *
 * @example
 * await runSnapshot(["--live", "--region", "eu-west-1", "-o", "account.json"], io);
 */
export async function runSnapshot(
  args: readonly string[],
  io: CliIo,
  options: SnapshotOptions = {},
): Promise<ExitStatus> {
  const start = startCommand("snapshot", io, SNAPSHOT_USAGE, () => parse(args));
  if (start.kind === "done") return start.status;
  const { fail } = start;
  const { values } = start.parsed;
  if (values.live !== true) return fail("give --live (a snapshot is read from a live account)");
  const env = options.env ?? process.env;
  const stderr: TerminalSink = io.stderr;
  const clock = options.progress?.now ?? Date.now;
  const started = clock();
  const progress = progressFor(stderr, `${PROGRAM} snapshot`, {
    ...options.progress,
    now: clock,
    quiet: values.quiet === true,
  });
  try {
    const choice = regionChoice(values, env);
    const region = choice.kind === "listed" ? (choice.regions[0] ?? "") : choice.home;
    const base: BaseClientConfig = {
      ...(options.clientConfig ?? {}),
      ...(values.profile !== undefined && options.clientConfig?.credentials === undefined
        ? { credentials: fromIni({ profile: values.profile }) }
        : {}),
    };
    const tally = new ReadTally();
    const factory = new ObservedClientFactory(base, (call) => {
      tally.record(call);
      if (!tally.empty) progress.update({ label: tally.text() });
    });
    const identity = await reading("sts:GetCallerIdentity", () =>
      factory
        .client(STSClient, "STS", { accountId: "self", region, partition: "aws" })
        .send(new GetCallerIdentityCommand({})),
    );
    const accountId = identity.Account;
    if (accountId === undefined) throw new EcrAccessRulesError("sts:GetCallerIdentity returned no account");
    const target = { accountId, region, partition: identity.Arn?.split(":")[1] ?? "aws" };
    const regions = choice.kind === "listed" ? choice.regions : await enabledRegions(factory, target);
    let snapshot: Record<string, unknown>;
    try {
      snapshot = await readSnapshot(factory, target, regions);
    } catch (error) {
      progress.end();
      throw error;
    }
    progress.end(`${tally.text()} in ${((clock() - started) / 1000).toFixed(1)} s`);
    const text = `${JSON.stringify(snapshot, null, 2)}\n`;
    if (values.output === undefined) io.stdout.write(text);
    else {
      try {
        writeFileSync(values.output, text);
      } catch (cause) {
        throw new EcrAccessRulesError(`-o ${values.output}: cannot write (${describe(cause)})`, { cause });
      }
      io.stderr.write(
        `${PROGRAM} snapshot: wrote ${values.output} (account ${accountId}, ${regionsText(regions)})\n`,
      );
    }
    return 0;
  } catch (error) {
    const message = inputErrorMessage(error);
    if (message === undefined) throw error;
    return fail(message);
  }
}

/** `eu-west-1`; `2 regions: eu-west-1, us-east-1`; `17 regions, from us-east-1`. */
function regionsText(regions: readonly string[]): string {
  if (regions.length === 1) return regions[0] ?? "";
  return regions.length <= 4
    ? `${regions.length} regions: ${regions.join(", ")}`
    : `${regions.length} regions, from ${regions[0] ?? ""}`;
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: false,
    strict: true,
    options: {
      live: { type: "boolean" },
      profile: { type: "string" },
      region: { type: "string" },
      regions: { type: "string" },
      output: { type: "string", short: "o" },
      quiet: { type: "boolean", short: "q" },
      help: { type: "boolean", short: "h" },
    },
  });
}
