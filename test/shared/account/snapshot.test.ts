/** Account snapshots: the CLI's and the API's forms of GetAccountAuthorizationDetails, pages, the ecr section. */

import { expect } from "chai";
import { authorizationDetails } from "../../../shared/account/iam.js";
import { parseSnapshot, SnapshotAccountFacts, SnapshotGapError } from "../../../shared/account/snapshot.js";
import { ApiAccountFacts } from "../../../shared/account/sources.js";
import { ClientFactory } from "../../../shared/aws/clients.js";
import { ConfigInputError } from "../../../shared/config/read.js";
import { failureOf } from "../../support/failure.js";
import { FakeAws, ok } from "../../support/fake-aws.js";

const PUSH = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "ecr:PutImage", Resource: "*" }],
};

function role(name: string, document: unknown) {
  return {
    Path: "/",
    RoleName: name,
    RoleId: `AROA${name.toUpperCase().padEnd(17, "X")}`,
    Arn: `arn:aws:iam::111122223333:role/${name}`,
    RolePolicyList: [{ PolicyName: "inline", PolicyDocument: document }],
    AttachedManagedPolicies: [],
  };
}

describe("account snapshots", () => {
  it("reads the CLI's form (decoded documents) and the API's (URL-encoded) alike", () => {
    const details = authorizationDetails([
      { RoleDetailList: [role("decoded", PUSH), role("encoded", encodeURIComponent(JSON.stringify(PUSH)))] },
    ]);
    expect(details.principals.map((p) => p.name)).to.deep.equal(["decoded", "encoded"]);
    expect(details.principals[1]?.inline[0]?.document).to.be.a("string");
  });

  it("merges pages", () => {
    const snapshot = parseSnapshot({
      authorizationDetails: [{ RoleDetailList: [role("a", PUSH)] }, { RoleDetailList: [role("b", PUSH)] }],
    });
    expect(snapshot.iam.principals.map((p) => p.name)).to.deep.equal(["a", "b"]);
  });

  it("rejects two records with the same ARN, naming both", () => {
    expect(() =>
      parseSnapshot({
        authorizationDetails: [
          { RoleDetailList: [role("a", PUSH), role("b", PUSH)] },
          { RoleDetailList: [{ ...role("b", PUSH), Path: "/moved/" }], GroupDetailList: [] },
        ],
      }),
    ).to.throw(
      ConfigInputError,
      /pages\[1\]\.RoleDetailList\[0\]: has the same ARN as pages\[0\]\.RoleDetailList\[1\]/u,
    );
  });

  it("rejects a repository listed without policyText (missing is not absent), and duplicate names", () => {
    const repository = {
      repositoryName: "api",
      repositoryArn: "arn:aws:ecr:us-east-1:111122223333:repository/api",
    };
    expect(() => parseSnapshot({ ecr: { region: "us-east-1", repositories: [repository] } })).to.throw(
      ConfigInputError,
      /snapshot\.ecr\.repositories\[0\]\.policyText: missing for repository api/u,
    );
    const recorded = { ...repository, policyText: null };
    expect(() =>
      parseSnapshot({ ecr: { region: "us-east-1", repositories: [recorded, recorded] } }),
    ).to.throw(
      ConfigInputError,
      /repositories\[1\]: has the same repositoryName as snapshot\.ecr\.repositories\[0\]: api/u,
    );
  });

  it("takes a JSON list as a list of pages", () => {
    expect(
      parseSnapshot([{ RoleDetailList: [role("a", PUSH)] }, { RoleDetailList: [role("b", PUSH)] }]).iam
        .principals,
    ).to.have.length(2);
  });

  it("names the faulty field of a malformed entry", () => {
    expect(() =>
      parseSnapshot({ UserDetailList: [{ UserName: "x", Arn: "arn:aws:iam::1:user/x" }] }),
    ).to.throw(ConfigInputError, "UserDetailList[0].UserId");
    expect(() => parseSnapshot({ ecr: { repositories: [] } })).to.throw(
      ConfigInputError,
      "snapshot.ecr.region",
    );
    expect(() =>
      parseSnapshot({
        ecr: { region: "us-east-1", registryScanningConfiguration: { rules: [{ scanFrequency: "HOURLY" }] } },
      }),
    ).to.throw(ConfigInputError, /rules\[0\]\.scanFrequency "HOURLY" is unknown/);
  });

  it("says what the snapshot lacks when a rule needs it", async () => {
    const facts = new SnapshotAccountFacts(parseSnapshot({ RoleDetailList: [] }));
    const failure = await failureOf(facts.ecr("us-east-1").registryScanning());
    expect(failure).to.be.instanceOf(SnapshotGapError);
    expect(String(failure)).to.include('add it to the snapshot\'s "ecr" section');
    const other = new SnapshotAccountFacts(parseSnapshot({ ecr: { region: "eu-west-1", repositories: [] } }));
    const wrongRegion = await failureOf(other.ecr("us-east-1").repositories());
    expect(String(wrongRegion)).to.include("is for eu-west-1, not us-east-1");
  });

  it("reads a repository's tags as a list or a map, and absent tags as not known", async () => {
    // Prepare
    const record = (name: string, tags?: unknown) => ({
      repositoryName: name,
      repositoryArn: `arn:aws:ecr:us-east-1:111122223333:repository/${name}`,
      policyText: null,
      ...(tags === undefined ? {} : { tags }),
    });
    const snapshot = parseSnapshot({
      ecr: {
        region: "us-east-1",
        repositories: [
          record("listed", [{ Key: "team", Value: "payments" }]),
          record("mapped", { team: "web" }),
          record("untagged", []),
          record("unrecorded"),
        ],
      },
    });
    const ecr = new SnapshotAccountFacts(snapshot).ecr("us-east-1");

    // Act
    const tags = await Promise.all(
      (await ecr.repositories()).map(async (r) => {
        const found = await ecr.repositoryTags(r);
        return found === undefined ? "unknown" : Object.fromEntries(found);
      }),
    );

    // Assess
    expect(tags).to.deep.equal([{ team: "payments" }, { team: "web" }, {}, "unknown"]);
  });

  it("names a malformed tag", () => {
    expect(() =>
      parseSnapshot({
        ecr: {
          region: "us-east-1",
          repositories: [
            { repositoryName: "a1", repositoryArn: "arn", policyText: null, tags: [{ Value: "x" }] },
          ],
        },
      }),
    ).to.throw(ConfigInputError, "snapshot.ecr.repositories[0].tags[0].Key");
  });

  describe("an ecr section per region", () => {
    const section = (region: string, names: readonly string[], registryPolicy: unknown = null) => ({
      region,
      registryScanningConfiguration: { scanType: "BASIC", rules: [] },
      registryPolicy,
      repositories: names.map((name) => ({
        repositoryName: name,
        repositoryArn: `arn:aws:ecr:${region}:111122223333:repository/${name}`,
        policyText: null,
      })),
    });

    it("reads a list of sections in the file's order, each region's facts from its own section", async () => {
      // Prepare
      const registryPolicy = { Version: "2012-10-17", Statement: [] };
      const snapshot = parseSnapshot({
        ecr: [section("eu-west-1", ["api"], registryPolicy), section("us-east-1", ["web", "api"])],
      });
      const facts = new SnapshotAccountFacts(snapshot);
      // Act
      const eu = (await facts.ecr("eu-west-1").repositories()).map((r) => r.name);
      const us = (await facts.ecr("us-east-1").repositories()).map((r) => r.name);
      const policies = [
        await facts.ecr("eu-west-1").registryPolicy(),
        await facts.ecr("us-east-1").registryPolicy(),
      ];
      const missing = await failureOf(facts.ecr("ap-south-1").repositories());
      const elsewhere = await failureOf(facts.ecr("eu-west-1").repositoryPolicy("web"));
      // Assess
      expect(snapshot.ecr.map((s) => s.region)).to.deep.equal(["eu-west-1", "us-east-1"]);
      expect(eu).to.deep.equal(["api"]);
      expect(us).to.deep.equal(["web", "api"]);
      expect(policies).to.deep.equal([registryPolicy, null]);
      expect(missing).to.be.instanceOf(SnapshotGapError);
      expect(String(missing)).to.include("is for eu-west-1, us-east-1, not ap-south-1");
      expect(String(elsewhere)).to.include("no repository web");
    });

    it("reads the one-section form as a list of one (older files)", () => {
      expect(parseSnapshot({ ecr: section("us-east-1", ["api"]) }).ecr.map((s) => s.region)).to.deep.equal([
        "us-east-1",
      ]);
      expect(parseSnapshot({ RoleDetailList: [] }).ecr).to.deep.equal([]);
    });

    const faults: Array<[string, unknown, RegExp]> = [
      [
        "the same region twice",
        [section("us-east-1", []), section("eu-west-1", []), section("us-east-1", [])],
        /snapshot\.ecr\[2\]\.region: us-east-1 again: snapshot\.ecr\[0\] is already that region's section/u,
      ],
      ["an empty list", [], /snapshot\.ecr: is an empty list/u],
      [
        "a section without its region",
        [section("us-east-1", []), { repositories: [] }],
        /snapshot\.ecr\[1\]\.region/u,
      ],
      [
        "a repository of another region",
        [{ ...section("eu-west-1", []), repositories: section("us-east-1", ["api"]).repositories }],
        /snapshot\.ecr\[0\]\.repositories\[0\]\.repositoryArn: is in us-east-1, not in the section's region eu-west-1/u,
      ],
      [
        "the same repository twice in one section",
        [section("us-east-1", []), section("eu-west-1", ["api", "api"])],
        /snapshot\.ecr\[1\]\.repositories\[1\]: has the same repositoryName as snapshot\.ecr\[1\]\.repositories\[0\]/u,
      ],
      ["a section that is not an object", [section("us-east-1", []), "eu-west-1"], /snapshot\.ecr\[1\]/u],
    ];
    for (const [what, ecr, message] of faults) {
      it(`rejects ${what}, naming the field`, () => {
        expect(() => parseSnapshot({ ecr })).to.throw(ConfigInputError, message);
      });
    }

    it("accepts the same repository name in two regions", () => {
      const snapshot = parseSnapshot({ ecr: [section("us-east-1", ["api"]), section("eu-west-1", ["api"])] });
      expect(snapshot.ecr.flatMap((s) => s.repositories.map((r) => r.arn))).to.have.length(2);
    });
  });

  it("does not know a rule's earlier evaluations", async () => {
    expect(await new SnapshotAccountFacts(parseSnapshot({})).evaluatedResources()).to.equal(undefined);
  });
});

