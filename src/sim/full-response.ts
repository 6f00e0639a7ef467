// The whole answer of a non-streaming chat or completions request, in the flavor's shape.

import type { FlavorTraits } from './flavors.js';
import type { LlamaTimings, StreamIdentity } from './stream-events.js';
import type { Usage } from './wire.js';

/** The whole answer of a non-streaming request, in the flavor's shape. */
export function fullResponse(
  flavor: FlavorTraits,
  r: StreamIdentity,
  text: { reasoning: string; content: string; toolArgs: string },
  finish: string,
  u: Usage | null,
  timings: LlamaTimings | undefined,
): unknown {
  let choice: Record<string, unknown>;
  if (r.api === 'chat') {
    const message: Record<string, unknown> = { role: 'assistant', content: text.content === '' && text.toolArgs !== '' ? null : text.content };
    if (text.reasoning !== '') message[flavor.reasoningField] = text.reasoning;
    if (text.toolArgs !== '') {
      message.tool_calls = [{ id: r.toolCallId, type: 'function', function: { name: 'get_weather', arguments: text.toolArgs } }];
    }
    choice = { index: 0, message, logprobs: null, finish_reason: finish };
  } else {
    choice = { index: 0, text: text.reasoning + text.content + text.toolArgs, logprobs: null, finish_reason: finish };
  }
  if (flavor.name === 'vllm' || flavor.name === 'trtllm') choice.stop_reason = null;
  const body: Record<string, unknown> = {
    id: flavor.name === 'tgi' ? '' : r.id,
    object: r.api === 'chat' ? 'chat.completion' : 'text_completion',
    created: r.created,
    model: r.model,
    choices: [choice],
  };
  if (u) body.usage = u;
  if (timings) body.timings = timings;
  return body;
}
