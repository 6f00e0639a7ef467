// Requests from prompt datasets (ShareGPT, JSONL prompt files, request logs): each item is a
// conversation with its counted input length and, when the data gives one, its output
// length. When the scenario asks for more requests than the data holds, the items repeat
// (as vLLM oversamples), under new ids.
import type { LengthSpec } from '../config/schema.js';
import type { ChatMessage, RequestApi, RequestSpec } from '../types.js';
import { drawLength } from './lengths.js';
import { Random, deriveSeed } from './random.js';
import { toPrompt } from './trace-requests.js';

export interface DatasetItem {
  /** 1-based line (or element) of the file, for messages. */
  line: number;
  messages: ChatMessage[];
  /** Tokens of the messages' contents as the workload's counter counts them. */
  inputTokens: number;
  /** The data's own output length (ShareGPT reply, max_tokens of a line). */
  outputTokens?: number;
  /** Extra body fields the data gives for this request (request logs). */
  body?: Record<string, unknown>;
  /** Request logs with timestamps: when to send, ms after the scenario's start. */
  offsetMs?: number;
}

export interface DatasetRequestOptions {
  scenario: string;
  api: RequestApi;
  seed: number;
  idPrefix: string;
  /** Overrides the data's output lengths. */
  outputTokens?: LengthSpec;
  /** Used when neither the data nor the override gives an output length. */
  defaultOutputTokens: number;
  /** Repeat the items when asked past their end (not for timed replays). */
  repeat: boolean;
}

export const DEFAULT_OUTPUT_TOKENS = 128;

export function datasetRequestBuilder(items: readonly DatasetItem[], opts: DatasetRequestOptions): (index: number) => RequestSpec | undefined {
  return (index: number): RequestSpec | undefined => {
    if (items.length === 0 || (!opts.repeat && index >= items.length)) return undefined;
    const item = items[index % items.length];
    const maxTokens =
      opts.outputTokens !== undefined
        ? drawLength(opts.outputTokens, new Random(deriveSeed(opts.seed, `dataset-output\u0000${index}`)), index)
        : item.outputTokens ?? opts.defaultOutputTokens;
    const spec: RequestSpec = { id: `${opts.idPrefix}-${index}`, scenario: opts.scenario, api: opts.api, inputTokens: item.inputTokens, maxTokens };
    if (opts.api === 'chat') spec.messages = item.messages;
    else spec.prompt = toPrompt(item.messages);
    if (item.body) spec.body = item.body;
    if (item.offsetMs !== undefined && !opts.repeat) spec.arrivalOffsetMs = item.offsetMs;
    return spec;
  };
}

/** Tokens of all the messages' contents (no chat template). */
export function countMessages(messages: readonly ChatMessage[], count: (text: string) => number): number {
  let total = 0;
  for (const m of messages) total += count(m.content);
  return total;
}
