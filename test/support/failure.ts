/** Awaiting calls that must fail. */

/**
 * Awaits a promise that must reject and returns what it rejected with.
 *
 * @example
 * const failure = await failureOf(handler(event));
 * expect(failure).to.be.instanceOf(RuleParameterError);
 */
export async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

/**
 * Awaits a promise that must reject with an error of `type`, and returns that error.
 *
 * @example
 * const error = await rejection(parseConfigEvent(raw), ConfigInputError);
 */
export async function rejection<E extends Error>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
): Promise<E> {
  const error = await failureOf(promise);
  if (error instanceof type) return error;
  throw error;
}
