// ShareGPT (both samples in ../shared/data), JSONL prompt files and request logs.
import { describe, expect, it } from 'vitest';
import { scenarioSchema } from '../../src/config/schema.js';
import { InputError } from '../../src/errors.js';
import { openRequestSource } from '../../src/workload/index.js';
import { estimateTokens } from '../../src/tokens.js';
import { dataFile, tempDir, writeTemp } from './fixtures.js';

async function open(workload: Record<string, unknown>, requests = 50, api = 'chat') {
  const sc = scenarioSchema.parse({ name: 'd', api, workload, load: { type: 'concurrency', concurrency: 1, requests, warmup: 2 } });
  return openRequestSource(sc, { seed: 1, idPrefix: 'd' });
}

function collect(src: Awaited<ReturnType<typeof open>>) {
  const out = [];
  for (let i = 0; ; i++) {
    const s = src.measured(i);
    if (!s) return out;
    out.push(s);
  }
}

describe('ShareGPT', () => {
  const head5 = dataFile('sharegpt_v3_head5.json');

  it('takes the first human turn as the prompt and the reply’s length as max_tokens (vLLM’s filters)', async () => {
    const src = await open({ source: 'sharegpt', path: head5 }, 8);
    const specs = collect(src).slice(0, 5);
    // Five conversations; hRPPgZT_11 starts with a gpt turn and is left out.
    expect(specs.map((s) => [s.inputTokens, s.maxTokens])).toEqual([
      [29, 202],
      [14, 58],
      [40, 245],
      [56, 80],
      [29, 202],
    ]);
    expect(src.notes).toContain('the 4 prompts repeat to make 8 requests');
    expect(specs[0].messages).toHaveLength(1);
    expect(specs[0].messages![0].content.startsWith("Summarize the main ideas of Jeff Walker's Product Launch Formula")).toBe(true);
    for (const s of specs) expect(estimateTokens(s.messages![0].content)).toBe(s.inputTokens);
    expect(src.notes).toContain(`left out 1 conversation of ${head5} that do not start with a human turn`);
    expect(src.notes).toContain('lengths approximate (no tokenizer: one token per word, the built-in estimate)');
  });

  it('applies the length filters', async () => {
    const src = await open({ source: 'sharegpt', path: head5, filters: { max_input_tokens: 30 } }, 10);
    expect(collect(src).map((s) => s.inputTokens)).toEqual([29, 14, 29, 14, 29, 14, 29, 14, 29, 14]);
    expect(src.notes).toContain('the 2 prompts repeat to make 10 requests');
  });

  it('multi-turn: one request per reply, carrying the conversation so far', async () => {
    const specs = collect(await open({ source: 'sharegpt', path: head5, multi_turn: true, filters: { max_input_tokens: 100000, max_total_tokens: 100000 } }, 100)).slice(0, 30);
    const first = specs.filter((s) => s.messages![0].content.startsWith('Summarize the main ideas of Jeff Walker')).slice(0, 6);
    expect(first.map((s) => s.messages!.length)).toEqual([1, 3, 5, 7, 9, 11]);
    for (let k = 1; k < first.length; k++) expect(first[k].messages!.slice(0, -2)).toEqual(first[k - 1].messages);
    expect(first[1].messages![1].role).toBe('assistant');
  });

  it('reads the prompt-only sample when output_tokens is given, and refuses it otherwise', async () => {
    const path = dataFile('sharegpt_v3_filtered_firstturn_head300.json');
    const specs = collect(await open({ source: 'sharegpt', path, output_tokens: 64, filters: { min_tokens: 1 } }, 300));
    expect(specs).toHaveLength(300);
    expect(specs[0].inputTokens).toBe(13);
    expect(specs[0].messages![0].content.startsWith('How to stop automatic updates from the W')).toBe(true);
    expect(specs.every((s) => s.maxTokens === 64)).toBe(true);
    await expect(open({ source: 'sharegpt', path })).rejects.toThrow(InputError);
  });

  it('names the element of a broken file', async () => {
    const dir = tempDir();
    const bad = writeTemp(dir, 'bad.json', '[\n{"id": "a", "conversations": [{"from": "human", "value": "hi there you all"}, {"from": "gpt", "value": "hello to you too"}]},\n{"id": "b"}\n]');
    await expect(open({ source: 'sharegpt', path: bad })).rejects.toThrow(`${bad}:3: missing field 'conversations'`);
    const cut = writeTemp(dir, 'cut.json', '[{"id": "a", "conversations": [{"from": "human", "value": "hi there you all"}, {"from": "gpt", "value": "hello to you too"}]},\n{"id": "b", "conv');
    await expect(open({ source: 'sharegpt', path: cut })).rejects.toThrow(`${cut}:2: the file ends inside the JSON array (truncated in element 1)`);
    const skipped = await open({ source: 'sharegpt', path: cut, skip_invalid: true }, 5);
    expect(skipped.notes.some((n) => n.startsWith('skipped 1 invalid row'))).toBe(true);
  });
});

