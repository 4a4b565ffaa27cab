/**
 * ecr-repository-image-integrity: tags are immutable and images are scanned on push or
 * continuously. The scenario table below is numbered exactly as the rule's README "Scenarios" section.
 *
 * AWS facts the rows rely on:
 * - Tag mutability values MUTABLE | IMMUTABLE | IMMUTABLE_WITH_EXCLUSION | MUTABLE_WITH_EXCLUSION
 *   (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImageTagMutability.html).
 * - Scan frequencies SCAN_ON_PUSH | CONTINUOUS_SCAN | MANUAL; BASIC supports SCAN_ON_PUSH, ENHANCED supports
 *   CONTINUOUS_SCAN and SCAN_ON_PUSH; MANUAL is the default when scan on push is not set
 *   (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_RegistryScanningRule.html).
 * - Under enhanced scanning, repositories matching no enhanced scanning filter have scanning disabled
 *   (so a repository's own scanOnPush does not count); a filter with `*` matches where the wildcard replaces
 *   zero or more characters, and a filter with no wildcard matches every name that contains it
 *   (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-filters.html).
 */

import { readFileSync } from "node:fs";
import { expect } from "chai";
import { rule, wildcardFilterMatches } from "../../rules/ecr-repository-image-integrity/rule.js";
import {
  normalizeRegistryScanning,
  type RegistryScanning,
  type RepositoryFacts,
} from "../../shared/account/ecr.js";
import type { AccountFacts } from "../../shared/account/facts.js";
import { normalizeItem } from "../../shared/config/item.js";
import { parseParameters, RuleParameterError } from "../../shared/config/parameters.js";
import { ACCOUNT, notificationItem, repositoryConfiguration } from "../support/events.js";
import { factsFor } from "../support/facts.js";
import { type RuleContext, sweepVerdicts, verdictOf } from "../support/run.js";

/** The registry scanning configuration as `GetRegistryScanningConfiguration` returns it. */
type ApiRegistryScanning = Parameters<typeof normalizeRegistryScanning>[0];
type ApiScanningRule = NonNullable<ApiRegistryScanning["rules"]>[number];
type Frequency = "SCAN_ON_PUSH" | "CONTINUOUS_SCAN" | "MANUAL";

interface Scenario {
  readonly scenario: number;
  /** What the row shows, in the present tense. */
  readonly title: string;
  /** The repository name (also the item's resourceId). */
  readonly name: string;
  readonly mutability: string;
  readonly scanOnPush: boolean;
  readonly registry: { readonly scanType: "BASIC" | "ENHANCED"; readonly rules: readonly ApiScanningRule[] };
  readonly parameters?: Record<string, string>;
  readonly expect: "COMPLIANT" | "NON_COMPLIANT";
  readonly annotationIncludes?: readonly string[];
}

/** A registry scanning rule in the API's shape, with WILDCARD filters. */
function scanRule(scanFrequency: Frequency, ...filters: string[]): ApiScanningRule {
  return { scanFrequency, repositoryFilters: filters.map((filter) => ({ filter, filterType: "WILDCARD" })) };
}

const REGION = "eu-west-1";
const BASIC_NO_RULES: Scenario["registry"] = { scanType: "BASIC", rules: [] };

