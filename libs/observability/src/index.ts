export {
  mcpRequestDuration,
  mcpRequestsTotal,
  metricsRegistry,
  responsesTruncatedTotal,
  serviceMessageDuration,
  serviceMessagesTotal,
  type CallStatus,
} from './metrics';
export { REDACTED_PATHS, loggerParams, redactUrl } from './logging';
export { HealthModule } from './health.module';
export { ReadinessService, type ReadinessCheck, type ReadinessReport } from './readiness.service';
export { requestContext, type RequestContext } from './request-context';
