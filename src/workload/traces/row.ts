// One request of a production trace, as every trace format reads into it, and the checks
// its fields share. Parsers throw RowError with a message naming the field.
import { RowError } from '../data-issues.js';

export interface TraceRow {
  /** 1-based line in the file. */
  line: number;
  /** Arrival on the trace's own time axis, ms (its origin depends on the format). */
  timestampMs: number;
  inputTokens: number;
  outputTokens: number;
  /** Prefix-block hashes (Mooncake, Bailian): one per `block_size` tokens of the prompt. */
  hashIds?: number[];
  /** Bailian: the conversation turn's id and its parent's (-1 for a root). */
  chatId?: number;
  parentChatId?: number;
}

/** What a format's row parser says about a line: a request, or a row to leave out and why. */
export type ParsedRow = { row: TraceRow } | { skip: 'failed' | 'filtered' };

export interface TraceParser {
  /** CSV formats: checks the header line and learns the column order. */
  header?(text: string): void;
  row(text: string, line: number, unterminated: boolean): ParsedRow;
  /** Formats with absolute times: the first row's timestamp as written. */
  firstTimestamp?(): string | undefined;
}

export function lengthField(value: unknown, field: string, min: number): number {
  if (value === undefined || value === null || value === '') throw new RowError(`missing field '${field}'`);
  const n = typeof value === 'string' ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new RowError(`field '${field}' is not a number (${JSON.stringify(value)})`);
  if (!Number.isInteger(n)) throw new RowError(`field '${field}' is not a whole number of tokens (${n})`);
  if (n < 0) throw new RowError(`field '${field}' is negative (${n})`);
  if (n < min) throw new RowError(`field '${field}' is ${n}; it must be at least ${min}`);
  return n;
}

/** Seconds or milliseconds as a finite, non-negative number. */
export function timeField(value: unknown, field: string): number {
  if (value === undefined || value === null || value === '') throw new RowError(`missing field '${field}'`);
  const n = typeof value === 'string' ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new RowError(`field '${field}' is not a valid timestamp (${JSON.stringify(value)})`);
  if (n < 0) throw new RowError(`field '${field}' is a negative timestamp (${n})`);
  return n;
}

export function hashIdsField(value: unknown, field: string): number[] {
  if (value === undefined || value === null) throw new RowError(`missing field '${field}'`);
  if (!Array.isArray(value)) throw new RowError(`field '${field}' is not a list of block ids`);
  for (const id of value) {
    if (typeof id !== 'number' || !Number.isInteger(id)) throw new RowError(`field '${field}' holds ${JSON.stringify(id)}, not an integer block id`);
  }
  return value as number[];
}

/** Seconds (possibly fractional) → ms, rounded to the microsecond so 1.001 s is 1001 ms, not 1000.9999999999999. */
export function secondsToMs(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e3;
}

export function parseJsonObject(text: string, unterminated: boolean): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const detail = (err as Error).message;
    throw new RowError(unterminated ? `the last line is truncated (no line break, and it is not complete JSON: ${detail})` : `not valid JSON: ${detail}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new RowError('not a JSON object');
  return value as Record<string, unknown>;
}
