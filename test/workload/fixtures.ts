// Shared helpers of the workload tests: the public data samples (../shared/data beside the
// repository, as in CI), temporary files, and a small byte-level BPE tokenizer.json built
// here (GPT-2's layout) so tokenizer tests need no download.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMON_WORDS } from '../../src/workload/words.js';

/** The data samples folder; fails loudly (never skips) when it is missing. */
export function dataFile(name: string): string {
  const path = fileURLToPath(new URL(`../../../shared/data/${name}`, import.meta.url));
  if (!existsSync(path)) throw new Error(`test data ${path} is missing: the shared/ folder must sit beside the repository`);
  return path;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'llm-perf-gate-workload-'));
}

export function writeTemp(dir: string, name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** GPT-2's map of bytes to printable characters (space → Ġ). */
function bytesToUnicode(): string[] {
  const keep: number[] = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const out = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) out[b] = keep.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++);
  return out;
}

/**
 * A byte-level BPE tokenizer.json. Every other common word (even index) merges into one
 * token, with and without its leading space; the others stay split into two or more
 * pieces, so only part of the word list is usable for exact prompts.
 */
export function buildTestTokenizer(): Record<string, unknown> {
  const chars = bytesToUnicode();
  const vocab: Record<string, number> = {};
  const add = (t: string): void => {
    if (!(t in vocab)) vocab[t] = Object.keys(vocab).length;
  };
  chars.forEach(add);
  const merges: string[] = [];
  const mergeChain = (word: string, upTo: number): void => {
    let cur = word[0];
    for (let i = 1; i < upTo; i++) {
      const next = cur + word[i];
      if (!(next in vocab)) {
        merges.push(`${cur} ${word[i]}`);
        add(next);
      }
      cur = next;
    }
  };
  COMMON_WORDS.forEach((w, i) => {
    const whole = i % 2 === 0;
    mergeChain(`Ġ${w}`, whole ? w.length + 1 : Math.min(2, w.length));
    mergeChain(w, whole ? w.length : Math.min(1, w.length));
  });
  add('<|endoftext|>');
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [{ id: vocab['<|endoftext|>'], content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, vocab, merges },
  };
}

export function writeTestTokenizer(dir: string): string {
  return writeTemp(dir, 'tokenizer.json', JSON.stringify(buildTestTokenizer()));
}
