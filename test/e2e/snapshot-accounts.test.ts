/**
 * End to end against moto: `snapshot --live` writes what `scan --snapshot` reads, and the scan of it says
 * exactly what `scan --live` says; `scan --live --accounts A,B,C --role-name NAME` assumes the role in each
 * account, merges their findings into one report, and reports an account whose AssumeRole is denied (by
 * an HTTP proxy in front of moto, which does not enforce trust policies) while the others are scanned.
 * Skips, visibly, when moto is not installed (`scripts/install-emulator.sh`).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateRepositoryCommand, ECRClient } from "@aws-sdk/client-ecr";
import { AttachUserPolicyCommand, CreateUserCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { expect } from "chai";
import type { ReportJson } from "../../cli/formats/json.js";
import { main } from "../../cli/main.js";
import {
  MOTO_ACCOUNT,
  MOTO_CREDENTIALS,
  MOTO_MISSING,
  MOTO_REGION,
  type Moto,
  seedAccount,
  startMoto,
} from "../support/moto.js";

const SECOND = "210987654321";
/** A second region of the caller's account, with a repository of its own. */
const OTHER_REGION = "eu-west-1";
const DENIED = "333344445555";
const ROLE = "ecr-access-rules-audit";

function collector() {
  let text = "";
  return { sink: { write: (chunk: string) => (text += chunk) }, text: () => text };
}

/** A proxy to moto that denies `sts:AssumeRole` into one account, as IAM would for an untrusting role. */
function denyingProxy(upstream: string, account: string): Promise<{ server: Server; endpoint: string }> {
  const target = new URL(upstream);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const text = decodeURIComponent(body.toString("utf8"));
      if (text.includes("Action=AssumeRole") && text.includes(`arn:aws:iam::${account}:role/`)) {
        res.writeHead(403, { "content-type": "text/xml" });
        res.end(
          `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to perform sts:AssumeRole on arn:aws:iam::${account}:role/${ROLE}</Message></Error><RequestId>denied</RequestId></ErrorResponse>`,
        );
        return;
      }
      const forward = request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on("error", (error) => {
        res.writeHead(502);
        res.end(String(error));
      });
      forward.end(body);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      resolve({ server, endpoint: `http://127.0.0.1:${port}` });
    }),
  );
}

