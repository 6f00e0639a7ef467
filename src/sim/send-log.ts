// The simulator's send log: for each generation request, when it arrived and when its first
// and last content chunks were written, in the Contracts' time base. Tests compare it with
// what a client measured to check the client's timing.

import { createWriteStream, type WriteStream } from 'node:fs';
import type { EpochMs } from '../types.js';
import type { FaultKind } from './fault-spec.js';

export interface SendLogEntry {
  /** The X-Request-Id the request carried (or the one the sim generated). */
  requestId: string;
  /** When the request's headers arrived. */
  arrivalAt: EpochMs;
  /** Taken right before the first content chunk was written; null if none was. */
  firstContentAt: EpochMs | null;
  /** Taken right before the last content chunk was written; null if none was. */
  lastContentAt: EpochMs | null;
  /** Content chunks written (one per token when streaming; 1 for a non-streaming body). */
  contentChunks: number;
  inputTokens: number;
  /** Output tokens actually sent (max_tokens unless the client left early or the server closed). */
  outputTokens: number;
  /** The injected fault this request got, when one was applied (see docs/simulator.md, "Faults"). */
  fault?: FaultKind;
}

export class SendLog {
  readonly entries: SendLogEntry[] = [];
  private readonly file: WriteStream | null;
  private fileError: Error | null = null;

  constructor(
    private readonly keepInMemory: boolean,
    filePath: string | undefined,
  ) {
    this.file = filePath ? createWriteStream(filePath, { flags: 'a' }) : null;
    this.file?.on('error', (err) => {
      this.fileError = err;
    });
  }

  /** Resolves once the file is open (or rejects with a one-line reason), so startSim fails early on a bad path. */
  async ready(): Promise<void> {
    const file = this.file;
    if (!file) return;
    await new Promise<void>((resolve, reject) => {
      if (this.fileError) return reject(this.fileError);
      if (!file.pending) return resolve();
      file.once('ready', () => resolve());
      file.once('error', (err) => reject(err));
    });
  }

  add(entry: SendLogEntry): void {
    if (this.keepInMemory) this.entries.push(entry);
    if (this.file && !this.fileError && this.file.writable) this.file.write(JSON.stringify(entry) + '\n');
  }

  async close(): Promise<void> {
    const file = this.file;
    if (!file || file.closed || file.destroyed) return;
    await new Promise<void>((resolve) => file.end(() => resolve()));
  }
}
