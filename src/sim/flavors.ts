// The server dialects the simulator speaks (shared/reference/server-dialects.md): what each
// server accepts in a request and how it frames its answers. The event bodies themselves are
// built in stream-events.ts and error-shapes.ts from these traits.

export const FLAVOR_NAMES = ['vllm', 'sglang', 'tgi', 'llamacpp', 'llamacpp-old', 'ollama', 'trtllm', 'openai'] as const;
export type FlavorName = (typeof FLAVOR_NAMES)[number];

export function isFlavorName(x: string): x is FlavorName {
  return (FLAVOR_NAMES as readonly string[]).includes(x);
}

/** When the final `choices: []` usage chunk is sent. */
export type UsagePolicy =
  /** vLLM: on once a stream_options object is present, unless include_usage is false. */
  | 'on-with-stream-options'
  /** SGLang, TGI, Ollama, OpenAI: only with include_usage: true. */
  | 'explicit'
  /** TRT-LLM: any stream_options object turns on the usage chunk and usage on every chunk. */
  | 'per-chunk-with-stream-options'
  /** llama.cpp: usage (with timings) always ends the stream. */
  | 'always';

/** What follows an `{"error": …}` event inside a 200 stream. */
export type ErrorEnd = 'done' | 'no-done' | 'drop-connection';

export interface FlavorTraits {
  name: FlavorName;
  /** SSE data prefix: TGI writes `data:` without the space. */
  dataPrefix: 'data: ' | 'data:';
  /** Ollama ignores max_completion_tokens; the others take it (winning over max_tokens). */
  honoursMaxCompletionTokens: boolean;
  /** ignore_eos forces the full max_tokens. */
  ignoreEos: boolean;
  /** min_tokens sets a floor on the output length. */
  minTokens: boolean;
  /** Without ignore_eos the output ends at a seeded "EOS" at or below max_tokens (see output-length.ts). */
  earlyEosByDefault: boolean;
  usagePolicy: UsagePolicy;
  /** stream_options.continuous_usage_stats is understood (vLLM, SGLang). */
  continuousUsageStats: boolean;
  /** TRT-LLM's extra="forbid": a request field it does not know → 400. */
  rejectsUnknownFields: boolean;
  /** HTTP status of a request it cannot accept (TGI validates with 422). */
  badRequestStatus: number;
  reasoningField: 'reasoning' | 'reasoning_content';
  /** After an error event mid-stream: [DONE], a plain end, or (TRT-LLM) a dropped connection with no event. */
  errorEnd: ErrorEnd;
  /** max_tokens when the request gives none (chat, completions). */
  defaultMaxTokens: { chat: number; completions: number };
}

const BASE: Omit<FlavorTraits, 'name'> = {
  dataPrefix: 'data: ',
  honoursMaxCompletionTokens: true,
  ignoreEos: true,
  minTokens: true,
  earlyEosByDefault: false,
  usagePolicy: 'on-with-stream-options',
  continuousUsageStats: true,
  rejectsUnknownFields: false,
  badRequestStatus: 400,
  reasoningField: 'reasoning',
  errorEnd: 'done',
  // vLLM's completions default is 16; for chat vLLM would fill the context, the sim caps it.
  defaultMaxTokens: { chat: 256, completions: 16 },
};

export const FLAVORS: Record<FlavorName, FlavorTraits> = {
  vllm: { ...BASE, name: 'vllm' },
  sglang: { ...BASE, name: 'sglang', usagePolicy: 'explicit', reasoningField: 'reasoning_content', defaultMaxTokens: { chat: 256, completions: 16 } },
  tgi: {
    ...BASE,
    name: 'tgi',
    dataPrefix: 'data:',
    ignoreEos: false,
    minTokens: false,
    earlyEosByDefault: true,
    usagePolicy: 'explicit',
    continuousUsageStats: false,
    badRequestStatus: 422,
    reasoningField: 'reasoning_content',
    defaultMaxTokens: { chat: 256, completions: 100 },
  },
  llamacpp: {
    ...BASE,
    name: 'llamacpp',
    minTokens: false,
    usagePolicy: 'always',
    continuousUsageStats: false,
    reasoningField: 'reasoning_content',
    errorEnd: 'no-done',
    // n_predict −1 (unlimited) by default; the sim caps it.
    defaultMaxTokens: { chat: 256, completions: 256 },
  },
  'llamacpp-old': {
    ...BASE,
    name: 'llamacpp-old',
    minTokens: false,
    usagePolicy: 'always',
    continuousUsageStats: false,
    reasoningField: 'reasoning_content',
    defaultMaxTokens: { chat: 256, completions: 256 },
  },
  ollama: {
    ...BASE,
    name: 'ollama',
    honoursMaxCompletionTokens: false,
    ignoreEos: false,
    minTokens: false,
    earlyEosByDefault: true,
    usagePolicy: 'explicit',
    continuousUsageStats: false,
    errorEnd: 'no-done',
    defaultMaxTokens: { chat: 256, completions: 256 },
  },
  trtllm: {
    ...BASE,
    name: 'trtllm',
    usagePolicy: 'per-chunk-with-stream-options',
    continuousUsageStats: false,
    rejectsUnknownFields: true,
    reasoningField: 'reasoning_content',
    errorEnd: 'drop-connection',
  },
  openai: {
    ...BASE,
    name: 'openai',
    ignoreEos: false,
    minTokens: false,
    earlyEosByDefault: true,
    usagePolicy: 'explicit',
    continuousUsageStats: false,
    reasoningField: 'reasoning_content',
  },
};

/** The request fields TRT-LLM's pydantic models accept (chat and completions together); anything else is a 400. */
export const TRTLLM_KNOWN_FIELDS: ReadonlySet<string> = new Set([
  'model', 'messages', 'prompt', 'frequency_penalty', 'logit_bias', 'logprobs', 'top_logprobs', 'max_tokens',
  'max_completion_tokens', 'n', 'presence_penalty', 'response_format', 'seed', 'stop', 'stream', 'stream_options',
  'temperature', 'top_p', 'tools', 'tool_choice', 'user', 'best_of', 'use_beam_search', 'top_k', 'top_p_min',
  'min_p', 'repetition_penalty', 'length_penalty', 'early_stopping', 'stop_token_ids', 'include_stop_str_in_output',
  'ignore_eos', 'min_tokens', 'skip_special_tokens', 'spaces_between_special_tokens', 'truncate_prompt_tokens',
  'echo', 'suffix', 'add_generation_prompt', 'add_special_tokens', 'documents', 'chat_template',
  'chat_template_kwargs', 'parallel_tool_calls', 'reasoning_effort', 'lora_request', 'disaggregated_params',
]);
