import { describe, expect, it } from 'vitest';
import { FaultPlan } from '../../src/sim/fault-plan.js';
import { FAULT_KINDS, FaultSpecError, parseFaultSpec } from '../../src/sim/fault-spec.js';

describe('fault spec: the compact form', () => {
  it('reads kinds, rates, index ranges, windows and arguments with units', () => {
    const spec = parseFaultSpec('seed=7, 429:0.1@2, reset:5%@3, stall:#10-19@500ms, refuse:2s-4.5s, huge-chunk:#3@2mb, 500:#4');
    expect(spec.seed).toBe(7);
    expect(spec.rules.map((r) => [r.kind, r.when])).toEqual([
      ['429', { rate: 0.1 }],
      ['reset', { rate: 0.05 }],
      ['stall', { requests: [10, 19] }],
      ['refuse', { windowS: [2, 4.5] }],
      ['huge-chunk', { requests: [3, 3] }],
      ['500', { requests: [4, 4] }],
    ]);
    expect(spec.rules[0].retryAfterS).toBe(2);
    expect(spec.rules[1].afterChunks).toBe(3);
    expect(spec.rules[2].seconds).toBe(0.5);
    expect(spec.rules[3].seconds).toBe(1); // only used when a request triggers it
    expect(spec.rules[4].megabytes).toBe(2);
    expect(spec.rules[5]).toMatchObject({ retryAfterS: 1, afterChunks: 1, megabytes: 10 });
    expect(parseFaultSpec('stall:0.1').rules[0].seconds).toBe(30);
    expect(parseFaultSpec('headers-delay:#0').rules[0].seconds).toBe(30);
  });

  it('accepts JSON and objects with the same meaning', () => {
    const compact = parseFaultSpec('429:0.1@2,stall:#5-6@10s,loading:0s-3s', 4);
    const json = parseFaultSpec(
      JSON.stringify({ seed: 4, rules: [{ kind: '429', rate: 0.1, retryAfterS: 2 }, { kind: 'stall', requests: [5, 6], seconds: 10 }, { kind: 'loading', windowS: [0, 3] }] }),
    );
    expect(json).toEqual(compact);
    expect(parseFaultSpec([{ kind: 'reset', rate: 0.5, afterChunks: 0 }]).rules[0]).toMatchObject({ kind: 'reset', afterChunks: 0 });
    expect(parseFaultSpec('').rules).toEqual([]);
  });

  it('rejects bad specs with one line naming the entry', () => {
    const cases: [unknown, RegExp][] = [
      ['teapot:0.1', /^faults entry "teapot:0.1": unknown fault "teapot" \(one of 429, 500/],
      ['429', /needs WHEN after "429:"/],
      ['429:often', /WHEN "often" must be a rate/],
      ['429:1.5', /rate must be in \(0, 1\] \(got 1.5\)/],
      ['429:0.00001', /at most 4 decimals/],
      ['429:0.6,500:0.6', /rates add up to 1.2; at most 1/],
      ['500:0.1@3', /"500" takes no @ARG/],
      ['reset:0.1@3s', /"reset" takes a chunk count/],
      ['stall:0.1@2mb', /"stall" takes seconds/],
      ['refuse:5s-2s', /window must satisfy 0 <= from < to/],
      ['stall:#9-3', /request indices must be integers 0 <= from <= to/],
      ['loading:0.5', /"loading" takes a time window/],
      ['{not json', /^faults: not valid JSON/],
      [[{ kind: '429' }], /faults\[0\]: give exactly one of rate, requests, windowS/],
      [[{ kind: '429', rate: 0.1, bogus: 1 }], /faults\[0\]: unknown key "bogus"/],
      [{ rules: [], extra: 1 }, /unknown key "extra"/],
      [[{ kind: 'huge-chunk', rate: 0.1, megabytes: 9999 }], /megabytes must be in \(0, 512\]/],
    ];
    for (const [input, message] of cases) {
      let error: unknown;
      try {
        parseFaultSpec(input as string);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(input)).toBeInstanceOf(FaultSpecError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('knows every documented kind', () => {
    for (const kind of FAULT_KINDS) {
      const when = kind === 'loading' ? '0s-1s' : '#0';
      expect(parseFaultSpec(`${kind}:${when}`).rules[0].kind).toBe(kind);
    }
  });
});

describe('fault plan: which request gets which fault', () => {
  it('hits exactly rate × block requests in every block, disjointly, the same for the same seed', () => {
    const plan = new FaultPlan(parseFaultSpec('seed=3,429:0.05,reset:0.1,500:0.01'));
    expect(plan.blockSize).toBe(100);
    const counts = (from: number, to: number): Record<string, number> => {
      const c: Record<string, number> = {};
      for (let i = from; i < to; i++) {
        const f = plan.faultFor(i, 0);
        if (f) c[f.kind] = (c[f.kind] ?? 0) + 1;
      }
      return c;
    };
    for (let block = 0; block < 5; block++) expect(counts(block * 100, block * 100 + 100)).toEqual({ '429': 5, reset: 10, '500': 1 });
    const again = new FaultPlan(parseFaultSpec('seed=3,429:0.05,reset:0.1,500:0.01'));
    const picks = (p: FaultPlan): (string | null)[] => Array.from({ length: 300 }, (_, i) => p.faultFor(i, 0)?.kind ?? null);
    expect(picks(again)).toEqual(picks(plan));
    expect(picks(new FaultPlan(parseFaultSpec('seed=4,429:0.05,reset:0.1,500:0.01')))).not.toEqual(picks(plan));
  });

  it('gives scheduled rules (index ranges, time windows) precedence over rates', () => {
    const plan = new FaultPlan(parseFaultSpec('reset:1,500:#2-3,503:1s-2s,refuse:0s-9s,loading:0s-9s'));
    expect(plan.faultFor(0, 0)?.kind).toBe('reset');
    expect(plan.faultFor(2, 0)?.kind).toBe('500');
    expect(plan.faultFor(3, 5)?.kind).toBe('500');
    expect(plan.faultFor(4, 1.5)?.kind).toBe('503');
    expect(plan.faultFor(4, 2)?.kind).toBe('reset'); // windows are [from, to)
    // refuse/loading windows are server states, not per-request answers.
    expect(plan.windowRules().map((r) => r.kind)).toEqual(['refuse', 'loading']);
  });
});
