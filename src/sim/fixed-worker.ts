// Entry point of one bench-mode worker process (started by fixed-cluster.ts with node:cluster).
import { runFixedWorkerIfAsked } from './fixed-cluster.js';

await runFixedWorkerIfAsked();
