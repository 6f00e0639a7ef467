// Bad rows in a data file: by default the first one stops the run with one line naming the
// file, the line and what is wrong; with `skip_invalid: true` they are skipped and counted,
// and the count reaches the results as a note.
import { InputError } from '../errors.js';

/** A problem with one row, thrown by the row parsers and turned into a report here. */
export class RowError extends Error {
  override name = 'RowError';
}

export class DataIssues {
  private skippedRows = 0;
  private readonly examples: string[] = [];

  constructor(
    readonly file: string,
    readonly skipInvalid: boolean,
  ) {}

  get skipped(): number {
    return this.skippedRows;
  }

  /** Reports a bad row: throws an InputError, or counts it when skipping. */
  report(line: number, message: string): void {
    const where = `${this.file}:${line}: ${message}`;
    if (!this.skipInvalid) throw new InputError(`${where} (fix the row, or set workload.skip_invalid: true to skip bad rows)`);
    this.skippedRows++;
    if (this.examples.length < 3) this.examples.push(`line ${line}: ${message}`);
  }

  /** The note for the results, or undefined when nothing was skipped. */
  note(): string | undefined {
    if (this.skippedRows === 0) return undefined;
    return `skipped ${this.skippedRows} invalid row${this.skippedRows === 1 ? '' : 's'} of ${this.file} (${this.examples.join('; ')}${this.skippedRows > this.examples.length ? '; …' : ''})`;
  }
}

/** The message for a row that does not parse, saying when the file seems cut short. */
export function unparsableRow(what: string, unterminated: boolean, detail: string): string {
  return unterminated ? `the last line is truncated (no line break, and it is not a complete ${what}: ${detail})` : `not a valid ${what}: ${detail}`;
}