const SCENARIOS: readonly Scenario[] = [
  {
    scenario: 1,
    title: "immutable tags and the repository's own scan on push (basic scanning)",
    name: "api",
    mutability: "IMMUTABLE",
    scanOnPush: true,
    registry: BASIC_NO_RULES,
    expect: "COMPLIANT",
    annotationIncludes: ["Tags are IMMUTABLE", "the repository's scan on push"],
  },
  {
    scenario: 2,
    title: "mutable tags, even with scan on push",
    name: "web",
    mutability: "MUTABLE",
    scanOnPush: true,
    registry: BASIC_NO_RULES,
    expect: "NON_COMPLIANT",
    annotationIncludes: ["Repository web", "tags are MUTABLE", "set image tag mutability to IMMUTABLE"],
  },
  {
    scenario: 3,
    title: "IMMUTABLE_WITH_EXCLUSION without allowTagExclusions",
    name: "svc-excl",
    mutability: "IMMUTABLE_WITH_EXCLUSION",
    scanOnPush: true,
    registry: BASIC_NO_RULES,
    expect: "NON_COMPLIANT",
    annotationIncludes: ["tags are IMMUTABLE_WITH_EXCLUSION", "allowTagExclusions"],
  },
  {
    scenario: 4,
    title: "IMMUTABLE_WITH_EXCLUSION with allowTagExclusions true",
    name: "svc-excl",
    mutability: "IMMUTABLE_WITH_EXCLUSION",
    scanOnPush: true,
    registry: BASIC_NO_RULES,
    parameters: { allowTagExclusions: "true" },
    expect: "COMPLIANT",
    annotationIncludes: ["Tags are IMMUTABLE_WITH_EXCLUSION"],
  },
  {
    scenario: 5,
    title: "MUTABLE_WITH_EXCLUSION even with allowTagExclusions true",
    name: "svc-mutable-excl",
    mutability: "MUTABLE_WITH_EXCLUSION",
    scanOnPush: true,
    registry: BASIC_NO_RULES,
    parameters: { allowTagExclusions: "true" },
    expect: "NON_COMPLIANT",
    annotationIncludes: ["tags are MUTABLE_WITH_EXCLUSION"],
  },
  {
    scenario: 6,
    title: "scan on push off, basic scanning and no registry rule",
    name: "unscanned",
    mutability: "IMMUTABLE",
    scanOnPush: false,
    registry: BASIC_NO_RULES,
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      "images are not scanned",
      "scan on push is off and no registry scanning rule matches it",
    ],
  },
  {
    scenario: 7,
    title: "a basic SCAN_ON_PUSH registry rule whose wildcard filter matches",
    name: "team-api",
    mutability: "IMMUTABLE",
    scanOnPush: false,
    registry: { scanType: "BASIC", rules: [scanRule("SCAN_ON_PUSH", "team-*")] },
    expect: "COMPLIANT",
    annotationIncludes: ["the registry's BASIC SCAN_ON_PUSH rule (team-*)"],
  },
  {
    scenario: 8,
    title: "a basic SCAN_ON_PUSH registry rule whose filter does not match",
    name: "billing-api",
    mutability: "IMMUTABLE",
    scanOnPush: false,
    registry: { scanType: "BASIC", rules: [scanRule("SCAN_ON_PUSH", "team-*")] },
    expect: "NON_COMPLIANT",
    annotationIncludes: ["Repository billing-api", "images are not scanned"],
  },
  {
    scenario: 9,
    title: "enhanced CONTINUOUS_SCAN of every repository",
    name: "payments",
    mutability: "IMMUTABLE",
    scanOnPush: false,
    registry: { scanType: "ENHANCED", rules: [scanRule("CONTINUOUS_SCAN", "*")] },
    expect: "COMPLIANT",
    annotationIncludes: ["the registry's ENHANCED CONTINUOUS_SCAN rule (*)"],
  },
  {
    scenario: 10,
    title: "enhanced scanning with no matching rule, whatever the repository's scan on push says",
    name: "ledger",
    mutability: "IMMUTABLE",
    scanOnPush: true,
    registry: { scanType: "ENHANCED", rules: [scanRule("CONTINUOUS_SCAN", "team-*")] },
    expect: "NON_COMPLIANT",
    annotationIncludes: [
      "no ENHANCED registry scanning rule matches it",
      "scan-on-push setting is ignored under enhanced scanning",
    ],
  },
  {
    scenario: 11,
    title: "a matching MANUAL registry rule (not on push, not continuous)",
    name: "archive",
    mutability: "IMMUTABLE",
    scanOnPush: false,
    registry: { scanType: "BASIC", rules: [scanRule("MANUAL", "*")] },
    expect: "NON_COMPLIANT",
    annotationIncludes: ["images are not scanned"],
  },
  {
    scenario: 12,
    title: "no scanning at all with requireScanning false and immutable tags",
    name: "scratch",
    mutability: "IMMUTABLE",
    scanOnPush: false,
    registry: BASIC_NO_RULES,
    parameters: { requireScanning: "false" },
    expect: "COMPLIANT",
    annotationIncludes: ["Tags are IMMUTABLE."],
  },
  {
    scenario: 13,
    title: "mutable tags and no scanning: one verdict naming both problems",
    name: "legacy",
    mutability: "MUTABLE",
    scanOnPush: false,
    registry: BASIC_NO_RULES,
    expect: "NON_COMPLIANT",
    annotationIncludes: ["Repository legacy", "tags are MUTABLE", "; images are not scanned"],
  },
  {
    scenario: 14,
    title: "a name with a slash matched by `team/*`",
    name: "team/api",
    mutability: "IMMUTABLE",
    scanOnPush: false,
    registry: { scanType: "BASIC", rules: [scanRule("SCAN_ON_PUSH", "team/*")] },
    expect: "COMPLIANT",
    annotationIncludes: ["BASIC SCAN_ON_PUSH rule (team/*)"],
  },
  {
    scenario: 15,
    title: "a nested name matched by `team/*` (the wildcard spans slashes) under enhanced SCAN_ON_PUSH",
    name: "team/batch/worker",
    mutability: "IMMUTABLE",
    scanOnPush: false,
    registry: { scanType: "ENHANCED", rules: [scanRule("SCAN_ON_PUSH", "team/*")] },
    expect: "COMPLIANT",
    annotationIncludes: ["ENHANCED SCAN_ON_PUSH rule (team/*)"],
  },
  {
    scenario: 16,
    title: "a name that only shares a prefix is not matched by `team/*`",
    name: "teams/api",
    mutability: "IMMUTABLE",
    scanOnPush: false,
    registry: { scanType: "BASIC", rules: [scanRule("SCAN_ON_PUSH", "team/*")] },
    expect: "NON_COMPLIANT",
    annotationIncludes: ["Repository teams/api", "images are not scanned"],
  },
  {
    scenario: 17,
    title: "requireScanning false does not relax tag immutability",
    name: "ml/model",
    mutability: "MUTABLE",
    scanOnPush: true,
    registry: BASIC_NO_RULES,
    parameters: { requireScanning: "false" },
    expect: "NON_COMPLIANT",
    annotationIncludes: ["tags are MUTABLE"],
  },
  {
    scenario: 18,
    title: "the enhanced rule that matches is named when two rules exist",
    name: "frontend",
    mutability: "IMMUTABLE",
    scanOnPush: false,
    registry: {
      scanType: "ENHANCED",
      rules: [scanRule("CONTINUOUS_SCAN", "prod-*"), scanRule("SCAN_ON_PUSH", "front*")],
    },
    expect: "COMPLIANT",
    annotationIncludes: ["ENHANCED SCAN_ON_PUSH rule (front*)"],
  },
  {
    scenario: 19,
    title: "a rule with several filters matches on any of them and lists them all",
    name: "api-gateway",
    mutability: "IMMUTABLE",
    scanOnPush: false,
    registry: { scanType: "BASIC", rules: [scanRule("SCAN_ON_PUSH", "web-*", "api-*")] },
    expect: "COMPLIANT",
    annotationIncludes: ["BASIC SCAN_ON_PUSH rule (web-*, api-*)"],
  },
  {
    scenario: 20,
    title: "exemptActions is accepted and changes nothing",
    name: "web-legacy",
    mutability: "MUTABLE",
    scanOnPush: true,
    registry: BASIC_NO_RULES,
    parameters: { exemptActions: "ecr:PutImage" },
    expect: "NON_COMPLIANT",
    annotationIncludes: ["tags are MUTABLE"],
  },
];

