/** An access level of the AWS Service Authorization Reference. */
export type AccessLevel = "List" | "Read" | "Write" | "Permissions management" | "Tagging";

/** One `ecr:` action of the catalogue. */
export interface EcrActionInfo {
  /** `ecr:PutImage` — the spelling AWS documents. */
  readonly name: string;
  /** Every access level the reference gives it, in its order (`["Permissions management", "Write"]`). */
  readonly accessLevels: readonly AccessLevel[];
  /** Whether the action acts on the `repository` resource type (false: registry-level, `Resource: "*"`). */
  readonly onRepository: boolean;
}
