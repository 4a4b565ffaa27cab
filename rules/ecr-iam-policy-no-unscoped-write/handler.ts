import { iamReader } from "../../shared/account/iam-reader.js";
import { createConfigRuleHandler } from "../../shared/runtime/handler.js";
import { rule } from "./rule.js";

// A change judges the item alone; the periodic sweep walks the account's customer managed policies.
export const handler = createConfigRuleHandler(rule, { iam: iamReader });
