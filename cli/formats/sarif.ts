/**
 * `--format sarif` (docs/command-line.md#sarif): SARIF 2.1.0 for code-scanning uploads. Each rule of the
 * run appears once in `tool.driver.rules`, with its title, description, remediation and control as help
 * text; each NON_COMPLIANT finding is a result at the resource (its ARN as the artifact location, and a
 * logical location naming the resource), with a fingerprint that stays the same across runs.
 */
import type { Log, ReportingDescriptor, Result } from "sarif";
import type { RuleInfo } from "../../shared/runtime/rule.js";
import { type Finding, type Report, resourceLabel } from "../finding.js";
import { SARIF_LEVEL, SECURITY_SEVERITY } from "./severity.js";

const SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
export const INFORMATION_URI = "https://www.cisecurity.org/benchmark/kubernetes";

function helpText(rule: RuleInfo): { text: string; markdown: string } {
  const control = `${rule.control.framework} ${rule.control.version}, control ${rule.control.id} (${rule.control.title})`;
  return {
    text: `${rule.description}\n\nRemediation: ${rule.remediation}\n\nControl: ${control}.\nDocumentation: ${rule.docs}`,
    markdown: `${rule.description}\n\n**Remediation:** ${rule.remediation}\n\n**Control:** ${control}.\n\n**Documentation:** [${rule.docs}](${rule.docs})`,
  };
}

function descriptor(rule: RuleInfo): ReportingDescriptor {
  return {
    id: rule.name,
    name: rule.name,
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.description },
    help: helpText(rule),
    defaultConfiguration: { level: SARIF_LEVEL[rule.severity] },
    properties: {
      tags: ["security", "aws", "ecr", "iam", `CIS-EKS-${rule.control.id}`],
      precision: "high",
      "security-severity": SECURITY_SEVERITY[rule.severity],
      severity: rule.severity,
      resourceTypes: [...rule.resourceTypes],
    },
  };
}

function result(finding: Finding, ruleIndex: number): Result {
  const where = finding.resourceArn ?? `${finding.resourceType}/${finding.resourceId}`;
  const message = `${finding.resourceType} ${resourceLabel(finding)} in account ${finding.accountId} (${finding.region}): ${finding.explanation ?? finding.title}`;
  return {
    ruleId: finding.rule,
    ruleIndex,
    level: SARIF_LEVEL[finding.severity],
    kind: "fail",
    message: { text: message },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: encodeURI(where) } },
        logicalLocations: [
          {
            name: finding.resourceName ?? finding.resourceId,
            fullyQualifiedName: where,
            kind: "resource",
          },
        ],
      },
    ],
    partialFingerprints: {
      "resource/v1": [
        finding.rule,
        finding.accountId,
        finding.region,
        finding.resourceType,
        finding.resourceId,
      ].join("|"),
    },
    properties: {
      accountId: finding.accountId,
      region: finding.region,
      resourceType: finding.resourceType,
      resourceId: finding.resourceId,
      remediation: finding.remediation,
    },
  };
}

/**
 * The SARIF log of a report: one run, the report's rules, a result per NON_COMPLIANT finding.
 *
 * @example
 * sarifLog(report).runs[0]?.tool.driver.rules?.length; // the number of rules run
 */
export function sarifLog(report: Report): Log {
  const index = new Map(report.rules.map((rule, i) => [rule.name, i]));
  return {
    $schema: SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "ecr-access-rules",
            version: report.version,
            informationUri: INFORMATION_URI,
            rules: report.rules.map(descriptor),
          },
        },
        invocations: [
          {
            executionSuccessful: report.failures.length === 0,
            endTimeUtc: report.generatedAt.toISOString(),
            ...(report.failures.length === 0
              ? {}
              : {
                  toolExecutionNotifications: report.failures.map((failure) => ({
                    level: "error" as const,
                    message: {
                      text: `account ${failure.accountId}${failure.region === undefined ? "" : ` (${failure.region})`} was not scanned: ${failure.message}`,
                    },
                  })),
                }),
          },
        ],
        results: report.findings
          .filter((finding) => finding.status === "NON_COMPLIANT")
          .map((finding) => result(finding, index.get(finding.rule) ?? -1)),
      },
    ],
  };
}

export function renderSarif(report: Report): string {
  return `${JSON.stringify(sarifLog(report), null, 2)}\n`;
}
