/**
 * The settings every AWS SDK client of this project is built with: how it retries and how long it waits.
 *
 * - Retries are the SDK's own, in `adaptive` mode: throttling, 5xx and network faults (a timeout included)
 *   are retried with exponential backoff and full jitter, and after throttling the client also slows its
 *   own sending rate (a token bucket kept per client; clients live for the container's life, so the rate
 *   carries over between invocations). `DEFAULT_MAX_ATTEMPTS` attempts per call, the first included.
 * - Waiting is bounded: `connectionTimeout` for the TCP/TLS connection; `requestTimeout` from the start of
 *   an attempt (connecting included) to the response's headers, as an error (`throwOnRequestTimeout`; by
 *   default the SDK only logs a warning); `socketTimeout` for a response body that stops arriving.
 *
 * Worst case for one call that AWS never answers: 5 attempts of 20 s plus the waits between them (backoff
 * with full jitter, at most 1 + 2 + 4 + 8 s after throttling, and the adaptive rate limiter's), about two
 * minutes: inside the 300 s Lambda timeout, so the invocation fails with an error that names the call, and
 * Config retries it. These settings win over `AWS_MAX_ATTEMPTS` and `AWS_RETRY_MODE` in the environment.
 */
import type { NodeHttpHandlerOptions } from "@smithy/types";

/** Attempts per call, the first included. */
export const DEFAULT_MAX_ATTEMPTS = 5;
/** Milliseconds to establish a connection. */
export const CONNECTION_TIMEOUT_MS = 5_000;
/** Milliseconds from sending a request to the response's headers, and of silence while its body arrives. */
export const REQUEST_TIMEOUT_MS = 20_000;

export interface ClientSettingsOptions {
  /** Attempts per call; default `DEFAULT_MAX_ATTEMPTS`. Tests that want a fault at once pass 1. */
  readonly maxAttempts?: number | undefined;
}

/** The SDK client configuration fields `clientSettings` sets. */
export interface RetryAndTimeoutSettings {
  readonly retryMode: "adaptive";
  readonly maxAttempts: number;
  readonly requestHandler: NodeHttpHandlerOptions;
}

/**
 * The retry and timeout fields for an SDK v3 client's configuration.
 *
 * @example
 * const config = new ConfigServiceClient({ region: "us-east-1", ...clientSettings() });
 */
export function clientSettings(options: ClientSettingsOptions = {}): RetryAndTimeoutSettings {
  return {
    retryMode: "adaptive",
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    requestHandler: {
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
      socketTimeout: REQUEST_TIMEOUT_MS,
    },
  };
}
