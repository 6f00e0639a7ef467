// Which fault (if any) each request gets, from a validated FaultSpec. Pure and seeded: the
// same spec and request index always give the same answer, whatever the timing.
//
// Rates are exact, not coin flips: requests are cut into blocks of 10^d (d = the most decimals
// of any rate, so rate × block is a whole number); in each block a seeded shuffle picks the
// positions, and rule j takes the next rate_j × block of them. So "reset:0.05" hits exactly 5
// of every 100 consecutive requests, and no request gets two rate faults.

import { decimals, type FaultRule, type FaultSpec } from './fault-spec.js';
import { hashSeed, mulberry32 } from './random.js';

const BLOCK_SALT = 0x5bd1e995;

export class FaultPlan {
  readonly blockSize: number;
  private readonly rateRules: { rule: FaultRule; perBlock: number }[] = [];
  private readonly scheduled: FaultRule[];
  private readonly blocks = new Map<number, Int32Array>();

  constructor(readonly spec: FaultSpec) {
    let d = 0;
    for (const r of spec.rules) if ('rate' in r.when) d = Math.max(d, decimals(r.when.rate));
    this.blockSize = 10 ** d;
    for (const r of spec.rules) {
      if ('rate' in r.when) this.rateRules.push({ rule: r, perBlock: Math.round(r.when.rate * this.blockSize) });
    }
    this.scheduled = spec.rules.filter((r) => !('rate' in r.when));
  }

  get empty(): boolean {
    return this.spec.rules.length === 0;
  }

  /**
   * The fault of generation request `index` (0-based, in arrival order) arriving `elapsedS`
   * seconds after start: the first scheduled rule (index range or time window) that covers
   * it, else its rate fault, else null. `loading` windows are answered by the server itself.
   */
  faultFor(index: number, elapsedS: number): FaultRule | null {
    for (const r of this.scheduled) {
      if (r.kind === 'loading') continue;
      const w = r.when;
      if ('requests' in w && index >= w.requests[0] && index <= w.requests[1]) return r;
      // A refuse/restart window is a server state (timers), not a per-request fault.
      if ('windowS' in w && r.kind !== 'refuse' && r.kind !== 'restart' && elapsedS >= w.windowS[0] && elapsedS < w.windowS[1]) return r;
    }
    if (this.rateRules.length === 0) return null;
    const block = Math.floor(index / this.blockSize);
    const slot = this.blockSlots(block)[index - block * this.blockSize];
    return slot >= 0 ? this.rateRules[slot].rule : null;
  }

  /** Rules that act on time windows by themselves: loading, and refuse/restart with a window. */
  windowRules(): FaultRule[] {
    return this.scheduled.filter((r) => 'windowS' in r.when && (r.kind === 'loading' || r.kind === 'refuse' || r.kind === 'restart'));
  }

  /** For each position of the block, the index of its rate rule or -1. */
  private blockSlots(block: number): Int32Array {
    let slots = this.blocks.get(block);
    if (slots) return slots;
    const n = this.blockSize;
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const rand = mulberry32((hashSeed(this.spec.seed) ^ Math.imul(block + 1, BLOCK_SALT)) >>> 0);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    slots = new Int32Array(n).fill(-1);
    let next = 0;
    this.rateRules.forEach(({ perBlock }, ruleIndex) => {
      for (let k = 0; k < perBlock; k++) slots![order[next++]] = ruleIndex;
    });
    // Requests mostly arrive in order: keep only a few recent blocks.
    if (this.blocks.size >= 4) this.blocks.delete(this.blocks.keys().next().value as number);
    this.blocks.set(block, slots);
    return slots;
  }
}
