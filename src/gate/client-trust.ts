// A run whose load generator fell behind (client health not trustworthy: schedule slip or
// event-loop delay over its bound) measured the client as much as the server. Its worse
// latencies and throughputs cannot be pinned on the server, so they do not fail the job as
// regressions: they become `inconclusive`, with a note that says why and what to do. Error
// rates stay as they are (the server's answers are counted, not timed), and so do
// improvements and unchanged results (a late client can only make a run look worse).
import type { Comparison, LimitCheck } from './types.js';

export const UNTRUSTED_NOTE = 'the load generator fell behind, so this worse figure may be the client’s, not the server’s; rerun on a quieter runner or at a lower load';

function timed(metric: string): boolean {
  return metric !== 'error_rate' && metric !== 'failed';
}

/** The comparisons and limits of a run whose client was (or was not) trustworthy. */
export function discountSlowClient(comparisons: Comparison[], limits: LimitCheck[], trustworthy: boolean): { comparisons: Comparison[]; limits: LimitCheck[] } {
  if (trustworthy) return { comparisons, limits };
  return {
    comparisons: comparisons.map((c) => (c.verdict === 'regression' && timed(c.metric) ? { ...c, verdict: 'inconclusive', note: UNTRUSTED_NOTE } : c)),
    limits: limits.map((l) => (l.breached && l.reason === 'slo' && timed(l.metric) ? { ...l, untrusted: true } : l)),
  };
}

/** A limit breach that counts as a regression (not one discounted for a slow client). */
export function failsLimit(l: LimitCheck): boolean {
  return l.breached && l.untrusted !== true;
}
