// The workload stage's one entry point: a scenario's config → the requests to send.
// Synthetic prompts are built on demand; data files and traces are read (streaming) when the
// scenario starts, keeping only what the run can send, and their requests are built on
// demand from that (long trace prompts are never all in memory at once).
import { resolve } from 'node:path';
import type { ScenarioConfig, SyntheticWorkload } from '../config/schema.js';
import { InputError } from '../errors.js';
import type { RequestSpec } from '../types.js';
import { datasetRequestBuilder, DEFAULT_OUTPUT_TOKENS, type DatasetItem } from './dataset.js';
import { checkLengthSpec } from './lengths.js';
import { withLookahead } from './lookahead.js';
import { loadPromptFile } from './prompt-file.js';
import { PromptWords } from './prompt-words.js';
import { Random, deriveSeed } from './random.js';
import { loadShareGpt } from './sharegpt.js';
import { buildSyntheticRequests, syntheticRequestSource } from './synthetic.js';
import { APPROXIMATE_NOTE, WORD_ESTIMATE, type TokenCounter } from './token-counter.js';
import { loadTokenizer, type LoadedTokenizer } from './tokenizer.js';
import { loadTrace } from './trace-reader.js';
import { toPrompt, traceRequestBuilder } from './trace-requests.js';

export type { TokenCounter } from './token-counter.js';
export type { LoadedTokenizer } from './tokenizer.js';

export interface RequestSourceOptions {
  seed: number;
  idPrefix: string;
  /** Data and tokenizer paths are relative to this (the config file's folder); default: the working directory. */
  baseDir?: string;
}

export interface RequestSource {
  /** Request `index` of the measured phase; undefined when the data (or `load.requests`) is exhausted. */
  measured: (index: number) => RequestSpec | undefined;
  /** `count` warmup requests, never sharing a prompt with the measured ones. */
  warmup: (count: number) => RequestSpec[];
  /** What the results should say about the workload: approximate lengths, skipped rows, sorting, speedup. */
  notes: string[];
  /** How lengths were counted; the client may count output tokens with it when a server sends no usage. */
  counter: TokenCounter;
  /** The tokenizer, when the config gives one. */
  tokenizer?: LoadedTokenizer;
}

/** Without `load.requests`, a data file is read up to this many requests (they repeat beyond it). */
export const MAX_DATASET_ITEMS = 10_000;
const WARMUP_MAX_INPUT = 4096;
/** Trace requests built ahead of their send time (see lookahead.ts). */
const TRACE_LOOKAHEAD = 16;
const WARMUP_MAX_OUTPUT = 256;

const tokenizers = new Map<string, Promise<LoadedTokenizer>>();

function cachedTokenizer(path: string): Promise<LoadedTokenizer> {
  let t = tokenizers.get(path);
  if (!t) {
    t = loadTokenizer(path);
    tokenizers.set(path, t);
    t.catch(() => tokenizers.delete(path));
  }
  return t;
}