describe("e2e: ecr-access-rules snapshot and scan of many accounts against moto", function () {
  this.timeout(180_000);
  let moto: Moto | undefined;
  let dir = "";
  const emulator = (): Moto => {
    if (moto === undefined) throw new Error("moto is not running");
    return moto;
  };
  const run = async (args: string[], endpoint = emulator().endpoint) => {
    const out = collector();
    const err = collector();
    const status = await main(
      args,
      { stdout: out.sink, stderr: err.sink },
      {
        clientConfig: { endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 1 },
        env: { AWS_REGION: MOTO_REGION },
      },
    );
    return { status, stdout: out.text(), stderr: err.text() };
  };
  const rows = (stdout: string) =>
    (JSON.parse(stdout) as ReportJson).evaluations
      .map(({ orderingTimestamp: _t, ...rest }) => rest)
      .sort((a, b) =>
        `${a.accountId}|${a.configRuleName}|${a.complianceResourceId}`.localeCompare(
          `${b.accountId}|${b.configRuleName}|${b.complianceResourceId}`,
        ),
      );

  before(async function () {
    moto = await startMoto();
    if (moto === undefined) {
      console.log(`      ${MOTO_MISSING}`);
      this.skip();
    }
    await moto.reset();
    await seedAccount(moto.endpoint, { bulkUsers: 3, bulkRoles: 2 });
    // A second account, reached as moto reaches any: through credentials of a role assumed in it.
    const sts = new STSClient({
      region: MOTO_REGION,
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
    });
    const assumed = (
      await sts.send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${SECOND}:role/${ROLE}`, RoleSessionName: "seed" }),
      )
    ).Credentials;
    if (assumed?.AccessKeyId === undefined || assumed.SecretAccessKey === undefined)
      throw new Error("no credentials");
    const credentials = {
      accessKeyId: assumed.AccessKeyId,
      secretAccessKey: assumed.SecretAccessKey,
      ...(assumed.SessionToken === undefined ? {} : { sessionToken: assumed.SessionToken }),
    };
    const config = { region: MOTO_REGION, endpoint: moto.endpoint, credentials };
    const iam = new IAMClient(config);
    await iam.send(new CreateUserCommand({ UserName: "second-admin" }));
    await iam.send(
      new AttachUserPolicyCommand({
        UserName: "second-admin",
        PolicyArn: "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser",
      }),
    );
    await new ECRClient(config).send(new CreateRepositoryCommand({ repositoryName: "second-app" }));
    await new ECRClient({
      region: OTHER_REGION,
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
    }).send(new CreateRepositoryCommand({ repositoryName: "eu-app" }));
    dir = mkdtempSync(join(tmpdir(), "e2e-snapshot-"));
  });
  after(async () => {
    await moto?.stop();
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  it("snapshot --live then scan --snapshot gives the same evaluations as scan --live", async () => {
    // Prepare
    const file = join(dir, "account.json");
    // Act
    const written = await run(["snapshot", "--live", "-o", file]);
    const fromSnapshot = await run(["scan", "--snapshot", file, "--json"]);
    const live = await run(["scan", "--live", "--json"]);
    // Assess
    expect(written.status, written.stderr).to.equal(0);
    expect(JSON.parse(readFileSync(file, "utf8")).ecr.region).to.equal(MOTO_REGION);
    expect(fromSnapshot.stderr).to.equal("");
    expect(rows(fromSnapshot.stdout).length).to.be.greaterThan(10);
    expect(rows(fromSnapshot.stdout)).to.deep.equal(rows(live.stdout));
    expect(fromSnapshot.status).to.equal(live.status);
  });

  it("snapshot --live --regions a,b then scan --snapshot gives the same evaluations as scan --live --regions a,b", async () => {
    // Prepare
    const file = join(dir, "regions.json");
    const regions = `${MOTO_REGION},${OTHER_REGION}`;
    // Act
    const written = await run(["snapshot", "--live", "--regions", regions, "-o", file]);
    const fromSnapshot = await run(["scan", "--snapshot", file, "--json"]);
    const live = await run(["scan", "--live", "--regions", regions, "--json"]);
    // Assess
    expect(written.status, written.stderr).to.equal(0);
    const sections = JSON.parse(readFileSync(file, "utf8")).ecr as {
      region: string;
      repositories: unknown[];
    }[];
    expect(sections.map((section) => section.region)).to.deep.equal([MOTO_REGION, OTHER_REGION]);
    expect(sections[1]?.repositories).to.have.length(1);
    expect(fromSnapshot.stderr).to.equal("");
    const liveRows = rows(live.stdout);
    expect(rows(fromSnapshot.stdout)).to.deep.equal(liveRows);
    const inOther = liveRows.filter((row) => row.region === OTHER_REGION);
    expect(inOther.map((row) => `${row.configRuleName} ${row.resourceName}`)).to.include.members([
      "ecr-repository-policy-trusted eu-app",
      "ecr-repository-image-integrity eu-app",
    ]);
    expect(inOther.every((row) => row.configRuleName.startsWith("ecr-repository-"))).to.equal(true);
  });

  it("--regions all reads every region ec2:DescribeRegions lists, the default region first", async () => {
    // Prepare
    const file = join(dir, "all.json");
    // Act
    const written = await run(["snapshot", "--live", "--regions", "all", "-o", file]);
    const fromSnapshot = await run(["scan", "--snapshot", file, "--json"]);
    const live = await run(["scan", "--live", "--regions", "all", "--json"]);
    // Assess
    expect(written.status, written.stderr).to.equal(0);
    const regions = (JSON.parse(readFileSync(file, "utf8")).ecr as { region: string }[]).map((s) => s.region);
    expect(regions[0]).to.equal(MOTO_REGION);
    expect(regions).to.include(OTHER_REGION);
    expect(regions.length).to.be.greaterThan(10);
    expect(new Set(regions).size).to.equal(regions.length);
    expect(rows(fromSnapshot.stdout)).to.deep.equal(rows(live.stdout));
    expect(rows(live.stdout).some((row) => row.region === OTHER_REGION)).to.equal(true);
  });

  it("scans two accounts through the role into one report, and reports the one whose AssumeRole is denied", async () => {
    // Prepare
    const proxy = await denyingProxy(emulator().endpoint, DENIED);
    try {
      // Act
      const result = await run(
        [
          "scan",
          "--live",
          "--accounts",
          `${MOTO_ACCOUNT},${SECOND},${DENIED}`,
          "--role-name",
          ROLE,
          "--json",
        ],
        proxy.endpoint,
      );
      // Assess
      const report = JSON.parse(result.stdout) as ReportJson;
      expect(result.status).to.equal(2);
      expect(new Set(report.evaluations.map((e) => e.accountId))).to.deep.equal(
        new Set([MOTO_ACCOUNT, SECOND]),
      );
      expect(report.failures.map((f) => f.accountId)).to.deep.equal([DENIED]);
      expect(report.failures[0]?.message).to.match(/AccessDenied/u);
      expect(result.stderr).to.match(new RegExp(`account ${DENIED} was not scanned`, "u"));
      const second = report.evaluations.filter(
        (e) => e.accountId === SECOND && e.complianceType === "NON_COMPLIANT",
      );
      expect(second.map((e) => e.resourceName)).to.include.members(["second-admin", "second-app"]);
    } finally {
      proxy.server.close();
    }
  });

  it("--organization scans every active account of the organization through the role", async () => {
    // Prepare
    const organizations = new OrganizationsClient({
      region: MOTO_REGION,
      endpoint: emulator().endpoint,
      credentials: MOTO_CREDENTIALS,
    });
    await organizations.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
    await organizations.send(
      new CreateAccountCommand({ AccountName: "member", Email: "member@example.com" }),
    );
    // Act
    const result = await run([
      "scan",
      "--live",
      "--organization",
      "--role-name",
      ROLE,
      "--json",
      "--exit-zero",
    ]);
    // Assess
    const report = JSON.parse(result.stdout) as ReportJson;
    const accounts = new Set(report.evaluations.map((e) => e.accountId));
    expect(result.status, result.stderr).to.equal(0);
    expect(report.failures).to.deep.equal([]);
    expect(accounts.has(MOTO_ACCOUNT)).to.equal(true);
    expect(accounts.size).to.equal(2);
  });
});
