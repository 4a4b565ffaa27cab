/**
 * The base of every error this project throws on purpose. Callers can tell ours (bad input, a failed
 * call we could not finish) from bugs with `instanceof EcrAccessRulesError`.
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
