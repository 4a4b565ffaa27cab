/**
 * Which regions a command reads (docs/command-line.md#scan): `--region NAME`,
 * `--regions a,b` or `--regions all` (every region enabled for the account, from `ec2:DescribeRegions`), else
 * the default region (`AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`). The first region is the
 * home region: the IAM rules (IAM is global) run there, once.
 */
import type { DescribeRegionsCommandOutput } from "@aws-sdk/client-ec2";
import type { ClientFactory, ClientTarget } from "../shared/aws/clients.js";
import { EcrAccessRulesError } from "../shared/errors.js";
import { profileRegion } from "./input.js";

/** The regions asked: a list, or every enabled region with `home` first. */
export type RegionChoice =
  | { readonly kind: "listed"; readonly regions: readonly string[] }
  | { readonly kind: "enabled"; readonly home: string };

/** The options that choose regions. */
export interface RegionValues {
  readonly region?: string | undefined;
  readonly regions?: string | undefined;
  readonly profile?: string | undefined;
}

// us-east-1, eu-central-2, us-gov-west-1, cn-northwest-1, us-isob-east-1.
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/u;

/** The default region: the environment's, else the profile's in the shared config file. */
export function defaultRegion(profile: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return (
    env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? profileRegion(profile ?? env.AWS_PROFILE ?? "default", env)
  );
}

/**
 * Reads `--region` / `--regions` (with the environment's default region). Throws {@link EcrAccessRulesError}
 * naming the fault: both options, an empty list, a name that is not a region, no region at all.
 *
 * @example
 * regionChoice({ regions: "eu-west-1,us-east-1" }, process.env); // { kind: "listed", regions: ["eu-west-1", "us-east-1"] }
 * regionChoice({ regions: "all" }, { AWS_REGION: "eu-west-1" }); // { kind: "enabled", home: "eu-west-1" }
 */
export function regionChoice(values: RegionValues, env: NodeJS.ProcessEnv): RegionChoice {
  if (values.regions !== undefined && values.region !== undefined)
    throw new EcrAccessRulesError("give one of --region and --regions");
  if (values.regions?.trim() === "all") {
    const home = defaultRegion(values.profile, env);
    if (home === undefined)
      throw new EcrAccessRulesError(
        "--regions all needs a home region to ask ec2:DescribeRegions in (and to run the IAM rules in): set AWS_REGION or the profile's region, or list the regions",
      );
    return { kind: "enabled", home: checked("AWS_REGION", home) };
  }
  if (values.regions !== undefined) {
    const regions = [
      ...new Set(
        values.regions
          .split(",")
          .map((r) => r.trim())
          .filter((r) => r !== ""),
      ),
    ];
    if (regions.length === 0) throw new EcrAccessRulesError("--regions: no region given");
    if (regions.includes("all"))
      throw new EcrAccessRulesError("--regions: all stands alone (every enabled region), not in a list");
    return { kind: "listed", regions: regions.map((r) => checked("--regions", r)) };
  }
  const one = values.region ?? defaultRegion(values.profile, env);
  if (one === undefined)
    throw new EcrAccessRulesError(
      "--live needs a region: --region NAME, --regions LIST|all, AWS_REGION, or a region in the profile",
    );
  return { kind: "listed", regions: [checked(values.region === undefined ? "AWS_REGION" : "--region", one)] };
}

function checked(option: string, region: string): string {
  if (!REGION.test(region)) throw new EcrAccessRulesError(`${option}: not a region name: ${region}`);
  return region;
}

/**
 * The regions enabled for `target`'s account (`ec2:DescribeRegions`, which lists only those unless asked
 * for all), asked in `target.region`: that region first, the others in name order. The EC2 client is loaded
 * only here, so a command that does not ask for every region does not load it.
 *
 * @example
 * await enabledRegions(factory, { accountId: "111122223333", region: "eu-west-1", partition: "aws" });
 * // ["eu-west-1", "ap-northeast-1", …, "us-west-2"]
 */
export async function enabledRegions(factory: ClientFactory, target: ClientTarget): Promise<string[]> {
  const { DescribeRegionsCommand, EC2Client } = await import("@aws-sdk/client-ec2");
  let answer: DescribeRegionsCommandOutput;
  try {
    answer = await factory.client(EC2Client, "EC2", target).send(new DescribeRegionsCommand({}));
  } catch (cause) {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    throw new EcrAccessRulesError(`--regions all: ec2:DescribeRegions failed: ${reason}`, { cause });
  }
  const names = (answer.Regions ?? [])
    .filter((region) => region.OptInStatus !== "not-opted-in")
    .flatMap((region) => (region.RegionName === undefined ? [] : [region.RegionName]))
    .sort();
  if (names.length === 0)
    throw new EcrAccessRulesError("--regions all: ec2:DescribeRegions listed no enabled region");
  return names.includes(target.region)
    ? [target.region, ...names.filter((name) => name !== target.region)]
    : names;
}
