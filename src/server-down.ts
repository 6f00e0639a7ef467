// Telling a server that is down for good from one that restarts. A restart refuses
// connections for a moment and the run goes on (the refused requests count as `connect`
// errors); a server that refuses every request for DOWN_FOR_GOOD_MS has gone away, and the
// run ends with a RunFailedError (exit 3) instead of spinning — a closed loop against a
// refused port sends thousands of requests a second — and instead of a verdict.
import { RunFailedError } from './errors.js';
import type { Clock, EpochMs, RequestRecord } from './types.js';

/** How long nothing but refused connections means "down for good" (a model server restarts in minutes, so this only cuts short what cannot recover). */
export const DOWN_FOR_GOOD_MS = 15_000;
/** And at least this many refused requests in a row, so one slow refusal is never enough. */
const MIN_REFUSALS = 3;

export class ServerDownWatch {
  private readonly controller = new AbortController();
  /** Aborted when the server is down for good (or when the caller's signal aborts). */
  readonly signal: AbortSignal;
  private firstRefusedAt: EpochMs | null = null;
  private refusals = 0;
  private lastMessage = '';
  private downMessage: string | null = null;
  private readonly downForMs: number;

  constructor(
    private readonly clock: Clock,
    private readonly url: string,
    opts: { downForMs?: number; signal?: AbortSignal } = {},
  ) {
    this.downForMs = opts.downForMs ?? DOWN_FOR_GOOD_MS;
    this.signal = opts.signal ? AbortSignal.any([opts.signal, this.controller.signal]) : this.controller.signal;
  }

  /** Notes one finished request (passed through unchanged). Any answer from the server resets the count. */
  observe(record: RequestRecord): RequestRecord {
    const kind = record.error?.kind;
    if (kind === 'connect') {
      this.firstRefusedAt ??= record.sentAt;
      this.refusals++;
      this.lastMessage = record.error?.message ?? '';
      if (this.downMessage === null && this.refusals >= MIN_REFUSALS && this.clock.now() - this.firstRefusedAt >= this.downForMs) {
        const seconds = ((this.clock.now() - this.firstRefusedAt) / 1000).toFixed(0);
        this.downMessage =
          `${this.url} refused every request for ${seconds} s (${this.refusals} in a row; last: ${this.lastMessage}); ` +
          'the server is down — check that it is running and that base_url is right';
        this.controller.abort();
      }
    } else if (kind !== 'cancelled') {
      this.firstRefusedAt = null;
      this.refusals = 0;
    }
    return record;
  }

  /** Throws the RunFailedError (exit 3) when the server was found down for good. */
  throwIfDown(): void {
    if (this.downMessage !== null) throw new RunFailedError(this.downMessage);
  }
}
