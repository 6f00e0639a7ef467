// Loads a Hugging Face tokenizer.json from disk (offline, no hub access) with
// @huggingface/tokenizers, a dependency-free pure-JS implementation of the `tokenizers`
// crate's pipeline (normalizer, pre-tokenizer, BPE/WordPiece/Unigram model). A
// tokenizer_config.json beside it is read when present (it carries e.g. add_bos_token).
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { InputError } from '../errors.js';
import type { TokenCounter } from './token-counter.js';

export interface LoadedTokenizer extends TokenCounter {
  readonly source: 'tokenizer';
  /** Token ids of a text, without special tokens. */
  encode(text: string): number[];
  decode(ids: number[]): string;
  /** The vocabulary's tokens by id order (for finding single-token words). */
  vocabulary(): string[];
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`${path}: cannot read the ${what} (${code === 'ENOENT' ? 'no such file' : code ?? 'error'})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(`${path}: the ${what} is not valid JSON (${(err as Error).message})`);
  }
}

async function readOptionalConfig(path: string): Promise<Record<string, unknown>> {
  try {
    const text = await readFile(path, 'utf8');
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {}; // optional: a missing or unreadable tokenizer_config.json changes nothing we count
  }
}

/** Loads `path` (a tokenizer.json); an InputError names the file when it is missing or unusable. */
export async function loadTokenizer(path: string): Promise<LoadedTokenizer> {
  const json = await readJson(path, 'tokenizer');
  if (json === null || typeof json !== 'object' || !('model' in json)) {
    throw new InputError(`${path}: not a Hugging Face tokenizer.json (no "model" section); give the tokenizer.json of the served model`);
  }
  const config = await readOptionalConfig(join(dirname(path), 'tokenizer_config.json'));
  // The library expects every pipeline section to be present (null when unused).
  const full = { normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, added_tokens: [], ...(json as Record<string, unknown>) };
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(full, config);
    tokenizer.encode('probe', { add_special_tokens: false });
  } catch (err) {
    throw new InputError(`${path}: cannot use this tokenizer (${(err as Error).message})`);
  }
  const encode = (text: string): number[] => tokenizer.encode(text, { add_special_tokens: false }).ids;
  return {
    source: 'tokenizer',
    name: path,
    count: (text) => encode(text).length,
    encode,
    decode: (ids) => tokenizer.decode(ids, { skip_special_tokens: true }),
    vocabulary: () => [...tokenizer.get_vocab(false).entries()].sort((a, b) => a[1] - b[1]).map(([token]) => token),
  };
}
