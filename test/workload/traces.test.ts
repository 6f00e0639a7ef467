// The trace readers over the public samples in ../shared/data (exact rows, lengths and
// timestamps, spot-checked against the files) and over small Bailian and BurstGPT fixtures
// built from their documented schemas.
import { describe, expect, it } from 'vitest';
import { scenarioSchema, type TraceWorkload } from '../../src/config/schema.js';
import { openRequestSource } from '../../src/workload/index.js';
import { PromptWords } from '../../src/workload/prompt-words.js';
import { WORD_ESTIMATE } from '../../src/workload/token-counter.js';
import { loadTrace } from '../../src/workload/trace-reader.js';
import { traceRequestBuilder } from '../../src/workload/trace-requests.js';
import { dataFile, tempDir, writeTemp } from './fixtures.js';

function traceWorkload(format: TraceWorkload['format'], path: string, extra: Record<string, unknown> = {}): TraceWorkload {
  const sc = scenarioSchema.parse({ name: 't', workload: { source: 'trace', format, path, ...extra }, load: { type: 'constant', rate: 1, requests: 1 } });
  return sc.workload as TraceWorkload;
}

describe('Mooncake traces', () => {
  it('reads every row of the conversation sample exactly', async () => {
    const t = await loadTrace(dataFile('mooncake_conversation_trace_head1000.jsonl'), traceWorkload('mooncake', 'x'), { seed: 1 });
    expect(t.rows).toHaveLength(1000);
    expect(t.read).toBe(1000);
    expect(t.rows[0]).toMatchObject({ line: 1, timestampMs: 0, offsetMs: 0, inputTokens: 6758, outputTokens: 500, hashIds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13] });
    expect(t.rows[499]).toMatchObject({ line: 500, timestampMs: 165000, offsetMs: 165000, inputTokens: 15597, outputTokens: 138 });
    expect(t.rows[499].hashIds!.slice(0, 3)).toEqual([0, 11849, 11850]);
    expect(t.rows[499].hashIds).toHaveLength(31);
    expect(t.rows[999]).toMatchObject({ line: 1000, timestampMs: 330000, inputTokens: 19399, outputTokens: 285 });
    expect(t.rows[999].hashIds).toHaveLength(38);
    for (const r of t.rows) expect(r.hashIds!.length).toBe(Math.ceil(r.inputTokens / 512));
  });

  it('reads the synthetic sample and divides arrival times by the speedup', async () => {
    const path = dataFile('mooncake_synthetic_trace_head1000.jsonl');
    const t = await loadTrace(path, traceWorkload('mooncake', path, { speedup: 10 }), { seed: 1 });
    expect(t.rows).toHaveLength(1000);
    expect(t.rows[0]).toMatchObject({ timestampMs: 0, inputTokens: 40160, outputTokens: 6 });
    expect(t.rows[499]).toMatchObject({ timestampMs: 139272, offsetMs: 13927.2, inputTokens: 34, outputTokens: 240, hashIds: [11748] });
    expect(t.rows[999]).toMatchObject({ timestampMs: 272653, offsetMs: 27265.3, inputTokens: 74, outputTokens: 32 });
    expect(t.notes).toContain('arrival times divided by 10 (speedup)');
  });

  it('keeps a time window (from the first request) and stops reading after it', async () => {
    const path = dataFile('mooncake_conversation_trace_head1000.jsonl');
    const t = await loadTrace(path, traceWorkload('mooncake', path, { window: { start_s: 30, duration_s: 30 } }), { seed: 1 });
    expect(t.rows).toHaveLength(75);
    expect(t.rows[0].offsetMs).toBe(0);
    expect(t.rows.every((r) => r.timestampMs >= 30000 && r.timestampMs < 60000 && r.offsetMs === r.timestampMs - 30000)).toBe(true);
    expect(t.read).toBeLessThan(1000);
  });

  it('gives requests that share a hash id the identical block of prompt text, and others different text', async () => {
    for (const [file, rowsToCheck] of [
      ['mooncake_synthetic_trace_head1000.jsonl', 1000],
      ['mooncake_conversation_trace_head1000.jsonl', 120],
    ] as const) {
      const t = await loadTrace(dataFile(file), traceWorkload('mooncake', 'x'), { seed: 1, maxRows: rowsToCheck });
      const build = traceRequestBuilder(t.rows, { scenario: 't', api: 'chat', seed: 7, idPrefix: 'm', words: new PromptWords(WORD_ESTIMATE), blockSize: 512 });
      const textOfId = new Map<number, string>();
      const idOfText = new Map<string, number>();
      let shared = 0;
      for (let i = 0; i < t.rows.length; i++) {
        const spec = build(i)!;
        const words = spec.messages![0].content.split(' ');
        expect(words.length).toBe(t.rows[i].inputTokens);
        expect(spec.inputTokens).toBe(t.rows[i].inputTokens);
        expect(spec.arrivalOffsetMs).toBe(t.rows[i].offsetMs);
        t.rows[i].hashIds!.forEach((id, j) => {
          const block = words.slice(j * 512, (j + 1) * 512).join(' ');
          const known = textOfId.get(id);
          if (known === undefined) textOfId.set(id, block);
          else {
            shared++;
            // A shorter (last) block is the start of the same block.
            expect(block.length === known.length ? block === known : known.startsWith(block + ' ') || block.startsWith(known + ' ')).toBe(true);
          }
          if (block.split(' ').length === 512) {
            const owner = idOfText.get(block);
            if (owner !== undefined) expect(owner).toBe(id);
            idOfText.set(block, id);
          }
        });
      }
      expect(shared).toBeGreaterThan(100);
    }
  });
});

