// The fault-injection spec of the simulator: which fault hits which requests. Parsed from a
// compact string (`429:0.1@2,reset:5%@3,stall:#10-19@10s,refuse:2s-4s`) or from JSON/YAML
// objects, validated with one-line errors that name the entry. See docs/simulator.md.

export const FAULT_KINDS = [
  '429', '500', '502', '503', '404', 'loading', 'refuse', 'restart', 'reset', 'stall', 'bad-json', 'no-data',
  'stream-error', 'stream-error-done', 'stream-error-nodone', 'empty', 'text-plain', 'no-usage', 'huge-chunk',
  'headers-delay',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Which requests a rule hits: a seeded fraction, a range of request indices, or a time window. */
export type FaultWhen =
  | { rate: number }
  /** Generation requests by arrival index (0-based), both ends included. */
  | { requests: [number, number] }
  /** Seconds since the server started: [from, to). */
  | { windowS: [number, number] };

export interface FaultRule {
  kind: FaultKind;
  when: FaultWhen;
  /** 429: the Retry-After header, seconds. Default 1. */
  retryAfterS: number;
  /** reset, stall, bad-json, no-data, stream-error*: after this many content chunks (≥ 0; 0 = before the first). Default 1. */
  afterChunks: number;
  /** stall: silence; headers-delay: delay before the headers; refuse/restart hit by a request: downtime. Seconds. */
  seconds: number;
  /** huge-chunk: the size of the one big chunk, MB (10^6 bytes). Default 10. */
  megabytes: number;
}

export interface FaultSpec {
  rules: FaultRule[];
  /** Seed of the rate draws. */
  seed: number;
}

/** Thrown for an invalid spec; the message is one line naming the entry. */
export class FaultSpecError extends Error {
  override name = 'FaultSpecError';
}

/** The unit of each kind's compact argument. */
const ARG_OF: Partial<Record<FaultKind, 'retryAfterS' | 'afterChunks' | 'seconds' | 'megabytes'>> = {
  '429': 'retryAfterS',
  reset: 'afterChunks',
  'bad-json': 'afterChunks',
  'no-data': 'afterChunks',
  'stream-error': 'afterChunks',
  'stream-error-done': 'afterChunks',
  'stream-error-nodone': 'afterChunks',
  stall: 'seconds',
  'headers-delay': 'seconds',
  refuse: 'seconds',
  restart: 'seconds',
  'huge-chunk': 'megabytes',
};

const DEFAULT_SECONDS: Partial<Record<FaultKind, number>> = { stall: 30, 'headers-delay': 30, refuse: 1, restart: 1 };

/** Most decimal places a rate may have: exact counts come from blocks of 10^this requests. */
export const MAX_RATE_DECIMALS = 4;

/** Parses and validates a spec: a compact string, a JSON string, or objects (already parsed YAML/JSON). */
export function parseFaultSpec(input: string | readonly unknown[] | Record<string, unknown>, seed = 0): FaultSpec {
  if (typeof input === 'string') {
    const text = input.trim();
    if (text.startsWith('[') || text.startsWith('{')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        throw new FaultSpecError(`faults: not valid JSON: ${(e as Error).message}`);
      }
      return parseFaultSpec(parsed as unknown[] | Record<string, unknown>, seed);
    }
    return validate(parseCompact(text, seed));
  }
  if (Array.isArray(input)) return validate({ rules: input.map((o, i) => ruleFromObject(o, `faults[${i}]`)), seed });
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const obj = input as Record<string, unknown>;
    const extra = Object.keys(obj).filter((k) => k !== 'seed' && k !== 'rules');
    if (extra.length > 0) throw new FaultSpecError(`faults: unknown key "${extra[0]}" (expected "rules" and optionally "seed")`);
    const s = obj.seed === undefined ? seed : obj.seed;
    if (typeof s !== 'number' || !Number.isSafeInteger(s)) throw new FaultSpecError('faults.seed must be an integer');
    if (!Array.isArray(obj.rules)) throw new FaultSpecError('faults.rules must be a list of fault objects');
    return validate({ rules: obj.rules.map((o, i) => ruleFromObject(o, `faults.rules[${i}]`)), seed: s });
  }
  throw new FaultSpecError('faults must be a string, a list of fault objects, or {rules, seed}');
}

