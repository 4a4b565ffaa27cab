/**
 * A local HTTP server that answers like AWS, so tests can point the real SDK v3 clients at it and mock
 * AWS at the network edge. It speaks the protocols our clients use: AWS JSON 1.0/1.1 (Config, ECR, SQS:
 * `X-Amz-Target` header, JSON body), AWS Query (STS, IAM: form-encoded `Action=…` body, XML answers) and
 * REST-JSON (Security Hub `BatchImportFindings`, Lambda `Invoke`: the operation is the method and path,
 * told apart by the signing scope).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import sinon, { type SinonFakeTimers } from "sinon";

/** The services the fake recognises. */
export type FakeService = "config" | "ecr" | "sts" | "iam" | "sqs" | "securityhub" | "lambda";

/** One request as the fake understood it. */
export interface RecordedRequest {
  readonly service: FakeService;
  readonly operation: string;
  /** The parsed JSON body, or the form parameters (including `Action` and `Version`) as a flat object. */
  readonly input: Record<string, unknown>;
  readonly headers: Record<string, string>;
}

/**
 * What a handler answers. Errors carry one shape per protocol; the fake picks the one that matches the
 * request, so `throttling()` works for Config and IAM alike.
 */
export type FakeResponse =
  | {
      readonly kind: "json";
      readonly status: number;
      readonly body: unknown;
      readonly headers?: Readonly<Record<string, string>>;
    }
  | { readonly kind: "xml"; readonly status: number; readonly text: string; readonly wrap: boolean }
  | {
      readonly kind: "error";
      readonly message: string;
      readonly json: { readonly status: number; readonly code: string };
      readonly query: { readonly status: number; readonly code: string };
    }
  | { readonly kind: "no-answer" };

/** Answers one recorded request. */
export type FakeHandler = (request: RecordedRequest) => FakeResponse | Promise<FakeResponse>;

type Protocol = "json" | "query";

const PROTOCOL: Record<FakeService, Protocol> = {
  config: "json",
  ecr: "json",
  sts: "query",
  iam: "query",
  sqs: "json",
  securityhub: "json",
  lambda: "json",
};
const TARGET_PREFIX: Record<string, FakeService> = {
  StarlingDoveService: "config",
  AmazonEC2ContainerRegistry_V20150921: "ecr",
  AmazonSQS: "sqs",
};
const XMLNS: Record<string, string> = {
  sts: "https://sts.amazonaws.com/doc/2011-06-15/",
  iam: "https://iam.amazonaws.com/doc/2010-05-08/",
};

/**
 * A 200 JSON answer for Config or ECR.
 * @example fake.on("ecr", "DescribeRepositories", () => ok({ repositories: [] }));
 */
export function ok(body: unknown): FakeResponse {
  return { kind: "json", status: 200, body };
}

/**
 * A Lambda `Invoke` answer whose function failed: 200 with `X-Amz-Function-Error` and the error payload.
 * @example fake.once("lambda", "Invoke", () => functionError({ errorType: "EvaluationDeliveryError", errorMessage: "…" }));
 */
export function functionError(payload: unknown, kind = "Unhandled"): FakeResponse {
  return { kind: "json", status: 200, body: payload, headers: { "x-amz-function-error": kind } };
}

/**
 * A 200 XML answer for STS or IAM, sent exactly as given (the whole `<…Response>` document).
 * @example fake.on("iam", "GetUser", () => xml("<GetUserResponse>…</GetUserResponse>"));
 */
export function xml(text: string): FakeResponse {
  return { kind: "xml", status: 200, text, wrap: false };
}

/**
 * A 200 XML answer for STS or IAM whose `<OperationResult>` holds `inner`; the fake adds the
 * `<OperationResponse>` envelope and `ResponseMetadata`.
 * @example fake.on("iam", "GetPolicy", () => xmlResult("<Policy><PolicyName>p</PolicyName></Policy>"));
 */
export function xmlResult(inner: string): FakeResponse {
  return { kind: "xml", status: 200, text: inner, wrap: true };
}

/**
 * An AWS error, rendered as `{"__type", "message"}` for JSON services and `<ErrorResponse>` for query ones.
 * @example fake.once("config", "PutEvaluations", () => awsError(400, "InvalidResultTokenException", "bad token"));
 */
export function awsError(status: number, code: string, message: string): FakeResponse {
  return protocolError(message, [status, code], [status, code]);
}