describe('Azure traces', () => {
  it('reads CRLF rows with 7-digit timestamps exactly (conv)', async () => {
    const path = dataFile('AzureLLMInferenceTrace_conv_head2000.csv');
    const t = await loadTrace(path, traceWorkload('azure', path), { seed: 1 });
    expect(t.rows).toHaveLength(2000);
    expect(t.rows[0]).toMatchObject({ line: 2, offsetMs: 0, inputTokens: 374, outputTokens: 44 });
    expect(t.rows[1]).toMatchObject({ offsetMs: 4314.579, inputTokens: 396, outputTokens: 109 });
    expect(t.rows[999]).toMatchObject({ line: 1001, offsetMs: 216027.393, inputTokens: 309, outputTokens: 18 });
    expect(t.rows[1999]).toMatchObject({ line: 2001, offsetMs: 424259.457, inputTokens: 424, outputTokens: 96 });
    expect(t.notes).toContain('the trace starts at 2023-11-16 18:15:46.6805900');
  });

  it('reads the code sample, with sub-millisecond gaps kept', async () => {
    const path = dataFile('AzureLLMInferenceTrace_code_head2000.csv');
    const t = await loadTrace(path, traceWorkload('azure', path), { seed: 1 });
    expect(t.rows).toHaveLength(2000);
    expect(t.rows[1]).toMatchObject({ offsetMs: 52, inputTokens: 3180, outputTokens: 8 });
    // 18:17:05.2792720 and 18:17:05.2792970: 0.025 ms apart.
    expect(t.rows[9].offsetMs - t.rows[8].offsetMs).toBeCloseTo(0.025, 6);
    expect(t.rows[999]).toMatchObject({ offsetMs: 521588.576, inputTokens: 94, outputTokens: 54 });
    expect(t.rows[1999]).toMatchObject({ offsetMs: 853079.347, inputTokens: 1697, outputTokens: 36 });
  });

  it('windows and samples with a seed', async () => {
    const path = dataFile('AzureLLMInferenceTrace_conv_head2000.csv');
    const window = { window: { start_s: 60, duration_s: 30 } };
    const all = await loadTrace(path, traceWorkload('azure', path, window), { seed: 1 });
    expect(all.rows).toHaveLength(141);
    const half = await loadTrace(path, traceWorkload('azure', path, { ...window, sample: 0.5 }), { seed: 1 });
    const again = await loadTrace(path, traceWorkload('azure', path, { ...window, sample: 0.5 }), { seed: 1 });
    const other = await loadTrace(path, traceWorkload('azure', path, { ...window, sample: 0.5 }), { seed: 2 });
    expect(half.rows).toEqual(again.rows);
    expect(other.rows.map((r) => r.line)).not.toEqual(half.rows.map((r) => r.line));
    expect(half.rows.length).toBeGreaterThan(45);
    expect(half.rows.length).toBeLessThan(96);
    const lines = new Set(all.rows.map((r) => r.line));
    expect(half.rows.every((r) => lines.has(r.line))).toBe(true);
  });

  it('stops reading at the request limit', async () => {
    const path = dataFile('AzureLLMInferenceTrace_conv_head2000.csv');
    const t = await loadTrace(path, traceWorkload('azure', path), { seed: 1, maxRows: 10 });
    expect(t.rows).toHaveLength(10);
    expect(t.read).toBe(10);
  });
});

