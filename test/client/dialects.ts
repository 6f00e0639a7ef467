// Byte streams as each server sends them (shapes from shared/reference/server-dialects.md).
// Each dialect is a list of network chunks; `expected` is what the client must make of it.

export interface Dialect {
  name: string;
  api: 'chat' | 'completions';
  /** Network chunks, in order. */
  chunks: string[];
  expected: {
    /** For each content event, the index (in `chunks`) of the network chunk holding it. */
    contentAt: number[];
    outputTokens: number;
    tokenSource: 'usage' | 'estimate';
    inputTokens: number | null;
    finishReason: string | null;
    chunkTokens?: number[];
  };
}

const j = (value: unknown): string => JSON.stringify(value);
const ev = (value: unknown, prefix = 'data: '): string => `${prefix}${j(value)}\n\n`;

const vllmBase = { id: 'chatcmpl-abc', object: 'chat.completion.chunk', created: 1_760_000_000, model: 'M' };
const vllm: Dialect = {
  name: 'vLLM chat',
  api: 'chat',
  chunks: [
    ev({ ...vllmBase, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }] }),
    ev({ ...vllmBase, choices: [{ index: 0, delta: { content: 'Hello' }, logprobs: null, finish_reason: null }] }),
    ev({ ...vllmBase, choices: [{ index: 0, delta: { content: '!' }, logprobs: null, finish_reason: 'length', stop_reason: null }] }),
    ev({ ...vllmBase, choices: [], usage: { prompt_tokens: 12, total_tokens: 14, completion_tokens: 2 } }),
    'data: [DONE]\n\n',
  ],
  expected: { contentAt: [1, 2], outputTokens: 2, tokenSource: 'usage', inputTokens: 12, finishReason: 'length' },
};

const cu = (prompt: number, completion: number) => ({ prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion });
const vllmContinuous: Dialect = {
  name: 'vLLM chat with continuous_usage_stats (a text-less chunk still holds a token)',
  api: 'chat',
  chunks: [
    ev({ ...vllmBase, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }], usage: cu(5, 0) }),
    ev({ ...vllmBase, choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }], usage: cu(5, 1) }),
    // Speculative decoding: three tokens in one chunk.
    ev({ ...vllmBase, choices: [{ index: 0, delta: { content: ' there you' }, finish_reason: null }], usage: cu(5, 4) }),
    // Incomplete UTF-8 held back: a token, no text.
    ev({ ...vllmBase, choices: [{ index: 0, delta: { content: '' }, finish_reason: null }], usage: cu(5, 5) }),
    ev({ ...vllmBase, choices: [{ index: 0, delta: { content: ' 🎉' }, finish_reason: 'stop' }], usage: cu(5, 6) }),
    ev({ ...vllmBase, choices: [], usage: cu(5, 6) }),
    'data: [DONE]\n\n',
  ],
  expected: {
    contentAt: [1, 2, 4],
    outputTokens: 6,
    tokenSource: 'usage',
    inputTokens: 5,
    finishReason: 'stop',
    chunkTokens: [1, 3, 2],
  },
};

const vllmCompletions: Dialect = {
  name: 'vLLM completions',
  api: 'completions',
  chunks: [
    ev({ id: 'cmpl-1', object: 'text_completion', created: 1, model: 'M', choices: [{ index: 0, text: ' Once', logprobs: null, finish_reason: null, stop_reason: null }], usage: null }),
    ev({ id: 'cmpl-1', object: 'text_completion', created: 1, model: 'M', choices: [{ index: 0, text: ' upon', logprobs: null, finish_reason: 'length', stop_reason: null }], usage: null }),
    ev({ id: 'cmpl-1', object: 'text_completion', created: 1, model: 'M', choices: [], usage: cu(3, 2) }),
    'data: [DONE]\n\n',
  ],
  expected: { contentAt: [0, 1], outputTokens: 2, tokenSource: 'usage', inputTokens: 3, finishReason: 'length' },
};

