/** How each format spells a rule's severity. */
import type { Severity } from "../../shared/runtime/rule.js";

/** SARIF `level` of a NON_COMPLIANT result. */
export const SARIF_LEVEL: Readonly<Record<Severity, "error" | "warning" | "note">> = {
  critical: "error",
  high: "error",
  medium: "warning",
  low: "note",
  informational: "note",
};

/** GitHub code scanning's `security-severity` (0.0–10.0; ≥ 9.0 critical, ≥ 7.0 high, ≥ 4.0 medium). */
export const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: "9.5",
  high: "8.0",
  medium: "5.5",
  low: "3.0",
  informational: "0.0",
};

/** OCSF `severity_id` and its caption. */
export const OCSF_SEVERITY: Readonly<
  Record<Severity, { readonly id: 1 | 2 | 3 | 4 | 5; readonly name: string }>
> = {
  informational: { id: 1, name: "Informational" },
  low: { id: 2, name: "Low" },
  medium: { id: 3, name: "Medium" },
  high: { id: 4, name: "High" },
  critical: { id: 5, name: "Critical" },
};
