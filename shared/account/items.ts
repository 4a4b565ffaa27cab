/**
 * Configuration items for every resource of an account, built from account facts (a snapshot or the live
 * API), in the shape Config records them — so `scan` runs each rule through the same path as a change
 * notification.
 */
import type { ConfigurationItem } from "../config/item.js";
import type { AccountFacts } from "./facts.js";
import {
  isAwsManaged,
  type ManagedPolicyRecord,
  PRINCIPAL_RESOURCE_TYPES,
  type PrincipalRecord,
} from "./iam.js";

export interface ItemScope {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly captureTime: Date;
  /** Only items of these types are built (and only the facts they need are read). */
  readonly resourceTypes: ReadonlySet<string>;
}

function item(
  scope: ItemScope,
  fields: {
    resourceType: string;
    resourceId: string;
    resourceName: string;
    arn: string;
    region: string;
    configuration: unknown;
  },
): ConfigurationItem {
  return {
    accountId: scope.accountId,
    arn: fields.arn,
    region: fields.region,
    resourceType: fields.resourceType,
    resourceId: fields.resourceId,
    resourceName: fields.resourceName,
    captureTime: scope.captureTime,
    status: "OK",
    configuration: fields.configuration,
    supplementaryConfiguration: {},
    relationships: [],
    tags: {},
  };
}

/** A principal as an `AWS::IAM::User` / `Role` / `Group` item's configuration (camelCase). */
export function principalConfiguration(principal: PrincipalRecord): Record<string, unknown> {
  const { type } = principal;
  return {
    path: principal.path,
    [`${type}Name`]: principal.name,
    [`${type}Id`]: principal.id,
    arn: principal.arn,
    [`${type}PolicyList`]: principal.inline.map((p) => ({ policyName: p.name, policyDocument: p.document })),
    attachedManagedPolicies: principal.attached.map((p) => ({ policyName: p.name, policyArn: p.arn })),
    ...(type === "user" ? { groupList: principal.groups } : {}),
    ...(type === "role" && principal.trustPolicy !== undefined
      ? { assumeRolePolicyDocument: principal.trustPolicy }
      : {}),
    ...(type === "role"
      ? {
          instanceProfileList:
            principal.inInstanceProfile === true ? [{ instanceProfileName: principal.name }] : [],
        }
      : {}),
    ...(type === "group"
      ? {}
      : {
          permissionsBoundary:
            principal.boundaryArn === undefined
              ? null
              : {
                  permissionsBoundaryType: "PermissionsBoundaryPolicy",
                  permissionsBoundaryArn: principal.boundaryArn,
                },
        }),
  };
}

/** A customer managed policy as an `AWS::IAM::Policy` item's configuration (default version only). */
export function policyConfiguration(policy: ManagedPolicyRecord): Record<string, unknown> {
  return {
    policyName: policy.name,
    policyId: policy.id,
    arn: policy.arn,
    path: policy.path,
    defaultVersionId: policy.defaultVersionId,
    attachmentCount: policy.attachmentCount,
    permissionsBoundaryUsageCount: policy.permissionsBoundaryUsageCount,
    isAttachable: true,
    policyVersionList: [
      { document: policy.document, versionId: policy.defaultVersionId, isDefaultVersion: true },
    ],
  };
}

/**
 * Every item of the requested types. IAM items are global (region `global`); ECR items are of `region`.
 *
 * @example
 * const items = await accountItems(facts, { accountId, region: "us-east-1", partition: "aws", captureTime: new Date(), resourceTypes: new Set(["AWS::ECR::Repository"]) });
 */
export async function accountItems(facts: AccountFacts, scope: ItemScope): Promise<ConfigurationItem[]> {
  const wants = (type: string) => scope.resourceTypes.has(type);
  const items: ConfigurationItem[] = [];
  const iamTypes = ["AWS::IAM::Policy", ...Object.values(PRINCIPAL_RESOURCE_TYPES)];
  if (iamTypes.some(wants)) {
    const details = await facts.iam().everything();
    if (wants("AWS::IAM::Policy")) {
      for (const policy of details.policies) {
        if (isAwsManaged(policy.arn)) continue;
        items.push(
          item(scope, {
            resourceType: "AWS::IAM::Policy",
            resourceId: policy.id,
            resourceName: policy.name,
            arn: policy.arn,
            region: "global",
            configuration: policyConfiguration(policy),
          }),
        );
      }
    }
    for (const principal of details.principals) {
      const resourceType = PRINCIPAL_RESOURCE_TYPES[principal.type];
      if (!wants(resourceType)) continue;
      items.push(
        item(scope, {
          resourceType,
          resourceId: principal.id,
          resourceName: principal.name,
          arn: principal.arn,
          region: "global",
          configuration: principalConfiguration(principal),
        }),
      );
    }
  }
  if (wants("AWS::ECR::Repository") || wants("AWS::ECR::RegistryPolicy")) {
    const ecr = facts.ecr(scope.region);
    if (wants("AWS::ECR::Repository")) {
      for (const repository of await ecr.repositories()) {
        items.push(
          item(scope, {
            resourceType: "AWS::ECR::Repository",
            resourceId: repository.name,
            resourceName: repository.name,
            arn: repository.arn,
            region: scope.region,
            configuration: {
              RepositoryName: repository.name,
              Arn: repository.arn,
              ImageTagMutability: repository.imageTagMutability,
              ImageScanningConfiguration: { ScanOnPush: repository.scanOnPush },
              RepositoryPolicyText: await ecr.repositoryPolicy(repository.name),
            },
          }),
        );
      }
    }
    if (wants("AWS::ECR::RegistryPolicy")) {
      const policy = await ecr.registryPolicy();
      if (policy !== null && policy !== undefined) {
        items.push(
          item(scope, {
            resourceType: "AWS::ECR::RegistryPolicy",
            resourceId: scope.accountId,
            resourceName: scope.accountId,
            arn: `arn:${scope.partition}:ecr:${scope.region}:${scope.accountId}:registry`,
            region: scope.region,
            configuration: { RegistryId: scope.accountId, PolicyText: policy },
          }),
        );
      }
    }
  }
  return items;
}
