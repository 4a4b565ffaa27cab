/** Who a resource-policy principal value names (docs/policy-semantics.md#principal-classes). */
import type { PrincipalValue } from "./parse.js";

/** A principal as docs/policy-semantics.md#principal-classes classifies it. */
export type PrincipalClass =
  | { readonly type: "public"; readonly text: string }
  /** An account: an id or its root ARN (`arn` absent), or a user / role / session ARN in it (`arn` present). */
  | { readonly type: "account"; readonly account: string; readonly arn?: string; readonly text: string }
  | { readonly type: "service"; readonly service: string; readonly text: string }
  /** A unique id (`AROA…`, `AIDA…`, `AGPA…`) that IAM leaves behind for a deleted principal: admits no one. */
  | { readonly type: "deleted"; readonly id: string; readonly text: string }
  /** `Federated`, `CanonicalUser`, or a value that is none of the above. */
  | { readonly type: "untrusted"; readonly value: string; readonly text: string };

const ACCOUNT_ID = /^\d{12}$/u;
const UNIQUE_ID = /^(AROA|AIDA|AGPA)[A-Z0-9]{8,}$/u;
const PRINCIPAL_ARN = /^arn:[a-z-]+:(iam|sts)::([^:]*):(.+)$/u;
const SERVICE = /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$/u;

/**
 * Classifies one value of `Principal`.
 *
 * @example
 * classifyPrincipal({ type: "AWS", value: "arn:aws:iam::111122223333:root" }); // { type: "account", account: "111122223333", … }
 * classifyPrincipal({ type: "AWS", value: "arn:aws:iam::*:root" }); // { type: "public", … }
 */
export function classifyPrincipal(principal: PrincipalValue): PrincipalClass {
  if (!("value" in principal)) return { type: "public", text: '"*"' };
  const { type, value } = principal;
  const text = `${type}: ${value}`;
  if (type === "AWS") {
    if (value === "*") return { type: "public", text };
    if (ACCOUNT_ID.test(value)) return { type: "account", account: value, text };
    if (UNIQUE_ID.test(value)) return { type: "deleted", id: value, text };
    const arn = PRINCIPAL_ARN.exec(value);
    if (arn) {
      const [, , account = "", resource = ""] = arn;
      if (account === "*" && resource === "root") return { type: "public", text };
      if (ACCOUNT_ID.test(account) && !resource.includes("*") && !resource.includes("?")) {
        return resource === "root"
          ? { type: "account", account, text }
          : { type: "account", account, arn: value, text };
      }
    }
    return { type: "untrusted", value, text };
  }
  if (type === "Service" && SERVICE.test(value)) return { type: "service", service: value, text };
  return { type: "untrusted", value, text };
}
