// Reading any results file the gate accepts: ours, or another tool's (vLLM bench serve,
// guidellm, genai-perf, inference-perf), named by `--from` or detected from its shape.
// Imported runs are our RunResult with provenance in scenario.config (see common.ts).
import { basename } from 'node:path';
import { InputError } from '../../errors.js';
import type { RunResult } from '../../types.js';
import { asObject } from './common.js';
import { importGenaiPerf, looksLikeGenaiPerf } from './genai-perf.js';
import { importGuidellm, looksLikeGuidellm } from './guidellm.js';
import { importInferencePerf, looksLikeInferencePerf } from './inference-perf.js';
import { parsePythonJson } from './python-json.js';
import { importVllm, looksLikeVllm } from './vllm.js';

export type ResultsFormat = 'llm-perf-gate' | 'vllm' | 'guidellm' | 'genai-perf' | 'inference-perf';

export const RESULTS_FORMATS: readonly ResultsFormat[] = ['llm-perf-gate', 'vllm', 'guidellm', 'genai-perf', 'inference-perf'];

export { importInfo, hasStatistic } from './common.js';
export type { ImportInfo } from './common.js';

/** The format of a parsed results file, or null when it is none we know. */
export function detectFormat(json: unknown): ResultsFormat | null {
  const o = asObject(json);
  if (!o) return null;
  if (o.schemaVersion !== undefined && asObject(o.tool)?.name === 'llm-perf-gate') return 'llm-perf-gate';
  if (looksLikeVllm(o)) return 'vllm';
  if (looksLikeGuidellm(o)) return 'guidellm';
  if (looksLikeInferencePerf(o)) return 'inference-perf';
  if (looksLikeGenaiPerf(o)) return 'genai-perf';
  return null;
}

/** Accepts the `--from` value: one of RESULTS_FORMATS (or 'auto' / undefined to detect). */
export function parseFromOption(from: string | undefined): ResultsFormat | undefined {
  if (from === undefined || from === '' || from === 'auto') return undefined;
  const f = from.toLowerCase().replace(/_/g, '-');
  const alias: Record<string, ResultsFormat> = { ours: 'llm-perf-gate', genaiperf: 'genai-perf', inferenceperf: 'inference-perf' };
  const format = (RESULTS_FORMATS as readonly string[]).includes(f) ? (f as ResultsFormat) : alias[f];
  if (!format) throw new InputError(`--from ${from}: not a known format; use one of ${RESULTS_FORMATS.join(', ')} (or leave it out to detect)`);
  return format;
}

/** Converts another tool's parsed document(s) to a RunResult. `source` names the file in errors. */
export function importResults(docs: readonly unknown[], format: Exclude<ResultsFormat, 'llm-perf-gate'>, source: string): RunResult {
  const first = asObject(docs[0]);
  if (!first) throw new InputError(`${source}: expected a JSON object written by ${format}`);
  const looks = { vllm: looksLikeVllm, guidellm: looksLikeGuidellm, 'genai-perf': looksLikeGenaiPerf, 'inference-perf': looksLikeInferencePerf }[format];
  if (!looks(first)) {
    const detected = detectFormat(first);
    throw new InputError(`${source}: does not look like a ${format} results file${detected ? ` (it looks like ${detected}; use --from ${detected})` : ''}`);
  }
  const stem = basename(source).replace(/\.json$/i, '').replace(/_genai_perf$/, '');
  switch (format) {
    case 'vllm':
      return importVllm(docs);
    case 'guidellm':
      return importGuidellm(first);
    case 'genai-perf':
      return importGenaiPerf(first, stem);
    case 'inference-perf':
      return importInferencePerf(first);
  }
}

type ParseRunResult = (text: string, source: string) => RunResult;

/** Our own results reader (src/report/results-file.ts), loaded when first needed. */
async function ourParser(): Promise<ParseRunResult> {
  const mod = (await import('../results-file.js')) as { parseRunResult: ParseRunResult };
  return mod.parseRunResult;
}

/**
 * Reads a results file of any known format. `from` names the format (as `--from`); without
 * it the format is detected. Errors are InputError naming the file and what to do.
 */
export async function readAnyResultsFile(path: string, from?: string): Promise<RunResult> {
  const format = parseFromOption(from);
  let text: string;
  try {
    // Loaded when needed, as ourParser is: size-checked, without a byte-order mark.
    text = await (await import('../results-file.js')).readBoundedText(path);
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${path}: cannot read the results file (${code ?? (e as Error).message}); check the path`);
  }
  if (format === 'llm-perf-gate') return (await ourParser())(text, path);
  if (text.trim() === '') throw new InputError(`${path}: the file is empty; expected a results file (JSON)`);
  let docs: unknown[];
  try {
    docs = parsePythonJson(text);
  } catch (e) {
    throw new InputError(`${path}: not valid JSON (${(e as Error).message}) — is the file truncated? Pass a results file written by llm-perf-gate, vLLM, guidellm, genai-perf or inference-perf`);
  }
  const detected = format ?? detectFormat(docs[0]);
  if (detected === null) {
    throw new InputError(`${path}: unknown results format; name it with --from ${RESULTS_FORMATS.join('|')}`);
  }
  if (detected === 'llm-perf-gate') return (await ourParser())(text, path);
  return importResults(docs, detected, path);
}