describe("earlier evaluations through the API", () => {
  it("asks for deleted resources instead for a rule name longer than the 64-character limit", async () => {
    const fake = await FakeAws.start();
    fake.on("config", "ListDiscoveredResources", (request) =>
      ok({
        resourceIdentifiers:
          request.input.resourceType === "AWS::IAM::Role"
            ? [
                { resourceType: "AWS::IAM::Role", resourceId: "AROALIVE", resourceName: "live" },
                {
                  resourceType: "AWS::IAM::Role",
                  resourceId: "AROAGONE",
                  resourceName: "gone",
                  resourceDeletionTime: 1_763_632_800,
                },
              ]
            : [],
      }),
    );
    try {
      const factory = new ClientFactory({
        endpoint: fake.endpoint,
        credentials: { accessKeyId: "x", secretAccessKey: "x" },
      });
      const facts = new ApiAccountFacts(
        factory,
        {
          accountId: "111122223333",
          region: "us-east-1",
          partition: "aws",
        },
        {},
      );
      const found = await facts.evaluatedResources(`OrgConfigRule-${"x".repeat(60)}`, [
        "AWS::IAM::User",
        "AWS::IAM::Role",
      ]);
      expect(found).to.deep.equal([{ resourceType: "AWS::IAM::Role", resourceId: "AROAGONE" }]);
      expect(fake.calls("GetComplianceDetailsByConfigRule")).to.have.length(0);
      expect(fake.calls("ListDiscoveredResources").map((c) => c.input.includeDeletedResources)).to.deep.equal(
        [true, true],
      );
    } finally {
      await fake.stop();
    }
  });
});
