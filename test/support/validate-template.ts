/**
 * Offline CloudFormation template validation against the CloudFormation resource specification shipped
 * by `@aws-cdk/aws-service-spec` (no AWS call, no credentials).
 *
 * Checked: the template's sections; parameters (type, default within AllowedValues / AllowedPattern);
 * resource types exist; every property exists on its type, recursively into property types; required
 * properties are present; literal values have the property's primitive type and allowed values; every
 * `Ref` / `Fn::GetAtt` / `Fn::Sub` target exists (parameter, resource, pseudo parameter, `Fn::ForEach`
 * identifier; `GetAtt` attributes exist on the type); `Fn::If` and resource `Condition`s exist;
 * `DependsOn` targets exist; `Fn::ForEach` (with the `AWS::LanguageExtensions` transform) is expanded with
 * a placeholder. Plus hand-written checks of AWS Config values that the specification leaves as plain
 * strings: `Source.Owner`, `SourceDetails[].MessageType` / `EventSource`, `MaximumExecutionFrequency`,
 * organization rule trigger types, and a rule's 256-character description.
 *
 * The specification database loads once per process (about a second): {@link loadResourceSpec}.
 */
import { loadAwsServiceSpecSync } from "@aws-cdk/aws-service-spec";
import type { Property, PropertyType, SpecDatabase } from "@aws-cdk/service-spec-types";

export interface ValidateOptions {
  /**
   * The template is an AWS Config conformance pack template: its resources may only be
   * `AWS::Config::ConfigRule` and `AWS::Config::RemediationConfiguration`, with at most 60 parameters.
   */
  readonly conformancePack?: boolean;
}

/** AWS Config's documented values (the specification types these as plain strings). */
export const CONFIG_ENUMS = {
  owner: ["AWS", "CUSTOM_LAMBDA", "CUSTOM_POLICY"],
  messageType: [
    "ConfigurationItemChangeNotification",
    "OversizedConfigurationItemChangeNotification",
    "ScheduledNotification",
    "ConfigurationSnapshotDeliveryCompleted",
  ],
  maximumExecutionFrequency: ["One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours"],
  eventSource: ["aws.config"],
  organizationTriggerTypes: [
    "ConfigurationItemChangeNotification",
    "OversizedConfigurationItemChangeNotification",
    "ScheduledNotification",
  ],
} as const;

/** AWS Config conformance pack limits (PutConformancePack / PutOrganizationConformancePack). */
export const CONFORMANCE_PACK_LIMITS = {
  /** `TemplateBody`, in bytes. */
  templateBodyBytes: 51_200,
  parameters: 60,
  resourceTypes: ["AWS::Config::ConfigRule", "AWS::Config::RemediationConfiguration"],
} as const;

/** Where a hand-written enum applies: `resource type` + property path (list indexes dropped). */
const ENUM_PATHS: Readonly<Record<string, readonly string[]>> = {
  "AWS::Config::ConfigRule Source.Owner": CONFIG_ENUMS.owner,
  "AWS::Config::ConfigRule Source.SourceDetails.MessageType": CONFIG_ENUMS.messageType,
  "AWS::Config::ConfigRule Source.SourceDetails.EventSource": CONFIG_ENUMS.eventSource,
  "AWS::Config::ConfigRule Source.SourceDetails.MaximumExecutionFrequency":
    CONFIG_ENUMS.maximumExecutionFrequency,
  "AWS::Config::ConfigRule MaximumExecutionFrequency": CONFIG_ENUMS.maximumExecutionFrequency,
  "AWS::Config::OrganizationConfigRule OrganizationCustomRuleMetadata.MaximumExecutionFrequency":
    CONFIG_ENUMS.maximumExecutionFrequency,
  "AWS::Config::OrganizationConfigRule OrganizationCustomRuleMetadata.OrganizationConfigRuleTriggerTypes":
    CONFIG_ENUMS.organizationTriggerTypes,
  "AWS::Config::OrganizationConfigRule OrganizationManagedRuleMetadata.MaximumExecutionFrequency":
    CONFIG_ENUMS.maximumExecutionFrequency,
  "AWS::Config::OrganizationConfigRule OrganizationCustomPolicyRuleMetadata.MaximumExecutionFrequency":
    CONFIG_ENUMS.maximumExecutionFrequency,
  "AWS::Config::OrganizationConfigRule OrganizationCustomPolicyRuleMetadata.OrganizationConfigRuleTriggerTypes":
    CONFIG_ENUMS.organizationTriggerTypes,
};

