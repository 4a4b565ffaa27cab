/**
 * End to end against moto: the remediation documents of deploy/remediation/ are accepted by SSM
 * (CreateDocument, as the stacks' AWS::SSM::Document creates them) and describe the parameters the
 * remediation configuration passes; each `aws:executeAwsApi` step, sent to ECR as the API call it names
 * with the inputs it gives, makes a mutable repository without scan on push immutable and scanned on
 * push. Whether moto can run the automation itself (StartAutomationExecution) is asked, not assumed: when
 * it cannot, that test skips and says why. Skips, visibly, when moto is not installed.
 */
import { readFileSync } from "node:fs";
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient } from "@aws-sdk/client-ecr";
import { expect } from "chai";
import { REMEDIATION_PACK_FILE } from "../../scripts/generate-conformance-pack.js";
import {
  apiSteps,
  INTEGRITY_DOCUMENT,
  REMEDIATION_DOCUMENTS,
  readDocument,
} from "../../scripts/remediation-documents.js";
import { parseCfnYaml } from "../support/cfn-yaml.js";
import { MOTO_CREDENTIALS, MOTO_MISSING, MOTO_REGION, type Moto, startMoto } from "../support/moto.js";

const root = new URL("../../", import.meta.url);

type Obj = Record<string, unknown>;
function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** One AWS JSON 1.1 call, as the SDKs send it (moto checks no signature; the scope names the service). */
async function call(
  endpoint: string,
  service: "ssm" | "ecr",
  target: string,
  body: unknown,
): Promise<{ status: number; json: Obj }> {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": target,
      authorization: `AWS4-HMAC-SHA256 Credential=${MOTO_CREDENTIALS.accessKeyId}/20261201/${MOTO_REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown = {};
  try {
    json = text === "" ? {} : JSON.parse(text);
  } catch {
    json = { raw: text };
  }
  return { status: response.status, json: isObj(json) ? json : { value: json } };
}

const ssm = (endpoint: string, operation: string, body: unknown) =>
  call(endpoint, "ssm", `AmazonSSM.${operation}`, body);

/** The value with every `{{ Name }}` replaced by its parameter's value. */
function filled(value: unknown, parameters: Readonly<Record<string, string>>): unknown {
  if (typeof value === "string")
    return value.replace(/\{\{\s*(\w+)\s*\}\}/gu, (whole, name: string) => parameters[name] ?? whole);
  if (Array.isArray(value)) return value.map((item) => filled(item, parameters));
  if (isObj(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, filled(v, parameters)]));
  return value;
}

/** What the remediation configuration of the remediation pack passes to its document. */
function passedParameters(): string[] {
  const pack = parseCfnYaml(readFileSync(new URL(REMEDIATION_PACK_FILE, root), "utf8"));
  const resources = isObj(pack) && isObj(pack.Resources) ? Object.values(pack.Resources) : [];
  const remediation = resources.find(
    (r): r is Obj => isObj(r) && r.Type === "AWS::Config::RemediationConfiguration",
  );
  const properties = isObj(remediation?.Properties) ? remediation.Properties : {};
  return Object.keys(isObj(properties.Parameters) ? properties.Parameters : {}).sort();
}

describe("e2e: remediation documents in moto's SSM and their steps against moto's ECR", function () {
  this.timeout(120_000);
  let moto: Moto | undefined;
  const emulator = (): Moto => {
    if (moto === undefined) throw new Error("moto is not running");
    return moto;
  };
  const ecr = () =>
    new ECRClient({
      endpoint: emulator().endpoint,
      region: MOTO_REGION,
      credentials: MOTO_CREDENTIALS,
      maxAttempts: 1,
    });
  const settings = async (name: string) => {
    const { repositories = [] } = await ecr().send(
      new DescribeRepositoriesCommand({ repositoryNames: [name] }),
    );
    const [repository] = repositories;
    return {
      imageTagMutability: repository?.imageTagMutability,
      scanOnPush: repository?.imageScanningConfiguration?.scanOnPush,
    };
  };

  before(async function () {
    moto = await startMoto();
    if (moto === undefined) {
      console.log(`      ${MOTO_MISSING}`);
      this.skip();
    }
    await moto.reset();
  });

  after(async () => moto?.stop());

  for (const { file, name } of REMEDIATION_DOCUMENTS) {
    it(`${name}: SSM accepts it as an Automation document, with the parameters the remediation passes`, async () => {
      const content = readFileSync(new URL(file, root), "utf8");
      const created = await ssm(emulator().endpoint, "CreateDocument", {
        Name: name,
        Content: content,
        DocumentType: "Automation",
        DocumentFormat: "YAML",
      });
      expect(created.status, JSON.stringify(created.json)).to.equal(200);
      const described = await ssm(emulator().endpoint, "DescribeDocument", { Name: name });
      expect(described.status).to.equal(200);
      const document = isObj(described.json.Document) ? described.json.Document : {};
      expect(document.DocumentType).to.equal("Automation");
      expect(document.SchemaVersion).to.equal("0.3");
      expect(document.Status).to.equal("Active");
      const declared = (Array.isArray(document.Parameters) ? document.Parameters : [])
        .map((p: unknown) => (isObj(p) ? String(p.Name) : ""))
        .sort();
      expect(declared).to.deep.equal(passedParameters());
      expect(declared).to.deep.equal(["AutomationAssumeRole", "RepositoryName"]);
    });
  }

  it("makes a mutable repository without scan on push immutable and scanned, step by step as SSM would call ECR", async () => {
    const repository = "team-a/api";
    await ecr().send(
      new CreateRepositoryCommand({
        repositoryName: repository,
        imageTagMutability: "MUTABLE",
        imageScanningConfiguration: { scanOnPush: false },
      }),
    );
    expect(await settings(repository)).to.deep.equal({ imageTagMutability: "MUTABLE", scanOnPush: false });
    const file = REMEDIATION_DOCUMENTS.find((d) => d.name === INTEGRITY_DOCUMENT)?.file ?? "";
    const parameters = {
      RepositoryName: repository,
      AutomationAssumeRole: "arn:aws:iam::123456789012:role/r",
    };
    for (const step of apiSteps(readDocument(file), file)) {
      const [service = "", api = ""] = step.action.split(":");
      expect(service, step.name).to.equal("ecr");
      const answer = await call(
        emulator().endpoint,
        "ecr",
        `AmazonEC2ContainerRegistry_V20150921.${api}`,
        filled(step.inputs, parameters),
      );
      expect(answer.status, `${step.name}: ${JSON.stringify(answer.json)}`).to.equal(200);
    }
    expect(await settings(repository)).to.deep.equal({ imageTagMutability: "IMMUTABLE", scanOnPush: true });
  });

  it("runs the remediation document itself against a mutable repository, when the emulator can run automations", async function () {
    const repository = "team-b/api";
    await ecr().send(
      new CreateRepositoryCommand({ repositoryName: repository, imageTagMutability: "MUTABLE" }),
    );
    const started = await ssm(emulator().endpoint, "StartAutomationExecution", {
      DocumentName: INTEGRITY_DOCUMENT,
      Parameters: {
        RepositoryName: [repository],
        AutomationAssumeRole: ["arn:aws:iam::123456789012:role/r"],
      },
    });
    const id = started.json.AutomationExecutionId;
    if (started.status !== 200 || typeof id !== "string") {
      // moto 5 implements SSM documents, parameters and commands, not Automation executions: the steps
      // are covered above (each sent to ECR as SSM would send it) and in test/deploy/remediation.test.ts.
      console.log(
        `      moto cannot run automations: StartAutomationExecution answered ${started.status} ${JSON.stringify(started.json).slice(0, 160)}`,
      );
      this.skip();
    }
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const execution = await ssm(emulator().endpoint, "GetAutomationExecution", {
        AutomationExecutionId: id,
      });
      const status = isObj(execution.json.AutomationExecution)
        ? execution.json.AutomationExecution.AutomationExecutionStatus
        : undefined;
      if (status === "Success") break;
      expect(["Pending", "InProgress", "Waiting"], String(status)).to.include(status);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await settings(repository)).imageTagMutability).to.equal("IMMUTABLE");
  });
});