function protocolError(message: string, [jsonStatus, jsonCode]: Coded, [queryStatus, queryCode]: Coded) {
  const json = { status: jsonStatus, code: jsonCode };
  return { kind: "error", message, json, query: { status: queryStatus, code: queryCode } } as const;
}
type Coded = readonly [status: number, code: string];

/**
 * Throttling as each protocol reports it: 400 `ThrottlingException` (JSON) or 400 `Throttling` (query).
 * @example fake.once("ecr", "DescribeRepositories", () => throttling());
 */
export function throttling(message = "Rate exceeded"): FakeResponse {
  return protocolError(message, [400, "ThrottlingException"], [400, "Throttling"]);
}

/**
 * A 500 the SDK reports with `$fault === "server"`.
 * @example fake.once("iam", "GetPolicy", () => serverError());
 */
export function serverError(
  code = "InternalFailure",
  message = "We encountered an internal error.",
): FakeResponse {
  return awsError(500, code, message);
}

/**
 * Access denied as each protocol reports it: 400 `AccessDeniedException` (JSON) or 403 `AccessDenied` (query).
 * @example fake.on("iam", "GetPolicy", () => accessDenied("not authorized to perform iam:GetPolicy"));
 */
export function accessDenied(message = "Access denied"): FakeResponse {
  return protocolError(message, [400, "AccessDeniedException"], [403, "AccessDenied"]);
}

/**
 * No answer at all: the fake reads the request and keeps the connection open without a byte in reply,
 * until the client gives up or the fake stops.
 * @example fake.once("config", "PutEvaluations", () => noAnswer());
 */
export function noAnswer(): FakeResponse {
  return { kind: "no-answer" };
}

/**
 * Fakes the timers and clock the AWS SDK waits on (`setTimeout`, `setInterval`, `Date`) with sinon, and
 * leaves `setImmediate` and the network real, so requests to the fake still travel. Restore it with
 * `clock.restore()`.
 * @example const clock = fakeTimers(); try { … } finally { clock.restore(); }
 */
export function fakeTimers(): SinonFakeTimers {
  return sinon.useFakeTimers({
    now: Date.now(),
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"],
  });
}

/** How a promise run by `onFakeClock` ended, and the fake time that took. */
export type ClockedOutcome<T> =
  | { readonly settled: "resolved"; readonly value: T; readonly elapsedMs: number }
  | { readonly settled: "rejected"; readonly error: unknown; readonly elapsedMs: number };

/**
 * Runs `work` to its end on a fake clock while its requests really travel: the clock moves `stepMs` at a
 * time, with a turn of the real event loop after each step, so backoff and timeouts pass in fake time and
 * a request in flight gets real time to finish. Gives up (rejects) after `limitMs` of fake time.
 * @example const { elapsedMs } = await onFakeClock(clock, reporter.report(evaluations, "TESTMODE"));
 */
export async function onFakeClock<T>(
  clock: SinonFakeTimers,
  work: Promise<T>,
  { stepMs = 50, limitMs = 15 * 60_000 }: { stepMs?: number; limitMs?: number } = {},
): Promise<ClockedOutcome<T>> {
  const started = clock.now;
  let outcome: ClockedOutcome<T> | undefined;
  work.then(
    (value) => {
      outcome = { settled: "resolved", value, elapsedMs: clock.now - started };
    },
    (error: unknown) => {
      outcome = { settled: "rejected", error, elapsedMs: clock.now - started };
    },
  );
  for (;;) {
    await new Promise((resolve) => setImmediate(resolve));
    if (outcome !== undefined) return outcome;
    if (clock.now - started >= limitMs) throw new Error(`onFakeClock: still running after ${limitMs} ms`);
    await clock.tickAsync(stepMs);
  }
}

