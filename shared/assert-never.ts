/**
 * The end of every `switch` over a closed set: a compile error when a case is missing, a thrown error if a
 * value outside the type arrives at run time anyway.
 *
 * @example
 * switch (scope) { case "all": …; case "some": …; default: return assertNever(scope, "scope"); }
 */
export function assertNever(value: never, what: string): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
