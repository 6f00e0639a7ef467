// The config's `gate:` section (everything the gate reads besides `thresholds:`):
//   gate:
//     rule: estimate | strict          # strict: the whole interval beyond the threshold
//     fail_on: regression | inconclusive | never
//     allow_fingerprint_mismatch: false
//     alpha: 0.05                      # family-wise false-alarm rate across comparisons
//     history_runs: 10                 # newest stored runs the baseline averages at most
//     noise: { tpot_ms: 0.03, ttft_ms.p90: 0.08 }   # run-to-run sd of log(value), e.g. from calibrate
import { z } from 'zod';
import type { Config } from '../config/schema.js';
import { InputError } from '../errors.js';
import type { GateOptions } from './gate.js';
import { GATEABLE_STATISTICS, isDistributionKey, isMetricKey } from './metric-catalog.js';

export const gateSectionSchema = z.strictObject({
  rule: z.enum(['estimate', 'strict']).optional(),
  fail_on: z.enum(['regression', 'inconclusive', 'never']).optional(),
  allow_fingerprint_mismatch: z.boolean().optional(),
  alpha: z.number().gt(0).lt(0.5).optional(),
  history_runs: z.number().int().min(1).max(100).optional(),
  noise: z.record(z.string(), z.number().positive().max(2)).optional(),
});

export interface GateSettings {
  options: GateOptions;
  failOn: 'regression' | 'inconclusive' | 'never';
}

export function gateSettingsFromConfig(config: Config | undefined): GateSettings {
  const parsed = gateSectionSchema.safeParse(config?.gate ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`config: gate.${issue.path.join('.')}: ${issue.message}`);
  }
  const g = parsed.data;
  for (const key of Object.keys(g.noise ?? {})) {
    const [metric, statistic] = key.split('.', 2);
    const ok = statistic === undefined ? isMetricKey(metric) : isDistributionKey(metric) && (GATEABLE_STATISTICS as readonly string[]).includes(statistic);
    if (!ok) throw new InputError(`config: gate.noise.${key}: not a metric key (e.g. tpot_ms) or metric.statistic (e.g. ttft_ms.p90)`);
  }
  return {
    options: {
      thresholds: config?.thresholds,
      rule: g.rule,
      allowFingerprintMismatch: g.allow_fingerprint_mismatch,
      historyRuns: g.history_runs,
      noise: g.noise,
      alpha: g.alpha,
      minSuccessful: config?.min_successful,
    },
    failOn: g.fail_on ?? 'regression',
  };
}
