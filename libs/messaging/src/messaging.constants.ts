/** DI token of the owning service's name inside a service process. */
export const SERVICE_NAME = Symbol('SERVICE_NAME');
/** DI token of the map of ClientProxy per backend service, used by the edge. */
export const SERVICE_CLIENTS = Symbol('SERVICE_CLIENTS');
/** DI token of the in-process bus in the all-in-one process. */
export const IN_PROCESS_BUS = Symbol('IN_PROCESS_BUS');
/** DI token of the EnvelopeSigner a service verifies requests with. */
export const ENVELOPE_SIGNER = Symbol('ENVELOPE_SIGNER');
/**
 * DI token a standalone service may provide: a function building its own NATS server strategy from
 * the standard options (servers, queue group, name), used instead of Nest's stock NATS server.
 */
export const NATS_SERVER_FACTORY = Symbol('NATS_SERVER_FACTORY');
/** DI token of the ReplayGuard that makes a service's signed requests single use. */
export const REPLAY_GUARD = Symbol('REPLAY_GUARD');
