// Shared checks of the fault suites (test/e2e/faults*.test.ts): the process watch (unhandled
// rejections, uncaught exceptions, warnings), the accounting every run must satisfy, and the
// secret scan.
import { expect } from 'vitest';
import { DISTRIBUTION_KEYS, type RunResult } from '../../src/types.js';
import { statusOf } from '../../src/client/failure.js';

export const API_KEY = 'sk-fault-SECRET-0123456789abcdef';
export const HEADER_NAME = 'x-api-token';
export const HEADER_TOKEN = 'tok-FAULT-SECRET-9876543210';
export const SECRETS = [API_KEY, HEADER_TOKEN];

/** Records unhandled rejections, uncaught exceptions and process warnings until stop(). */
export function watchProcess(): { problems(): string[]; stop(): void } {
  const seen: string[] = [];
  const onRejection = (reason: unknown): void => void seen.push(`unhandledRejection: ${String((reason as Error)?.stack ?? reason)}`);
  const onException = (err: Error): void => void seen.push(`uncaughtException: ${err.stack ?? String(err)}`);
  const onWarning = (w: Error): void => void seen.push(`warning: ${w.name}: ${w.message}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtExceptionMonitor', onException);
  process.on('warning', onWarning);
  return {
    problems: () => [...seen],
    stop: () => {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtExceptionMonitor', onException);
      process.off('warning', onWarning);
    },
  };
}

/**
 * Every request is accounted for (sent = ok + errors) and recorded as the Contracts say:
 * a failed request has an error kind and a one-line message, is left out of every latency
 * distribution, counts in error_rate, and lies inside the measurement window.
 */
export function expectAccounted(result: RunResult, total: number): void {
  for (const s of result.scenarios) {
    const m = s.metrics;
    expect(s.requests).toHaveLength(total);
    expect(m.completed + m.failed).toBe(total);
    expect(new Set(s.requests.map((r) => r.id)).size).toBe(total);
    const failed = s.requests.filter((r) => r.status !== 'ok');
    expect(failed).toHaveLength(m.failed);
    expect(m.error_rate).toBeCloseTo(m.failed / total, 12);
    const byKind: Record<string, number> = {};
    for (const r of failed) {
      expect(r.error, r.id).not.toBeNull();
      expect(r.status).toBe(statusOf(r.error));
      expect(r.error?.message.length).toBeGreaterThan(0);
      expect(r.error?.message).not.toMatch(/[\r\n]/);
      byKind[r.error!.kind] = (byKind[r.error!.kind] ?? 0) + 1;
    }
    expect(m.errors_by_kind).toEqual(byKind);
    for (const r of s.requests.filter((x) => x.status === 'ok')) expect(r.error).toBeNull();
    // Latency distributions hold the successful requests only.
    for (const key of DISTRIBUTION_KEYS) {
      const d = m[key];
      if (key === 'ttft_ms' || key === 'e2e_ms') expect(d?.count ?? 0, key).toBe(m.completed);
      else if (key !== 'itl_ms') expect(d?.count ?? 0, key).toBeLessThanOrEqual(m.completed);
    }
    // Failures are inside the window: a failed answer is a response like any other, so the
    // window never starts after one (early 429s must not leave a healthy-looking window).
    for (const r of failed.filter((x) => x.status !== 'cancelled')) {
      const end = r.sentAt + Math.max(0, r.headersMs ?? 0, r.e2eMs ?? 0, r.streamEndMs ?? 0, ...r.chunkOffsetsMs);
      expect(s.window.startMs, `${r.id} (${r.error?.kind}) ended before the window`).toBeLessThanOrEqual(end);
      expect(r.sentAt).toBeLessThanOrEqual(s.window.endMs);
    }
  }
}

/** Fails when `text` holds any secret (or its base64 form, as in a Basic header). */
export function expectNoSecret(text: string, secrets: readonly string[]): void {
  for (const secret of secrets) {
    expect(text.includes(secret), `a secret leaked: …${text.slice(Math.max(0, text.indexOf(secret) - 80), text.indexOf(secret) + 20)}…`).toBe(false);
    expect(text.includes(Buffer.from(secret).toString('base64'))).toBe(false);
  }
}