const sgBase = { id: 'rid1', object: 'chat.completion.chunk', created: 1, model: 'M' };
const sgDelta = (d: Record<string, unknown>) => ({ role: null, content: null, reasoning_content: null, tool_calls: null, ...d });
const sglang: Dialect = {
  name: 'SGLang chat with reasoning',
  api: 'chat',
  chunks: [
    ev({ ...sgBase, choices: [{ index: 0, delta: sgDelta({ role: 'assistant', content: '' }), logprobs: null, finish_reason: null, matched_stop: null }], usage: null }),
    ev({ ...sgBase, choices: [{ index: 0, delta: sgDelta({ reasoning_content: 'Let me think' }), logprobs: null, finish_reason: null, matched_stop: null }], usage: null }),
    ev({ ...sgBase, choices: [{ index: 0, delta: sgDelta({ content: 'Hello' }), logprobs: null, finish_reason: null, matched_stop: null }], usage: null }),
    ev({ ...sgBase, choices: [{ index: 0, delta: sgDelta({}), logprobs: null, finish_reason: 'length', matched_stop: null }], usage: null }),
    ev({ ...sgBase, choices: [], usage: cu(12, 4) }),
    'data: [DONE]\n\n',
  ],
  expected: { contentAt: [1, 2], outputTokens: 4, tokenSource: 'usage', inputTokens: 12, finishReason: 'length' },
};

const tgiBase = { object: 'chat.completion.chunk', id: '', created: 1, model: 'M', system_fingerprint: '3.3.0-native' };
const tgi: Dialect = {
  name: 'TGI Messages API (data: without a space, keep-alive comments)',
  api: 'chat',
  chunks: [
    ev({ ...tgiBase, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hello' }, logprobs: null, finish_reason: null }], usage: null }, 'data:'),
    ':\n\n',
    ev({ ...tgiBase, choices: [{ index: 0, delta: { role: 'assistant', content: ' world' }, logprobs: null, finish_reason: null }], usage: null }, 'data:'),
    ev({ ...tgiBase, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: 'stop' }], usage: null }, 'data:'),
    ev({ ...tgiBase, choices: [], usage: cu(12, 3) }, 'data:'),
    'data:[DONE]\n\n',
  ],
  expected: { contentAt: [0, 2], outputTokens: 3, tokenSource: 'usage', inputTokens: 12, finishReason: 'stop' },
};

const llBase = { created: 1, id: 'chatcmpl-x', model: 'alias', system_fingerprint: 'b6000-abc', object: 'chat.completion.chunk' };
const timings = { cache_n: 0, prompt_n: 12, prompt_ms: 35.1, prompt_per_token_ms: 2.9, prompt_per_second: 341.8, predicted_n: 2, predicted_ms: 30.2, predicted_per_token_ms: 15.1, predicted_per_second: 66.2 };
const llamaCpp: Dialect = {
  name: 'llama.cpp (role chunk with content null, prompt_progress, timings)',
  api: 'chat',
  chunks: [
    ev({ choices: [{ finish_reason: null, index: 0, delta: {} }], ...llBase, prompt_progress: { total: 12, cache: 0, processed: 6, time_ms: 10 } }),
    ev({ choices: [{ finish_reason: null, index: 0, delta: { role: 'assistant', content: null } }], ...llBase }),
    ev({ choices: [{ finish_reason: null, index: 0, delta: { content: 'Hello' } }], ...llBase }),
    ev({ choices: [{ finish_reason: null, index: 0, delta: { content: ' there' } }], ...llBase }),
    ev({ choices: [{ finish_reason: 'length', index: 0, delta: {} }], ...llBase }),
    ev({ choices: [], ...llBase, usage: { completion_tokens: 2, prompt_tokens: 12, total_tokens: 14, prompt_tokens_details: { cached_tokens: 0 } }, timings }),
    'data: [DONE]\n\n',
  ],
  expected: { contentAt: [2, 3], outputTokens: 2, tokenSource: 'usage', inputTokens: 12, finishReason: 'length' },
};

const llamaCppTimingsOnly: Dialect = {
  name: 'llama.cpp without usage: timings.predicted_n counts the output',
  api: 'chat',
  chunks: [
    ev({ choices: [{ finish_reason: null, index: 0, delta: { role: 'assistant', content: null } }], ...llBase }),
    ev({ choices: [{ finish_reason: null, index: 0, delta: { content: 'Hello' } }], ...llBase }),
    ev({ choices: [{ finish_reason: 'stop', index: 0, delta: { content: ' there friend' } }], ...llBase, timings: { ...timings, predicted_n: 5 } }),
    'data: [DONE]\n\n',
  ],
  expected: { contentAt: [1, 2], outputTokens: 5, tokenSource: 'usage', inputTokens: null, finishReason: 'stop' },
};

const olBase = { id: 'chatcmpl-123', object: 'chat.completion.chunk', created: 1, model: 'llama3.2', system_fingerprint: 'fp_ollama' };
const ollama: Dialect = {
  name: 'Ollama chat (content in the first chunk, with the role)',
  api: 'chat',
  chunks: [
    ev({ ...olBase, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }] }),
    ev({ ...olBase, choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: null }] }),
    ev({ ...olBase, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
    ev({ ...olBase, choices: [], usage: cu(26, 2) }),
    'data: [DONE]\n\n',
  ],
  expected: { contentAt: [0, 1], outputTokens: 2, tokenSource: 'usage', inputTokens: 26, finishReason: 'stop' },
};