/**
 * Escapes text for an XML element or attribute.
 * @example xmlResult(`<Arn>${escapeXml(arn)}</Arn>`);
 */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const DEFAULTS: Record<string, FakeHandler> = {
  "sts:AssumeRole": ({ input }) => {
    const roleArn = String(input.RoleArn ?? "arn:aws:iam::123456789012:role/unknown");
    const session = String(input.RoleSessionName ?? "session");
    const [, , , , account = "123456789012", resource = "role/unknown"] = roleArn.split(":");
    const roleName = resource.split("/").pop() ?? "unknown";
    const expiration = new Date(Date.now() + 3_600_000).toISOString();
    return xmlResult(
      `<Credentials><AccessKeyId>ASIAFAKEAWSACCESSKEY</AccessKeyId><SecretAccessKey>fake-secret</SecretAccessKey>` +
        `<SessionToken>fake-session-token</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
        `<AssumedRoleUser><AssumedRoleId>AROAFAKEROLEID:${escapeXml(session)}</AssumedRoleId>` +
        `<Arn>arn:aws:sts::${escapeXml(account)}:assumed-role/${escapeXml(roleName)}/${escapeXml(session)}</Arn>` +
        `</AssumedRoleUser>`,
    );
  },
  "sts:GetCallerIdentity": () =>
    xmlResult(
      "<UserId>AIDAFAKEUSERID</UserId><Account>123456789012</Account><Arn>arn:aws:iam::123456789012:user/test</Arn>",
    ),
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** A REST-JSON request (Security Hub, Lambda), by its signing scope, method and path. */
function recogniseRest(
  scope: string | undefined,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string,
): RecordedRequest | string | undefined {
  if (scope === "securityhub") {
    if (method !== "POST" || path !== "/findings/import")
      return `unknown Security Hub call ${method} ${path}`;
    const parsed: unknown = body === "" ? {} : JSON.parse(body);
    if (!isRecord(parsed)) return "body of BatchImportFindings is not a JSON object";
    return { service: "securityhub", operation: "BatchImportFindings", input: parsed, headers };
  }
  if (scope === "lambda") {
    const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/u.exec(path);
    if (method !== "POST" || invoke === null) return `unknown Lambda call ${method} ${path}`;
    const input: Record<string, unknown> = {
      FunctionName: decodeURIComponent(invoke[1] ?? ""),
      InvocationType: headers["x-amz-invocation-type"] ?? "RequestResponse",
      Payload: body,
    };
    return { service: "lambda", operation: "Invoke", input, headers };
  }
  return undefined;
}

/** Works out service, operation and input, or returns a reason it cannot. */
function recognise(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string,
): RecordedRequest | string {
  const scope = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\/aws4_request/.exec(
    headers.authorization ?? "",
  )?.[1];
  const rest = recogniseRest(scope, method, path, headers, body);
  if (rest !== undefined) return rest;
  const target = headers["x-amz-target"];
  if (target !== undefined) {
    const [prefix = "", operation = ""] = target.split(".");
    const service = TARGET_PREFIX[prefix];
    if (service === undefined) return `unknown X-Amz-Target ${target}`;
    const parsed: unknown = body === "" ? {} : JSON.parse(body);
    if (!isRecord(parsed)) return `body of ${target} is not a JSON object`;
    return { service, operation, input: parsed, headers };
  }
  const input = Object.fromEntries(new URLSearchParams(body));
  if (input.Action === undefined || (scope !== "sts" && scope !== "iam")) {
    return `neither X-Amz-Target nor Action with an sts/iam signing scope (scope ${scope ?? "missing"})`;
  }
  return { service: scope, operation: input.Action, input, headers };
}

/**
 * A fake AWS endpoint for the real SDK v3 clients: records every request and answers from handlers.
 *
 * @example
 * const fake = await FakeAws.start();
 * fake.on("ecr", "DescribeRepositories", () => ok({ repositories: [] }));
 * const ecr = new ECRClient(fake.clientConfig());
 * await ecr.send(new DescribeRepositoriesCommand({}));
 * fake.calls("DescribeRepositories"); // [{ service: "ecr", operation: "DescribeRepositories", … }]
 * await fake.stop();
 */
export class FakeAws {
  /** Every request, in the order received. */
  readonly requests: RecordedRequest[] = [];
  private readonly persistent = new Map<string, FakeHandler>();
  private readonly queued = new Map<string, FakeHandler[]>();
  private requestCount = 0;
  private port = 0;
  private latencyMs = 0;
  private readonly server: Server = createServer((req, res) => {
    this.serve(req, res).catch((error: unknown) => {
      res.writeHead(500, { "content-type": "text/plain" }).end(`FakeAws failed: ${String(error)}`);
    });
  });

  private constructor() {}

  /** `http://127.0.0.1:PORT` */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * Listens on a free port of 127.0.0.1. `latencyMs` delays every answer by that long (real time), as a
   * far endpoint would: the benchmark's API economy runs at 20 ms.
   * @example const fake = await FakeAws.start();
   * @example const far = await FakeAws.start({ latencyMs: 20 });
   */
  static async start(options: { readonly latencyMs?: number } = {}): Promise<FakeAws> {
    const fake = new FakeAws();
    fake.latencyMs = options.latencyMs ?? 0;
    await new Promise<void>((resolve, reject) => {
      fake.server.once("error", reject);
      fake.server.listen(0, "127.0.0.1", () => resolve());
    });
    const address = fake.server.address();
    if (address === null || typeof address === "string") throw new Error("FakeAws: no TCP address");
    fake.port = address.port;
    return fake;
  }

  /**
   * Closes the server and any kept-alive connections.
   * @example await fake.stop();
   */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((e) => (e ? reject(e) : resolve())));
  }

  /**
   * Settings for an SDK client aimed at this fake; one attempt, so errors surface at once.
   * @example const sts = new STSClient(fake.clientConfig("eu-west-1"));
   */
  clientConfig(region = "us-east-1") {
    return {
      endpoint: this.endpoint,
      region,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    };
  }

  /**
   * Answers every call of `operation` (after any `once` handlers).
   * @example fake.on("config", "PutEvaluations", () => ok({ FailedEvaluations: [] }));
   */
  on(service: FakeService, operation: string, handler: FakeHandler): this {
    this.persistent.set(`${service}:${operation}`, handler);
    return this;
  }

  /**
   * Answers the next call of `operation` only; several `once` handlers are used in the order given.
   * @example fake.once("ecr", "DescribeRepositories", () => throttling());
   */
  once(service: FakeService, operation: string, handler: FakeHandler): this {
    const key = `${service}:${operation}`;
    this.queued.set(key, [...(this.queued.get(key) ?? []), handler]);
    return this;
  }

  /**
   * The recorded requests for one operation, in order.
   * @example expect(fake.calls("PutEvaluations")).to.have.length(1);
   */
  calls(operation: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  /**
   * Forgets recorded requests and the handlers tests added (built-in STS defaults remain).
   * @example afterEach(() => fake.reset());
   */
  reset(): void {
    this.requests.length = 0;
    this.persistent.clear();
    this.queued.clear();
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
    }
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    const recognised = recognise(req.method ?? "GET", path, headers, await readBody(req));
    if (typeof recognised === "string") {
      res
        .writeHead(400, { "content-type": "text/plain" })
        .end(`FakeAws cannot route this request: ${recognised}`);
      return;
    }
    this.requests.push(recognised);
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const key = `${recognised.service}:${recognised.operation}`;
    const handler = this.queued.get(key)?.shift() ?? this.persistent.get(key) ?? DEFAULTS[key];
    const response = handler
      ? await handler(recognised)
      : awsError(
          400,
          PROTOCOL[recognised.service] === "json" ? "UnknownOperationException" : "InvalidAction",
          `FakeAws has no handler for ${key}; add fake.on("${recognised.service}", "${recognised.operation}", …)`,
        );
    this.send(res, recognised, response);
  }

  private send(res: ServerResponse, request: RecordedRequest, answer: FakeResponse): void {
    const protocol = PROTOCOL[request.service];
    const requestId = `fake-${++this.requestCount}`;
    const mismatched = answer.kind === (protocol === "json" ? "xml" : "json");
    const hint = protocol === "json" ? "ok()" : "xml() or xmlResult()";
    const response = mismatched
      ? serverError("FakeAwsMisuse", `${request.operation} speaks ${protocol}: answer with ${hint}`)
      : answer;
    switch (response.kind) {
      case "json":
        res.writeHead(response.status, {
          "content-type": "application/x-amz-json-1.1",
          "x-amzn-requestid": requestId,
          ...(response.headers ?? {}),
        });
        res.end(JSON.stringify(response.body));
        return;
      case "xml": {
        const op = request.operation;
        const text = response.wrap
          ? `<${op}Response xmlns="${XMLNS[request.service]}"><${op}Result>${response.text}</${op}Result>` +
            `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${op}Response>`
          : response.text;
        res
          .writeHead(response.status, { "content-type": "text/xml", "x-amzn-requestid": requestId })
          .end(text);
        return;
      }
      case "no-answer":
        return;
      case "error": {
        const { status, code } = response[protocol];
        if (protocol === "json") {
          res.writeHead(status, {
            "content-type": "application/x-amz-json-1.1",
            "x-amzn-requestid": requestId,
            "x-amzn-errortype": code,
          });
          res.end(JSON.stringify({ __type: code, message: response.message }));
          return;
        }
        const type = status >= 500 ? "Receiver" : "Sender";
        res.writeHead(status, { "content-type": "text/xml", "x-amzn-requestid": requestId });
        res.end(
          `<ErrorResponse xmlns="${XMLNS[request.service]}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code>` +
            `<Message>${escapeXml(response.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
        );
        return;
      }
      default: {
        const never: never = response;
        throw new Error(`unknown response ${String(never)}`);
      }
    }
  }
}
