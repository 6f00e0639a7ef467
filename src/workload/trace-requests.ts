// Trace rows → requests. Mooncake and Bailian prompts are built from their hash-id blocks
// (shared ids, shared text); Azure and BurstGPT rows have no content, so each gets its own
// random text of its length. A Bailian turn whose parent is replayed too carries the
// parent's conversation: the parent's messages, a reply of the parent's output length, then
// its own new message, so its prompt starts with exactly the parent's prompt.
import type { LengthSpec } from '../config/schema.js';
import type { ChatMessage, RequestApi, RequestSpec } from '../types.js';
import { BlockTexts } from './block-text.js';
import { drawLength } from './lengths.js';
import type { PromptWords } from './prompt-words.js';
import { Random, deriveSeed } from './random.js';
import type { ReplayRow } from './trace-reader.js';

export interface TraceRequestOptions {
  scenario: string;
  api: RequestApi;
  seed: number;
  idPrefix: string;
  words: PromptWords;
  /** Tokens per hash id; needed when rows carry hash ids. */
  blockSize: number;
  /** Overrides the rows' output lengths. */
  outputTokens?: LengthSpec;
}

interface Conversation {
  messages: ChatMessage[];
  tokens: number;
}

export function toPrompt(messages: readonly ChatMessage[]): string {
  return messages.map((m) => m.content).join(' ');
}

export function traceRequestBuilder(rows: readonly ReplayRow[], opts: TraceRequestOptions): (index: number) => RequestSpec | undefined {
  const blocks = new BlockTexts(opts.words, opts.seed, opts.blockSize);
  const ownText = (key: string, tokens: number): string => opts.words.drawFast(new Random(deriveSeed(opts.seed, `trace\u0000${key}`)), tokens);
  const indexOfChat = new Map<number, number>();
  const parents = new Set<number>();
  rows.forEach((r, i) => {
    if (r.chatId !== undefined) indexOfChat.set(r.chatId, i);
    if (r.parentChatId !== undefined && r.parentChatId >= 0) parents.add(r.parentChatId);
  });
  const remembered = new Map<number, Conversation>();

  const conversation = (i: number): Conversation => {
    const row = rows[i];
    const cached = row.chatId !== undefined ? remembered.get(row.chatId) : undefined;
    if (cached) return cached;
    const parentIndex = row.parentChatId !== undefined && row.parentChatId >= 0 ? indexOfChat.get(row.parentChatId) : undefined;
    let result: Conversation;
    if (parentIndex !== undefined && parentIndex < i) {
      const parent = conversation(parentIndex);
      const parentRow = rows[parentIndex];
      const reply = ownText(`reply\u0000${parentRow.line}`, parentRow.outputTokens);
      const historyTokens = parent.tokens + parentRow.outputTokens;
      const newTokens = Math.max(1, row.inputTokens - historyTokens);
      result = {
        messages: [...parent.messages, { role: 'assistant', content: reply }, { role: 'user', content: ownText(`turn\u0000${row.line}`, newTokens) }],
        tokens: historyTokens + newTokens,
      };
    } else {
      const tail = (n: number): string => ownText(`row\u0000${row.line}`, n);
      const text = row.hashIds ? blocks.prompt(row.hashIds, row.inputTokens, tail) : tail(row.inputTokens);
      result = { messages: [{ role: 'user', content: text }], tokens: row.inputTokens };
    }
    if (row.chatId !== undefined && parents.has(row.chatId)) remembered.set(row.chatId, result);
    return result;
  };

  return (index: number): RequestSpec | undefined => {
    const row = rows[index];
    if (row === undefined) return undefined;
    const { messages, tokens } = conversation(index);
    const maxTokens = opts.outputTokens === undefined ? row.outputTokens : drawLength(opts.outputTokens, new Random(deriveSeed(opts.seed, `trace-output\u0000${index}`)), index);
    const spec: RequestSpec = {
      id: `${opts.idPrefix}-${index}`,
      scenario: opts.scenario,
      api: opts.api,
      inputTokens: tokens,
      maxTokens,
      arrivalOffsetMs: row.offsetMs,
    };
    if (opts.api === 'chat') spec.messages = messages;
    else spec.prompt = toPrompt(messages);
    if (row.hashIds && row.hashIds.length > 0) spec.prefixGroup = `${opts.scenario}/block-${row.hashIds[0]}`;
    return spec;
  };
}
