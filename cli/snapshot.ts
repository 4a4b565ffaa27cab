/**
 * `ecr-access-rules snapshot --live [-o FILE]` (docs/command-line.md#snapshot): writes the account snapshot
 * `scan --snapshot` reads — every `GetAccountAuthorizationDetails` page, the AWS managed policies the
 * principals use (attached or as a permissions boundary) with their default versions, and the `ecr`
 * section of the region asked (repositories with their policies and tags, the registry policy and scanning
 * configuration). Read-only: Get, List and Describe calls only. Progress goes to stderr.
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
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { fromIni } from "@aws-sdk/credential-providers";
import { type BaseClientConfig, ClientFactory, type ClientTarget } from "../shared/aws/clients.js";
import { EcrAccessRulesError } from "../shared/errors.js";
import { inputErrorMessage } from "./analyze.js";
import type { CliIo, ExitStatus } from "./common.js";
import { commandFailure, isArgumentError, PROGRAM } from "./common.js";
import { profileRegion } from "./input.js";
import { progressFor, type TerminalSink } from "./terminal.js";

export const SNAPSHOT_USAGE = `Usage: ${PROGRAM} snapshot --live [options]

Writes the account snapshot that "${PROGRAM} scan --snapshot" reads: every
GetAccountAuthorizationDetails page, the AWS managed policies in use, and the ECR section of one region.
Read-only calls only; progress on stderr (on a terminal).

Options:
  --live               read the account of the credentials (the only source today)
  --profile NAME       the credentials and region of a profile of the shared AWS files
  --region NAME        the region of the ECR section (default: AWS_REGION, or the profile's)
  -o, --output FILE    write to FILE (default: standard output)
  -h, --help           show this help

Exit status: 0 written, 2 bad input or a failed read.
`;

export interface SnapshotOptions {
  readonly clientConfig?: BaseClientConfig;
  readonly env?: NodeJS.ProcessEnv;
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
 * Reads the snapshot of the account of `factory`'s credentials.
 *
 * @example
 * const snapshot = await readSnapshot(new ClientFactory(), target, progressFor(process.stderr, "snapshot"));
 */
export async function readSnapshot(
  factory: ClientFactory,
  target: ClientTarget,
  progress: ReturnType<typeof progressFor>,
): Promise<Record<string, unknown>> {
  const iam = factory.client(IAMClient, "IAM", target);
  const ecr = factory.client(ECRClient, "ECR", target);
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
    progress.update(pages.length, pages.length, "authorization details pages");
    marker = page.IsTruncated === true ? page.Marker : undefined;
  } while (marker !== undefined);
  const managed: Record<string, unknown>[] = [];
  const arns = [...awsManaged].sort();
  for (const [i, arn] of arns.entries()) {
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
    progress.update(i + 1, arns.length, "AWS managed policies");
  }
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
      progress.update(repositories.length, repositories.length, "repositories");
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
  progress.end();
  return {
    authorizationDetails: [
      ...pages,
      { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: managed },
    ],
    ecr: {
      region: target.region,
      registryScanningConfiguration: {
        scanType: scanning?.scanType ?? "BASIC",
        rules: scanning?.rules ?? [],
      },
      registryPolicy,
      repositories,
    },
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
  const { fail, argumentError } = commandFailure("snapshot", io);
  let values: ReturnType<typeof parse>["values"];
  try {
    ({ values } = parse(args));
  } catch (error) {
    if (!isArgumentError(error)) throw error;
    return fail(argumentError(error));
  }
  if (values.help === true) {
    io.stdout.write(SNAPSHOT_USAGE);
    return 0;
  }
  if (values.live !== true) return fail("give --live (a snapshot is read from a live account)");
  const env = options.env ?? process.env;
  const region =
    values.region ??
    env.AWS_REGION ??
    env.AWS_DEFAULT_REGION ??
    profileRegion(values.profile ?? env.AWS_PROFILE ?? "default", env);
  if (region === undefined)
    return fail("--live needs a region: --region NAME, AWS_REGION, or a region in the profile");
  try {
    const base: BaseClientConfig = {
      ...(options.clientConfig ?? {}),
      ...(values.profile !== undefined && options.clientConfig?.credentials === undefined
        ? { credentials: fromIni({ profile: values.profile }) }
        : {}),
    };
    const factory = new ClientFactory(base);
    const identity = await reading("sts:GetCallerIdentity", () =>
      factory.sts({ accountId: "self", region, partition: "aws" }).send(new GetCallerIdentityCommand({})),
    );
    const accountId = identity.Account;
    if (accountId === undefined) throw new EcrAccessRulesError("sts:GetCallerIdentity returned no account");
    const stderr: TerminalSink = io.stderr;
    const progress = progressFor(stderr, `${PROGRAM} snapshot`, 1);
    const snapshot = await readSnapshot(
      factory,
      { accountId, region, partition: identity.Arn?.split(":")[1] ?? "aws" },
      stderr.isTTY === true ? progress : { update: () => {}, end: () => {} },
    );
    const text = `${JSON.stringify(snapshot, null, 2)}\n`;
    if (values.output === undefined) io.stdout.write(text);
    else {
      try {
        writeFileSync(values.output, text);
      } catch (cause) {
        throw new EcrAccessRulesError(`-o ${values.output}: cannot write (${describe(cause)})`, { cause });
      }
      io.stderr.write(`${PROGRAM} snapshot: wrote ${values.output} (account ${accountId}, ${region})\n`);
    }
    return 0;
  } catch (error) {
    const message = inputErrorMessage(error);
    if (message === undefined) throw error;
    return fail(message);
  }
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
      output: { type: "string", short: "o" },
      help: { type: "boolean", short: "h" },
    },
  });
}
