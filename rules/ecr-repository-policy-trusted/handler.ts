import { ecrReader } from "../../shared/account/ecr-reader.js";
import { createConfigRuleHandler } from "../../shared/runtime/handler.js";
import { rule } from "./rule.js";

// A change judges the item alone; the periodic sweep reads the region's repository and registry policies.
export const handler = createConfigRuleHandler(rule, { ecr: ecrReader });
