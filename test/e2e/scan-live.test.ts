/**
 * End to end: the compiled `ecr-access-rules scan --live`, run as a child process against moto (endpoint from
 * the standard `AWS_ENDPOINT_URL`, dummy credentials from the environment), over an account of more than a
 * thousand principals seeded through the SDK — and `scan --snapshot` over a snapshot exported from the same
 * emulator must say exactly the same.
 *
 * moto quirks met here: `GetAccountAuthorizationDetails` ignores `MaxItems` (one page, `IsTruncated` false,
 * however many principals) and leaves out `PermissionsBoundary` on roles; both the live scan and the export
 * read it, so they agree. Skips, visibly, when moto is not installed (`scripts/install-emulator.sh`).
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import {
  BULK_ROLE_PREFIX,
  BULK_USER_PREFIX,
  exportSnapshot,
  MOTO_ACCOUNT,
  MOTO_CREDENTIALS,
  MOTO_MISSING,
  MOTO_REGION,
  type Moto,
  ORGANIZATION_ID,
  OTHER_ACCOUNT,
  type SeededAccount,
  seedAccount,
  startConfigGap,
  startMoto,
} from "../support/moto.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = join(ROOT, "dist/cli/ecr-access-rules.js");
/** Past one page of the 1,000 items the scan asks `GetAccountAuthorizationDetails` for. */
const BULK_USERS = 1_001;
const BULK_ROLES = 20;

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the compiled command line with only the given environment (plus PATH and HOME). */
function cli(args: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: process.env.HOME ?? "/tmp",
        NODE_NO_WARNINGS: "1",
        AWS_EC2_METADATA_DISABLED: "true",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

function liveEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    AWS_REGION: MOTO_REGION,
  };
}

interface Row {
  readonly configRuleName: string;
  readonly complianceResourceType: string;
  readonly complianceResourceId: string;
  readonly complianceType: string;
  readonly annotation: string | undefined;
}

function text(value: unknown, field: string): string {
  if (typeof value !== "string") throw new Error(`scan --json: ${field} is not a string`);
  return value;
}

/** `scan --json` output as rows without `orderingTimestamp` (each run's own clock), sorted. */
function rows(run: Run): Row[] {
  const parsed: unknown = JSON.parse(run.stdout);
  const list = typeof parsed === "object" && parsed !== null ? Reflect.get(parsed, "evaluations") : undefined;
  if (!Array.isArray(list)) throw new Error(`scan --json printed no evaluations:\n${run.stderr}`);
  return list
    .map((entry: unknown): Row => {
      const field = (name: string) =>
        typeof entry === "object" && entry !== null ? Reflect.get(entry, name) : undefined;
      const annotation = field("annotation");
      text(field("orderingTimestamp"), "orderingTimestamp");
      return {
        configRuleName: text(field("configRuleName"), "configRuleName"),
        complianceResourceType: text(field("complianceResourceType"), "complianceResourceType"),
        complianceResourceId: text(field("complianceResourceId"), "complianceResourceId"),
        complianceType: text(field("complianceType"), "complianceType"),
        annotation: annotation === undefined ? undefined : text(annotation, "annotation"),
      };
    })
    .sort((a, b) =>
      `${a.configRuleName}|${a.complianceResourceType}|${a.complianceResourceId}`.localeCompare(
        `${b.configRuleName}|${b.complianceResourceType}|${b.complianceResourceId}`,
      ),
    );
}

