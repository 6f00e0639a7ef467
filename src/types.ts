// The core types that pass between the pipeline's stages (see DESIGN.md, "Core types").
// Their file forms are the Contracts: change a field here only together with
// docs/results-schema.md, docs/results.schema.json and the readers of older versions.

/** Milliseconds since the Unix epoch with sub-ms precision: performance.timeOrigin + performance.now(). */
export type EpochMs = number;

/** A source of time. Production uses `systemClock`; tests inject a fake one. */
export interface Clock {
  now(): EpochMs;
}

/** The generation APIs (the simulator's, and what streams). */
export type Api = 'chat' | 'completions';
/** What a request may call: a generation API, or /v1/embeddings (not streamed). */
export type RequestApi = Api | 'embeddings';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
}

/** One request to send, produced by src/workload. */
export interface RequestSpec {
  /** Unique within the run; sent as X-Request-Id. */
  id: string;
  scenario: string;
  api: RequestApi;
  /** For `api: chat`. */
  messages?: ChatMessage[];
  /** For `api: completions` (and `embeddings`: the input). */
  prompt?: string;
  /** The input length the workload aimed for (tokens, as the workload counted them). */
  inputTokens: number;
  /** Requested output length; sent as max_tokens. */
  maxTokens: number;
  /** For trace replay: when to send, relative to the scenario's start. */
  arrivalOffsetMs?: number;
  /** Requests of one group share a prompt prefix. */
  prefixGroup?: string;
  /** Extra JSON body fields for this request (merged over the scenario's). */
  body?: Record<string, unknown>;
}

export type ErrorKind =
  | 'connect'
  | 'http_status'
  | 'stream_error'
  | 'truncated'
  | 'malformed'
  | 'deadline'
  | 'idle_timeout'
  | 'cancelled';

export const ERROR_KINDS: readonly ErrorKind[] = [
  'connect',
  'http_status',
  'stream_error',
  'truncated',
  'malformed',
  'deadline',
  'idle_timeout',
  'cancelled',
];

export type RequestStatus = 'ok' | 'error' | 'timeout' | 'cancelled';

export interface RequestError {
  kind: ErrorKind;
  httpStatus?: number;
  message: string;
}

export type TokenSource = 'usage' | 'tokenizer' | 'estimate';

/** One request on the wire, produced by src/client. Its file form is in the Contracts. */
export interface RequestRecord {
  id: string;
  scenario: string;
  status: RequestStatus;
  error: RequestError | null;
  /** When the load generator meant to send it (open loop); null in a closed loop. */
  scheduledAt: EpochMs | null;
  sentAt: EpochMs;
  /** First content/reasoning/tool-call delta − sentAt; null when none arrived. */
  ttftMs: number | null;
  /** Last content chunk − sentAt; null when no content arrived. */
  e2eMs: number | null;
  /** End of the stream ([DONE], or the body's end) − sentAt; null where not reached. */
  streamEndMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  tokenSource: TokenSource;
  /** Arrival times of content chunks, ms from sentAt. */
  chunkOffsetsMs: number[];
  /** Tokens in each content chunk, when known (same length as chunkOffsetsMs). */
  chunkTokens?: number[];
  /** Response headers received − sentAt. */
  headersMs?: number | null;
  /** Why the stream finished, as the server said. */
  finishReason?: string | null;
  /** The output counted with the workload's tokenizer although the server reported usage: a cross-check of the two. */
  tokenizerOutputTokens?: number;
  /**
   * Present (true) when the request waited in the client for a free connection (every pooled
   * socket was busy): its latencies include that wait, and the run is not trustworthy.
   */
  queuedForConnection?: true;
}

/**
 * A per-request distribution (Contracts: Statistics). Every statistic is present in runs
 * llm-perf-gate measured; a run imported from another tool (src/report/import) carries only
 * the statistics that tool wrote, so readers of stored results check with `hasStatistic`.
 */
