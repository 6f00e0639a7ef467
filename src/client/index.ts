// The client stage's public API (DESIGN.md: src/client).
export { LlmClient, displayBaseUrl, listModels, normalizeBaseUrl, requestBody } from './client.js';
export type { ClientOptions, SendOptions } from './client.js';
export { SseParser, isDoneMarker, DEFAULT_MAX_EVENT_BYTES } from './sse.js';
export { StreamInterpreter } from './stream.js';
export type { StreamOutcome } from './stream.js';
export type { BaseUrls } from './url.js';
