// planOutputLength: which fields force the output length, per mode and engine, and the note
// each scenario's results carry (issue 7; shared/reference/server-dialects.md "Request parameters").
import { describe, expect, it } from 'vitest';
import { planOutputLength } from '../../src/client/fingerprint.js';

const chat = { api: 'chat' as const, body: {} };

describe('planOutputLength', () => {
  it('auto: ignore_eos + min_tokens for vLLM and SGLang, ignore_eos for llama.cpp', () => {
    expect(planOutputLength('auto', chat, { engine: 'vllm', engineVersion: '0.11.0' })).toEqual({
      force: 'ignore_eos+min_tokens',
      note: 'output length forced with ignore_eos + min_tokens (engine vllm)',
    });
    expect(planOutputLength('auto', chat, { engine: 'sglang' }).force).toBe('ignore_eos+min_tokens');
    expect(planOutputLength('auto', chat, { engine: 'llama.cpp' })).toEqual({ force: 'ignore_eos', note: 'output length forced with ignore_eos (engine llama.cpp)' });
  });

  it('auto: nothing for TGI, Ollama or an engine that does not tell, and the note says so', () => {
    expect(planOutputLength('auto', chat, { engine: 'tgi' })).toEqual({ note: 'output length not forced: engine tgi has no ignore_eos; lengths from usage' });
    expect(planOutputLength('auto', chat, { engine: 'ollama' }).force).toBeUndefined();
    expect(planOutputLength('auto', chat, {})).toEqual({ note: 'output length not forced: engine unknown; lengths from usage (output_length: exact forces it)' });
  });

  it('exact forces whatever the engine; natural never does', () => {
    expect(planOutputLength('exact', chat, { engine: 'tgi' })).toEqual({ force: 'ignore_eos+min_tokens', note: 'output length forced with ignore_eos + min_tokens (output_length: exact)' });
    expect(planOutputLength('natural', chat, { engine: 'vllm' })).toEqual({ note: 'output length not forced (output_length: natural); lengths from usage' });
  });

  it("the scenario's body decides when it sets ignore_eos or min_tokens", () => {
    expect(planOutputLength('auto', { api: 'chat', body: { ignore_eos: false } }, { engine: 'vllm' })).toEqual({ note: "output length as the scenario's body sets it (ignore_eos: false)" });
    expect(planOutputLength('exact', { api: 'completions', body: { min_tokens: 4, temperature: 0 } }, {})).toEqual({ note: "output length as the scenario's body sets it (min_tokens: 4)" });
  });

  it('embeddings: no output length, no note', () => {
    expect(planOutputLength('exact', { api: 'embeddings', body: {} }, { engine: 'vllm' })).toEqual({ note: null });
  });
});
