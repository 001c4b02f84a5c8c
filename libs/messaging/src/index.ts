export {
  IN_PROCESS_BUS,
  NATS_SERVER_FACTORY,
  REPLAY_GUARD,
  SERVICE_CLIENTS,
  SERVICE_NAME,
} from './messaging.constants';
export { InProcessBus, InProcessClient, InProcessContext, InProcessServer } from './in-process.transport';
export { NatsRequestClient, mapNatsError } from './nats-request.client';
export { MeridianNatsServer } from './meridian-nats.server';
export {
  explainNatsFailure,
  inboxPrefixOf,
  natsConnectionOptions,
  natsIdentityOptions,
} from './nats-connection';
export {
  ENVELOPE_TTL_MS,
  EnvelopeSigner,
  canonicalJson,
  payloadDigest,
  type SignableRequest,
  type VerifiedEnvelope,
} from './envelope';
export { MemoryNonceStore, RedisNonceStore, ReplayGuard, type NonceStore } from './replay-guard';
export { boundResult, type BoundedResult } from './response-bounds';
export { ToolCallInterceptor } from './tool-call.interceptor';
export { traceHeadersOf, withTraceHeaders } from './trace-headers';
export { serviceCore } from './service-core';
export { closeOnSignals } from './shutdown';
export { TOOL_NAME_METADATA, ToolHandler } from './tool-handler.decorator';
export {
  DEFAULT_METRICS_PORTS,
  NATS_ENVELOPE_BYTES,
  assertPayloadFits,
  startService,
  type NatsServerFactory,
  type RunningService,
  type ServiceBootOptions,
} from './service-bootstrap';