describe("e2e: ecr-access-rules scan --live against moto", function () {
  this.timeout(240_000);
  let moto: Moto | undefined;
  let dir = "";
  let snapshotFile = "";
  let seeded: SeededAccount | undefined;
  let exportedPages = 0;
  let exportedPrincipals = 0;

  const emulator = (): Moto => {
    if (moto === undefined) throw new Error("moto is not running");
    return moto;
  };
  /** Principal ids by `role/NAME`, `user/NAME`, `group/NAME`, from the exported snapshot. */
  const ids = new Map<string, string>();
  const idOf = (key: string): string => {
    const id = ids.get(key);
    if (id === undefined) throw new Error(`${key} is not in the exported snapshot`);
    return id;
  };

  before(async function () {
    moto = await startMoto();
    if (moto === undefined) {
      console.log(`      ${MOTO_MISSING}`);
      this.skip();
    }
    execFileSync(
      process.execPath,
      [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
      {
        cwd: ROOT,
        stdio: "pipe",
      },
    );
    await moto.reset();
    seeded = await seedAccount(moto.endpoint, { bulkUsers: BULK_USERS, bulkRoles: BULK_ROLES });
    const exported = await exportSnapshot(moto.endpoint, { pageSize: 100 });
    exportedPages = exported.gaadPages;
    for (const page of exported.snapshot.authorizationDetails) {
      for (const kind of ["User", "Role", "Group"]) {
        const list =
          typeof page === "object" && page !== null ? Reflect.get(page, `${kind}DetailList`) : undefined;
        for (const detail of Array.isArray(list) ? list : []) {
          const field = (name: string): unknown =>
            typeof detail === "object" && detail !== null ? Reflect.get(detail, name) : undefined;
          const name = field(`${kind}Name`);
          const id = field(`${kind}Id`);
          if (typeof name === "string" && typeof id === "string")
            ids.set(`${kind.toLowerCase()}/${name}`, id);
        }
      }
    }
    exportedPrincipals = ids.size;
    dir = mkdtempSync(join(tmpdir(), "e2e-scan-"));
    snapshotFile = join(dir, "snapshot.json");
    writeFileSync(snapshotFile, JSON.stringify(exported.snapshot));
  });
  after(async () => {
    await moto?.stop();
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  it(`the export walks GetAccountAuthorizationDetails (MaxItems 100) to every principal`, () => {
    const account = seeded;
    if (account === undefined) throw new Error("not seeded");
    expect(exportedPrincipals).to.equal(account.users + account.roles + account.groups);
    expect(exportedPrincipals).to.be.greaterThan(1_000);
    // moto ignores MaxItems: one page, whatever the size (real IAM would give ≥ 11 here).
    expect(exportedPages).to.be.at.least(1);
  });

  it("scan --live gives exactly what scan --snapshot gives over the exported snapshot", async () => {
    const [live, fromSnapshot] = await Promise.all([
      cli(["scan", "--live", "--region", MOTO_REGION, "--json"], liveEnv(emulator().endpoint)),
      cli(["scan", "--snapshot", snapshotFile, "--json"], {}),
    ]);
    expect(live.stderr, "scan --live stderr").to.equal("");
    expect(fromSnapshot.stderr, "scan --snapshot stderr").to.equal("");
    const liveRows = rows(live);
    const account = seeded;
    if (account === undefined) throw new Error("not seeded");
    const principals = account.users + account.roles + account.groups;
    // policy rule: customer policies; principal rule: every principal; trust rule: every role; two repository
    // rules; the registry policy.
    expect(liveRows).to.have.length(
      account.customerPolicies + principals + account.roles + 2 * account.repositories + 1,
    );
    expect(liveRows).to.deep.equal(rows(fromSnapshot));
    expect(live.status).to.equal(1);
    expect(fromSnapshot.status).to.equal(1);
  });

  it("flags the PowerUser role and the public repository, passes the ReadOnly role and the bulk readers", async () => {
    const live = rows(await cli(["scan", "--live", "--json"], liveEnv(emulator().endpoint)));
    const verdict = (rule: string, resourceType: string, match: (row: Row) => boolean) => {
      const found = live.filter(
        (r) => r.configRuleName === rule && r.complianceResourceType === resourceType && match(r),
      );
      expect(found, `${rule} ${resourceType}`).to.have.length.greaterThan(0);
      return [...new Set(found.map((r) => r.complianceType))];
    };
    const principal = "ecr-iam-principal-write-authorized";
    const named = (key: string) => (r: Row) => r.complianceResourceId === idOf(key);
    const bulk = (prefix: string) => {
      const bulkIds = new Set([...ids].filter(([key]) => key.startsWith(prefix)).map(([, id]) => id));
      return (r: Row) => bulkIds.has(r.complianceResourceId);
    };
    expect(verdict(principal, "AWS::IAM::Role", named("role/ecr-power-user"))).to.deep.equal([
      "NON_COMPLIANT",
    ]);
    expect(verdict(principal, "AWS::IAM::Role", named("role/ecr-read-only"))).to.deep.equal(["COMPLIANT"]);
    expect(verdict(principal, "AWS::IAM::User", named("user/alice"))).to.deep.equal(["NON_COMPLIANT"]);
    expect(verdict(principal, "AWS::IAM::Group", named("group/ecr-admins"))).to.deep.equal(["NON_COMPLIANT"]);
    expect(verdict(principal, "AWS::IAM::User", bulk(`user/${BULK_USER_PREFIX}`))).to.deep.equal([
      "COMPLIANT",
    ]);
    expect(verdict(principal, "AWS::IAM::Role", bulk(`role/${BULK_ROLE_PREFIX}`))).to.deep.equal([
      "COMPLIANT",
    ]);
    const byId = (id: string) => (r: Row) => r.complianceResourceId === id;
    expect(verdict("ecr-repository-policy-trusted", "AWS::ECR::Repository", byId("web"))).to.deep.equal([
      "NON_COMPLIANT",
    ]);
    expect(verdict("ecr-repository-policy-trusted", "AWS::ECR::Repository", byId("api"))).to.deep.equal([
      "COMPLIANT",
    ]);
    expect(
      verdict("ecr-repository-image-integrity", "AWS::ECR::Repository", byId("team-a/app")),
    ).to.deep.equal(["COMPLIANT"]);
    expect(
      verdict(
        "ecr-iam-policy-no-unscoped-write",
        "AWS::IAM::Policy",
        (r) => r.complianceType === "NON_COMPLIANT",
      ),
    ).to.have.length(1);
  });

  it("--parameters apply the same way live and from the snapshot", async () => {
    const parameters = JSON.stringify({
      trustedAccountIds: OTHER_ACCOUNT,
      trustedOrganizationIds: ORGANIZATION_ID,
      authorizedPrincipalArns: `arn:aws:iam::${MOTO_ACCOUNT}:role/release-*`,
    });
    const [live, fromSnapshot] = await Promise.all([
      cli(["scan", "--live", "--json", "--parameters", parameters], liveEnv(emulator().endpoint)),
      cli(["scan", "--snapshot", snapshotFile, "--json", "--parameters", parameters], {}),
    ]);
    const liveRows = rows(live);
    expect(liveRows).to.deep.equal(rows(fromSnapshot));
    const release = liveRows.find((r) => r.complianceResourceId === idOf("role/release-pipeline"));
    expect(release?.complianceType).to.equal("COMPLIANT");
    const trust = liveRows.filter((r) => r.configRuleName === "ecr-repository-policy-trusted");
    expect(
      trust.filter((r) => r.complianceType === "NON_COMPLIANT").map((r) => r.complianceResourceId),
    ).to.deep.equal(["web"]);
  });

  it("scan --live only reads: Get, List and Describe calls (seen by a recording proxy in front of moto)", async () => {
    const gap = await startConfigGap(emulator().endpoint, {});
    try {
      const live = await cli(["scan", "--live", "--json"], liveEnv(gap.endpoint));
      expect(rows(live)).to.have.length.greaterThan(1_000);
      const operations = [...new Set(gap.requests.map((r) => r.operation))].sort();
      expect(
        operations.every((op) => /^[A-Za-z]+\.(Get|List|Describe|BatchGet)/u.test(op)),
        operations.join(", "),
      ).to.equal(true);
      expect(operations).to.include.members([
        "STS.GetCallerIdentity",
        "IAM.GetAccountAuthorizationDetails",
        "ECR.DescribeRepositories",
      ]);
    } finally {
      await gap.stop();
    }
  });
});
