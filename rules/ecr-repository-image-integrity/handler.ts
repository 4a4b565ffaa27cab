import { ecrReader } from "../../shared/account/ecr-reader.js";
import { createConfigRuleHandler } from "../../shared/runtime/handler.js";
import { rule } from "./rule.js";

export const handler = createConfigRuleHandler(rule, { ecr: ecrReader });
