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
    expect(github?.path.join(" → ")).to.match(/github-actions-legacy-deploy.*writes$/u);
    expect(github?.actions).to.include("ecr:PutImage");
  });

  it("names the reach path of a principal that writes only through another", async () => {
    const writers = await writersOf("team-a/api");
    const reached = writers.filter((w) => w.kind === "role" && w.path.length > 1);
    expect(reached.length).to.be.greaterThan(0);
    for (const writer of reached) expect(writer.path.at(-1)).to.match(/ writes$/u);
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
});
