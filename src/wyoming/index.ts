export { startAppWyoming } from './attach.js';
export { startWyomingServer, type WyomingServer, type WyomingServerOptions, type WyomingLimits, type WyomingLogger } from './server.js';
export { EventParser, encodeEvent, encodeError, DEFAULT_FRAME_LIMITS, type WyomingEvent, type FrameLimits, type EventData } from './events.js';
export { SESSION_KEY } from './context.js';
export type { WyomingServices } from './services.js';
