import type { Clock } from './types.js';

/** The Contracts' time base: Unix epoch ms with sub-ms precision, from the monotonic clock. */
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
};
