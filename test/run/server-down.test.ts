// ServerDownWatch with an injected clock: refused requests in a row for the down-for-good
// time end the run; anything the server answers resets the count; cancellations do not.
import { describe, expect, it } from 'vitest';
import { RunFailedError } from '../../src/errors.js';
import { ServerDownWatch } from '../../src/server-down.js';
import type { ErrorKind, RequestRecord } from '../../src/types.js';

function record(sentAt: number, kind: ErrorKind | null): RequestRecord {
  return {
    id: `r${sentAt}`,
    scenario: 's',
    status: kind === null ? 'ok' : kind === 'cancelled' ? 'cancelled' : 'error',
    error: kind === null ? null : { kind, message: kind === 'connect' ? 'connect ECONNREFUSED 127.0.0.1:9' : kind },
    scheduledAt: null,
    sentAt,
    ttftMs: null,
    e2eMs: null,
    streamEndMs: null,
    inputTokens: null,
    outputTokens: null,
    tokenSource: 'estimate',
    chunkOffsetsMs: [],
  };
}

function watch(): { w: ServerDownWatch; at: (t: number) => void } {
  let now = 0;
  const w = new ServerDownWatch({ now: () => now }, 'http://h:8000', { downForMs: 1000 });
  return { w, at: (t) => (now = t) };
}

describe('ServerDownWatch', () => {
  it('ends the run after refusals in a row for the down-for-good time, with one clear line', () => {
    const { w, at } = watch();
    for (const t of [0, 400, 800]) {
      at(t);
      w.observe(record(t, 'connect'));
    }
    expect(w.signal.aborted).toBe(false);
    expect(() => w.throwIfDown()).not.toThrow();
    at(1000);
    w.observe(record(1000, 'connect'));
    expect(w.signal.aborted).toBe(true);
    expect(() => w.throwIfDown()).toThrow(
      new RunFailedError(
        'http://h:8000 refused every request for 1 s (4 in a row; last: connect ECONNREFUSED 127.0.0.1:9); the server is down — check that it is running and that base_url is right',
      ),
    );
  });

  it('needs 3 refusals, however long one takes', () => {
    const { w, at } = watch();
    at(5000);
    w.observe(record(0, 'connect'));
    w.observe(record(0, 'connect'));
    expect(w.signal.aborted).toBe(false);
    w.observe(record(0, 'connect'));
    expect(w.signal.aborted).toBe(true);
  });

  it('any answer resets the count (a restart that comes back); a cancellation does not', () => {
    const { w, at } = watch();
    at(0);
    w.observe(record(0, 'connect'));
    w.observe(record(0, 'connect'));
    at(900);
    w.observe(record(900, 'http_status'));
    at(1500);
    w.observe(record(1500, 'connect'));
    w.observe(record(1500, 'cancelled'));
    w.observe(record(1500, 'connect'));
    at(2400);
    w.observe(record(2400, 'connect'));
    expect(w.signal.aborted).toBe(false);
    at(2500);
    w.observe(record(2500, 'connect'));
    expect(w.signal.aborted).toBe(true);
  });

  it('follows the caller’s signal too', () => {
    const caller = new AbortController();
    const w = new ServerDownWatch({ now: () => 0 }, 'http://h', { signal: caller.signal });
    caller.abort();
    expect(w.signal.aborted).toBe(true);
    expect(() => w.throwIfDown()).not.toThrow();
  });
});
