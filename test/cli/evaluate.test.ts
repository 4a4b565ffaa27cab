/**
 * `ecr-access-rules evaluate`: the same evaluations the Lambda handler puts, for every fixture event; and
 * its own input errors.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { main } from "../../cli/main.js";
import { RULES } from "../../rules/index.js";
import { ALL_READERS } from "../../shared/account/readers.js";
import { ClientFactory } from "../../shared/aws/clients.js";
import { fitAnnotation } from "../../shared/config/evaluation.js";
import { PutEvaluationsReporter } from "../../shared/config/reporter.js";
import { createConfigRuleHandler } from "../../shared/runtime/handler.js";
import { silentLogger } from "../../shared/runtime/logger.js";
import {
  changeEvent,
  managedPolicyConfiguration,
  notificationItem,
  repositoryConfiguration,
  sample,
  scheduledEvent,
} from "../support/events.js";
import { awsError, FakeAws, ok, xmlResult } from "../support/fake-aws.js";

function collector() {
  let text = "";
  return { sink: { write: (chunk: string) => (text += chunk) }, text: () => text };
}

const CREDENTIALS = { accessKeyId: "AKIDTEST", secretAccessKey: "secret" };

/** Fixture events: the samples (placeholder parameters cleared) and built ones covering every rule. */
function fixtureEvents(): Array<[string, Record<string, unknown>]> {
  const clear = (event: Record<string, unknown>) => ({ ...event, ruleParameters: "{}" });
  const samples = [
    "aa-policy-validation-create-iam-policy.json",
    "aa-policy-validation-update-iam-policy.json",
    "aa-policy-validation-delete-iam-policy.json",
    "aa-policy-validation-update-iam-role.json",
    "aa-policy-validation-create-iam-user.json",
    "aa-policy-validation-update-iam-group.json",
    "aa-policy-validation-periodic.json",
  ].map((name): [string, Record<string, unknown>] => [name, clear(sample(name))]);
  const push = { Statement: [{ Sid: "Push", Effect: "Allow", Action: "ecr:PutImage", Resource: "*" }] };
  const publicPull = {
    Statement: [{ Sid: "Public", Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage" }],
  };
  return [
    ...samples,
    [
      "policy granting push everywhere",
      changeEvent(
        notificationItem({
          resourceType: "AWS::IAM::Policy",
          resourceId: "ANPAPUSH",
          configuration: managedPolicyConfiguration("push", push),
          region: "global",
        }),
      ),
    ],
    [
      "public repository",
      changeEvent(
        notificationItem({
          resourceType: "AWS::ECR::Repository",
          resourceId: "web",
          configuration: repositoryConfiguration("web", {
            policy: publicPull,
            mutability: "IMMUTABLE",
            scanOnPush: true,
          }),
        }),
      ),
    ],
    ["scheduled sweep", scheduledEvent()],
  ];
}

describe("ecr-access-rules evaluate", () => {
  let fake: FakeAws;
  let dir: string;

  before(async () => {
    fake = await FakeAws.start();
    dir = mkdtempSync(join(tmpdir(), "evaluate-test-"));
  });
  after(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    fake.on("config", "PutEvaluations", () => ok({ FailedEvaluations: [] }));
    // An account with no IAM principals, and a rule with no earlier evaluations.
    fake.on("iam", "GetAccountAuthorizationDetails", () =>
      xmlResult(
        "<UserDetailList/><GroupDetailList/><RoleDetailList/><Policies/><IsTruncated>false</IsTruncated>",
      ),
    );
    fake.on("config", "GetComplianceDetailsByConfigRule", () => ok({ EvaluationResults: [] }));
    fake.on("ecr", "GetRegistryScanningConfiguration", () =>
      ok({ scanningConfiguration: { scanType: "BASIC", rules: [] } }),
    );
    fake.on("ecr", "DescribeRepositories", () =>
      ok({
        repositories: [
          {
            repositoryName: "api",
            repositoryArn: "arn:aws:ecr:us-east-2:111122223333:repository/api",
            imageTagMutability: "IMMUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
          },
        ],
      }),
    );
    // A repository without a policy, and a registry without one.
    fake.on("ecr", "GetRepositoryPolicy", () =>
      awsError(400, "RepositoryPolicyNotFoundException", "Repository policy does not exist"),
    );
    fake.on("ecr", "GetRegistryPolicy", () =>
      awsError(400, "RegistryPolicyNotFoundException", "Registry policy does not exist"),
    );
  });
  afterEach(() => fake.reset());

  for (const [name, event] of fixtureEvents()) {
    for (const rule of RULES) {
      it(`prints what the ${rule.name} handler puts for ${name}`, async () => {
        const file = join(dir, "event.json");
        writeFileSync(file, JSON.stringify(event));
        const clientConfig = { endpoint: fake.endpoint, credentials: CREDENTIALS, maxAttempts: 1 };

        const handler = createConfigRuleHandler(rule, ALL_READERS, {
          clients: new ClientFactory(clientConfig),
          logger: silentLogger,
          assumeRoleName: undefined,
          reporter: (factory, target) => new PutEvaluationsReporter(factory.config(target)),
        });
        await handler(event);
        const put = fake
          .calls("PutEvaluations")
          .flatMap((call) => (Array.isArray(call.input.Evaluations) ? call.input.Evaluations : []))
          .map((e: Record<string, unknown>) => ({
            complianceResourceType: e.ComplianceResourceType,
            complianceResourceId: e.ComplianceResourceId,
            complianceType: e.ComplianceType,
            ...(e.Annotation === undefined ? {} : { annotation: e.Annotation }),
            orderingTimestamp: new Date(Number(e.OrderingTimestamp) * 1000).toISOString(),
          }));

        const out = collector();
        const err = collector();
        const status = await main(
          ["evaluate", "--rule", rule.name, "--event", file, "--json"],
          { stdout: out.sink, stderr: err.sink },
          { clientConfig },
        );
        expect(err.text()).to.equal("");
        // What PutEvaluations gets, field for field (the annotation cut as Config cuts it); the rest of
        // each finding (severity, control, names) comes on top.
        const printed = JSON.parse(out.text()).evaluations.map((e: Record<string, unknown>) => ({
          complianceResourceType: e.complianceResourceType,
          complianceResourceId: e.complianceResourceId,
          complianceType: e.complianceType,
          ...(e.annotation === undefined
            ? {}
            : { annotation: fitAnnotation(typeof e.annotation === "string" ? e.annotation : undefined) }),
          orderingTimestamp: e.orderingTimestamp,
        }));
        expect(printed).to.deep.equal(put);
        for (const e of JSON.parse(out.text()).evaluations) {
          expect(e.configRuleName).to.equal(rule.name);
          expect(e.severity).to.equal(rule.severity);
          expect(e.control.id).to.equal("5.1.2");
        }
        expect(status).to.equal(put.some((e) => e.complianceType === "NON_COMPLIANT") ? 1 : 0);
      });
    }
  }

  it("prints a table by default", async () => {
    const file = join(dir, "table.json");
    const [, event] = fixtureEvents().find(([name]) => name === "public repository") ?? [];
    writeFileSync(file, JSON.stringify(event));
    const out = collector();
    const status = await main(
      ["evaluate", "--rule", "ecr-repository-policy-trusted", "--event", file],
      { stdout: out.sink, stderr: collector().sink },
      { clientConfig: { endpoint: fake.endpoint, credentials: CREDENTIALS } },
    );
    expect(status).to.equal(1);
    expect(out.text()).to.match(/^resource type\s+resource id\s+compliance\s+annotation\n/u);
    expect(out.text()).to.include("AWS::ECR::Repository  web          NON_COMPLIANT");
  });

  it("replaces the event's parameters with --parameters, and validates them", async () => {
    const file = join(dir, "params.json");
    const [, event] = fixtureEvents().find(([name]) => name === "public repository") ?? [];
    writeFileSync(file, JSON.stringify(event));
    const err = collector();
    const status = await main(
      [
        "evaluate",
        "--rule",
        "ecr-repository-policy-trusted",
        "--event",
        file,
        "--parameters",
        '{"trustedAccountIds":"123"}',
      ],
      { stdout: collector().sink, stderr: err.sink },
    );
    expect(status).to.equal(2);
    expect(err.text()).to.include('rule parameter trustedAccountIds: entry 1 "123"');
  });

  it("reads the registry scanning configuration from --snapshot instead of AWS", async () => {
    const eventFile = join(dir, "repo.json");
    const snapshotFile = join(dir, "snapshot.json");
    const item = notificationItem({
      resourceType: "AWS::ECR::Repository",
      resourceId: "api",
      configuration: repositoryConfiguration("api", { mutability: "IMMUTABLE", scanOnPush: false }),
    });
    writeFileSync(eventFile, JSON.stringify(changeEvent(item)));
    writeFileSync(
      snapshotFile,
      JSON.stringify({
        UserDetailList: [],
        ecr: {
          region: "us-east-1",
          registryScanningConfiguration: {
            scanType: "ENHANCED",
            rules: [
              {
                scanFrequency: "CONTINUOUS_SCAN",
                repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }],
              },
            ],
          },
          repositories: [],
        },
      }),
    );
    const out = collector();
    const status = await main(
      [
        "evaluate",
        "--rule",
        "ecr-repository-image-integrity",
        "--event",
        eventFile,
        "--snapshot",
        snapshotFile,
        "--json",
      ],
      { stdout: out.sink, stderr: collector().sink },
      { clientConfig: { endpoint: fake.endpoint, credentials: CREDENTIALS } },
    );
    expect(status).to.equal(0);
    expect(JSON.parse(out.text()).evaluations[0].complianceType).to.equal("COMPLIANT");
    expect(fake.requests).to.have.length(0);
  });

  const inputErrors: Array<[string, string[], RegExp]> = [
    ["a missing --rule", ["--event", "x.json"], /--rule is required/],
    ["an unknown rule", ["--rule", "nope", "--event", "x.json"], /no rule named "nope"/],
    [
      "a missing event file",
      ["--rule", "ecr-repository-policy-trusted", "--event", "/nonexistent/e.json"],
      /\/nonexistent\/e.json: cannot read/,
    ],
    ["an unknown option", ["--rule", "ecr-repository-policy-trusted", "--bogus"], /Unknown option '--bogus'/],
  ];
  for (const [what, args, message] of inputErrors) {
    it(`exits 2 naming the fault for ${what}`, async () => {
      const err = collector();
      const status = await main(["evaluate", ...args], { stdout: collector().sink, stderr: err.sink });
      expect(status).to.equal(2);
      expect(err.text()).to.match(message);
    });
  }

  it("exits 2 naming the field for an event that is not a Config event", async () => {
    const file = join(dir, "bad-event.json");
    writeFileSync(file, JSON.stringify({ invokingEvent: "{}", resultToken: "x" }));
    const err = collector();
    const status = await main(["evaluate", "--rule", "ecr-repository-policy-trusted", "--event", file], {
      stdout: collector().sink,
      stderr: err.sink,
    });
    expect(status).to.equal(2);
    expect(err.text()).to.include("invokingEvent.messageType: must be a string");
  });
});
