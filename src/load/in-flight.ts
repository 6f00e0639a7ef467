// Requests the runner has handed to the client and not yet got back. It guards the client's
// promise (a rejection becomes a failed record), marks requests cut short by a stop as
// cancelled, and can abandon requests whose client never returns after an abort, so a
// stuck request can never hang the run.
import { failedRecord } from '../client/record.js';
import type { Clock, EpochMs, RequestError, RequestRecord, RequestSpec } from '../types.js';

export type SendFn = (spec: RequestSpec, scheduledAt: EpochMs | null, signal: AbortSignal) => Promise<RequestRecord>;

export interface Finished {
  record: RequestRecord;
  /** Stream end, or when the failure was seen: the end of this request in the window. */
  completedAt: EpochMs;
}

interface Entry {
  abandon(): void;
}

export class InFlightRequests {
  private readonly pending = new Set<Entry>();

  /**
   * @param stopSignal aborted when the run must stop (deadline or the caller's signal)
   * @param stopMessage why the run stopped, for the records it cancels
   */
  constructor(
    private readonly send: SendFn,
    private readonly clock: Clock,
    private readonly stopSignal: AbortSignal,
    private readonly stopMessage: () => string,
  ) {}

  get count(): number {
    return this.pending.size;
  }

  /** Sends one request; resolves when it finished or was abandoned. Never rejects. */
  start(spec: RequestSpec, scheduledAt: EpochMs | null): Promise<Finished> {
    const dispatchedAt = this.clock.now();
    return new Promise<Finished>((resolve) => {
      let settled = false;
      const finish = (record: RequestRecord, completedAt: EpochMs): void => {
        if (settled) return;
        settled = true;
        this.pending.delete(entry);
        resolve({ record, completedAt });
      };
      const entry: Entry = {
        abandon: () => {
          const error: RequestError = { kind: 'cancelled', message: `${this.stopMessage()}; the request did not finish` };
          finish(failedRecord(spec, scheduledAt, dispatchedAt, 'cancelled', error), this.clock.now());
        },
      };
      this.pending.add(entry);
      this.sendGuarded(spec, scheduledAt, dispatchedAt).then((record) => finish(record, this.completedAt(record)));
    });
  }

  /** Gives up on every request still out: each becomes a cancelled record now. */
  abandonAll(): void {
    for (const entry of [...this.pending]) entry.abandon();
  }

  private async sendGuarded(spec: RequestSpec, scheduledAt: EpochMs | null, dispatchedAt: EpochMs): Promise<RequestRecord> {
    let record: RequestRecord;
    try {
      record = await this.send(spec, scheduledAt, this.stopSignal);
    } catch (e) {
      // The client promises never to reject; if it does, the request still counts, as a failure.
      const message = `client failed: ${e instanceof Error ? e.message : String(e)}`;
      record = failedRecord(spec, scheduledAt, dispatchedAt, 'error', { kind: 'malformed', message });
    }
    // The runner owns the schedule: the record carries the time it planned.
    record = { ...record, scheduledAt };
    if (this.stopSignal.aborted && record.status !== 'ok') {
      record = { ...record, status: 'cancelled', error: { kind: 'cancelled', message: this.stopMessage() } };
    }
    return record;
  }

  private completedAt(record: RequestRecord): EpochMs {
    return record.streamEndMs !== null ? record.sentAt + record.streamEndMs : this.clock.now();
  }
}