const SECTIONS = new Set([
  "AWSTemplateFormatVersion",
  "Description",
  "Metadata",
  "Parameters",
  "Rules",
  "Mappings",
  "Conditions",
  "Transform",
  "Resources",
  "Outputs",
]);
const RESOURCE_KEYS = new Set([
  "Type",
  "Properties",
  "Condition",
  "DependsOn",
  "DeletionPolicy",
  "UpdateReplacePolicy",
  "Metadata",
  "CreationPolicy",
  "UpdatePolicy",
]);
const PARAMETER_KEYS = new Set([
  "Type",
  "Default",
  "Description",
  "AllowedValues",
  "AllowedPattern",
  "ConstraintDescription",
  "MaxLength",
  "MinLength",
  "MaxValue",
  "MinValue",
  "NoEcho",
]);
const OUTPUT_KEYS = new Set(["Value", "Description", "Export", "Condition"]);
const PSEUDO_PARAMETERS = new Set([
  "AWS::AccountId",
  "AWS::NotificationARNs",
  "AWS::NoValue",
  "AWS::Partition",
  "AWS::Region",
  "AWS::StackId",
  "AWS::StackName",
  "AWS::URLSuffix",
]);
const FUNCTIONS = new Set([
  "Fn::And",
  "Fn::Base64",
  "Fn::Cidr",
  "Fn::Equals",
  "Fn::FindInMap",
  "Fn::GetAtt",
  "Fn::GetAZs",
  "Fn::If",
  "Fn::ImportValue",
  "Fn::Join",
  "Fn::Length",
  "Fn::Not",
  "Fn::Or",
  "Fn::Select",
  "Fn::Split",
  "Fn::Sub",
  "Fn::ToJsonString",
  "Fn::Transform",
]);
const LIST_PARAMETER = /^(List<.+>|CommaDelimitedList)$/u;
const PARAMETER_TYPE =
  /^(String|Number|List<Number>|CommaDelimitedList|AWS::EC2::[A-Za-z:]+|AWS::Route53::HostedZone::Id|List<AWS::[A-Za-z0-9:]+>|AWS::SSM::Parameter::Name|AWS::SSM::Parameter::Value<.+>)$/u;
const LOGICAL_ID = /^[A-Za-z0-9]+$/u;
/** `${Name}` or `&{Name}` in a `Fn::ForEach` output key. */
const LOOP_PLACEHOLDER = /[$&]\{([^}]+)\}/gu;

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `{ Ref: … }` or `{ "Fn::…": … }`; with `conditions`, also `{ Condition: … }`. */
function intrinsicName(value: unknown, conditions = false): string | undefined {
  if (!isObj(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const [key] = keys;
  if (key === undefined) return undefined;
  if (key === "Ref" || key.startsWith("Fn::") || (conditions && key === "Condition")) return key;
  return undefined;
}

let cachedDb: SpecDatabase | undefined;

/**
 * The CloudFormation resource specification, loaded once per process.
 *
 * @example
 * loadResourceSpec().lookup("resource", "cloudFormationType", "equals", "AWS::Config::ConfigRule");
 */
export function loadResourceSpec(): SpecDatabase {
  cachedDb ??= loadAwsServiceSpecSync();
  return cachedDb;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, previous + cost);
      previous = above;
    }
  }
  return row[b.length] ?? 0;
}

function suggestion(name: string, known: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance =
      candidate.toLowerCase() === name.toLowerCase()
        ? 0
        : editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 4))
    ? ` (did you mean ${best}?)`
    : "";
}

interface ResourceEntry {
  readonly logicalId: string;
  readonly definition: unknown;
  readonly path: string;
  /** `Fn::ForEach` identifiers in scope. */
  readonly loopScope: ReadonlySet<string>;
}

/** Where a value sits: for enum lookups and messages. */
interface ValueContext {
  readonly resourceType: string;
  /** Property names from the resource's `Properties`, list indexes dropped. */
  readonly propertyPath: readonly string[];
  readonly loopScope: ReadonlySet<string>;
}

class TemplateChecker {
  readonly problems: string[] = [];
  private readonly parameters = new Map<string, Obj>();
  private readonly resourceTypes = new Map<string, string>();
  private readonly conditions = new Set<string>();
  private readonly mappings = new Set<string>();
  private languageExtensions = false;

  constructor(
    private readonly db: SpecDatabase,
    private readonly options: ValidateOptions,
  ) {}

