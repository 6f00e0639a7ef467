import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportCommand, reportCommand, trendCommand } from '../../../src/report/export/commands.js';
import { csvField, requestsCsv } from '../../../src/report/export/csv.js';
import { gabExport } from '../../../src/report/export/gab.js';
import { readAnyResultsFile } from '../../../src/report/import/index.js';
import { makeRun } from '../../baseline/make-run.js';

const fixtures = join(import.meta.dirname, '../../fixtures/import');
const silent = { out: () => {}, err: () => {} };

describe('CSV', () => {
  it('quotes per RFC 4180 and defuses spreadsheet formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(-1.5)).toBe('-1.5');
    expect(csvField(null)).toBe('');
    expect(csvField(Number.NaN)).toBe('');
  });

  it('writes one row per request with derived TPOT', () => {
    const run = makeRun('a', 50);
    run.scenarios[0].requests[1] = { ...run.scenarios[0].requests[1], status: 'error', error: { kind: 'http_status', httpStatus: 500, message: 'boom, "bad"' }, ttftMs: null, e2eMs: null };
    const lines = requestsCsv(run).split('\r\n');
    expect(lines[0]).toBe('scenario,id,status,error_kind,http_status,error_message,scheduled_at,sent_at,ttft_ms,e2e_ms,stream_end_ms,output_latency_ms,tpot_ms,input_tokens,output_tokens,token_source,chunks,finish_reason');
    expect(lines[1]).toBe('chat,chat-0,ok,,,,1700000000000,1700000000000.25,50,140,141,90,10,256,10,usage,3,');
    expect(lines[2]).toBe('chat,chat-1,error,http_status,500,"boom, ""bad""",1700000000100,1700000000100.25,,,141,,,256,10,usage,3,');
    expect(lines).toHaveLength(5); // header, 3 rows, trailing empty after the last CRLF
  });
});

describe('github-action-benchmark JSON', () => {
  it('splits latencies and throughputs and leaves out what an import lacks', async () => {
    const run = await readAnyResultsFile(join(fixtures, 'vllm-default.json'));
    const gab = gabExport(run);
    const names = gab.customSmallerIsBetter.map((e) => e.name);
    expect(names).toContain('openai-chat ttft_ms.p99');
    expect(names).not.toContain('openai-chat ttft_ms.p90'); // vLLM wrote only p99
    expect(names.some((n) => n.includes('e2e_ms'))).toBe(false);
    const mean = gab.customSmallerIsBetter.find((e) => e.name === 'openai-chat ttft_ms.mean')!;
    expect(mean.unit).toBe('ms');
    expect(mean.value).toBe(run.scenarios[0].metrics.ttft_ms!.mean);
    expect(mean.range).toBe(`± ${run.scenarios[0].metrics.ttft_ms!.std}`);
    expect(mean.extra).toMatch(/imported from vllm \(aggregates only\); n=8/);
    expect(gab.customBiggerIsBetter.map((e) => [e.name, e.unit])).toEqual([
      ['openai-chat output_token_throughput_tps', 'tokens/s'],
      ['openai-chat total_token_throughput_tps', 'tokens/s'],
      ['openai-chat request_throughput_rps', 'requests/s'],
    ]);
    for (const e of [...gab.customSmallerIsBetter, ...gab.customBiggerIsBetter]) expect(Number.isFinite(e.value)).toBe(true);
  });
});

describe('commands', () => {
  it('export writes both github-action-benchmark files and the CSV; trend and report read any format', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lpg-export-'));
    expect(await exportCommand(['--in', join(fixtures, 'vllm-detailed.json'), '--format', 'gab', '--out', join(dir, 'bench.json')], silent)).toBe(0);
    const smaller = JSON.parse(readFileSync(join(dir, 'bench-smaller.json'), 'utf8')) as Array<{ name: string }>;
    const bigger = JSON.parse(readFileSync(join(dir, 'bench-bigger.json'), 'utf8')) as Array<{ name: string }>;
    expect(smaller.length).toBeGreaterThan(10);
    expect(bigger).toHaveLength(3);
    expect(await exportCommand(['--in', join(fixtures, 'vllm-detailed.json'), '--format', 'csv', '--out', join(dir, 'r.csv')], silent)).toBe(0);
    expect(readFileSync(join(dir, 'r.csv'), 'utf8').split('\r\n')).toHaveLength(10);
    await expect(exportCommand(['--in', join(fixtures, 'vllm-detailed.json'), '--format', 'xml', '--out', 'x'], silent)).rejects.toThrow(/--format xml is not gab or csv/);
    await expect(exportCommand(['--format', 'csv'], silent)).rejects.toThrow(/--in is required/);

    let printed = '';
    const io = { out: (s: string) => void (printed += s), err: () => {} };
    expect(await trendCommand(['--history', join(fixtures, 'vllm-compare-baseline.json'), '--history', join(fixtures, 'vllm-compare-current.json'), '--last', '5'], io)).toBe(0);
    expect(printed).toMatch(/xychart-beta/);
    expect(printed).toMatch(/\| 2026-03-02 09:00 \| 2026-03-02 09:00 \| 49\.094 \| 11\.96 \| 31\.98 \|/);
    await expect(trendCommand(['--history', join(fixtures, 'vllm-default.json'), '--last', '0'], io)).rejects.toThrow(/--last must be a whole number/);

    const html = join(dir, 'report.html');
    expect(await reportCommand(['--current', join(fixtures, 'vllm-compare-current-detailed.json'), '--baseline', join(fixtures, 'vllm-compare-baseline-detailed.json'), '--html', html], silent)).toBe(0);
    expect(readFileSync(html, 'utf8')).toMatch(/<svg class="chart"/);
  });
});