describe('JSONL prompts', () => {
  it('reads prompt and messages lines with optional max_tokens', async () => {
    const path = writeTemp(tempDir(), 'prompts.jsonl', [
      JSON.stringify({ prompt: 'tell me a story about a dog', max_tokens: 40 }),
      JSON.stringify({ messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'why is the sky blue' }] }),
      '',
      JSON.stringify({ prompt: 'one two three', max_tokens: 7 }),
    ].join('\r\n'));
    const specs = collect(await open({ source: 'jsonl', path }, 3));
    expect(specs.map((s) => [s.inputTokens, s.maxTokens, s.messages!.length])).toEqual([
      [7, 40, 1],
      [7, 128, 2],
      [3, 7, 1],
    ]);
    const completions = collect(await open({ source: 'jsonl', path, output_tokens: 16 }, 2, 'completions'));
    expect(completions.map((s) => [s.prompt, s.maxTokens])).toEqual([
      ['tell me a story about a dog', 16],
      ['be brief why is the sky blue', 16],
    ]);
  });

  it('names a bad line', async () => {
    const path = writeTemp(tempDir(), 'p.jsonl', '{"prompt": "ok"}\n{"text": "no"}\n');
    await expect(open({ source: 'jsonl', path })).rejects.toThrow(`${path}:2: missing field 'prompt' or 'messages'`);
    const neg = writeTemp(tempDir(), 'n.jsonl', '{"prompt": "ok", "max_tokens": -1}\n');
    await expect(open({ source: 'jsonl', path: neg })).rejects.toThrow(`${neg}:1: field 'max_tokens' is -1; it must be at least 1`);
  });
});

describe('request logs', () => {
  it('replays OpenAI bodies at their logged times, keeping sampling fields', async () => {
    const path = writeTemp(tempDir(), 'log.jsonl', [
      JSON.stringify({ timestamp: '2024-05-01T10:00:00.000Z', body: { model: 'gpt-x', stream: false, messages: [{ role: 'user', content: 'hello there' }], max_tokens: 30, temperature: 0.2 } }),
      JSON.stringify({ timestamp: '2024-05-01T10:00:01.500Z', body: { model: 'gpt-x', messages: [{ role: 'user', content: [{ type: 'text', text: 'a b c' }] }], max_completion_tokens: 9 } }),
      JSON.stringify({ timestamp: '2024-05-01T10:00:04.000Z', body: { model: 'gpt-x', prompt: 'complete me', max_tokens: 5 } }),
    ].join('\n') + '\n');
    const specs = collect(await open({ source: 'request_log', path, speedup: 2 }, 10));
    expect(specs).toHaveLength(3); // a timed replay does not repeat
    expect(specs.map((s) => [s.arrivalOffsetMs, s.inputTokens, s.maxTokens])).toEqual([
      [0, 2, 30],
      [750, 3, 9],
      [2000, 2, 5],
    ]);
    expect(specs[0].body).toEqual({ temperature: 0.2 });
    expect(specs[1].body).toBeUndefined();
    const untimed = collect(await open({ source: 'request_log', path, use_timestamps: false }, 4));
    expect(untimed.map((s) => s.arrivalOffsetMs)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('reads bare bodies with Unix-second timestamps and refuses a missing one', async () => {
    const dir = tempDir();
    const path = writeTemp(dir, 'bare.jsonl', '{"timestamp": 1700000000.25, "prompt": "x y"}\n{"timestamp": 1700000001, "prompt": "z"}\n');
    expect(collect(await open({ source: 'request_log', path }, 5)).map((s) => s.arrivalOffsetMs)).toEqual([0, 750]);
    const mixed = writeTemp(dir, 'mixed.jsonl', '{"timestamp": 1, "prompt": "x"}\n{"prompt": "z"}\n');
    await expect(open({ source: 'request_log', path: mixed })).rejects.toThrow(`${mixed}:2: missing field 'timestamp' (earlier lines have one)`);
  });
});

describe('warmup for data sources', () => {
  it('uses fresh prompts of the data’s lengths, never a measured prompt', async () => {
    const src = await open({ source: 'sharegpt', path: dataFile('sharegpt_v3_head5.json') }, 4);
    const warm = src.warmup(3);
    const measured = collect(src).map((s) => s.messages![0].content);
    expect(warm.map((w) => [w.inputTokens, w.arrivalOffsetMs])).toEqual([
      [29, undefined],
      [14, undefined],
      [40, undefined],
    ]);
    expect(warm.some((w) => measured.includes(w.messages![0].content))).toBe(false);
  });
});