/** A fake of the injected AccountFacts: fixed answers, and the regions it was asked about. */
function fakeFacts(
  registry: RegistryScanning,
  repositories: readonly RepositoryFacts[] = [],
): { facts: AccountFacts; regions: string[] } {
  const regions: string[] = [];
  const facts: AccountFacts = factsFor({
    ecr(region) {
      regions.push(region);
      return {
        registryScanning: async () => registry,
        repositories: async () => repositories,
        repositoryPolicy: async () => {
          throw new Error("this rule reads no repository policy");
        },
        registryPolicy: async () => {
          throw new Error("this rule reads no registry policy");
        },
        repositoryTags: async () => {
          throw new Error("this rule reads no repository tags");
        },
      };
    },
  });
  return { facts, regions };
}

function contextFor(
  facts: AccountFacts,
  parameters: Record<string, string> = {},
  region = REGION,
): RuleContext {
  return {
    parameters: parseParameters(rule.parameters, parameters),
    accountId: ACCOUNT,
    region,
    partition: "aws",
    ruleName: rule.name,
    facts,
  };
}

describe("ecr-repository-image-integrity", () => {
  describe("change-triggered evaluation (scenarios, numbered as in the README)", () => {
    for (const row of SCENARIOS) {
      it(`scenario ${row.scenario}: returns ${row.expect} for ${row.title}`, async () => {
        // Prepare
        const item = normalizeItem(
          notificationItem({
            resourceType: "AWS::ECR::Repository",
            resourceId: row.name,
            region: REGION,
            configuration: repositoryConfiguration(row.name, {
              mutability: row.mutability,
              scanOnPush: row.scanOnPush,
            }),
          }),
          "notification",
        );
        const { facts, regions } = fakeFacts(normalizeRegistryScanning(row.registry));

        // Act
        const verdict = await verdictOf(rule, item, contextFor(facts, row.parameters, item.region));

        // Assess
        expect(verdict.compliance).to.equal(row.expect);
        expect(regions).to.deep.equal([item.region]);
        expect(item.region).to.equal(REGION);
        for (const text of row.annotationIncludes ?? []) {
          expect(verdict.annotation ?? "", `annotation of scenario ${row.scenario}`).to.include(text);
        }
      });
    }

    it("numbers the scenarios 1..N without gaps", () => {
      expect(SCENARIOS.map((row) => row.scenario)).to.deep.equal(SCENARIOS.map((_, i) => i + 1));
      expect(SCENARIOS.length).to.be.at.least(16);
    });

    it("lists every scenario in the README with the same repository and result", () => {
      const readme = readFileSync(
        new URL("../../rules/ecr-repository-image-integrity/README.md", import.meta.url),
        "utf8",
      );
      const documented = [
        ...readme.matchAll(/^\| (\d+) \| `([^`]+)` \|.*\| \*\*(NON_COMPLIANT|COMPLIANT)\*\* \|$/gmu),
      ].map((match) => `${match[1]} ${match[2]} ${match[3]}`);
      expect(documented).to.deep.equal(SCENARIOS.map((row) => `${row.scenario} ${row.name} ${row.expect}`));
    });
  });

  describe("periodic evaluation", () => {
    it("returns one verdict per repository in the region, keyed by repository name", async () => {
      // Prepare
      const repositories: readonly RepositoryFacts[] = [
        {
          name: "api",
          arn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/api`,
          imageTagMutability: "IMMUTABLE",
          scanOnPush: true,
        },
        {
          name: "web",
          arn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/web`,
          imageTagMutability: "MUTABLE",
          scanOnPush: true,
        },
        {
          name: "team/worker",
          arn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/team/worker`,
          imageTagMutability: "IMMUTABLE",
          scanOnPush: false,
        },
      ];
      const registry = normalizeRegistryScanning({
        scanType: "BASIC",
        rules: [scanRule("SCAN_ON_PUSH", "team/*")],
      });
      const { facts, regions } = fakeFacts(registry, repositories);
      // Act
      const results = await sweepVerdicts(rule, contextFor(facts));

      // Assess
      expect(rule.periodic).to.equal(true);
      expect(regions.every((region) => region === REGION)).to.equal(true);
      expect(regions).to.have.length.greaterThan(0);
      expect(results.map((r) => [r.resourceType, r.resourceId, r.verdict.compliance])).to.deep.equal([
        ["AWS::ECR::Repository", "api", "COMPLIANT"],
        ["AWS::ECR::Repository", "web", "NON_COMPLIANT"],
        ["AWS::ECR::Repository", "team/worker", "COMPLIANT"],
      ]);
    });

    it("returns no verdict when the region has no repository", async () => {
      const { facts } = fakeFacts(normalizeRegistryScanning({}), []);
      const results = await sweepVerdicts(rule, contextFor(facts));
      expect(results).to.deep.equal([]);
    });
  });

  describe("wildcardFilterMatches", () => {
    // The wildcard rows of AWS's "Filter wildcards" table (image-scanning-filters.html), plus ours.
    const rows: readonly (readonly [filter: string, name: string, matches: boolean])[] = [
      ["*prod", "prod", true],
      ["*prod", "repo-prod", true],
      ["*prod", "prod-repo", false],
      ["*prod", "repo-prod-repo", false],
      ["*prod", "prodrepo", false],
      ["prod*", "prod", true],
      ["prod*", "repo-prod", false],
      ["prod*", "prod-repo", true],
      ["prod*", "repo-prod-repo", false],
      ["prod*", "prodrepo", true],
      ["*prod*", "prod", true],
      ["*prod*", "repo-prod", true],
      ["*prod*", "prod-repo", true],
      ["*prod*", "repo-prod-repo", true],
      ["*prod*", "prodrepo", true],
      ["prod*repo", "prod", false],
      ["prod*repo", "repo-prod", false],
      ["prod*repo", "prod-repo", true],
      ["prod*repo", "repo-prod-repo", false],
      ["prod*repo", "prodrepo", true],
      ["*", "team/batch/worker", true],
      ["team/*", "team/api", true],
      ["team/*", "team/batch/worker", true],
      ["team/*", "teams/api", false],
      ["team/*", "team", false],
      // A dot in a filter is a literal dot, not "any character".
      ["a.b*", "a.b-svc", true],
      ["a.b*", "a.b", true],
      ["a.b*", "axb-svc", false],
      ["a.b*", "aab", false],
      ["api", "api", true],
      // `-`, `_` and `.` are the separators ECR allows in names and filters; each is literal.
      ["team-*", "team-api", true],
      ["team-*", "billing-api", false],
      ["*-prod", "web-prod", true],
      ["svc_*", "svc_a", true],
    ];
    for (const [filter, name, matches] of rows) {
      it(`${matches ? "matches" : "does not match"} ${JSON.stringify(name)} with filter ${JSON.stringify(filter)}`, () => {
        expect(wildcardFilterMatches(filter, name)).to.equal(matches);
      });
    }

    // AWS: "a filter with no wildcard will match all repository names that contain the filter" (the `prod`
    // row of the table). rule.ts anchors the whole name, so this fails: a real bug, left failing on purpose.
    // The error is conservative (a scanned repository can be reported unscanned, never the reverse).
    it("matches a filter with no wildcard anywhere in the name, as ECR does", () => {
      const names = ["prod", "repo-prod", "prod-repo", "repo-prod-repo", "prodrepo"];
      expect(names.filter((name) => wildcardFilterMatches("prod", name))).to.deep.equal(names);
    });
  });

  describe("parameters", () => {
    it("defaults allowTagExclusions to false and requireScanning to true", () => {
      const parameters = parseParameters(rule.parameters, {});
      expect(parameters.flag("allowTagExclusions")).to.equal(false);
      expect(parameters.flag("requireScanning")).to.equal(true);
    });

    it('rejects requireScanning "yes" with a RuleParameterError naming it', () => {
      let caught: unknown;
      try {
        parseParameters(rule.parameters, { requireScanning: "yes" });
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(RuleParameterError);
      if (!(caught instanceof RuleParameterError)) return;
      expect(caught.parameter).to.equal("requireScanning");
      expect(caught.message).to.include("requireScanning");
    });

    it("rejects an unknown parameter, naming it", () => {
      expect(() => parseParameters(rule.parameters, { scanOnPush: "true" }))
        .to.throw(RuleParameterError)
        .with.property("parameter", "scanOnPush");
    });

    it("accepts exemptActions and executionRoleName", () => {
      const parameters = parseParameters(rule.parameters, {
        exemptActions: "ecr:PutImage",
        executionRoleName: "ConfigRuleReader",
      });
      expect(parameters.list("exemptActions")).to.deep.equal(["ecr:PutImage"]);
      expect(parameters.text("executionRoleName")).to.equal("ConfigRuleReader");
    });
  });
});
