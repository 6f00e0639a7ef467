// Bad data: each problem is one line naming the file and the line, or, with
// skip_invalid, a skipped row counted in the notes. An empty file is always an error.
import { describe, expect, it } from 'vitest';
import { scenarioSchema } from '../../src/config/schema.js';
import { InputError } from '../../src/errors.js';
import { openRequestSource } from '../../src/workload/index.js';
import { tempDir, writeTemp } from './fixtures.js';

const dir = tempDir();
const good = (ts: number) => JSON.stringify({ timestamp: ts, input_length: 600, output_length: 20, hash_ids: [1, 2] });

async function open(workload: Record<string, unknown>) {
  const sc = scenarioSchema.parse({ name: 'bad', workload, load: { type: 'constant', rate: 1, requests: 100 } });
  return openRequestSource(sc, { seed: 1, idPrefix: 'bad' });
}

async function errorOf(workload: Record<string, unknown>): Promise<string> {
  try {
    await open(workload);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    const message = (err as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    return message;
  }
  throw new Error('expected an InputError');
}

function mooncake(name: string, lines: string[], end = '\n'): Record<string, unknown> {
  return { source: 'trace', format: 'mooncake', path: writeTemp(dir, name, lines.join('\n') + end) };
}

describe('bad trace rows', () => {
  it('names the file, the line and the field', async () => {
    const missing = mooncake('missing.jsonl', [good(0), JSON.stringify({ timestamp: 5, input_length: 10, hash_ids: [1] })]);
    expect(await errorOf(missing)).toBe(`${missing.path as string}:2: missing field 'output_length' (fix the row, or set workload.skip_invalid: true to skip bad rows)`);
    const negative = mooncake('negative.jsonl', [good(0), good(1), JSON.stringify({ timestamp: 5, input_length: -3, output_length: 1, hash_ids: [] })]);
    expect(await errorOf(negative)).toMatch(/negative\.jsonl:3: field 'input_length' is negative \(-3\)/);
    const badTime = mooncake('time.jsonl', [good(0), JSON.stringify({ timestamp: 'soon', input_length: 3, output_length: 1, hash_ids: [1] })]);
    expect(await errorOf(badTime)).toMatch(/time\.jsonl:2: field 'timestamp' is not a valid timestamp \("soon"\)/);
    const azure = { source: 'trace', format: 'azure', path: writeTemp(dir, 'azure.csv', 'TIMESTAMP,ContextTokens,GeneratedTokens\r\n2023-11-16 18:15:46.6805900,374,44\r\n2023-13-16 18:15:47.0000000,10,10\r\n') };
    expect(await errorOf(azure)).toMatch(/azure\.csv:3: field 'TIMESTAMP' is not a real date and time/);
    const azureShape = { source: 'trace', format: 'azure', path: writeTemp(dir, 'azure2.csv', 'TIMESTAMP,ContextTokens,GeneratedTokens\r\n16/11/2023 18:15,374,44\r\n') };
    expect(await errorOf(azureShape)).toMatch(/azure2\.csv:2: field 'TIMESTAMP' is not a timestamp like 2023-11-16 18:15:46\.6805900/);
  });

  it('says when the last line is truncated', async () => {
    const cut = mooncake('cut.jsonl', [good(0), good(1), '{"timestamp": 2, "input_len'], '');
    expect(await errorOf(cut)).toMatch(/cut\.jsonl:3: the last line is truncated \(no line break, and it is not complete JSON/);
    const csvCut = { source: 'trace', format: 'azure', path: writeTemp(dir, 'cut.csv', 'TIMESTAMP,ContextTokens,GeneratedTokens\r\n2023-11-16 18:15:46.6805900,374,44\r\n2023-11-16 18:15:47.1') };
    expect(await errorOf(csvCut)).toMatch(/cut\.csv:3: the last line is truncated \(no line break\): 1 fields where the header has 3/);
    // A complete last row without a final line break is fine.
    const unterminated = await open(mooncake('fine.jsonl', [good(0), good(1)], ''));
    expect(unterminated.measured(1)?.arrivalOffsetMs).toBe(1);
  });

  it('refuses an empty file, a header-only file and a wrong header', async () => {
    const empty = writeTemp(dir, 'empty.jsonl', '');
    expect(await errorOf({ source: 'trace', format: 'mooncake', path: empty })).toBe(`${empty}: the file is empty`);
    const headerOnly = writeTemp(dir, 'header.csv', 'TIMESTAMP,ContextTokens,GeneratedTokens\r\n');
    expect(await errorOf({ source: 'trace', format: 'azure', path: headerOnly })).toBe(`${headerOnly}: no data rows (is it a azure trace?)`);
    const wrong = writeTemp(dir, 'wrong.csv', 'time,in,out\n1,2,3\n');
    expect(await errorOf({ source: 'trace', format: 'burstgpt', path: wrong })).toMatch(/wrong\.csv:1: the header lacks columns Timestamp, Model, Request tokens, Response tokens \(found: time, in, out\)/);
    expect(await errorOf({ source: 'trace', format: 'mooncake', path: `${dir}/nope.jsonl` })).toBe(`${dir}/nope.jsonl: cannot read the data file (no such file)`);
    expect(await errorOf({ source: 'jsonl', path: empty })).toBe(`${empty}: the file is empty`);
    expect(await errorOf({ source: 'sharegpt', path: writeTemp(dir, 'empty.json', '[]') })).toMatch(/empty\.json: the JSON array is empty/);
  });

  it('skips and counts bad rows with skip_invalid', async () => {
    const lines = [good(0), '{"timestamp": 1}', good(2), JSON.stringify({ timestamp: 3, input_length: 0, output_length: 1, hash_ids: [] }), good(4), '{"timestamp": 5, "inp'];
    const src = await open({ ...mooncake('mixed.jsonl', lines, ''), skip_invalid: true });
    expect([0, 1, 2].map((i) => src.measured(i)?.arrivalOffsetMs)).toEqual([0, 2, 4]);
    expect(src.measured(3)).toBeUndefined();
    const note = src.notes.find((n) => n.startsWith('skipped'));
    expect(note).toMatch(/^skipped 3 invalid rows of .*mixed\.jsonl \(line 2: missing field 'input_length'; line 4: field 'input_length' is 0; it must be at least 1; line 6: the last line is truncated/);
  });
});