  private problem(path: string, message: string): void {
    this.problems.push(`${path}: ${message}`);
  }

  run(template: unknown): void {
    if (!isObj(template)) {
      this.problem("template", "not an object");
      return;
    }
    for (const section of Object.keys(template)) {
      if (!SECTIONS.has(section))
        this.problem(section, `unknown template section${suggestion(section, SECTIONS)}`);
    }
    this.checkHeader(template);
    this.collectParameters(template.Parameters);
    if (isObj(template.Mappings)) for (const name of Object.keys(template.Mappings)) this.mappings.add(name);
    if (template.Conditions !== undefined && !isObj(template.Conditions))
      this.problem("Conditions", "must be a mapping");
    if (isObj(template.Conditions))
      for (const name of Object.keys(template.Conditions)) this.conditions.add(name);
    const resources = this.collectResources(template.Resources);
    for (const [name, expression] of Object.entries(isObj(template.Conditions) ? template.Conditions : {})) {
      this.checkIntrinsics(expression, `Conditions.${name}`, new Set(), true);
    }
    for (const entry of resources) this.checkResource(entry);
    this.checkOutputs(template.Outputs);
  }

  private checkHeader(template: Obj): void {
    const version = template.AWSTemplateFormatVersion;
    if (version !== undefined && version !== "2010-09-09")
      this.problem("AWSTemplateFormatVersion", `must be "2010-09-09", got ${JSON.stringify(version)}`);
    const description = template.Description;
    if (description !== undefined) {
      if (typeof description !== "string") this.problem("Description", "must be a string");
      else if (Buffer.byteLength(description) > 1024)
        this.problem(
          "Description",
          `${Buffer.byteLength(description)} bytes, more than CloudFormation's 1024`,
        );
    }
    const transform = template.Transform;
    const transforms =
      typeof transform === "string" ? [transform] : Array.isArray(transform) ? transform : [];
    this.languageExtensions = transforms.includes("AWS::LanguageExtensions");
    if (this.options.conformancePack && transform !== undefined)
      this.problem("Transform", "a conformance pack template cannot use transforms");
  }

  private collectParameters(parameters: unknown): void {
    if (parameters === undefined) return;
    if (!isObj(parameters)) {
      this.problem("Parameters", "must be a mapping");
      return;
    }
    const count = Object.keys(parameters).length;
    if (count > 200) this.problem("Parameters", `${count} parameters, more than CloudFormation's 200`);
    if (this.options.conformancePack && count > CONFORMANCE_PACK_LIMITS.parameters)
      this.problem("Parameters", `${count} parameters, more than a conformance pack's 60`);
    for (const [name, definition] of Object.entries(parameters)) {
      const path = `Parameters.${name}`;
      if (!LOGICAL_ID.test(name)) this.problem(path, "a parameter name must be alphanumeric");
      if (!isObj(definition)) {
        this.problem(path, "must be a mapping");
        continue;
      }
      this.parameters.set(name, definition);
      for (const key of Object.keys(definition)) {
        if (!PARAMETER_KEYS.has(key))
          this.problem(`${path}.${key}`, `unknown parameter attribute${suggestion(key, PARAMETER_KEYS)}`);
      }
      const type = definition.Type;
      if (typeof type !== "string" || !PARAMETER_TYPE.test(type)) {
        this.problem(`${path}.Type`, `not a CloudFormation parameter type: ${JSON.stringify(type)}`);
        continue;
      }
      const defaultValue = definition.Default;
      const allowed = definition.AllowedValues;
      if (allowed !== undefined && !Array.isArray(allowed))
        this.problem(`${path}.AllowedValues`, "must be a list");
      if (defaultValue === undefined || LIST_PARAMETER.test(type)) continue;
      const text = String(defaultValue);
      if (Array.isArray(allowed) && !allowed.map(String).includes(text))
        this.problem(`${path}.Default`, `${JSON.stringify(text)} is not one of its AllowedValues`);
      const pattern = definition.AllowedPattern;
      if (typeof pattern === "string" && !new RegExp(`^(?:${pattern})$`, "u").test(text))
        this.problem(`${path}.Default`, `${JSON.stringify(text)} does not match its AllowedPattern`);
    }
  }

