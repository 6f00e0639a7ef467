// The engine fingerprint moved to src/client/fingerprint.ts: the run uses it to choose how to
// force the output length. Re-exported here for the action's imports.
export { fingerprintEngine, identifyEngine, type EngineFingerprint } from '../client/fingerprint.js';
