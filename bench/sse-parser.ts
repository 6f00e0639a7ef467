// Micro-benchmark of the SSE parser: the byte-level SseParser (src/client/sse.ts) against a
// string-based alternative (TextDecoder in streaming mode + string line splitting), on a
// vLLM-like stream cut into network chunks of several sizes. Checks both give the same
// events before timing them.
//
//   npx tsx bench/sse-parser.ts
//
// Bounded: a fixed number of rounds over a fixed stream; each figure is the best of 7 runs.

import { SseParser } from '../src/client/sse.js';
import { StreamInterpreter } from '../src/client/stream.js';

/** The alternative: decode every chunk to a string first, then split lines in the string. */
class StringSseParser {
  private readonly decoder = new TextDecoder('utf-8');
  private buffer = '';
  private skipLeadingLf = false;
  private data: string | null = null;

  constructor(
    private readonly onEvent: (data: string) => void,
    private readonly onMalformed: (line: string) => void,
  ) {}

  push(chunk: Uint8Array): void {
    let text = this.decoder.decode(chunk, { stream: true });
    if (this.skipLeadingLf) {
      this.skipLeadingLf = false;
      if (text.charCodeAt(0) === 10) text = text.slice(1);
    }
    this.buffer = this.buffer.length === 0 ? text : this.buffer + text;
    const buf = this.buffer;
    let pos = 0;
    while (pos < buf.length) {
      const lf = buf.indexOf('\n', pos);
      const cr = buf.indexOf('\r', pos);
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        end = cr;
        if (cr + 1 < buf.length) next = buf.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1;
        else {
          next = buf.length;
          this.skipLeadingLf = true;
        }
      } else if (lf !== -1) {
        end = lf;
        next = lf + 1;
      } else break;
      this.line(buf.slice(pos, end));
      pos = next;
    }
    this.buffer = pos === 0 ? buf : buf.slice(pos);
  }

  end(): void {
    if (this.buffer.length > 0) this.line(this.buffer);
    this.buffer = '';
    if (this.data !== null && this.data !== '') this.onEvent(this.data);
    this.data = null;
  }

  private line(line: string): void {
    if (line.length === 0) {
      if (this.data !== null && this.data !== '') this.onEvent(this.data);
      this.data = null;
      return;
    }
    if (line.startsWith('data:')) {
      const value = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
      this.data = this.data === null ? value : `${this.data}\n${value}`;
      return;
    }
    if (line.charCodeAt(0) === 58) return;
    if (line.indexOf(':') === -1) this.onMalformed(line);
  }
}

interface Parser {
  push(chunk: Uint8Array): void;
  end(): void;
}
type Factory = (onEvent: (d: string) => void, onMalformed: (l: string) => void) => Parser;

const EVENTS = 20_000;

function vllmStream(): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const chunk = {
      id: 'chatcmpl-bench',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      choices: [{ index: 0, delta: { content: i % 7 === 0 ? ' héllo' : ' word' }, logprobs: null, finish_reason: null }],
    };
    parts.push(`data: ${JSON.stringify(chunk)}\n\n`);
  }
  parts.push('data: [DONE]\n\n');
  return Buffer.from(parts.join(''), 'utf8');
}

function chunked(stream: Buffer, size: number | 'event'): Buffer[] {
  const pieces: Buffer[] = [];
  if (size === 'event') {
    let start = 0;
    while (start < stream.length) {
      const end = stream.indexOf('\n\n', start) + 2;
      pieces.push(Buffer.from(stream.subarray(start, end)));
      start = end;
    }
    return pieces;
  }
  for (let i = 0; i < stream.length; i += size) pieces.push(Buffer.from(stream.subarray(i, i + size)));
  return pieces;
}

function run(factory: Factory, pieces: Buffer[]): string[] {
  const events: string[] = [];
  const parser = factory(
    (d) => events.push(d),
    () => undefined,
  );
  for (const piece of pieces) parser.push(piece);
  parser.end();
  return events;
}

function time(factory: Factory, pieces: Buffer[], rounds: number): number {
  let count = 0;
  const parser = factory(
    () => count++,
    () => undefined,
  );
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    for (const piece of pieces) parser.push(piece);
  }
  parser.end();
  const ns = Number(process.hrtime.bigint() - start);
  if (count !== rounds * (EVENTS + 1)) throw new Error(`lost events: ${count}`);
  return ns;
}

const implementations: Record<string, Factory> = {
  'bytes (SseParser)': (e, m) => new SseParser(e, m),
  'string (TextDecoder + split)': (e, m) => new StringSseParser(e, m),
};

const stream = vllmStream();
console.log(`stream: ${EVENTS + 1} events, ${(stream.length / 1024 / 1024).toFixed(2)} MiB, node ${process.version}`);
for (const size of ['event', 16, 1460, 16384, 65536] as const) {
  const pieces = chunked(stream, size);
  const reference = run(implementations['bytes (SseParser)'], pieces);
  for (const [name, factory] of Object.entries(implementations)) {
    const events = run(factory, pieces);
    if (events.length !== reference.length || events.some((e, i) => e !== reference[i])) {
      throw new Error(`${name} disagrees with the reference at chunk size ${size}`);
    }
    time(factory, pieces, 3); // warm up
    // Best of several runs: the machine is shared, and noise only ever adds time.
    const rounds = 4;
    let ns = Infinity;
    for (let run = 0; run < 7; run++) ns = Math.min(ns, time(factory, pieces, rounds));
    const eventsPerS = (rounds * (EVENTS + 1)) / (ns / 1e9);
    const nsPerChunk = ns / (rounds * pieces.length);
    const nsPerEvent = ns / (rounds * (EVENTS + 1));
    console.log(
      `chunk ${String(size).padStart(6)} | ${name.padEnd(28)} | ${(eventsPerS / 1e6).toFixed(2)} M events/s | ${nsPerEvent.toFixed(0).padStart(5)} ns/event | ${nsPerChunk.toFixed(0).padStart(7)} ns/chunk`,
    );
  }
}

// The whole per-chunk interpretation the client does: SSE framing, JSON.parse, the chunk's
// meaning (content? usage? finish?), on event-sized network chunks.
{
  const pieces = chunked(stream, 'event');
  const once = (): StreamInterpreter => {
    const interpreter = new StreamInterpreter();
    let offset = 0;
    const parser = new SseParser(
      (d) => interpreter.onEvent(d, offset),
      (m) => interpreter.onMalformed(m),
    );
    for (const piece of pieces) {
      offset = performance.now();
      parser.push(piece);
    }
    parser.end();
    return interpreter;
  };
  const check = once().outcome();
  if (check.chunkOffsetsMs.length !== EVENTS || !check.sawDone || check.error !== null) throw new Error('interpreter check failed');
  once();
  const rounds = 4;
  let ns = Infinity;
  for (let run = 0; run < 7; run++) {
    const start = process.hrtime.bigint();
    for (let r = 0; r < rounds; r++) once();
    ns = Math.min(ns, Number(process.hrtime.bigint() - start));
  }
  console.log(`chunk  event | SseParser + StreamInterpreter (JSON.parse, record data) | ${(ns / (rounds * pieces.length)).toFixed(0)} ns/chunk`);
}