export async function openRequestSource(scenario: ScenarioConfig, opts: RequestSourceOptions): Promise<RequestSource> {
  const w = scenario.workload;
  const at = (p: string): string => resolve(opts.baseDir ?? process.cwd(), p);
  const tokenizer = w.tokenizer !== undefined ? await cachedTokenizer(at(w.tokenizer)) : undefined;
  const counter: TokenCounter = tokenizer ?? WORD_ESTIMATE;
  const words = new PromptWords(counter);
  const notes: string[] = [tokenizer ? `lengths counted with the tokenizer ${tokenizer.name} (message contents; the chat template adds tokens the server counts)` : APPROXIMATE_NOTE];
  const limit = scenario.load.requests;
  const capped = (build: (i: number) => RequestSpec | undefined) => (i: number) => (limit === undefined || i < limit ? build(i) : undefined);
  const field = `scenario '${scenario.name}': workload`;
  if (w.output_tokens !== undefined) checkLengthSpec(w.output_tokens, `${field}.output_tokens`);

  if (w.source === 'synthetic') {
    return syntheticSource(scenario, w, opts, words, notes, counter, tokenizer);
  }

  const base = { scenario: scenario.name, api: scenario.api, seed: opts.seed, idPrefix: opts.idPrefix, outputTokens: w.output_tokens };
  let items: DatasetItem[];
  let measured: (i: number) => RequestSpec | undefined;
  if (w.source === 'trace') {
    const trace = await loadTrace(at(w.path), w, {
      seed: opts.seed,
      maxRows: limit,
      maxOffsetMs: scenario.load.duration_s !== undefined ? scenario.load.duration_s * 1000 : undefined,
    });
    notes.push(...trace.notes);
    const blockSize = w.block_size ?? (w.format === 'bailian' ? 16 : 512);
    words.drawFast(new Random(0), 8); // builds the phrase pool now, not during the replay
    const build = traceRequestBuilder(trace.rows, { ...base, words, blockSize });
    notes.push(...checkSample(build, trace.rows.length, tokenizer)); // the plain builder: a sample must not look like the replay's takes
    measured = withLookahead(build, TRACE_LOOKAHEAD);
    items = trace.rows.slice(0, 64).map((r) => ({ line: r.line, messages: [], inputTokens: r.inputTokens, outputTokens: r.outputTokens }));
    notes.push(`${trace.rows.length} requests from ${w.format} trace ${w.path} (${trace.read} rows read)`);
  } else {
    const maxItems = limit ?? MAX_DATASET_ITEMS;
    if (w.source === 'sharegpt') {
      const loaded = await loadShareGpt(at(w.path), w, counter, maxItems);
      items = loaded.items;
      notes.push(...loaded.notes);
    } else {
      const timed = w.source === 'request_log' && w.use_timestamps;
      const loaded = await loadPromptFile(at(w.path), {
        kind: w.source,
        counter,
        skipInvalid: w.skip_invalid,
        maxItems,
        speedup: timed ? w.speedup : undefined,
      });
      items = loaded.items;
      notes.push(...loaded.notes);
    }
    if (items.length === 0) throw new InputError(`${at(w.path)}: no usable ${w.source} entries (see the filters and skip_invalid in docs/workloads.md)`);
    const timedReplay = items[0].offsetMs !== undefined;
    measured = datasetRequestBuilder(items, { ...base, defaultOutputTokens: DEFAULT_OUTPUT_TOKENS, repeat: !timedReplay });
    notes.push(`${items.length} ${w.source === 'sharegpt' ? (w.multi_turn ? 'turns' : 'prompts') : 'requests'} from ${w.path}`);
    if (!timedReplay && limit !== undefined && limit > items.length) notes.push(`the ${items.length} prompts repeat to make ${limit} requests`);
  }
  return { measured: capped(measured), warmup: (count) => dataWarmup(items, count, scenario, opts, words), notes, counter, tokenizer };
}

function syntheticSource(
  scenario: ScenarioConfig,
  w: SyntheticWorkload,
  opts: RequestSourceOptions,
  words: PromptWords,
  notes: string[],
  counter: TokenCounter,
  tokenizer: LoadedTokenizer | undefined,
): RequestSource {
  const build = syntheticRequestSource(scenario, { seed: opts.seed, idPrefix: opts.idPrefix, words });
  const limit = scenario.load.requests;
  void w;
  return {
    measured: (i) => (limit === undefined || i < limit ? build(i) : undefined),
    warmup: (count) => buildSyntheticRequests(scenario, { seed: opts.seed + 1_000_003, count, idPrefix: `${scenario.name}-warmup`, words }),
    notes,
    counter,
    tokenizer,
  };
}

/** Warmup for data sources: fresh random prompts with the lengths of the first items (capped), no arrival times. */
function dataWarmup(items: readonly DatasetItem[], count: number, scenario: ScenarioConfig, opts: RequestSourceOptions, words: PromptWords): RequestSpec[] {
  const out: RequestSpec[] = [];
  for (let i = 0; i < count && items.length > 0; i++) {
    const item = items[i % items.length];
    const rng = new Random(deriveSeed(opts.seed, `${scenario.name}\u0000warmup\u0000${i}`));
    const { text, tokens } = words.exact(rng, Math.max(1, Math.min(WARMUP_MAX_INPUT, item.inputTokens)));
    const spec: RequestSpec = {
      id: `${scenario.name}-warmup-${i}`,
      scenario: scenario.name,
      api: scenario.api,
      inputTokens: tokens,
      maxTokens: Math.max(1, Math.min(WARMUP_MAX_OUTPUT, item.outputTokens ?? DEFAULT_OUTPUT_TOKENS)),
    };
    if (scenario.api === 'chat') spec.messages = [{ role: 'user', content: text }];
    else spec.prompt = text;
    out.push(spec);
  }
  return out;
}

/** With a tokenizer, recounts the first few trace prompts and says when they are not exact. */
function checkSample(build: (i: number) => RequestSpec | undefined, count: number, tokenizer: LoadedTokenizer | undefined): string[] {
  if (!tokenizer) return [];
  const off: string[] = [];
  for (let i = 0; i < Math.min(3, count); i++) {
    const spec = build(i);
    if (!spec) break;
    const text = spec.prompt ?? toPrompt(spec.messages ?? []);
    const counted = tokenizer.count(text);
    if (counted !== spec.inputTokens) off.push(`request ${i}: ${counted} tokens for ${spec.inputTokens}`);
  }
  return off.length ? [`the tokenizer counts some trace prompts differently from their target length (${off.join('; ')})`] : [];
}
