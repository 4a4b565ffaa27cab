/**
 * `scan --live` with the real SDK clients against a local fake of AWS: the same evaluations as
 * `scan --snapshot` over a snapshot of the same account, read-only calls only.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
