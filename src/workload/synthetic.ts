// Synthetic requests: prompts of common English words whose built-in token estimate is
// exactly the drawn input length, and max_tokens set to the drawn output length.
//
// Each request draws from its own stream, seeded by (seed, scenario, idPrefix, index): the
// same seed gives the same requests, request i does not change when the count does (so a
// duration-bound run can build specs lazily), and warmup requests (another idPrefix) differ
// from measured ones, so the warmup never pre-fills the prefix cache with a measured prompt.
import type { ScenarioConfig } from '../config/schema.js';
import type { ChatMessage, RequestSpec } from '../types.js';
import { checkLengthSpec, drawLength } from './lengths.js';
import { Random, deriveSeed } from './random.js';
import { COMMON_WORDS } from './words.js';

export interface SyntheticOptions {
  seed: number;
  idPrefix: string;
}

/** `count` words drawn at random from the common-word list, separated by single spaces. */
export function randomWords(rng: Random, count: number): string {
  const words = new Array<string>(count);
  for (let i = 0; i < count; i++) words[i] = COMMON_WORDS[rng.int(0, COMMON_WORDS.length - 1)];
  return words.join(' ');
}

/**
 * A function building request `index` of the scenario. The shared system prompt (when
 * `shared_prefix_tokens` > 0) depends only on the seed and scenario, so warmup and measured
 * requests share it.
 *
 * When the drawn input length is not larger than the shared prefix, the request still gets
 * the whole prefix plus one word of its own (a request must say something after the shared
 * part); its `inputTokens` then reports that real total, prefix + 1.
 */
export function syntheticRequestSource(scenario: ScenarioConfig, opts: SyntheticOptions): (index: number) => RequestSpec {
  const { workload } = scenario;
  checkLengthSpec(workload.input_tokens, `scenario '${scenario.name}': workload.input_tokens`);
  checkLengthSpec(workload.output_tokens, `scenario '${scenario.name}': workload.output_tokens`);
  const prefixTokens = workload.shared_prefix_tokens;
  const sharedPrefix = prefixTokens > 0 ? randomWords(new Random(deriveSeed(opts.seed, `${scenario.name}\u0000shared-prefix`)), prefixTokens) : '';

  return (index: number): RequestSpec => {
    const rng = new Random(deriveSeed(opts.seed, `${scenario.name}\u0000${opts.idPrefix}\u0000${index}`));
    const drawnInput = drawLength(workload.input_tokens, rng);
    const maxTokens = drawLength(workload.output_tokens, rng);
    const ownTokens = Math.max(1, drawnInput - prefixTokens);
    const own = randomWords(rng, ownTokens);
    const spec: RequestSpec = {
      id: `${opts.idPrefix}-${index}`,
      scenario: scenario.name,
      api: scenario.api,
      inputTokens: prefixTokens + ownTokens,
      maxTokens,
    };
    if (scenario.api === 'chat') {
      const messages: ChatMessage[] = [];
      if (prefixTokens > 0) messages.push({ role: 'system', content: sharedPrefix });
      messages.push({ role: 'user', content: own });
      spec.messages = messages;
    } else {
      spec.prompt = prefixTokens > 0 ? `${sharedPrefix} ${own}` : own;
    }
    if (prefixTokens > 0) spec.prefixGroup = `${scenario.name}/shared-prefix`;
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