export interface Distribution {
  count: number;
  mean: number;
  std: number;
  min: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

export type DistributionKey =
  | 'ttft_ms'
  | 'tpot_ms'
  | 'itl_ms'
  | 'e2e_ms'
  | 'output_latency_ms'
  | 'input_throughput_tps'
  | 'output_throughput_tps';

export type RunLevelKey =
  | 'request_throughput_rps'
  | 'output_token_throughput_tps'
  | 'total_token_throughput_tps'
  | 'goodput_rps'
  | 'error_rate'
  | 'completed'
  | 'failed'
  | 'duration_s';

export type MetricKey = DistributionKey | RunLevelKey;

export const DISTRIBUTION_KEYS: readonly DistributionKey[] = [
  'ttft_ms',
  'tpot_ms',
  'itl_ms',
  'e2e_ms',
  'output_latency_ms',
  'input_throughput_tps',
  'output_throughput_tps',
];

export const RUN_LEVEL_KEYS: readonly RunLevelKey[] = [
  'request_throughput_rps',
  'output_token_throughput_tps',
  'total_token_throughput_tps',
  'goodput_rps',
  'error_rate',
  'completed',
  'failed',
  'duration_s',
];

export type Statistic = keyof Distribution;

/** The metrics of one scenario: distributions and run-level numbers under the Contracts' keys. */
export type ScenarioMetrics = { [K in DistributionKey]: Distribution | null } & {
  [K in Exclude<RunLevelKey, 'goodput_rps'>]: number;
} & {
  /** null when no SLOs are configured. */
  goodput_rps: number | null;
  /** Failed requests by error kind (counts). */
  errors_by_kind: Partial<Record<ErrorKind, number>>;
  total_input_tokens: number;
  total_output_tokens: number;
  /** Open loop only: latency measured from the scheduled send time (coordinated omission). */
  ttft_from_schedule_ms?: Distribution | null;
  e2e_from_schedule_ms?: Distribution | null;
  /** Which token counts the metrics used, with how many requests each. */
  token_sources: Partial<Record<TokenSource, number>>;
  /** Largest number of tokens seen in one content chunk (ITL gaps span that many). */
  max_chunk_tokens?: number;
  /** Per-token ITL: each chunk gap divided over that chunk's tokens; only when chunks held several tokens. */
  itl_per_token_ms?: Distribution | null;
  /** Open loop: the planned send rate, (n − 1) / (last − first scheduled send), req/s. */
  offered_rate_rps?: number;
  /** The rate requests actually left at, (n − 1) / (last − first send), req/s. */
  achieved_rate_rps?: number;
  /** Output tokens per second of the requests that met every SLO; null when no SLOs are configured. */
  token_goodput_tps?: number | null;
  /** Fraction of all measured requests (failures included) that met every SLO; null when no SLOs are configured. */
  slo_attainment?: number | null;
  /** SLO search over rates: the highest request rate found to meet the SLOs, req/s (0: none did). */
  capacity_rps?: number;
  /** SLO search over concurrency: the highest concurrency found to meet the SLOs (0: none did). */
  capacity_concurrency?: number;
};

export interface PercentileSummary {
  p50: number;
  p99: number;
  max: number;
}

export interface ClientHealth {
  /** sentAt − scheduledAt over open-loop requests (ms); zeros in a closed loop. */
  scheduleSlipMs: PercentileSummary;
  /** Event-loop delay measured during the run (ms). */
  eventLoopDelayMs: PercentileSummary;
  trustworthy: boolean;
  /** Why the client is not trustworthy (empty when it is). */
  reasons: string[];
}

export interface ScenarioResult {
  name: string;
  /** The scenario's configuration, normalised, as it ran (no secrets). */
  config: Record<string, unknown>;
  /** The measurement window: first measured send to last measured completion. */
  window: { startMs: EpochMs; endMs: EpochMs };
  metrics: ScenarioMetrics;
  requests: RequestRecord[];
  clientHealth?: ClientHealth;
  /** What the workload stage reports: approximate lengths (no tokenizer), skipped rows, sorting, speedup, the /tokenize check. */
  workloadNotes?: string[];
}

export interface RunResult {
  schemaVersion: 1;
  tool: { name: 'llm-perf-gate'; version: string };
  /** ISO 8601. */
  startedAt: string;
  target: { baseUrl: string; model: string; engine?: string; engineVersion?: string };
  environment: { commit?: string; ref?: string; runner?: string; gpu?: string; node?: string };
  clientHealth: ClientHealth;
  scenarios: ScenarioResult[];
}
