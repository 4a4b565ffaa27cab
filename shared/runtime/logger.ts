/** Structured logs: what the runtime needs of a logger, and the default (Powertools for AWS Lambda). */
import { Logger } from "@aws-lambda-powertools/logger";

export interface RuleLogger {
  info(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

/**
 * The Lambda logger: JSON lines through Powertools, with the rule name as the service.
 *
 * @example
 * const logger = powertoolsLogger("ecr-repository-policy-trusted");
 * logger.info("evaluation", { resource: "api", verdict: "COMPLIANT" });
 */
export function powertoolsLogger(serviceName: string): RuleLogger {
  const logger = new Logger({ serviceName });
  return {
    info: (message, fields) => logger.info(message, fields),
    error: (message, fields) => logger.error(message, fields),
  };
}

/** A logger that drops everything (the command line prints its own output). */
export const silentLogger: RuleLogger = { info: () => {}, error: () => {} };