  private collectResources(resources: unknown): ResourceEntry[] {
    if (!isObj(resources) || Object.keys(resources).length === 0) {
      this.problem("Resources", "a template needs at least one resource");
      return [];
    }
    const entries: ResourceEntry[] = [];
    const expand = (key: string, value: unknown, path: string, loopScope: ReadonlySet<string>): void => {
      if (key.startsWith("Fn::ForEach::")) {
        this.expandForEach(value, path, loopScope, expand);
        return;
      }
      const logicalId = key.replace(LOOP_PLACEHOLDER, (_, name: string) => {
        if (!loopScope.has(name)) this.problem(path, `${name} is not a Fn::ForEach identifier in scope`);
        return "X";
      });
      if (!LOGICAL_ID.test(logicalId)) this.problem(path, "a logical id must be alphanumeric");
      if (this.resourceTypes.has(logicalId)) this.problem(path, "duplicate logical id");
      const type = isObj(value) && typeof value.Type === "string" ? value.Type : "";
      this.resourceTypes.set(logicalId, type);
      if (this.parameters.has(logicalId)) this.problem(path, "a resource and a parameter share this name");
      entries.push({ logicalId, definition: value, path, loopScope });
    };
    for (const [key, value] of Object.entries(resources)) expand(key, value, `Resources.${key}`, new Set());
    if (entries.length > 500) this.problem("Resources", `${entries.length} resources, more than 500`);
    return entries;
  }

  private expandForEach(
    value: unknown,
    path: string,
    loopScope: ReadonlySet<string>,
    expand: (key: string, value: unknown, path: string, loopScope: ReadonlySet<string>) => void,
  ): void {
    if (!this.languageExtensions)
      this.problem(path, "Fn::ForEach needs the AWS::LanguageExtensions transform");
    if (!Array.isArray(value) || value.length !== 3) {
      this.problem(path, "Fn::ForEach takes [identifier, collection, outputs]");
      return;
    }
    const [identifier, collection, outputs] = value;
    if (typeof identifier !== "string" || !LOGICAL_ID.test(identifier)) {
      this.problem(`${path}[0]`, "the identifier must be an alphanumeric string");
      return;
    }
    if (this.parameters.has(identifier))
      this.problem(`${path}[0]`, `the identifier ${identifier} shadows a parameter`);
    this.checkIntrinsics(collection, `${path}[1]`, loopScope, false);
    if (!Array.isArray(collection) && intrinsicName(collection) === undefined)
      this.problem(`${path}[1]`, "the collection must be a list or a function returning one");
    if (!isObj(outputs)) {
      this.problem(`${path}[2]`, "the outputs must be a mapping");
      return;
    }
    const inner = new Set([...loopScope, identifier]);
    for (const [outputKey, outputValue] of Object.entries(outputs)) {
      if (!outputKey.startsWith("Fn::ForEach::") && !outputKey.includes(`{${identifier}}`))
        this.problem(`${path}.${outputKey}`, `the output key must use \${${identifier}} or &{${identifier}}`);
      expand(outputKey, outputValue, `${path}.${outputKey}`, inner);
    }
  }

  private checkResource(entry: ResourceEntry): void {
    const { definition, path, loopScope } = entry;
    if (!isObj(definition)) {
      this.problem(path, "must be a mapping");
      return;
    }
    for (const key of Object.keys(definition)) {
      if (!RESOURCE_KEYS.has(key))
        this.problem(`${path}.${key}`, `unknown resource attribute${suggestion(key, RESOURCE_KEYS)}`);
    }
    const type = definition.Type;
    if (typeof type !== "string") {
      this.problem(`${path}.Type`, "missing");
      return;
    }
    if (this.options.conformancePack && !CONFORMANCE_PACK_LIMITS.resourceTypes.some((t) => t === type))
      this.problem(`${path}.Type`, `${type} cannot be in a conformance pack`);
    const condition = definition.Condition;
    if (condition !== undefined && (typeof condition !== "string" || !this.conditions.has(condition)))
      this.problem(`${path}.Condition`, `unknown condition ${JSON.stringify(condition)}`);
    const dependsOn = definition.DependsOn;
    for (const target of typeof dependsOn === "string"
      ? [dependsOn]
      : Array.isArray(dependsOn)
        ? dependsOn
        : []) {
      if (typeof target !== "string" || !this.resourceTypes.has(target))
        this.problem(`${path}.DependsOn`, `unknown resource ${JSON.stringify(target)}`);
    }
    const properties = definition.Properties;
    if (properties !== undefined && !isObj(properties)) {
      this.problem(`${path}.Properties`, "must be a mapping");
      return;
    }
    if (type.startsWith("Custom::") || type === "AWS::CloudFormation::CustomResource") {
      if (properties?.ServiceToken === undefined)
        this.problem(`${path}.Properties.ServiceToken`, "required for a custom resource");
      this.checkIntrinsics(properties ?? {}, `${path}.Properties`, loopScope, false);
      return;
    }
    const spec = this.db.lookup("resource", "cloudFormationType", "equals", type);
    const resource = spec[0];
    if (resource === undefined) {
      this.problem(`${path}.Type`, `unknown resource type ${type}`);
      return;
    }
    const context: ValueContext = { resourceType: type, propertyPath: [], loopScope };
    this.checkObject(properties ?? {}, resource.properties, `${path}.Properties`, context);
    if (type === "AWS::Config::ConfigRule" && properties !== undefined)
      this.checkConfigRule(properties, path);
  }

