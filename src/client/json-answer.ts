// Interprets a non-streaming answer: a chat.completion / text_completion body (`stream:
// false`) or an embeddings list. Pure. The whole answer is one "chunk" that arrived when its
// last byte did, so TTFT = E2E = the response time (there is no first token to see earlier).

import type { RequestApi } from '../types.js';
import type { StreamOutcome } from './stream.js';
import { clipMessage } from './failure.js';
import { errorEventMessage } from './stream.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How much of an unexpected answer a message quotes. */
const EXCERPT_CHARS = 200;

function outcome(partial: Partial<StreamOutcome>): StreamOutcome {
  return {
    chunkOffsetsMs: [],
    chunkTokens: undefined,
    reportedOutputTokens: null,
    reportedInputTokens: null,
    outputText: '',
    finishReason: null,
    sawDone: true,
    error: null,
    ...partial,
  };
}

/** The text of one chat or completions choice: content, reasoning, tool-call arguments, or `text`. */
function choiceText(choice: Json): string {
  const parts: string[] = [];
  if (typeof choice.text === 'string') parts.push(choice.text);
  const message = choice.message;
  if (isObject(message)) {
    for (const key of ['reasoning', 'reasoning_content', 'content'] as const) {
      const value = message[key];
      if (typeof value === 'string' && value !== '') parts.push(value);
    }
    if (Array.isArray(message.tool_calls)) {
      for (const call of message.tool_calls) {
        if (isObject(call) && isObject(call.function) && typeof call.function.arguments === 'string') parts.push(call.function.arguments);
      }
    }
  }
  return parts.join('');
}

/**
 * What a complete non-streaming answer says. `endOffsetMs` is when its last byte arrived
 * (ms from sentAt). A body that is not the expected JSON is `malformed`; an `{"error": …}`
 * body with status 200 is a `stream_error` (the server reported a failure in its answer).
 * `secrets` are removed from any of the answer's text a message quotes.
 */
export function interpretJsonAnswer(api: RequestApi, text: string, endOffsetMs: number, secrets: readonly string[] = []): StreamOutcome {
  // Secrets go before the cut (failure.ts says why).
  const excerpt = (body: string): string => clipMessage(body, EXCERPT_CHARS, secrets);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return outcome({ error: { kind: 'malformed', message: `the answer is not valid JSON: ${excerpt(text)}` } });
  }
  if (!isObject(parsed)) return outcome({ error: { kind: 'malformed', message: `the answer is not a JSON object: ${excerpt(text)}` } });
  if (parsed.error !== undefined && parsed.error !== null) {
    return outcome({ error: { kind: 'stream_error', message: errorEventMessage(parsed.error, secrets) } });
  }
  const usage = isObject(parsed.usage) ? parsed.usage : null;
  const promptTokens = usage !== null && typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : null;

  if (api === 'embeddings') {
    if (!Array.isArray(parsed.data) || parsed.data.length === 0) {
      return outcome({ error: { kind: 'malformed', message: `the embeddings answer has no 'data' list: ${excerpt(text)}` } });
    }
    // An embedding has no output tokens; usage counts only the input.
    return outcome({ chunkOffsetsMs: [endOffsetMs], reportedInputTokens: promptTokens, reportedOutputTokens: 0, finishReason: null });
  }

  if (!Array.isArray(parsed.choices)) {
    return outcome({ error: { kind: 'malformed', message: `the answer has no 'choices' list: ${excerpt(text)}` } });
  }
  let outputText = '';
  let finishReason: string | null = null;
  for (const choice of parsed.choices) {
    if (!isObject(choice)) continue;
    outputText += choiceText(choice);
    if (typeof choice.finish_reason === 'string' && choice.finish_reason !== '') finishReason = choice.finish_reason;
  }
  const completionTokens = usage !== null && typeof usage.completion_tokens === 'number' ? usage.completion_tokens : null;
  const hasOutput = outputText !== '' || (completionTokens !== null && completionTokens > 0);
  const chunkOffsetsMs = hasOutput ? [endOffsetMs] : [];
  return outcome({
    chunkOffsetsMs,
    chunkTokens: hasOutput && completionTokens !== null && completionTokens > 0 ? [completionTokens] : undefined,
    reportedOutputTokens: completionTokens,
    reportedInputTokens: promptTokens,
    outputText,
    finishReason,
  });
}
