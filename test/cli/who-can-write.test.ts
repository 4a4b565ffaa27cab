/**
 * `ecr-access-rules who-can-write` on the example account: the doors, the reach paths and the JSON shape.
 */
import { expect } from "chai";
import { main } from "../../cli/main.js";

const EXAMPLE = new URL("../../examples/account-snapshot.json", import.meta.url).pathname;

function collector() {
  let text = "";
  return { sink: { write: (chunk: string) => (text += chunk) }, text: () => text };
}

interface Writer {
  principal: string;
  kind: string;
  actions: string[];
  path: string[];
}

async function writersOf(repository: string): Promise<Writer[]> {
  const out = collector();
  const status = await main(["who-can-write", "--snapshot", EXAMPLE, "--json", repository], {
    stdout: out.sink,
    stderr: collector().sink,
  });
  expect(status).to.equal(0);
  const parsed: {
    repositories: Array<{ repositoryName: string; repositoryArn: string; writers: Writer[] }>;
  } = JSON.parse(out.text());
  expect(parsed.repositories.map((r) => r.repositoryName)).to.deep.equal([repository]);
  return parsed.repositories[0]?.writers ?? [];
}

describe("ecr-access-rules who-can-write", () => {
  it("lists the unpinned GitHub door, the pinned EKS service account and the partner account of team-a/api", async () => {
    const writers = await writersOf("team-a/api");
    const doors = writers.filter((w) => ["web-identity", "external-account", "saml"].includes(w.kind));
    expect(doors.map((w) => `${w.kind} ${w.principal}`)).to.include.members([
      "web-identity token.actions.githubusercontent.com:*",
      "web-identity oidc.eks.us-east-1.amazonaws.com/id/5E1C3A9B7D2F4E6A8C0B1D3F5A7C9E2B:system:serviceaccount:ci:image-builder",
      "external-account 999988887777",
    ]);
    const github = writers.find((w) => w.principal === "token.actions.githubusercontent.com:*");
    expect(github?.path.join(" → ")).to.match(
      /github-actions-legacy-deploy.* writes: .* grants them on team-a\/api$/u,
    );
    expect(github?.actions).to.include("ecr:PutImage");
  });

  it("names the reach path of a principal that writes only through another", async () => {
    const writers = await writersOf("team-a/api");
    const reached = writers.filter((w) => w.kind === "role" && w.path.length > 1);
    expect(reached.length).to.be.greaterThan(0);
    for (const writer of reached) expect(writer.path.at(-1)).to.match(/^(user|role) \S+ writes: /u);
  });

  it("lists the team-b deployer and its GitHub door on the repositories tagged team=team-b only", async () => {
    const door = "token.actions.githubusercontent.com:repo:example-corp/team-b-*:ref:refs/heads/main";
    for (const [repository, listed] of [
      ["web-frontend", true],
      ["web-backend", true],
      ["team-a/api", false],
      ["dev-sandbox", false],
    ] as const) {
      const writers = await writersOf(repository);
      const principals = writers.map((w) => w.principal);
      expect(principals.includes("arn:aws:iam::111122223333:role/team-b-deployer"), repository).to.equal(
        listed,
      );
      expect(principals.includes(door), repository).to.equal(listed);
    }
  });

  it("lists the replication source account of the registry policy as a writer", async () => {
    const writers = await writersOf("prod-payments");
    const source = writers.find((w) => w.kind === "external-account" && w.principal === "444455556666");
    expect(source?.actions).to.deep.equal(["ecr:CreateRepository", "ecr:ReplicateImage"]);
    expect(source?.path).to.deep.equal([
      "registry policy Statement[0] (Sid ReplicationAccessCrossAccount) admits account 444455556666: every principal of it whose own policies allow it",
    ]);
  });

  it("does not list the own account that a repository policy names: it delegates to IAM", async () => {
    const writers = await writersOf("dev-sandbox");
    expect(writers.filter((w) => w.principal === "111122223333")).to.deep.equal([]);
    expect(writers.map((w) => w.principal)).to.include("arn:aws:iam::111122223333:user/alice.nguyen");
  });

  it("lists a role that can change its own permissions as a writer of every repository", async () => {
    const writers = await writersOf("prod-inventory");
    const role = writers.find((w) => w.principal === "arn:aws:iam::111122223333:role/ops-automation");
    expect(role?.path[0]).to.match(/can change its own permissions \(iam:PutRolePolicy on itself/u);
    expect(role?.actions).to.include("ecr:PutImage");
  });

  it("exits 2 naming a repository the account does not have", async () => {
    const err = collector();
    const status = await main(["who-can-write", "--snapshot", EXAMPLE, "no-such-repo"], {
      stdout: collector().sink,
      stderr: err.sink,
    });
    expect(status).to.equal(2);
    expect(err.text()).to.include("no repository named no-such-repo");
  });

  const sinks = [
    { name: "a sink that takes every write", full: false },
    { name: "a stream whose buffer fills on every write", full: true },
  ];
  for (const { name, full } of sinks) {
    it(`prints, to ${name}, the JSON a single JSON.stringify would, one repository after another`, async () => {
      // Prepare
      const chunks: string[] = [];
      const waits: Array<() => void> = [];
      let drains = 0;
      const sink = {
        write: (chunk: string) => {
          chunks.push(chunk);
          return !full;
        },
        once: (_event: "drain", listener: () => void) => {
          drains += 1;
          waits.push(listener);
          setImmediate(() => waits.shift()?.());
        },
      };

      // Act
      const status = await main(["who-can-write", "--snapshot", EXAMPLE, "--json"], {
        stdout: sink,
        stderr: collector().sink,
      });

      // Assess
      expect(status).to.equal(0);
      const text = chunks.join("");
      const parsed: { repositories: Array<{ repositoryName: string }> } = JSON.parse(text);
      expect(text).to.equal(`${JSON.stringify(parsed, null, 2)}\n`);
      expect(chunks.length).to.equal(parsed.repositories.length + 2);
      // Each repository's write waits for the drain before the next (the opening write has nothing after it to hold).
      expect(drains).to.equal(full ? parsed.repositories.length : 0);
      expect(waits).to.deep.equal([]);
    });
  }
});