  /** Config's own constraints that the specification does not carry. */
  private checkConfigRule(properties: Obj, path: string): void {
    const description = properties.Description;
    if (typeof description === "string" && description.length > 256)
      this.problem(
        `${path}.Properties.Description`,
        `${description.length} characters, more than Config's 256`,
      );
    const source = properties.Source;
    if (!isObj(source) || source.Owner !== "CUSTOM_LAMBDA") return;
    if (source.SourceIdentifier === undefined)
      this.problem(
        `${path}.Properties.Source.SourceIdentifier`,
        "a CUSTOM_LAMBDA rule needs the function ARN",
      );
    const details = source.SourceDetails;
    if (!Array.isArray(details) || details.length === 0) {
      this.problem(`${path}.Properties.Source.SourceDetails`, "a CUSTOM_LAMBDA rule needs at least one");
      return;
    }
    details.forEach((detail, index) => {
      if (!isObj(detail)) return;
      if (
        detail.MaximumExecutionFrequency !== undefined &&
        typeof detail.MessageType === "string" &&
        detail.MessageType !== "ScheduledNotification" &&
        detail.MessageType !== "ConfigurationSnapshotDeliveryCompleted"
      ) {
        this.problem(
          `${path}.Properties.Source.SourceDetails[${index}].MaximumExecutionFrequency`,
          `only for periodic message types, not ${detail.MessageType}`,
        );
      }
    });
  }

  private checkObject(
    value: unknown,
    properties: Readonly<Record<string, Property>>,
    path: string,
    context: ValueContext,
  ): void {
    if (intrinsicName(value) !== undefined) {
      this.checkIntrinsicValue(value, path, context, (branch, branchPath) =>
        this.checkObject(branch, properties, branchPath, context),
      );
      return;
    }
    if (!isObj(value)) {
      this.problem(path, `expected a mapping, got ${JSON.stringify(value)}`);
      return;
    }
    for (const [name, propertyValue] of Object.entries(value)) {
      const property = properties[name];
      const propertyPath = `${path}.${name}`;
      if (property === undefined) {
        this.problem(propertyPath, `unknown property${suggestion(name, Object.keys(properties))}`);
        continue;
      }
      const inner: ValueContext = { ...context, propertyPath: [...context.propertyPath, name] };
      this.checkProperty(propertyValue, property, propertyPath, inner);
    }
    for (const [name, property] of Object.entries(properties)) {
      if (property.required && !(name in value)) this.problem(`${path}.${name}`, "required property missing");
    }
  }

  private checkProperty(value: unknown, property: Property, path: string, context: ValueContext): void {
    this.checkOneOf(value, [property.type, ...(property.previousTypes ?? [])], path, context);
  }

  /**
   * A value that may have any of several types: checked as each type its shape fits (an intrinsic fits
   * all), keeping the fewest problems; the first such type wins a tie.
   */
  private checkOneOf(
    value: unknown,
    types: readonly PropertyType[],
    path: string,
    context: ValueContext,
  ): void {
    const fitting = types.filter((type) => this.fits(value, type));
    const candidates = fitting.length > 0 ? fitting : types.slice(0, 1);
    const attempts = candidates.map((type) => this.trial(() => this.checkValue(value, type, path, context)));
    const best = attempts.reduce((a, b) => (b.length < a.length ? b : a), attempts[0] ?? []);
    this.problems.push(...best);
  }

