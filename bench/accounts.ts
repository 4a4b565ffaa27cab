/**
 * The generated accounts the harness measures: one size knob (roles), everything else in proportion to
 * it, as in the 10,000-role account of issue 12 (2,000 users, 500 groups, 3,000 customer managed
 * policies, 5,000 repositories). Generated once per size and run, from seed 42.
 */
import { generateSnapshot, type SnapshotOptions } from "./generate-snapshot.js";

/** The sizes of the account with `roles` roles. */
export function accountSizes(roles: number): SnapshotOptions {
  return {
    roles,
    users: Math.round(roles * 0.2),
    groups: Math.max(1, Math.round(roles * 0.05)),
    customerPolicies: Math.max(1, Math.round(roles * 0.3)),
    repositories: Math.max(1, Math.round(roles * 0.5)),
    seed: 42,
  };
}

/** A generated account and its sizes. */
export interface GeneratedAccount {
  readonly sizes: SnapshotOptions;
  readonly snapshot: object;
}

const made = new Map<number, GeneratedAccount>();

/**
 * The generated account of `roles` roles (the same object on every call in one run).
 *
 * @example
 * generatedAccount(1000).sizes.users; // 200
 */
export function generatedAccount(roles: number): GeneratedAccount {
  let account = made.get(roles);
  if (account === undefined) {
    const sizes = accountSizes(roles);
    account = { sizes, snapshot: generateSnapshot(sizes) };
    made.set(roles, account);
  }
  return account;
}
