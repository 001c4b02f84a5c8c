export {
  cacheErrorsTotal,
  cacheHitsTotal,
  cacheMissesTotal,
  envelopesReplayedTotal,
  jwksFetchFailuresTotal,
  mcpActiveConnections,
  mcpActiveStreams,
  mcpRequestDuration,
  mcpRequestsInFlight,
  mcpResponsesCutToBudgetTotal,
  mcpRequestsTotal,
  metricsRegistry,
  natsRequestDuration,
  nonceStoreFailuresTotal,
  rateLimitRejectionsTotal,
  rateLimitStoreFailuresTotal,
  registerEdgeMetrics,
  registerServiceMetrics,
  responsesTruncatedTotal,
  serviceMessageDuration,
  serviceMessagesTotal,
  type CallStatus,
  type RateLimitScope,
} from './metrics';
export { REDACTED_PATHS, loggerParams, redactUrl, requestIdFrom } from './logging';
export { HealthModule } from './health.module';
export { ReadinessService, type ReadinessCheck, type ReadinessReport } from './readiness.service';
export { requestContext, type RequestContext } from './request-context';
export {
  cleanTraceHeaders,
  flushTracing,
  inSpan,
  markSpanError,
  traceIdOf,
  tracingEnabled,
  type SpanOptions,
  type TraceHeaders,
} from './tracing';
export { flushErrorReporting, reportError, startErrorReporting } from './error-reporting';
export { TelemetryShutdown, flushTelemetry, startTelemetry } from './telemetry';
