/**
 * The Security Hub findings of one invocation's verdicts (docs/config-contract.md#security-hub): one per
 * verdict, through the one ASFF mapping (`asff.ts`), with the whole explanation (Config's annotation is
 * cut to 256 characters; the finding is not).
 */
import type { AwsSecurityFinding } from "@aws-sdk/client-securityhub";
import type { ClientTarget } from "../aws/clients.js";
import type { ResourceVerdict } from "../config/evaluation.js";
import { type ConfigEvent, isReadable } from "../config/event.js";
import type { RuleInfo } from "../runtime/rule.js";
import { type AsffSubject, asffFinding } from "./asff.js";

/** How `SECURITY_HUB_FINDINGS` reads: on, off, or a value that is neither (a deployment error). */
export type FindingsSetting =
  | { readonly kind: "enabled" }
  | { readonly kind: "disabled" }
  | { readonly kind: "invalid"; readonly value: string };

/**
 * Reads `SECURITY_HUB_FINDINGS`: `"true"` enables, absent, empty or `"false"` disables (either in any
 * case); anything else is reported as invalid rather than guessed.
 *
 * @example
 * findingsSetting("true"); // { kind: "enabled" }
 */
export function findingsSetting(value: string | undefined): FindingsSetting {
  const text = value?.trim().toLowerCase() ?? "";
  if (text === "true") return { kind: "enabled" };
  if (text === "" || text === "false") return { kind: "disabled" };
  return { kind: "invalid", value: value ?? "" };
}

/** What an event says of the resource it names: its name and ARN. */
function namesFromEvent(event: ConfigEvent): Map<string, { name?: string; arn?: string }> {
  const out = new Map<string, { name?: string; arn?: string }>();
  const invoking = event.invoking;
  if (invoking.messageType === "ConfigurationItemChangeNotification" && isReadable(invoking.item)) {
    const { item } = invoking;
    out.set(`${item.resourceType}|${item.resourceId}`, {
      ...(item.resourceName === undefined ? {} : { name: item.resourceName }),
      ...(item.arn === undefined ? {} : { arn: item.arn }),
    });
  }
  if (invoking.messageType === "OversizedConfigurationItemChangeNotification") {
    const { summary } = invoking;
    out.set(`${summary.resourceType}|${summary.resourceId}`, {
      ...(summary.resourceName === undefined ? {} : { name: summary.resourceName }),
      ...(summary.arn === undefined ? {} : { arn: summary.arn }),
    });
  }
  return out;
}

export interface FindingsInput {
  readonly rule: RuleInfo;
  readonly event: ConfigEvent;
  readonly target: ClientTarget;
  readonly verdicts: readonly ResourceVerdict[];
  readonly generatedAt: Date;
  readonly docsBaseUrl: string | undefined;
  /** The one region where IAM resources are evaluated (`undefined`: every region). */
  readonly globalResourcesRegion: string | undefined;
}

/**
 * The findings of an invocation's verdicts. An IAM resource's verdict outside the global-resources region
 * (NOT_APPLICABLE there: IAM is evaluated in one region) gives no finding, so a region that does not
 * evaluate IAM never adds one.
 *
 * @example
 * const findings = findingsOf({ rule, event, target, verdicts, generatedAt: new Date(), docsBaseUrl: undefined, globalResourcesRegion: "us-east-1" });
 */
export function findingsOf(input: FindingsInput): AwsSecurityFinding[] {
  const { rule, target } = input;
  const names = namesFromEvent(input.event);
  const outsideGlobal =
    input.globalResourcesRegion !== undefined && target.region !== input.globalResourcesRegion;
  return input.verdicts
    .filter((verdict) => !(outsideGlobal && verdict.resourceType.startsWith("AWS::IAM::")))
    .map((verdict) => {
      const known = names.get(`${verdict.resourceType}|${verdict.resourceId}`);
      const explanation = verdict.verdict.annotation?.trim();
      const subject: AsffSubject = {
        rule: rule.name,
        title: rule.title,
        severity: rule.severity,
        control: rule.control,
        remediation: rule.remediation,
        docs: rule.docs,
        resourceType: verdict.resourceType,
        resourceId: verdict.resourceId,
        resourceName: known?.name,
        resourceArn: known?.arn,
        accountId: target.accountId,
        region: target.region,
        partition: target.partition,
        status: verdict.verdict.compliance,
        explanation: explanation === "" ? undefined : explanation,
        observedAt: verdict.orderingTimestamp,
      };
      return asffFinding(subject, { generatedAt: input.generatedAt, docsBaseUrl: input.docsBaseUrl });
    });
}
