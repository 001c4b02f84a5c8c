/** DI token of the map from backend service to its ClientProxy. */
export const SERVICE_CLIENTS = Symbol('SERVICE_CLIENTS');
/** DI token of how this edge reaches services: 'embedded' (in-process) or 'distributed' (NATS). */
export const EDGE_MODE = Symbol('EDGE_MODE');
export type EdgeMode = 'embedded' | 'distributed';