function parseCompact(text: string, defaultSeed: number): FaultSpec {
  let seed = defaultSeed;
  const rules: FaultRule[] = [];
  if (text === '') return { rules, seed };
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    const where = `faults entry "${entry}"`;
    const seedMatch = /^seed=(-?\d+)$/.exec(entry);
    if (seedMatch) {
      seed = Number(seedMatch[1]);
      continue;
    }
    const m = /^([a-z0-9-]+)(?::([^@]+))?(?:@(.+))?$/.exec(entry);
    if (!m) throw new FaultSpecError(`${where}: expected KIND:WHEN[@ARG], e.g. 429:0.1@2 or reset:#5-9@3`);
    const kind = parseKind(m[1], where);
    if (m[2] === undefined) throw new FaultSpecError(`${where}: needs WHEN after "${kind}:" — a rate (0.05 or 5%), #N-M, or a window 2s-5s`);
    const rule = defaultRule(kind, parseWhen(m[2].trim(), where));
    if (m[3] !== undefined) applyCompactArg(rule, m[3].trim(), where);
    rules.push(rule);
  }
  return { rules, seed };
}

function parseKind(raw: string, where: string): FaultKind {
  if ((FAULT_KINDS as readonly string[]).includes(raw)) return raw as FaultKind;
  throw new FaultSpecError(`${where}: unknown fault "${raw}" (one of ${FAULT_KINDS.join(', ')})`);
}

function parseWhen(raw: string, where: string): FaultWhen {
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(raw);
  if (percent) return { rate: Number(percent[1]) / 100 };
  if (/^\d*\.?\d+$/.test(raw)) return { rate: Number(raw) };
  const range = /^#(\d+)(?:-(\d+))?$/.exec(raw);
  if (range) return { requests: [Number(range[1]), Number(range[2] ?? range[1])] };
  const window = /^(\d+(?:\.\d+)?)s-(\d+(?:\.\d+)?)s$/.exec(raw);
  if (window) return { windowS: [Number(window[1]), Number(window[2])] };
  throw new FaultSpecError(`${where}: WHEN "${raw}" must be a rate (0.05 or 5%), request indices (#7 or #10-19), or a window (2s-5s)`);
}

function applyCompactArg(rule: FaultRule, raw: string, where: string): void {
  const field = ARG_OF[rule.kind];
  if (!field) throw new FaultSpecError(`${where}: "${rule.kind}" takes no @ARG`);
  const m = /^(\d*\.?\d+)(s|ms|mb)?$/i.exec(raw);
  if (!m) throw new FaultSpecError(`${where}: @${raw} must be a number${field === 'afterChunks' ? ' of chunks' : field === 'megabytes' ? ' of MB' : ' of seconds (10s, 500ms)'}`);
  const n = Number(m[1]);
  const unit = m[2]?.toLowerCase();
  if (field === 'afterChunks' || field === 'megabytes') {
    if (unit !== undefined && !(field === 'megabytes' && unit === 'mb')) throw new FaultSpecError(`${where}: @${raw}: "${rule.kind}" takes ${field === 'afterChunks' ? 'a chunk count' : 'MB'}`);
    rule[field] = n;
    return;
  }
  if (unit === 'mb') throw new FaultSpecError(`${where}: @${raw}: "${rule.kind}" takes seconds`);
  rule[field] = unit === 'ms' ? n / 1000 : n;
}

function defaultRule(kind: FaultKind, when: FaultWhen): FaultRule {
  return { kind, when, retryAfterS: 1, afterChunks: 1, seconds: DEFAULT_SECONDS[kind] ?? 0, megabytes: 10 };
}

const OBJECT_KEYS = new Set(['kind', 'rate', 'requests', 'windowS', 'retryAfterS', 'afterChunks', 'seconds', 'megabytes']);

