// Synthetic requests: prompts whose token count (by the workload's counter: the built-in
// word estimate, or a tokenizer) is exactly the drawn input length, and max_tokens set to
// the drawn output length.
//
// Each request draws from its own stream, seeded by (seed, scenario, idPrefix, index): the
// same seed gives the same requests, request i does not change when the count does (so a
// duration-bound run can build specs lazily), and warmup requests (another idPrefix) differ
// from measured ones, so the warmup never pre-fills the prefix cache with a measured prompt.
//
// Prefix sharing: `shared_prefix_tokens` gives every request one system prompt; `groups`
// with `prefix_tokens` deals requests round-robin over that many system prompts (request i
// in group i mod groups), and `prompts_per_group` makes each group ask a fixed set of
// questions in turn, so whole requests repeat (inference-perf's shared_prefix shape).
import type { ScenarioConfig, SyntheticWorkload } from '../config/schema.js';
import { InputError } from '../errors.js';
import type { ChatMessage, RequestSpec } from '../types.js';
import { checkLengthSpec, drawLength } from './lengths.js';
import { PromptWords } from './prompt-words.js';
import { Random, deriveSeed } from './random.js';
import { WORD_ESTIMATE } from './token-counter.js';
import { COMMON_WORDS } from './words.js';

export interface SyntheticOptions {
  seed: number;
  idPrefix: string;
  /** Words for the counter in use (a tokenizer's); default: the built-in estimate's. */
  words?: PromptWords;
}

/** `count` words drawn at random from the common-word list, separated by single spaces. */
export function randomWords(rng: Random, count: number): string {
  const words = new Array<string>(count);
  for (let i = 0; i < count; i++) words[i] = COMMON_WORDS[rng.int(0, COMMON_WORDS.length - 1)];
  return words.join(' ');
}

let estimateWords: PromptWords | undefined;

function syntheticWorkload(scenario: ScenarioConfig): SyntheticWorkload {
  const w = scenario.workload;
  if (w.source !== 'synthetic') throw new Error(`scenario '${scenario.name}' reads ${w.source}, not synthetic prompts`);
  return w;
}

interface PrefixPlan {
  /** Tokens of the shared part, and how many distinct shared parts there are. */
  tokens: number;
  groups: number;
  promptsPerGroup?: number;
}

function prefixPlan(scenario: ScenarioConfig, w: SyntheticWorkload): PrefixPlan {
  const field = `scenario '${scenario.name}': workload`;
  if (w.groups === undefined && w.prefix_tokens === undefined) {
    if (w.prompts_per_group !== undefined) throw new InputError(`${field}.prompts_per_group needs groups and prefix_tokens`);
    return { tokens: w.shared_prefix_tokens, groups: 1 };
  }
  if (w.shared_prefix_tokens > 0) throw new InputError(`${field}: give shared_prefix_tokens or groups/prefix_tokens, not both`);
  if (w.prefix_tokens === undefined) throw new InputError(`${field}.groups needs prefix_tokens (the tokens each group's requests share)`);
  return { tokens: w.prefix_tokens, groups: w.groups ?? 1, promptsPerGroup: w.prompts_per_group };
}

/**
 * A function building request `index` of the scenario. Shared system prompts depend only on
 * the seed, scenario and group, so warmup and measured requests share them.
 *
 * When the drawn input length is not larger than the shared prefix, the request still gets
 * the whole prefix plus one word of its own (a request must say something after the shared
 * part); its `inputTokens` then reports that real total, prefix + 1.
 */
export function syntheticRequestSource(scenario: ScenarioConfig, opts: SyntheticOptions): (index: number) => RequestSpec {
  const workload = syntheticWorkload(scenario);
  checkLengthSpec(workload.input_tokens, `scenario '${scenario.name}': workload.input_tokens`);
  checkLengthSpec(workload.output_tokens, `scenario '${scenario.name}': workload.output_tokens`);
  const words = opts.words ?? (estimateWords ??= new PromptWords(WORD_ESTIMATE));
  const plan = prefixPlan(scenario, workload);
  const prefixes = new Map<number, { text: string; tokens: number }>();
  const prefixOf = (group: number): { text: string; tokens: number } => {
    let p = prefixes.get(group);
    if (!p) {
      // Group 0 of a single shared prefix keeps its original seed label (stable across versions).
      const label = plan.groups === 1 && plan.promptsPerGroup === undefined ? `${scenario.name}\u0000shared-prefix` : `${scenario.name}\u0000group\u0000${group}`;
      p = words.exact(new Random(deriveSeed(opts.seed, label)), plan.tokens);
      prefixes.set(group, p);
    }
    return p;
  };

  return (index: number): RequestSpec => {
    const group = index % plan.groups;
    const label =
      plan.promptsPerGroup === undefined
        ? `${scenario.name}\u0000${opts.idPrefix}\u0000${index}`
        : `${scenario.name}\u0000group\u0000${group}\u0000prompt\u0000${Math.floor(index / plan.groups) % plan.promptsPerGroup}`;
    const rng = new Random(deriveSeed(opts.seed, label));
    const drawnInput = drawLength(workload.input_tokens, rng, index);
    const maxTokens = drawLength(workload.output_tokens, rng, index);
    const prefix = plan.tokens > 0 ? prefixOf(group) : { text: '', tokens: 0 };
    const own = words.exact(rng, Math.max(1, drawnInput - plan.tokens));
    const spec: RequestSpec = {
      id: `${opts.idPrefix}-${index}`,
      scenario: scenario.name,
      api: scenario.api,
      inputTokens: prefix.tokens + own.tokens,
      maxTokens,
    };
    if (scenario.api === 'chat') {
      const messages: ChatMessage[] = [];
      if (prefix.tokens > 0) messages.push({ role: 'system', content: prefix.text });
      messages.push({ role: 'user', content: own.text });
      spec.messages = messages;
    } else {
      spec.prompt = prefix.tokens > 0 ? `${prefix.text} ${own.text}` : own.text;
    }
    if (plan.tokens > 0) spec.prefixGroup = plan.groups === 1 && plan.promptsPerGroup === undefined ? `${scenario.name}/shared-prefix` : `${scenario.name}/group-${group}`;
    return spec;
  };
}

/** `count` synthetic requests with ids `${idPrefix}-0` … `${idPrefix}-${count − 1}`. */
export function buildSyntheticRequests(scenario: ScenarioConfig, opts: SyntheticOptions & { count: number }): RequestSpec[] {
  const build = syntheticRequestSource(scenario, opts);
  const specs = new Array<RequestSpec>(opts.count);
  for (let i = 0; i < opts.count; i++) specs[i] = build(i);
  return specs;
}