const ollamaCompletions: Dialect = {
  name: 'Ollama completions (zero usage on every chunk, then the real one)',
  api: 'completions',
  chunks: [
    ev({ id: 'cmpl-1', object: 'text_completion', created: 1, model: 'llama3.2', choices: [{ index: 0, text: 'One', finish_reason: null }], usage: cu(0, 0) }),
    ev({ id: 'cmpl-1', object: 'text_completion', created: 1, model: 'llama3.2', choices: [{ index: 0, text: ' two', finish_reason: null }], usage: cu(0, 0) }),
    ev({ id: 'cmpl-1', object: 'text_completion', created: 1, model: 'llama3.2', choices: [{ index: 0, text: '', finish_reason: 'length' }], usage: cu(0, 0) }),
    ev({ id: 'cmpl-1', object: 'text_completion', created: 1, model: 'llama3.2', choices: [], usage: cu(9, 2) }),
    'data: [DONE]\n\n',
  ],
  expected: { contentAt: [0, 1], outputTokens: 2, tokenSource: 'usage', inputTokens: 9, finishReason: 'length' },
};

const trt = (id: string, rest: Record<string, unknown>) => ({ id, object: 'chat.completion.chunk', created: 1, model: 'M', ...rest });
const trtllm: Dialect = {
  name: 'TRT-LLM (role-only first event with a trailing space, a new id every chunk, per-chunk usage)',
  api: 'chat',
  chunks: [
    `data: ${j(trt('c-1', { choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: null }] }))} \n\n`,
    ev(trt('c-2', { choices: [{ index: 0, delta: { content: 'Hello' }, finish_reason: null }], usage: cu(7, 1) })),
    ev(trt('c-3', { choices: [{ index: 0, delta: { content: ' big world' }, finish_reason: 'length' }], usage: cu(7, 3) })),
    ev(trt('c-4', { choices: [], usage: cu(7, 3) })),
    'data: [DONE] \n\n',
  ],
  expected: {
    contentAt: [1, 2],
    outputTokens: 3,
    tokenSource: 'usage',
    inputTokens: 7,
    finishReason: 'length',
    chunkTokens: [1, 2],
  },
};

const oaBase = { id: 'chatcmpl-o', object: 'chat.completion.chunk', created: 1, model: 'gpt', system_fingerprint: 'fp', service_tier: 'default' };
const openai: Dialect = {
  name: 'OpenAI (refusal null, usage null on every chunk, obfuscation, tool calls)',
  api: 'chat',
  chunks: [
    ev({ ...oaBase, choices: [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }], usage: null, obfuscation: 'ab' }),
    ev({
      ...oaBase,
      choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get', arguments: '' } }] }, finish_reason: null }],
      usage: null,
    }),
    ev({ ...oaBase, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"city": "Paris"}' } }] }, finish_reason: null }], usage: null }),
    ev({ ...oaBase, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' }], usage: null }),
    ev({ ...oaBase, choices: [], usage: cu(20, 9) }),
    'data: [DONE]\n\n',
  ],
  expected: { contentAt: [1, 2], outputTokens: 9, tokenSource: 'usage', inputTokens: 20, finishReason: 'tool_calls' },
};

const noUsage: Dialect = {
  name: 'a server that ignores include_usage: the estimate counts words across chunks',
  api: 'chat',
  chunks: [
    ev({ ...vllmBase, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }),
    ev({ ...vllmBase, choices: [{ index: 0, delta: { content: 'Hel' }, finish_reason: null }] }),
    // Two events in one network chunk share its arrival time.
    ev({ ...vllmBase, choices: [{ index: 0, delta: { content: 'lo wor' }, finish_reason: null }] }) +
      ev({ ...vllmBase, choices: [{ index: 0, delta: { content: 'ld and' }, finish_reason: null }] }),
    ev({ ...vllmBase, choices: [{ index: 0, delta: { content: ' more' }, finish_reason: 'stop' }] }),
    'data: [DONE]\n\n',
  ],
  expected: { contentAt: [1, 2, 2, 3], outputTokens: 4, tokenSource: 'estimate', inputTokens: null, finishReason: 'stop' },
};

export const DIALECTS: Dialect[] = [vllm, vllmContinuous, vllmCompletions, sglang, tgi, llamaCpp, llamaCppTimingsOnly, ollama, ollamaCompletions, trtllm, openai, noUsage];
