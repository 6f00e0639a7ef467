import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseParser, isDoneMarker } from '../../src/client/sse.js';

interface Parsed {
  events: string[];
  malformed: string[];
}

function parse(pieces: Uint8Array[], maxEventBytes?: number): Parsed {
  const events: string[] = [];
  const malformed: string[] = [];
  const parser = new SseParser(
    (d) => events.push(d),
    (m) => malformed.push(m),
    maxEventBytes,
  );
  for (const piece of pieces) parser.push(piece);
  parser.end();
  return { events, malformed };
}

function splitAt(bytes: Buffer, offsets: number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let start = 0;
  for (const offset of [...offsets].sort((a, b) => a - b)) {
    pieces.push(bytes.subarray(start, offset));
    start = offset;
  }
  pieces.push(bytes.subarray(start));
  return pieces;
}

function chunksOf(bytes: Buffer, size: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
  return pieces;
}

// Every rule at once: BOM, LF / CRLF / CR, comments, `data:` with and without the space,
// multi-line data, ignored fields, multi-byte UTF-8 (2, 3 and 4 bytes), a padded [DONE].
const STREAM = Buffer.from(
  '\uFEFF: keep-alive comment\n' +
    'data: {"a":"héllo"}\n\n' +
    'event: message\r\nid: 7\r\ndata:{"b":"世界"}\r\n\r\n' +
    'retry: 100\rdata: first line\rdata:second 🎉\r\r' +
    ':another comment\r\n' +
    'data: x\ndata:\ndata: y\n\n' +
    'data: crlf one\r\ndata: crlf two\r\n\r\n' +
    'data: \n\n' +
    'data: [DONE] \n\n',
  'utf8',
);
const EXPECTED = ['{"a":"héllo"}', '{"b":"世界"}', 'first line\nsecond 🎉', 'x\n\ny', 'crlf one\ncrlf two', '[DONE] '];

describe('SseParser', () => {
  it('parses a whole stream', () => {
    expect(parse([STREAM])).toEqual({ events: EXPECTED, malformed: [] });
  });

  it('gives the same events one byte at a time and in 8-, 64- and 256-byte chunks', () => {
    for (const size of [1, 8, 64, 256]) {
      expect(parse(chunksOf(STREAM, size))).toEqual({ events: EXPECTED, malformed: [] });
    }
  });

  it('gives the same events split at every offset, and at every pair of offsets', () => {
    for (let i = 0; i <= STREAM.length; i++) {
      expect(parse(splitAt(STREAM, [i])).events).toEqual(EXPECTED);
      for (let j = i; j <= STREAM.length; j += 3) {
        expect(parse(splitAt(STREAM, [i, j])).events).toEqual(EXPECTED);
      }
    }
  });

  it('gives the same events for arbitrary splits (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: STREAM.length }), { maxLength: 40 }), (offsets) => {
        const result = parse(splitAt(STREAM, offsets));
        return JSON.stringify(result) === JSON.stringify({ events: EXPECTED, malformed: [] });
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts a plain Uint8Array that is not a Buffer', () => {
    const bytes = new Uint8Array(STREAM.length + 4);
    bytes.set(STREAM, 4);
    const view = bytes.subarray(4);
    expect(parse([view]).events).toEqual(EXPECTED);
  });

  it('does not take a CR at the end of one chunk and a LF at the start of the next for two line ends', () => {
    const a = Buffer.from('data: a\r');
    const b = Buffer.from('\ndata: b\r');
    const c = Buffer.from('\n\r\n');
    expect(parse([a, b, c]).events).toEqual(['a\nb']);
  });

  it('reports a line without a colon as malformed and keeps going', () => {
    const result = parse([Buffer.from('garbage here\ndata: 1\n\n<html>\n\ndata: 2\n\n')]);
    expect(result.events).toEqual(['1', '2']);
    expect(result.malformed).toEqual(['line without a field name: garbage here', 'line without a field name: <html>']);
  });

  it('reports only an excerpt of a long malformed line', () => {
    const result = parse([Buffer.from(`${'z'.repeat(1000)}\n`)]);
    expect(result.malformed).toEqual([`line without a field name: ${'z'.repeat(200)}`]);
  });

  it('flushes a last event that lacks its blank line or even its line end', () => {
    expect(parse([Buffer.from('data: a\n\ndata: b\n')]).events).toEqual(['a', 'b']);
    expect(parse([Buffer.from('data: a\n\ndata: [DONE]')]).events).toEqual(['a', '[DONE]']);
    expect(parse([Buffer.from('data: a\r')]).events).toEqual(['a']);
  });

  it('strips a BOM only at the start of the stream, even when it arrives split', () => {
    const bom = Buffer.from('\uFEFFdata: a\n\n');
    expect(parse(chunksOf(bom, 1)).events).toEqual(['a']);
    const later = Buffer.from('data: a\n\n\uFEFFdata: b\n\n');
    expect(parse([later]).malformed).toEqual([]);
    // A BOM later in the stream is part of a field name, so that line is not `data:`.
    expect(parse([later]).events).toEqual(['a']);
  });

  it('skips an event larger than the cap, reports it, and reads the next events', () => {
    const big = `data: ${'x'.repeat(100)}\n\n`;
    const stream = Buffer.from(`data: small\n\n${big}data: after\n\n`);
    for (const size of [1, 7, 1000]) {
      const result = parse(chunksOf(stream, size), 50);
      expect(result.events).toEqual(['small', 'after']);
      expect(result.malformed).toEqual(['event larger than 50 bytes (the cap on one event); skipped']);
    }
  });

  it('counts all data lines of one event toward the cap', () => {
    const stream = Buffer.from(`data: ${'a'.repeat(30)}\ndata: ${'b'.repeat(30)}\n\ndata: ok\n\n`);
    const result = parse([stream], 50);
    expect(result.events).toEqual(['ok']);
    expect(result.malformed).toHaveLength(1);
  });

  it('recognises [DONE] with surrounding spaces, and nothing else', () => {
    expect(isDoneMarker('[DONE]')).toBe(true);
    expect(isDoneMarker('[DONE] ')).toBe(true);
    expect(isDoneMarker(' [DONE]\n')).toBe(true);
    expect(isDoneMarker('[DONE]x')).toBe(false);
    expect(isDoneMarker('{"text":"[DONE]"}')).toBe(false);
  });
});
