/**
 * The one ASFF mapping (shared/findings/asff.ts): the whole explanation survives the format's limits, and
 * what is resolved and what is not.
 */
import { expect } from "chai";
import {
  ASFF_LIMITS,
  type AsffSubject,
  asffFinding,
  explanationOf,
  findingId,
} from "../../../shared/findings/asff.js";
import { CIS_EKS_5_1_2 } from "../../../shared/runtime/rule.js";
import { asffValidator, schemaErrors } from "../../support/schemas/validate.js";

function subject(fields: Partial<AsffSubject> = {}): AsffSubject {
  return {
    rule: "ecr-iam-principal-write-authorized",
    title: "Only authorized IAM principals can push",
    severity: "high",
    control: CIS_EKS_5_1_2,
    remediation: "Take the actions away.",
    docs: "rules/ecr-iam-principal-write-authorized/README.md",
    resourceType: "AWS::IAM::Role",
    resourceId: "AROAEXAMPLEROLE",
    accountId: "111122223333",
    region: "us-east-1",
    partition: "aws",
    status: "NON_COMPLIANT",
    explanation: "Role ci can push.",
    observedAt: new Date("2026-11-20T10:00:00.000Z"),
    ...fields,
  };
}

const generatedAt = new Date("2026-11-20T10:05:00.000Z");

describe("ASFF mapping", () => {
  const lengths: Array<[string, number]> = [
    ["a short explanation", 40],
    ["one just under Description's limit", ASFF_LIMITS.description],
    ["one over Description's limit", ASFF_LIMITS.description + 1],
    ["one over a product field's limit", ASFF_LIMITS.productFieldValue * 3 + 7],
  ];
  for (const [what, length] of lengths) {
    it(`gives back ${what} (${length} characters) whole, and stays within the schema`, () => {
      // Prepare: a code point outside the BMP at every cut, to catch a split surrogate.
      const explanation = "😀x".repeat(Math.ceil(length / 3)).slice(0, length);

      // Act
      const finding = asffFinding(subject({ explanation }), { generatedAt });

      // Assess
      expect(explanationOf(finding)).to.equal(explanation);
      expect(finding.Description?.length).to.be.at.most(ASFF_LIMITS.description);
      for (const value of Object.values(finding.ProductFields ?? {}))
        expect(value.length).to.be.at.most(ASFF_LIMITS.productFieldValue);
      expect(Object.keys(finding.ProductFields ?? {}).length).to.be.at.most(ASFF_LIMITS.productFields);
      expect(schemaErrors(asffValidator(), [finding])).to.deep.equal([]);
    });
  }

  it("cuts with a visible marker only past the room of 50 product fields", () => {
    const explanation = "y".repeat(ASFF_LIMITS.productFieldValue * 60);
    const finding = asffFinding(subject({ explanation }), { generatedAt });
    expect(Object.keys(finding.ProductFields ?? {})).to.have.length(ASFF_LIMITS.productFields);
    expect(explanationOf(finding)?.endsWith("…")).to.equal(true);
  });

  const states: Array<[AsffSubject["status"], string, string, string]> = [
    ["NON_COMPLIANT", "FAILED", "ACTIVE", "HIGH"],
    ["COMPLIANT", "PASSED", "ARCHIVED", "INFORMATIONAL"],
    ["NOT_APPLICABLE", "NOT_AVAILABLE", "ARCHIVED", "INFORMATIONAL"],
  ];
  for (const [status, compliance, record, label] of states) {
    it(`maps ${status} to ${compliance}, ${record}, severity ${label}`, () => {
      const finding = asffFinding(subject({ status }), { generatedAt });
      expect(finding.Compliance?.Status).to.equal(compliance);
      expect(finding.RecordState).to.equal(record);
      expect(finding.Severity?.Label).to.equal(label);
      expect(finding.Id).to.equal(findingId(subject()));
    });
  }

  it("names an IAM resource by its ARN when known, else by Config's id", () => {
    const arn = "arn:aws:iam::111122223333:role/ci";
    expect(asffFinding(subject({ resourceArn: arn }), { generatedAt }).Resources?.[0]?.Id).to.equal(arn);
    expect(asffFinding(subject(), { generatedAt }).Resources?.[0]?.Id).to.equal("AROAEXAMPLEROLE");
  });
});
