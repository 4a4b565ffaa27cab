/**
 * `--format ocsf` (docs/command-line.md#ocsf): a JSON list of OCSF 1.8.0 Compliance Finding events (class
 * 2003, category Findings), one per finding, with the `cloud` profile: the benchmark control in
 * `compliance`, the resource in `resources`, the account and region in `cloud`, the remediation sentence
 * in `remediation`, the whole explanation in `message` and `compliance.status_detail`.
 */
import type { ComplianceType } from "../../shared/config/evaluation.js";
import type { Finding, Report } from "../finding.js";
import { OCSF_SEVERITY } from "./severity.js";

export const OCSF_VERSION = "1.8.0";
const CATEGORY_UID = 2;
const CLASS_UID = 2003;
const ACTIVITY_CREATE = 1;

/** `compliance.status_id`: 1 Pass, 3 Fail, 99 Other (not applicable). */
const COMPLIANCE_STATUS: Readonly<
  Record<ComplianceType, { readonly id: 1 | 3 | 99; readonly name: string }>
> = {
  COMPLIANT: { id: 1, name: "Pass" },
  NON_COMPLIANT: { id: 3, name: "Fail" },
  NOT_APPLICABLE: { id: 99, name: "Not applicable" },
};

/** One OCSF Compliance Finding event, as this tool fills it. */
export interface OcsfComplianceFinding {
  readonly activity_id: number;
  readonly activity_name: string;
  readonly category_uid: number;
  readonly category_name: string;
  readonly class_uid: number;
  readonly class_name: string;
  readonly type_uid: number;
  readonly type_name: string;
  readonly severity_id: number;
  readonly severity: string;
  readonly status_id: number;
  readonly status: string;
  readonly time: number;
  readonly message: string;
  readonly metadata: {
    readonly version: string;
    readonly product: { readonly name: string; readonly vendor_name: string; readonly version: string };
    readonly profiles: readonly string[];
  };
  readonly finding_info: {
    readonly uid: string;
    readonly title: string;
    readonly desc: string;
    readonly types: readonly string[];
    readonly created_time: number;
  };
  readonly compliance: {
    readonly standards: readonly string[];
    readonly control: string;
    readonly requirements: readonly string[];
    readonly status_id: number;
    readonly status: string;
    readonly status_detail?: string;
  };
  readonly remediation: { readonly desc: string; readonly references: readonly string[] };
  readonly resources: readonly {
    readonly uid: string;
    readonly name: string;
    readonly type: string;
    readonly region: string;
    readonly cloud_partition: string;
    readonly owner: {
      readonly account: { readonly uid: string; readonly type_id: number; readonly type: string };
    };
  }[];
  readonly cloud: {
    readonly provider: string;
    readonly region: string;
    readonly account: { readonly uid: string; readonly type_id: number; readonly type: string };
  };
}

/**
 * The OCSF event of one finding.
 *
 * @example
 * ocsfFinding(finding, "0.1.0", new Date()).class_uid; // 2003
 */
export function ocsfFinding(finding: Finding, version: string, generatedAt: Date): OcsfComplianceFinding {
  const severity = OCSF_SEVERITY[finding.severity];
  const status = COMPLIANCE_STATUS[finding.status];
  const control = finding.control;
  const account = { uid: finding.accountId, type_id: 10, type: "AWS Account" };
  const explanation = finding.explanation ?? `${finding.status}: ${finding.title}`;
  return {
    activity_id: ACTIVITY_CREATE,
    activity_name: "Create",
    category_uid: CATEGORY_UID,
    category_name: "Findings",
    class_uid: CLASS_UID,
    class_name: "Compliance Finding",
    type_uid: CLASS_UID * 100 + ACTIVITY_CREATE,
    type_name: "Compliance Finding: Create",
    severity_id: severity.id,
    severity: severity.name,
    // The finding's own status: New for a failure, Resolved otherwise.
    status_id: finding.status === "NON_COMPLIANT" ? 1 : 4,
    status: finding.status === "NON_COMPLIANT" ? "New" : "Resolved",
    time: finding.observedAt.getTime(),
    message: explanation,
    metadata: {
      version: OCSF_VERSION,
      product: { name: "ecr-access-rules", vendor_name: "ecr-access-rules", version },
      profiles: ["cloud"],
    },
    finding_info: {
      uid: [finding.rule, finding.accountId, finding.region, finding.resourceType, finding.resourceId].join(
        "/",
      ),
      title: finding.title,
      desc: explanation,
      types: [finding.rule],
      created_time: generatedAt.getTime(),
    },
    compliance: {
      standards: [`${control.framework} ${control.version}`],
      control: control.id,
      requirements: [`${control.id} ${control.title}`],
      status_id: status.id,
      status: status.name,
      ...(finding.explanation === undefined ? {} : { status_detail: finding.explanation }),
    },
    remediation: { desc: finding.remediation, references: [finding.docs] },
    resources: [
      {
        uid: finding.resourceArn ?? finding.resourceId,
        name: finding.resourceName ?? finding.resourceId,
        type: finding.resourceType,
        region: finding.region,
        cloud_partition: finding.partition,
        owner: { account },
      },
    ],
    cloud: { provider: "AWS", region: finding.region, account },
  };
}

/** Renders a report as a JSON list of OCSF Compliance Finding events. */
export function renderOcsf(report: Report): string {
  return `${JSON.stringify(
    report.findings.map((finding) => ocsfFinding(finding, report.version, report.generatedAt)),
    null,
    2,
  )}\n`;
}
