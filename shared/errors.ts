/**
 * The errors this project throws on purpose, in two families that callers catch at different levels:
 *
 * - {@link UnreadableInputError}: one resource's input cannot be read (a malformed policy, an item without
 *   a field the rule needs, a snapshot that lacks a group a user belongs to). The runtime turns it, and
 *   only it, into that resource's NON_COMPLIANT "could not be read" verdict: never COMPLIANT, never a
 *   crash of the batch.
 * - every other {@link EcrAccessRulesError}: the run itself cannot finish (a bad event or parameter, a
 *   failed AWS read, evaluations that could not be delivered). The invocation fails and Config retries it.
 *
 * Anything else is a bug and propagates as it is.
 *
 * @example
 * try { parsePolicyDocument(text, "identity"); } catch (e) { if (e instanceof EcrAccessRulesError) report(e.message); else throw e; }
 */
export class EcrAccessRulesError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A read from AWS failed; the message names the call, so a missing permission is visible. */
export class AccountReadError extends EcrAccessRulesError {}

/**
 * The input of one resource cannot be read. `message` names the fault and where it is
 * (`Statement[2].Effect: …`); `what`, when set, names the thing that could not be read
 * (`The default version v2`, `Role ci: managed policy deploy`). Thrown by readers, parsers and fact
 * sources; the runtime makes it the resource's NON_COMPLIANT verdict, annotated
 * `WHAT could not be read: MESSAGE`.
 *
 * @example
 * throw new UnreadableInputError("not in the snapshot", { what: "Group developers" });
 */
export class UnreadableInputError extends EcrAccessRulesError {
  readonly what: string | undefined;
  constructor(message: string, options?: { cause?: unknown; what?: string }) {
    super(message, options);
    this.what = options?.what;
  }

  /** The sentence a NON_COMPLIANT annotation carries. */
  get annotation(): string {
    return `${this.what ?? "The resource's configuration"} could not be read: ${this.message}`;
  }
}

/**
 * Runs `read`, naming `what` in any {@link UnreadableInputError} it throws that names nothing yet.
 *
 * @example
 * const document = readingAs("The default version v2", () => parsePolicyDocument(text, "identity"));
 */
export function readingAs<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof UnreadableInputError && error.what === undefined) {
      throw new UnreadableInputError(error.message, { cause: error, what });
    }
    throw error;
  }
}
