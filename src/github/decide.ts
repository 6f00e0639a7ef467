// The action's decisions from the inputs and the gate's answer, as pure functions:
// whether to comment, whether to save the baseline, and whether (and why) to fail the job.
import type { GateDecision, OverallVerdict } from '../gate/types.js';
import type { ActionContext } from './context.js';
import { isPushToDefaultBranch } from './context.js';
import type { CommentMode, FailOn, SaveBaseline } from './inputs.js';

/** `on-change`: any verdict that is not "unchanged" (a limit breach, no baseline, an inconclusive metric…). */
export function shouldComment(mode: CommentMode, decision: Pick<GateDecision, 'verdict' | 'comparisons' | 'limits'>): boolean {
  switch (mode) {
    case 'always':
      return true;
    case 'never':
      return false;
    case 'on-regression':
      return decision.verdict === 'regression';
    case 'on-change':
      return decision.verdict !== 'pass' || decision.comparisons.some((c) => c.verdict !== 'unchanged') || decision.limits.some((l) => l.breached);
  }
}

/** A run whose verdict is `error` is never saved; `auto` saves on a push to the default branch. */
export function shouldSaveBaseline(mode: SaveBaseline, ctx: ActionContext, verdict: OverallVerdict): boolean {
  if (verdict === 'error' || mode === 'never') return false;
  if (mode === 'always') return true;
  return isPushToDefaultBranch(ctx);
}

export interface FailureDecision {
  /** One line for core.setFailed, or undefined when the job passes. */
  fail?: string;
  /** One line for the log when a regression is reported but accepted. */
  notice?: string;
}

export function failureDecision(decision: Pick<GateDecision, 'verdict' | 'reasons'>, failOn: FailOn, acceptLabel: string, labels: readonly string[]): FailureDecision {
  const why = decision.reasons[0] ? `: ${decision.reasons[0]}` : '';
  if (decision.verdict === 'error') return { fail: `llm-perf-gate: the run failed${why}` };
  if (failOn === 'never') return {};
  const failing = decision.verdict === 'regression' || (failOn === 'inconclusive' && decision.verdict === 'inconclusive');
  if (!failing) return {};
  if (acceptLabel && labels.includes(acceptLabel)) {
    return { notice: `llm-perf-gate: ${decision.verdict}${why} — accepted by the '${acceptLabel}' label, not failing` };
  }
  return { fail: `llm-perf-gate: ${decision.verdict}${why}` };
}