  /** Whether a value has the shape of a type (not whether it is valid). */
  private fits(value: unknown, type: PropertyType): boolean {
    if (intrinsicName(value) !== undefined) return true;
    switch (type.type) {
      case "array":
        return Array.isArray(value);
      case "map":
      case "ref":
      case "tag":
        return isObj(value);
      case "json":
        return true;
      case "union":
        return type.types.some((member) => this.fits(value, member));
      default:
        return !Array.isArray(value) && !isObj(value);
    }
  }

  /** Runs a check into a fresh problem list and returns it. */
  private trial(check: () => void): string[] {
    const saved = this.problems.splice(0);
    check();
    const found = this.problems.splice(0);
    this.problems.push(...saved);
    return found;
  }

  private checkValue(value: unknown, type: PropertyType, path: string, context: ValueContext): void {
    if (intrinsicName(value) !== undefined) {
      this.checkIntrinsicValue(value, path, context, (branch, branchPath) =>
        this.checkValue(branch, type, branchPath, context),
      );
      this.checkRefAgainstType(value, type, path, context);
      return;
    }
    switch (type.type) {
      case "string":
      case "date-time": {
        if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
          this.problem(path, `expected a string, got ${JSON.stringify(value)}`);
          return;
        }
        const allowed = type.type === "string" ? (type.allowedValues ?? []) : [];
        if (allowed.length > 0 && !allowed.includes(String(value)))
          this.problem(path, `${JSON.stringify(value)} is not one of ${allowed.join(", ")}`);
        this.checkEnum(String(value), path, context);
        return;
      }
      case "number":
      case "integer":
        if (typeof value === "number" || (typeof value === "string" && /^-?\d+(\.\d+)?$/u.test(value)))
          return;
        this.problem(path, `expected a number, got ${JSON.stringify(value)}`);
        return;
      case "boolean":
        if (typeof value === "boolean" || value === "true" || value === "false") return;
        this.problem(path, `expected a boolean, got ${JSON.stringify(value)}`);
        return;
      case "json":
      case "null":
        this.checkIntrinsics(value, path, context.loopScope, false);
        return;
      case "tag":
        this.checkObject(
          value,
          {
            Key: { type: { type: "string" }, required: true },
            Value: { type: { type: "string" }, required: true },
          },
          path,
          context,
        );
        return;
      case "array":
        if (!Array.isArray(value)) {
          this.problem(path, `expected a list, got ${JSON.stringify(value)}`);
          return;
        }
        value.forEach((element, index) => {
          this.checkValue(element, type.element, `${path}[${index}]`, context);
        });
        return;
      case "map":
        if (!isObj(value)) {
          this.problem(path, `expected a mapping, got ${JSON.stringify(value)}`);
          return;
        }
        for (const [key, element] of Object.entries(value))
          this.checkValue(element, type.element, `${path}.${key}`, context);
        return;
      case "ref": {
        const definition = this.db.get("typeDefinition", type.reference);
        this.checkObject(value, definition.properties, path, context);
        return;
      }
      case "union":
        this.checkOneOf(value, type.types, path, context);
        return;
      default:
        return;
    }
  }

  private checkEnum(value: string, path: string, context: ValueContext): void {
    const allowed = ENUM_PATHS[`${context.resourceType} ${context.propertyPath.join(".")}`];
    if (allowed !== undefined && !allowed.includes(value))
      this.problem(path, `${JSON.stringify(value)} is not one of ${allowed.join(", ")}`);
  }

  /** A `Ref` to a parameter: list-ness matches, and its AllowedValues / Default fit a Config enum. */
  private checkRefAgainstType(value: unknown, type: PropertyType, path: string, context: ValueContext): void {
    if (!isObj(value) || typeof value.Ref !== "string") return;
    const parameter = this.parameters.get(value.Ref);
    if (parameter === undefined || typeof parameter.Type !== "string") return;
    const isList = LIST_PARAMETER.test(parameter.Type);
    if (type.type === "array" && !isList)
      this.problem(path, `expects a list, but ${value.Ref} is a ${parameter.Type}`);
    if ((type.type === "string" || type.type === "integer" || type.type === "number") && isList)
      this.problem(path, `expects a single value, but ${value.Ref} is a ${parameter.Type}`);
    const allowed = ENUM_PATHS[`${context.resourceType} ${context.propertyPath.join(".")}`];
    if (allowed === undefined) return;
    const values = Array.isArray(parameter.AllowedValues)
      ? parameter.AllowedValues
      : parameter.Default === undefined
        ? []
        : [parameter.Default];
    if (values.length === 0) this.problem(path, `${value.Ref} has no AllowedValues or Default to check`);
    for (const candidate of values) {
      if (!allowed.includes(String(candidate)))
        this.problem(
          path,
          `${value.Ref} allows ${JSON.stringify(candidate)}, not one of ${allowed.join(", ")}`,
        );
    }
  }

  /**
   * An intrinsic in a property's place: its references are checked; `Fn::If` branches are checked as the
   * property's own type (`AWS::NoValue` aside).
   */
  private checkIntrinsicValue(
    value: unknown,
    path: string,
    context: ValueContext,
    checkBranch: (branch: unknown, path: string) => void,
  ): void {
    if (isObj(value) && Array.isArray(value["Fn::If"])) {
      const [condition, whenTrue, whenFalse] = value["Fn::If"];
      this.checkIntrinsics({ "Fn::If": [condition, null, null] }, path, context.loopScope, false);
      for (const [branch, branchPath] of [
        [whenTrue, `${path}.Fn::If[1]`],
        [whenFalse, `${path}.Fn::If[2]`],
      ] as const) {
        if (isObj(branch) && branch.Ref === "AWS::NoValue") continue;
        checkBranch(branch, branchPath);
      }
      return;
    }
    this.checkIntrinsics(value, path, context.loopScope, false);
  }

  private refTarget(name: string, path: string, loopScope: ReadonlySet<string>, inConditions: boolean): void {
    if (PSEUDO_PARAMETERS.has(name) || this.parameters.has(name) || loopScope.has(name)) return;
    if (this.resourceTypes.has(name)) {
      if (inConditions) this.problem(path, `a condition cannot refer to the resource ${name}`);
      return;
    }
    const known = [...this.parameters.keys(), ...this.resourceTypes.keys(), ...PSEUDO_PARAMETERS];
    this.problem(path, `unknown Ref target ${name}${suggestion(name, known)}`);
  }

  private getAttTarget(resourceName: string, attribute: unknown, path: string): void {
    const type = this.resourceTypes.get(resourceName);
    if (type === undefined) {
      this.problem(
        path,
        `unknown GetAtt resource ${resourceName}${suggestion(resourceName, this.resourceTypes.keys())}`,
      );
      return;
    }
    if (
      typeof attribute !== "string" ||
      type.startsWith("Custom::") ||
      type === "AWS::CloudFormation::CustomResource"
    )
      return;
    const resource = this.db.lookup("resource", "cloudFormationType", "equals", type)[0];
    if (resource === undefined) return;
    if (!(attribute in resource.attributes))
      this.problem(
        path,
        `${type} has no attribute ${attribute}${suggestion(attribute, Object.keys(resource.attributes))}`,
      );
  }

  private checkSub(
    argument: unknown,
    path: string,
    loopScope: ReadonlySet<string>,
    inConditions: boolean,
  ): void {
    const [text, variables] = Array.isArray(argument) ? argument : [argument, undefined];
    if (typeof text !== "string") {
      this.problem(path, "Fn::Sub needs a string (or [string, variables])");
      return;
    }
    const local = new Set(loopScope);
    if (variables !== undefined) {
      if (!isObj(variables)) this.problem(path, "Fn::Sub variables must be a mapping");
      else {
        for (const [name, variable] of Object.entries(variables)) {
          local.add(name);
          this.checkIntrinsics(variable, `${path}.${name}`, loopScope, inConditions);
        }
      }
    }
    for (const match of text.matchAll(/\$\{([^}]*)\}/gu)) {
      const name = (match[1] ?? "").trim();
      if (name.startsWith("!")) continue;
      const dot = name.indexOf(".");
      if (dot > 0 && !local.has(name)) this.getAttTarget(name.slice(0, dot), name.slice(dot + 1), path);
      else if (!local.has(name)) this.refTarget(name, path, local, inConditions);
    }
  }

  /** Walks a value, checking every intrinsic function's references. */
  private checkIntrinsics(
    value: unknown,
    path: string,
    loopScope: ReadonlySet<string>,
    inConditions: boolean,
  ): void {
    if (Array.isArray(value)) {
      value.forEach((element, index) => {
        this.checkIntrinsics(element, `${path}[${index}]`, loopScope, inConditions);
      });
      return;
    }
    if (!isObj(value)) return;
    const name = intrinsicName(value, inConditions);
    if (name === undefined) {
      for (const [key, element] of Object.entries(value)) {
        if (key.startsWith("Fn::") && !key.startsWith("Fn::ForEach::"))
          this.problem(`${path}.${key}`, "an intrinsic function must be the only key of its mapping");
        this.checkIntrinsics(element, `${path}.${key}`, loopScope, inConditions);
      }
      return;
    }
    const argument = value[name];
    const here = `${path}.${name}`;
    switch (name) {
      case "Ref":
        if (typeof argument !== "string") this.problem(here, "Ref takes a name");
        else this.refTarget(argument, here, loopScope, inConditions);
        return;
      case "Condition":
        if (typeof argument !== "string" || !this.conditions.has(argument))
          this.problem(here, `unknown condition ${JSON.stringify(argument)}`);
        return;
      case "Fn::GetAtt": {
        const [resourceName, attribute] =
          typeof argument === "string"
            ? [argument.slice(0, argument.indexOf(".")), argument.slice(argument.indexOf(".") + 1)]
            : Array.isArray(argument)
              ? argument
              : [undefined, undefined];
        if (typeof resourceName !== "string") {
          this.problem(here, "Fn::GetAtt takes [resource, attribute]");
          return;
        }
        if (inConditions) this.problem(here, "a condition cannot use Fn::GetAtt");
        this.getAttTarget(resourceName, attribute, here);
        this.checkIntrinsics(attribute, here, loopScope, inConditions);
        return;
      }
      case "Fn::Sub":
        this.checkSub(argument, here, loopScope, inConditions);
        return;
      case "Fn::If": {
        if (!Array.isArray(argument) || argument.length !== 3) {
          this.problem(here, "Fn::If takes [condition, value if true, value if false]");
          return;
        }
        const [condition, ...branches] = argument;
        if (typeof condition !== "string" || !this.conditions.has(condition))
          this.problem(
            here,
            `unknown condition ${JSON.stringify(condition)}${suggestion(String(condition), this.conditions)}`,
          );
        this.checkIntrinsics(branches, here, loopScope, inConditions);
        return;
      }
      case "Fn::And":
      case "Fn::Or":
      case "Fn::Not":
      case "Fn::Equals":
        this.checkIntrinsics(argument, here, loopScope, true);
        return;
      case "Fn::FindInMap": {
        const mapName = Array.isArray(argument) ? argument[0] : undefined;
        if (typeof mapName === "string" && !this.mappings.has(mapName))
          this.problem(here, `unknown mapping ${mapName}`);
        this.checkIntrinsics(argument, here, loopScope, inConditions);
        return;
      }
      default:
        if (!FUNCTIONS.has(name)) {
          this.problem(here, `unknown intrinsic function${suggestion(name, FUNCTIONS)}`);
          return;
        }
        if ((name === "Fn::Length" || name === "Fn::ToJsonString") && !this.languageExtensions)
          this.problem(here, `${name} needs the AWS::LanguageExtensions transform`);
        this.checkIntrinsics(argument, here, loopScope, inConditions);
    }
  }

  private checkOutputs(outputs: unknown): void {
    if (outputs === undefined) return;
    if (!isObj(outputs)) {
      this.problem("Outputs", "must be a mapping");
      return;
    }
    for (const [name, output] of Object.entries(outputs)) {
      const path = `Outputs.${name}`;
      if (!isObj(output)) {
        this.problem(path, "must be a mapping");
        continue;
      }
      for (const key of Object.keys(output)) {
        if (!OUTPUT_KEYS.has(key))
          this.problem(`${path}.${key}`, `unknown output attribute${suggestion(key, OUTPUT_KEYS)}`);
      }
      if (output.Value === undefined) this.problem(`${path}.Value`, "required");
      const condition = output.Condition;
      if (condition !== undefined && (typeof condition !== "string" || !this.conditions.has(condition)))
        this.problem(`${path}.Condition`, `unknown condition ${JSON.stringify(condition)}`);
      this.checkIntrinsics(output, path, new Set(), false);
    }
  }
}

/**
 * Validates a CloudFormation template (already parsed: JSON, or YAML via `parseCfnYaml`) offline against
 * the CloudFormation resource specification. Returns the problems found, each as `path: message`; empty
 * when the template is valid. Loads the specification on first use.
 *
 * @example
 * validateTemplate({ Resources: { Rule: { Type: "AWS::Config::ConfigRule", Properties: {} } } });
 * // ["Resources.Rule.Properties.Source: required property missing"]
 */
export function validateTemplate(template: unknown, options: ValidateOptions = {}): string[] {
  const checker = new TemplateChecker(loadResourceSpec(), options);
  checker.run(template);
  return checker.problems;
}
