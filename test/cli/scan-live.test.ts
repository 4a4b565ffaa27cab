/**
 * `scan --live` with the real SDK clients against a local fake of AWS: the same evaluations as
 * `scan --snapshot` over a snapshot of the same account, read-only calls only.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { main } from "../../cli/main.js";
import { FakeAws, ok } from "../support/fake-aws.js";
import { ACCOUNT, ASSUME_FROM_EC2, type PolicySpec, servePages, servePolicy } from "../support/iam-xml.js";

const READ_ONLY = /^(Get|List|Describe|BatchGet)/u;

function collector() {
  let text = "";
  return { sink: { write: (chunk: string) => (text += chunk) }, text: () => text };
}

const PUSH_ALL = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "ecr:PutImage", Resource: "*" }],
};
const PULL = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "ecr:BatchGetImage", Resource: "*" }],
};
const READ_ONLY_POLICY: PolicySpec = {
  arn: "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
  name: "AmazonEC2ContainerRegistryReadOnly",
  document: PULL,
};
const CUSTOMER: PolicySpec = {
  arn: `arn:aws:iam::${ACCOUNT}:policy/push-all`,
  name: "push-all",
  document: PUSH_ALL,
};
const PUBLIC = {
  Version: "2012-10-17",
  Statement: [{ Sid: "Public", Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage" }],
};

describe("ecr-access-rules scan --live", () => {
  let fake: FakeAws;
  let dir: string;
  before(async () => {
    fake = await FakeAws.start();
    dir = mkdtempSync(join(tmpdir(), "scan-live-"));
  });
  after(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads the account read-only and gives what scan --snapshot gives for the same account", async () => {
    servePages(fake, [
      {
        users: [{ name: "dana", groups: ["ops"] }],
        roles: [
          { name: "node", attached: [{ name: READ_ONLY_POLICY.name, arn: READ_ONLY_POLICY.arn }] },
          { name: "ci", attached: [{ name: CUSTOMER.name, arn: CUSTOMER.arn }] },
        ],
        next: "p2",
      },
      { groups: [{ name: "ops", inline: [{ name: "pull", document: PULL }] }], policies: [CUSTOMER] },
    ]);
    servePolicy(fake, READ_ONLY_POLICY);
    const repositories = [
      { repositoryName: "api", imageTagMutability: "IMMUTABLE", scanOnPush: true, policy: null },
      { repositoryName: "web", imageTagMutability: "MUTABLE", scanOnPush: false, policy: PUBLIC },
    ];
    fake.on("ecr", "DescribeRepositories", () =>
      ok({
        repositories: repositories.map((r) => ({
          repositoryName: r.repositoryName,
          repositoryArn: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/${r.repositoryName}`,
          registryId: ACCOUNT,
          imageTagMutability: r.imageTagMutability,
          imageScanningConfiguration: { scanOnPush: r.scanOnPush },
        })),
      }),
    );
    fake.on("ecr", "GetRepositoryPolicy", ({ input }) => {
      const repository = repositories.find((r) => r.repositoryName === input.repositoryName);
      return repository?.policy === null || repository === undefined
        ? {
            kind: "error",
            message: "Repository policy does not exist",
            json: { status: 400, code: "RepositoryPolicyNotFoundException" },
            query: { status: 400, code: "RepositoryPolicyNotFoundException" },
          }
        : ok({
            registryId: ACCOUNT,
            repositoryName: repository.repositoryName,
            policyText: JSON.stringify(repository.policy),
          });
    });
    fake.on("ecr", "GetRegistryPolicy", () => ({
      kind: "error",
      message: "Registry policy does not exist",
      json: { status: 400, code: "RegistryPolicyNotFoundException" },
      query: { status: 400, code: "RegistryPolicyNotFoundException" },
    }));
    fake.on("ecr", "GetRegistryScanningConfiguration", () =>
      ok({ scanningConfiguration: { scanType: "BASIC", rules: [] } }),
    );

    const live = collector();
    const liveStatus = await main(
      ["scan", "--live", "--region", "us-east-1", "--json"],
      { stdout: live.sink, stderr: collector().sink },
      {
        clientConfig: {
          endpoint: fake.endpoint,
          credentials: { accessKeyId: "AKID", secretAccessKey: "x" },
          maxAttempts: 1,
        },
      },
    );
    expect(
      fake.requests.every((r) => READ_ONLY.test(r.operation)),
      fake.requests.map((r) => r.operation).join(","),
    ).to.equal(true);

    const identity = (name: string, type: "user" | "role" | "group") => ({
      Path: "/",
      [`${type === "user" ? "User" : type === "role" ? "Role" : "Group"}Name`]: name,
      [`${type === "user" ? "User" : type === "role" ? "Role" : "Group"}Id`]: `${type === "user" ? "AIDA" : type === "role" ? "AROA" : "AGPA"}${name.toUpperCase().padEnd(17, "X")}`,
      Arn: `arn:aws:iam::${ACCOUNT}:${type}/${name}`,
    });
    // What the fake IAM answers for every role.
    const EC2_TRUST = ASSUME_FROM_EC2;
    const snapshot = {
      UserDetailList: [
        { ...identity("dana", "user"), GroupList: ["ops"], UserPolicyList: [], AttachedManagedPolicies: [] },
      ],
      RoleDetailList: [
        {
          ...identity("node", "role"),
          AssumeRolePolicyDocument: EC2_TRUST,
          RolePolicyList: [],
          AttachedManagedPolicies: [{ PolicyName: READ_ONLY_POLICY.name, PolicyArn: READ_ONLY_POLICY.arn }],
        },
        {
          ...identity("ci", "role"),
          AssumeRolePolicyDocument: EC2_TRUST,
          RolePolicyList: [],
          AttachedManagedPolicies: [{ PolicyName: CUSTOMER.name, PolicyArn: CUSTOMER.arn }],
        },
      ],
      GroupDetailList: [
        {
          ...identity("ops", "group"),
          GroupPolicyList: [{ PolicyName: "pull", PolicyDocument: PULL }],
          AttachedManagedPolicies: [],
        },
      ],
      Policies: [READ_ONLY_POLICY, CUSTOMER].map((p) => ({
        PolicyName: p.name,
        PolicyId: `ANPA${p.name
          .toUpperCase()
          .replace(/[^A-Z]/gu, "")
          .padEnd(17, "X")}`,
        Arn: p.arn,
        Path: "/",
        DefaultVersionId: "v1",
        AttachmentCount: 1,
        PermissionsBoundaryUsageCount: 0,
        PolicyVersionList: [{ Document: p.document, VersionId: "v1", IsDefaultVersion: true }],
      })),
      ecr: {
        region: "us-east-1",
        registryScanningConfiguration: { scanType: "BASIC", rules: [] },
        registryPolicy: null,
        repositories: repositories.map((r) => ({
          repositoryName: r.repositoryName,
          repositoryArn: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/${r.repositoryName}`,
          imageTagMutability: r.imageTagMutability,
          imageScanningConfiguration: { scanOnPush: r.scanOnPush },
          policyText: r.policy,
        })),
      },
    };
    const file = join(dir, "snapshot.json");
    writeFileSync(file, JSON.stringify(snapshot));
    const fromSnapshot = collector();
    const snapshotStatus = await main(["scan", "--snapshot", file, "--json"], {
      stdout: fromSnapshot.sink,
      stderr: collector().sink,
    });

    type Row = {
      configRuleName: string;
      complianceResourceId: string;
      complianceType: string;
      annotation?: string;
    };
    const rows = (text: string) =>
      (JSON.parse(text).evaluations as Row[])
        .map(({ configRuleName, complianceResourceId, complianceType, annotation }) => ({
          configRuleName,
          complianceResourceId,
          complianceType,
          annotation,
        }))
        .sort((a, b) =>
          `${a.configRuleName}${a.complianceResourceId}`.localeCompare(
            `${b.configRuleName}${b.complianceResourceId}`,
          ),
        );
    const liveRows = rows(live.text());
    // policy rule: 1 customer policy; principals: 4, of which 2 roles (principal and trust rules); repositories: 2 × 2 rules
    expect(liveRows.length).to.equal(1 + 4 + 2 + 2 + 2);
    expect(liveRows).to.deep.equal(rows(fromSnapshot.text()));
    expect(liveStatus).to.equal(snapshotStatus);
    expect(
      liveRows.find(
        (r) => r.complianceResourceId === "web" && r.configRuleName === "ecr-repository-policy-trusted",
      )?.complianceType,
    ).to.equal("NON_COMPLIANT");
  });

  describe("several regions", () => {
    const REGIONS = ["us-east-1", "eu-west-1"] as const;
    /** Each region's repositories: the region comes from the request's signing scope, as AWS routes it. */
    const byRegion: Record<string, { name: string; policy: unknown }[]> = {
      "us-east-1": [{ name: "api", policy: null }],
      "eu-west-1": [
        { name: "api", policy: PUBLIC },
        { name: "eu-only", policy: null },
      ],
    };
    const regionOf = (headers: Record<string, string>): string =>
      /Credential=[^/]+\/[^/]+\/([^/]+)\//u.exec(headers.authorization ?? "")?.[1] ?? "unknown";
    const notFound = (message: string, code: string) => ({
      kind: "error" as const,
      message,
      json: { status: 400, code },
      query: { status: 400, code },
    });
    const clientConfig = () => ({
      endpoint: fake.endpoint,
      credentials: { accessKeyId: "AKID", secretAccessKey: "x" },
      maxAttempts: 1,
    });
    type Row = {
      configRuleName: string;
      complianceResourceId: string;
      region: string;
      complianceType: string;
    };
    const rows = (text: string) =>
      (JSON.parse(text).evaluations as Row[])
        .map(({ configRuleName, complianceResourceId, region, complianceType }) => ({
          configRuleName,
          complianceResourceId,
          region,
          complianceType,
        }))
        .sort((a, b) =>
          `${a.region}|${a.configRuleName}|${a.complianceResourceId}`.localeCompare(
            `${b.region}|${b.configRuleName}|${b.complianceResourceId}`,
          ),
        );

    beforeEach(() => {
      fake.reset();
      servePages(fake, [
        {
          users: [{ name: "dana", attached: [{ name: CUSTOMER.name, arn: CUSTOMER.arn }] }],
          policies: [CUSTOMER],
        },
      ]);
      fake.on("ecr", "DescribeRepositories", ({ headers }) => {
        const region = regionOf(headers);
        return ok({
          repositories: (byRegion[region] ?? []).map((r) => ({
            repositoryName: r.name,
            repositoryArn: `arn:aws:ecr:${region}:${ACCOUNT}:repository/${r.name}`,
            registryId: ACCOUNT,
            imageTagMutability: "IMMUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
          })),
        });
      });
      fake.on("ecr", "GetRepositoryPolicy", ({ headers, input }) => {
        const repository = byRegion[regionOf(headers)]?.find((r) => r.name === input.repositoryName);
        return repository === undefined || repository.policy === null
          ? notFound("Repository policy does not exist", "RepositoryPolicyNotFoundException")
          : ok({ repositoryName: repository.name, policyText: JSON.stringify(repository.policy) });
      });
      fake.on("ecr", "GetRegistryPolicy", () =>
        notFound("Registry policy does not exist", "RegistryPolicyNotFoundException"),
      );
      fake.on("ecr", "GetRegistryScanningConfiguration", () =>
        ok({ scanningConfiguration: { scanType: "BASIC", rules: [] } }),
      );
      // snapshot --live records each repository's tags (who-can-write reads them).
      fake.on("ecr", "ListTagsForResource", ({ headers }) =>
        ok({ tags: [{ Key: "region", Value: regionOf(headers) }] }),
      );
    });

    it("snapshot --regions writes one section per region; scan --snapshot of it gives scan --live --regions", async () => {
      // Prepare
      const file = join(dir, "regions.json");
      const regions = REGIONS.join(",");
      const written = collector();
      // Act
      const snapshotStatus = await main(
        ["snapshot", "--live", "--regions", regions, "-o", file],
        { stdout: collector().sink, stderr: written.sink },
        { clientConfig: clientConfig() },
      );
      const live = collector();
      await main(
        ["scan", "--live", "--regions", regions, "--json"],
        { stdout: live.sink, stderr: collector().sink },
        { clientConfig: clientConfig() },
      );
      const fromSnapshot = collector();
      const fromSnapshotErr = collector();
      await main(["scan", "--snapshot", file, "--json"], {
        stdout: fromSnapshot.sink,
        stderr: fromSnapshotErr.sink,
      });
      const onlyEu = collector();
      await main(["scan", "--snapshot", file, "--regions", "eu-west-1", "--json"], {
        stdout: onlyEu.sink,
        stderr: collector().sink,
      });
      // Assess
      expect(snapshotStatus, written.text()).to.equal(0);
      expect(written.text()).to.include("wrote");
      expect(written.text()).to.include("2 regions: us-east-1, eu-west-1");
      const sections = JSON.parse(readFileSync(file, "utf8")).ecr as { region: string }[];
      expect(sections.map((section) => section.region)).to.deep.equal([...REGIONS]);
      expect(fake.calls("GetAccountAuthorizationDetails")).to.have.length(2); // once per command, not per region
      const liveRows = rows(live.text());
      expect(fromSnapshotErr.text()).to.equal("");
      expect(rows(fromSnapshot.text())).to.deep.equal(liveRows);
      // The IAM rules run once, in the first region; the ECR rules in each.
      const iam = liveRows.filter((r) => !r.configRuleName.startsWith("ecr-repository-"));
      expect(new Set(iam.map((r) => r.region))).to.deep.equal(new Set(["us-east-1"]));
      const trusted = liveRows.filter((r) => r.configRuleName === "ecr-repository-policy-trusted");
      expect(trusted.map((r) => `${r.region} ${r.complianceResourceId} ${r.complianceType}`)).to.deep.equal([
        "eu-west-1 api NON_COMPLIANT",
        "eu-west-1 eu-only COMPLIANT",
        "us-east-1 api COMPLIANT",
      ]);
      const euRows = rows(onlyEu.text());
      expect(new Set(euRows.map((r) => r.region))).to.deep.equal(new Set(["eu-west-1"]));
      expect(euRows.filter((r) => r.configRuleName === "ecr-repository-policy-trusted")).to.have.length(2);
    });

    it("draws a progress bar on a terminal's stderr during the live reads, ending in a summary line", async () => {
      // Prepare
      const chunks: string[] = [];
      const stderr = { isTTY: true, columns: 200, write: (chunk: string) => chunks.push(chunk) };
      // Act
      const status = await main(
        ["scan", "--live", "--regions", REGIONS.join(","), "--json", "--exit-zero"],
        { stdout: collector().sink, stderr },
        { clientConfig: clientConfig(), progress: { delayMs: 0 } },
      );
      // Assess
      const text = chunks.join("");
      expect(status).to.equal(0);
      expect(
        chunks.every((chunk) => chunk.startsWith("\r")),
        text,
      ).to.equal(true);
      // The bar counts rule runs: three IAM rules in the first region, two ECR rules in each of two.
      expect(text).to.match(/\[#*-*\] \d\/7 rule runs · \d+ evaluations?/u);
      expect(text).to.include("[########################] 7/7 rule runs");
      expect(text).to.match(
        /\recr-access-rules scan: \d+ evaluations in \d+\.\d s · 1 account · 2 regions · 1 IAM page \(1 principal\) · 3 repositories \(2 regions\)/u,
      );
      expect(text.endsWith("(2 regions)\u001b[K\n"), "the summary is the final line").to.equal(true);
    });
  });

  it("exits 2 naming the region when --live has none", async () => {
    const err = collector();
    const status = await main(
      ["scan", "--live"],
      { stdout: collector().sink, stderr: err.sink },
      { env: {} },
    );
    expect(status).to.equal(2);
    expect(err.text()).to.include("--live needs a region");
  });
});
