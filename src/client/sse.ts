// An incremental Server-Sent Events parser for the client's hot path.
//
// It works on bytes: it finds line ends with Buffer.indexOf (native) and decodes only whole
// lines, so a UTF-8 character split between two network chunks is never decoded in halves
// (UTF-8 continuation bytes can never be CR or LF). It keeps no copy of the body: a partial
// line at the end of a chunk is the only thing held over to the next one.
// Rules (see shared/reference/server-dialects.md): line ends LF, CRLF or CR (also split
// between chunks); a blank line ends an event; `data:` with or without one space; several
// data lines join with LF; `:` lines are comments; `event:`/`id:`/`retry:` and other fields
// are ignored; a non-blank line without a colon, or whose "field name" holds JSON punctuation
// (a JSON line that lost its `data:`), is reported as malformed; a BOM at the start
// is stripped; one event is capped in size; `end()` flushes a last event that lacks its
// blank line.

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;

/** The default cap on the size of one event (its data lines plus any partial line), bytes. */
export const DEFAULT_MAX_EVENT_BYTES = 64 * 1024 * 1024;

/** How much of a malformed line is reported (characters); the rest is never needed. */
const MALFORMED_EXCERPT_BYTES = 200;

export type SseEventHandler = (data: string) => void;
/** Called with an excerpt of a malformed line, or a sentence saying what was wrong. */
export type SseMalformedHandler = (detail: string) => void;

/** True when an event's data is the OpenAI end-of-stream marker (TRT-LLM pads it with spaces). */
export function isDoneMarker(data: string): boolean {
  return data.length < 32 && data.trim() === '[DONE]';
}

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

function startsWithData(buf: Buffer, start: number, end: number): boolean {
  return (
    end - start >= 5 &&
    buf[start] === 0x64 && // d
    buf[start + 1] === 0x61 && // a
    buf[start + 2] === 0x74 && // t
    buf[start + 3] === 0x61 && // a
    buf[start + 4] === COLON
  );
}

export class SseParser {
  /** Bytes of the current line that arrived in earlier chunks. */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** The current line overflowed the cap and its bytes were dropped. */
  private partialDropped = false;
  /** The previous chunk ended with CR: a LF at the start of the next one belongs to it. */
  private skipLeadingLf = false;
  private atStreamStart = true;
  /** Data of the current event; null until its first data line. */
  private data: string | null = null;
  private eventBytes = 0;
  /** After an overflow: skip lines until the blank line that ends the oversized event. */
  private discarding = false;

  constructor(
    private readonly onEvent: SseEventHandler,
    private readonly onMalformed: SseMalformedHandler,
    private readonly maxEventBytes: number = DEFAULT_MAX_EVENT_BYTES,
  ) {}

  /** Feeds the next bytes of the stream, as they arrived. */
  push(chunk: Uint8Array): void {
    const buf = asBuffer(chunk);
    const len = buf.length;
    if (len === 0) return;
    let pos = 0;
    if (this.skipLeadingLf) {
      this.skipLeadingLf = false;
      if (buf[0] === LF) pos = 1;
    }
    // The next CR is looked up once and again only after it is passed: most streams have none.
    let nextCr = buf.indexOf(CR, pos);
    while (pos < len) {
      if (nextCr !== -1 && nextCr < pos) nextCr = buf.indexOf(CR, pos);
      const nextLf = buf.indexOf(LF, pos);
      let lineEnd: number;
      let nextPos: number;
      if (nextCr !== -1 && (nextLf === -1 || nextCr < nextLf)) {
        lineEnd = nextCr;
        if (nextCr + 1 < len) {
          nextPos = buf[nextCr + 1] === LF ? nextCr + 2 : nextCr + 1;
        } else {
          nextPos = len;
          this.skipLeadingLf = true;
        }
      } else if (nextLf !== -1) {
        lineEnd = nextLf;
        nextPos = nextLf + 1;
      } else {
        this.holdPartial(buf, pos, len);
        return;
      }
      if (this.partialBytes > 0) {
        this.partial.push(buf.subarray(pos, lineEnd));
        const line = Buffer.concat(this.partial);
        this.clearPartial();
        this.handleLine(line, 0, line.length);
      } else {
        // The tail of a line that overflowed the cap is not blank: it changes nothing.
        if (this.partialDropped) this.partialDropped = false;
        else this.handleLine(buf, pos, lineEnd);
      }
      pos = nextPos;
    }
  }

  /** The stream ended: a last line or event without its terminator is still delivered. */
  end(): void {
    this.skipLeadingLf = false;
    if (this.partialBytes > 0) {
      const line = Buffer.concat(this.partial);
      this.clearPartial();
      this.handleLine(line, 0, line.length);
    }
    this.partialDropped = false;
    if (!this.discarding) this.dispatch();
    this.data = null;
    this.eventBytes = 0;
    this.discarding = false;
  }

  private holdPartial(buf: Buffer, start: number, end: number): void {
    if (this.partialDropped) return;
    const size = end - start;
    if (!this.discarding && this.eventBytes + this.partialBytes + size > this.maxEventBytes) {
      this.overflow();
      this.clearPartial();
      this.partialDropped = true;
      return;
    }
    if (this.discarding) {
      // Inside an oversized event only "is this line blank?" matters, and it is not.
      this.clearPartial();
      this.partialDropped = true;
      return;
    }
    // Copy: the caller may reuse the chunk's memory once push() returns.
    this.partial.push(Buffer.from(buf.subarray(start, end)));
    this.partialBytes += size;
  }

  private clearPartial(): void {
    if (this.partial.length > 0) this.partial = [];
    this.partialBytes = 0;
  }

  private handleLine(buf: Buffer, start: number, end: number): void {
    if (this.atStreamStart) {
      this.atStreamStart = false;
      if (end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) start += 3;
    }
    if (start === end) {
      if (this.discarding) this.discarding = false;
      else this.dispatch();
      this.data = null;
      this.eventBytes = 0;
      return;
    }
    if (this.discarding) return;
    let valueStart: number;
    if (startsWithData(buf, start, end)) {
      valueStart = start + 5;
    } else {
      if (buf[start] === COLON) return; // a comment (TGI keep-alive)
      const colon = buf.indexOf(COLON, start);
      if (colon === -1 || colon >= end || !isFieldName(buf, start, colon)) {
        this.onMalformed(`line without a field name: ${buf.toString('utf8', start, Math.min(end, start + MALFORMED_EXCERPT_BYTES))}`);
      }
      return; // event:, id:, retry: and unknown fields carry nothing we use
    }
    if (valueStart < end && buf[valueStart] === SPACE) valueStart++;
    this.eventBytes += end - valueStart + 1;
    if (this.eventBytes > this.maxEventBytes) {
      this.overflow();
      return;
    }
    const value = buf.toString('utf8', valueStart, end);
    this.data = this.data === null ? value : this.data + '\n' + value;
  }

  private overflow(): void {
    this.onMalformed(`event larger than ${this.maxEventBytes} bytes (the cap on one event); skipped`);
    this.data = null;
    this.eventBytes = 0;
    this.discarding = true;
  }

  private dispatch(): void {
    const data = this.data;
    if (data !== null && data !== '') this.onEvent(data);
  }
}

/**
 * Whether bytes [start, end) can be a field name. Unknown names are ignored (the SSE spec), but
 * one holding JSON punctuation or a space is a JSON line that lost its `data: `, not a field.
 */
function isFieldName(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c === 0x7b || c === 0x7d || c === 0x5b || c === 0x5d || c === 0x22 || c === SPACE) return false; // { } [ ] " space
  }
  return end > start;
}
