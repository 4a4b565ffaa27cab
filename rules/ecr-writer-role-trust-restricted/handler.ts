import { iamReader } from "../../shared/account/iam-reader.js";
import { createConfigRuleHandler } from "../../shared/runtime/handler.js";
import { rule } from "./rule.js";

export const handler = createConfigRuleHandler(rule, { iam: iamReader });