const BAILIAN = [
  { chat_id: 100, parent_chat_id: -1, timestamp: 0.5, input_length: 40, output_length: 12, type: 'text', turn: 1, hash_ids: [1, 2, 3] },
  { chat_id: 101, parent_chat_id: -1, timestamp: 1.25, input_length: 20, output_length: 5, type: 'search', turn: 1, hash_ids: [1, 9] },
  { chat_id: 102, parent_chat_id: 100, timestamp: 3.001, input_length: 70, output_length: 8, type: 'text', turn: 2, hash_ids: [1, 2, 4, 5, 6] },
  { chat_id: 103, parent_chat_id: 102, timestamp: 7, input_length: 90, output_length: 3, type: 'text', turn: 3, hash_ids: [1, 2, 4, 5, 7, 8] },
];

describe('Bailian traces', () => {
  it('reads seconds as ms and carries a parent turn’s history into its child', async () => {
    const dir = tempDir();
    const path = writeTemp(dir, 'bailian.jsonl', BAILIAN.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const sc = scenarioSchema.parse({ name: 'b', workload: { source: 'trace', format: 'bailian', path }, load: { type: 'constant', rate: 1, requests: 4 } });
    const src = await openRequestSource(sc, { seed: 3, idPrefix: 'b' });
    const specs = [0, 1, 2, 3].map((i) => src.measured(i)!);
    expect(src.measured(4)).toBeUndefined();
    expect(specs.map((s) => s.arrivalOffsetMs)).toEqual([0, 750, 2501, 6500]);
    const [root, other, child, grandchild] = specs;
    expect(root.messages).toHaveLength(1);
    expect(root.inputTokens).toBe(40);
    // Roots share the 16-token block of hash id 1 and nothing after it.
    const rootWords = root.messages![0].content.split(' ');
    const otherWords = other.messages![0].content.split(' ');
    expect(otherWords.slice(0, 16)).toEqual(rootWords.slice(0, 16));
    expect(otherWords.slice(16, 20)).not.toEqual(rootWords.slice(16, 20));
    // The child: the parent's messages, a reply of the parent's output length, a new turn.
    expect(child.messages!.slice(0, 1)).toEqual(root.messages);
    expect(child.messages![1].role).toBe('assistant');
    expect(child.messages![1].content.split(' ')).toHaveLength(12);
    expect(child.messages![2].content.split(' ')).toHaveLength(70 - 40 - 12);
    expect(child.inputTokens).toBe(70);
    expect(grandchild.messages!.slice(0, 3)).toEqual(child.messages);
    expect(grandchild.inputTokens).toBe(90);
    expect(grandchild.maxTokens).toBe(3);
  });
});

describe('BurstGPT traces', () => {
  const csv = [
    'Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type',
    '5,ChatGPT,472,18,490,Conversation log',
    '45,ChatGPT,1087,230,1317,Conversation log',
    '118,GPT-4,417,276,693,Conversation log',
    '120,ChatGPT,300,0,300,Conversation log',
    '130.5,GPT-4,50,10,60,API log',
  ].join('\n');

  it('reads seconds, leaves out failed rows (0 response tokens) and counts them', async () => {
    const path = writeTemp(tempDir(), 'burst.csv', csv + '\n');
    const t = await loadTrace(path, traceWorkload('burstgpt', path), { seed: 1 });
    expect(t.rows.map((r) => [r.offsetMs, r.inputTokens, r.outputTokens])).toEqual([
      [0, 472, 18],
      [40000, 1087, 230],
      [113000, 417, 276],
      [125500, 50, 10],
    ]);
    expect(t.failed).toBe(1);
    expect(t.notes.some((n) => n.startsWith('left out 1 failed request (0 response tokens)'))).toBe(true);
  });

  it('keeps one model when asked (vLLM keeps GPT-4)', async () => {
    const path = writeTemp(tempDir(), 'burst.csv', csv);
    const t = await loadTrace(path, traceWorkload('burstgpt', path, { model: 'GPT-4' }), { seed: 1 });
    expect(t.rows.map((r) => [r.line, r.offsetMs])).toEqual([
      [4, 0],
      [6, 12500],
    ]);
    expect(t.filtered).toBe(3);
  });
});
