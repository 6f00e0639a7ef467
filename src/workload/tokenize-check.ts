// Checks prompt lengths against the server's own tokenizer where it offers one: vLLM and
// SGLang answer POST /tokenize with {count, tokens}. A few prompts are sent as plain text
// (no special tokens) and compared with the workload's count; for chat, the same messages
// are tokenized with the chat template too, which measures the template's overhead. A
// server without /tokenize (404/405) is not an error: the check is skipped and says so.
import type { RequestSpec } from '../types.js';
import type { TokenCounter } from './token-counter.js';
import { toPrompt } from './trace-requests.js';

export interface TokenizeCheckOptions {
  model: string;
  /** Extra headers (Authorization); never logged. */
  headers?: Record<string, string>;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

export interface TokenizeCheck {
  checked: number;
  /** Prompts whose server count differs from the workload's. */
  mismatched: number;
  /** Largest |server − workload| over the sample, tokens. */
  maxDifference: number;
  /** Chat: tokens the chat template adds (server count with template − without), from the first prompt. */
  templateOverhead?: number;
  note: string;
}

async function tokenize(root: string, body: Record<string, unknown>, opts: TokenizeCheckOptions): Promise<number | 'absent'> {
  const res = await (opts.fetchImpl ?? fetch)(`${root}/tokenize`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...opts.headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
  });
  if (res.status === 404 || res.status === 405) return 'absent';
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const json = (await res.json()) as { count?: unknown; tokens?: unknown };
  if (typeof json.count === 'number') return json.count;
  if (Array.isArray(json.tokens)) return json.tokens.length;
  throw new Error('the answer has no count or tokens');
}

/** Compares up to `specs.length` prompts with the server's /tokenize; never throws. */
export async function checkServerTokenizer(root: string, specs: readonly RequestSpec[], counter: TokenCounter, opts: TokenizeCheckOptions): Promise<TokenizeCheck> {
  let checked = 0;
  let mismatched = 0;
  let maxDifference = 0;
  let templateOverhead: number | undefined;
  try {
    for (const spec of specs) {
      const text = spec.prompt ?? toPrompt(spec.messages ?? []);
      const server = await tokenize(root, { model: opts.model, prompt: text, add_special_tokens: false }, opts);
      if (server === 'absent') return { checked: 0, mismatched: 0, maxDifference: 0, note: `${root}/tokenize is not offered; prompt lengths were not checked against the server's tokenizer` };
      checked++;
      const ours = counter.count(text);
      if (server !== ours) mismatched++;
      maxDifference = Math.max(maxDifference, Math.abs(server - ours));
      if (templateOverhead === undefined && spec.messages) {
        const withTemplate = await tokenize(root, { model: opts.model, messages: spec.messages, add_generation_prompt: true }, opts);
        if (withTemplate !== 'absent') templateOverhead = withTemplate - server;
      }
    }
  } catch (err) {
    return { checked, mismatched, maxDifference, note: `the server's /tokenize check failed after ${checked} prompts (${(err as Error).message})` };
  }
  const agreement = mismatched === 0 ? `all ${checked} sampled prompts have the same length` : `${mismatched} of ${checked} sampled prompts differ, by up to ${maxDifference} tokens`;
  const overhead = templateOverhead !== undefined ? `; the chat template adds ${templateOverhead} tokens per request` : '';
  return { checked, mismatched, maxDifference, templateOverhead, note: `server /tokenize vs ${counter.name}: ${agreement}${overhead}` };
}
