/** Builders of real-shaped AWS Config events and items for tests (notification form unless stated). */
import { readFileSync } from "node:fs";

export interface ItemSpec {
  readonly resourceType: string;
  readonly resourceId: string;
  readonly resourceName?: string;
  readonly configuration: unknown;
  readonly accountId?: string;
  readonly region?: string;
  readonly arn?: string;
  readonly status?: string;
  readonly captureTime?: string;
  readonly relationships?: readonly unknown[];
}

export const ACCOUNT = "111122223333";
export const CAPTURE_TIME = "2026-11-20T10:00:00.000Z";

/** A configuration item in the notification form. */
export function notificationItem(spec: ItemSpec): Record<string, unknown> {
  return {
    relatedEvents: [],
    relationships: spec.relationships ?? [],
    configuration: spec.configuration,
    supplementaryConfiguration: {},
    tags: {},
    configurationItemVersion: "1.3",
    configurationItemCaptureTime: spec.captureTime ?? CAPTURE_TIME,
    configurationStateId: 1763632800000,
    awsAccountId: spec.accountId ?? ACCOUNT,
    configurationItemStatus: spec.status ?? "OK",
    resourceType: spec.resourceType,
    resourceId: spec.resourceId,
    resourceName: spec.resourceName ?? spec.resourceId,
    ARN: spec.arn ?? null,
    awsRegion: spec.region ?? "us-east-1",
    availabilityZone: "Regional",
    configurationStateMd5Hash: "",
    resourceCreationTime: "2026-01-01T00:00:00.000Z",
  };
}

export interface EventOptions {
  readonly ruleParameters?: Record<string, unknown>;
  readonly resultToken?: string;
  readonly eventLeftScope?: boolean;
  readonly ruleName?: string;
  readonly region?: string;
  readonly accountId?: string;
}

function envelope(invokingEvent: unknown, options: EventOptions): Record<string, unknown> {
  const region = options.region ?? "us-east-1";
  const account = options.accountId ?? ACCOUNT;
  return {
    version: "1.0",
    invokingEvent: JSON.stringify(invokingEvent),
    ruleParameters: JSON.stringify(options.ruleParameters ?? {}),
    resultToken: options.resultToken ?? "TESTMODE",
    eventLeftScope: options.eventLeftScope ?? false,
    executionRoleArn: `arn:aws:iam::${account}:role/config-role`,
    configRuleArn: `arn:aws:config:${region}:${account}:config-rule/config-rule-abc123`,
    configRuleName: options.ruleName ?? "test-rule",
    configRuleId: "config-rule-abc123",
    accountId: account,
  };
}

/** A `ConfigurationItemChangeNotification` event carrying `item`. */
export function changeEvent(
  item: Record<string, unknown>,
  options: EventOptions = {},
): Record<string, unknown> {
  return envelope(
    {
      configurationItemDiff: null,
      configurationItem: item,
      notificationCreationTime: "2026-11-20T10:00:05.000Z",
      messageType: "ConfigurationItemChangeNotification",
      recordVersion: "1.3",
    },
    options,
  );
}

/** An `OversizedConfigurationItemChangeNotification` event summarizing `item`. */
export function oversizedEvent(
  item: Record<string, unknown>,
  options: EventOptions = {},
): Record<string, unknown> {
  const summaryFields = [
    "configurationItemVersion",
    "configurationItemCaptureTime",
    "configurationStateId",
    "awsAccountId",
    "configurationItemStatus",
    "resourceType",
    "resourceId",
    "resourceName",
    "ARN",
    "awsRegion",
    "availabilityZone",
    "configurationStateMd5Hash",
    "resourceCreationTime",
  ];
  const summary = Object.fromEntries(summaryFields.map((field) => [field, item[field]]));
  return envelope(
    {
      configurationItemSummary: { changeType: "UPDATE", ...summary },
      messageType: "OversizedConfigurationItemChangeNotification",
      notificationCreationTime: "2026-11-20T10:00:05.000Z",
      recordVersion: "1.0",
    },
    options,
  );
}

/** A `ScheduledNotification` event. */
export function scheduledEvent(options: EventOptions = {}): Record<string, unknown> {
  return envelope(
    {
      awsAccountId: options.accountId ?? ACCOUNT,
      notificationCreationTime: "2026-11-20T12:00:00.000Z",
      messageType: "ScheduledNotification",
      recordVersion: "1.0",
    },
    options,
  );
}

/** A copy of one of the sample files in test/fixtures/config-samples (see its SOURCES.md). */
export function sample(name: string): Record<string, unknown> {
  const text = readFileSync(new URL(`../fixtures/config-samples/${name}`, import.meta.url), "utf8");
  return JSON.parse(text) as Record<string, unknown>;
}

/** An ECR repository item's configuration (the CloudFormation-style shape Config records). */
export function repositoryConfiguration(
  name: string,
  fields: { policy?: unknown; mutability?: string; scanOnPush?: boolean } = {},
): Record<string, unknown> {
  return {
    Arn: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/${name}`,
    ImageScanningConfiguration: { ScanOnPush: fields.scanOnPush ?? false },
    ImageTagMutability: fields.mutability ?? "MUTABLE",
    RepositoryName: name,
    LifecyclePolicy: {},
    RepositoryPolicyText: fields.policy === undefined ? {} : fields.policy,
    Tags: [],
  };
}

/** An IAM customer managed policy item's configuration with one (default) version. */
export function managedPolicyConfiguration(
  name: string,
  document: unknown,
  fields: { attachmentCount?: number; permissionsBoundaryUsageCount?: number; encode?: boolean } = {},
): Record<string, unknown> {
  const text = typeof document === "string" ? document : JSON.stringify(document);
  return {
    policyName: name,
    policyId: "ANPAEXAMPLEPOLICY0001",
    arn: `arn:aws:iam::${ACCOUNT}:policy/${name}`,
    path: "/",
    defaultVersionId: "v2",
    attachmentCount: fields.attachmentCount ?? 1,
    permissionsBoundaryUsageCount: fields.permissionsBoundaryUsageCount ?? 0,
    isAttachable: true,
    description: null,
    createDate: "2026-01-01T00:00:00.000Z",
    updateDate: "2026-11-20T10:00:00.000Z",
    policyVersionList: [
      {
        document: "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D",
        versionId: "v1",
        isDefaultVersion: false,
      },
      {
        document: fields.encode === false ? text : encodeURIComponent(text),
        versionId: "v2",
        isDefaultVersion: true,
      },
    ],
  };
}