function ruleFromObject(o: unknown, where: string): FaultRule {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new FaultSpecError(`${where} must be an object like {kind: "429", rate: 0.1}`);
  const obj = o as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!OBJECT_KEYS.has(key)) throw new FaultSpecError(`${where}: unknown key "${key}" (allowed: ${[...OBJECT_KEYS].join(', ')})`);
  }
  if (typeof obj.kind !== 'string') throw new FaultSpecError(`${where}.kind must be a string (one of ${FAULT_KINDS.join(', ')})`);
  const kind = parseKind(obj.kind, where);
  const selectors = (['rate', 'requests', 'windowS'] as const).filter((k) => obj[k] !== undefined);
  if (selectors.length !== 1) throw new FaultSpecError(`${where}: give exactly one of rate, requests, windowS`);
  let when: FaultWhen;
  if (obj.rate !== undefined) {
    if (typeof obj.rate !== 'number') throw new FaultSpecError(`${where}.rate must be a number`);
    when = { rate: obj.rate };
  } else {
    const key = selectors[0] as 'requests' | 'windowS';
    const pair = obj[key];
    if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((x) => typeof x === 'number')) {
      throw new FaultSpecError(`${where}.${key} must be a pair of numbers [from, to]`);
    }
    when = key === 'requests' ? { requests: [pair[0], pair[1]] } : { windowS: [pair[0], pair[1]] };
  }
  const rule = defaultRule(kind, when);
  for (const key of ['retryAfterS', 'afterChunks', 'seconds', 'megabytes'] as const) {
    const v = obj[key];
    if (v === undefined) continue;
    if (typeof v !== 'number') throw new FaultSpecError(`${where}.${key} must be a number`);
    rule[key] = v;
  }
  return rule;
}

function validate(spec: FaultSpec): FaultSpec {
  let rateSum = 0;
  spec.rules.forEach((r, i) => {
    const where = `faults rule ${i + 1} (${r.kind})`;
    const w = r.when;
    if ('rate' in w) {
      if (!(w.rate > 0 && w.rate <= 1)) throw new FaultSpecError(`${where}: rate must be in (0, 1] (got ${w.rate})`);
      if (decimals(w.rate) > MAX_RATE_DECIMALS) throw new FaultSpecError(`${where}: rate may have at most ${MAX_RATE_DECIMALS} decimals (got ${w.rate})`);
      rateSum += w.rate;
    } else if ('requests' in w) {
      const [a, b] = w.requests;
      if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < a) throw new FaultSpecError(`${where}: request indices must be integers 0 <= from <= to (got ${a}-${b})`);
    } else {
      const [a, b] = w.windowS;
      if (!Number.isFinite(a) || !Number.isFinite(b) || a < 0 || b <= a) throw new FaultSpecError(`${where}: window must satisfy 0 <= from < to seconds (got ${a}s-${b}s)`);
    }
    if (r.kind === 'loading' && !('windowS' in w)) throw new FaultSpecError(`${where}: "loading" takes a time window (e.g. loading:0s-5s)`);
    if (!Number.isFinite(r.retryAfterS) || r.retryAfterS < 0 || !Number.isInteger(r.retryAfterS)) throw new FaultSpecError(`${where}: retryAfterS must be an integer >= 0`);
    if (!Number.isInteger(r.afterChunks) || r.afterChunks < 0) throw new FaultSpecError(`${where}: afterChunks must be an integer >= 0`);
    if (!Number.isFinite(r.seconds) || r.seconds < 0 || r.seconds > 3600) throw new FaultSpecError(`${where}: seconds must be between 0 and 3600`);
    if (!Number.isFinite(r.megabytes) || r.megabytes <= 0 || r.megabytes > 512) throw new FaultSpecError(`${where}: megabytes must be in (0, 512]`);
  });
  if (rateSum > 1 + 1e-9) throw new FaultSpecError(`faults: the rates add up to ${round6(rateSum)}; at most 1 (each request gets at most one fault)`);
  if (!Number.isSafeInteger(spec.seed)) throw new FaultSpecError('faults seed must be an integer');
  return spec;
}

export function decimals(x: number): number {
  for (let d = 0; d <= 12; d++) {
    const scaled = x * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * Math.max(1, scaled)) return d;
  }
  return 13;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
