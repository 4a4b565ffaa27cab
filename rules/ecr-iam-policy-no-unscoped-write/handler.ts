import { createConfigRuleHandler } from "../../shared/runtime/handler.js";
import { rule } from "./rule.js";

// The rule judges the item alone: it reads no IAM or ECR facts.
export const handler = createConfigRuleHandler(rule, {});
