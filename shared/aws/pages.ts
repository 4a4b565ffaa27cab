/**
 * Every page of a paginated AWS read, through the SDK's own paginators (`paginateDescribeRepositories`,
 * `paginateGetAccountAuthorizationDetails`, …), with the guard they lack: a paginator follows whatever
 * token a page returns, so a service (or a proxy) that hands back a token it gave before would be followed
 * forever. Here a repeated token fails the read, naming the operation; so does any failed page.
 */
import { AccountReadError } from "../errors.js";

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** A token as it may appear in an error message: long ones are cut. */
function shown(token: string): string {
  return JSON.stringify(token.length > 40 ? `${token.slice(0, 40)}…` : token);
}

/**
 * Reads every page of `pages` (an SDK paginator) for `operation` (`service:Operation`, as messages name
 * it). `nextToken` gives the token a page hands on, or `undefined` on the last page; it may throw an
 * `AccountReadError` for a page it cannot read. A token seen before fails the read; so does a failed page,
 * as an `AccountReadError` whose `cause` is the SDK's error.
 *
 * @example
 * const pages = await readPages("ecr:DescribeRepositories", paginateDescribeRepositories({ client }, {}), (p) => p.nextToken);
 */
export async function readPages<P>(
  operation: string,
  pages: AsyncIterable<P>,
  nextToken: (page: P) => string | undefined,
): Promise<P[]> {
  const out: P[] = [];
  const seen = new Set<string>();
  try {
    for await (const page of pages) {
      out.push(page);
      const token = nextToken(page);
      if (token === undefined || token === "") break;
      if (seen.has(token)) {
        throw new AccountReadError(
          `${operation} returned the page token ${shown(token)} a second time (page ${out.length}): following it would never end`,
        );
      }
      seen.add(token);
    }
  } catch (error) {
    if (error instanceof AccountReadError) throw error;
    throw new AccountReadError(`${operation} failed: ${describe(error)}`, { cause: error });
  }
  return out;
}
