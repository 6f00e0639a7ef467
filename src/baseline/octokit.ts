// The Octokit type the stores take (the one @actions/github's getOctokit returns), and a
// helper to read the HTTP status of a failed call without trusting its shape.
import type { getOctokit } from '@actions/github';

export type Octokit = ReturnType<typeof getOctokit>;

/** The HTTP status of an Octokit RequestError, or undefined for anything else. */
export function httpStatusOf(err: unknown): number | undefined {
  if (err && typeof err === 'object' && 'status' in err && typeof (err as { status: unknown }).status === 'number') {
    return (err as { status: number }).status;
  }
  return undefined;
}

/** One line from an Octokit error: status and message, never the request headers (they hold the token). */
export function describeApiError(err: unknown): string {
  const status = httpStatusOf(err);
  const message = String(err instanceof Error ? err.message : err).split('\n')[0];
  return status !== undefined ? `HTTP ${status}: ${message}` : message;
}

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
