import { Counter, Gauge, Histogram, register, type Metric } from 'prom-client';

/**
 * Metrics live in the process-wide prom-client registry and are created on first use, so the
 * all-in-one process (edge and every service in one registry) never registers a name twice.
 */
function getOrCreate<T extends Metric>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

/** Up to 60 s: the longest a tool call may take before the edge answers TimeoutError. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 45, 60];

export type CallStatus = 'success' | 'error';

/**
 * `error_type` is one of the closed set of error types (libs/errors) on errors and empty on
 * success, so client refusals (ValidationError, PermissionDeniedError, ...) can be told apart
 * from failures of the platform.
 */
export function mcpRequestsTotal(): Counter<'tool' | 'status' | 'error_type'> {
  return getOrCreate(
    'mcp_requests_total',
    () =>
      new Counter({
        name: 'mcp_requests_total',
        help: 'Tool calls answered by the edge, by tool, outcome and error type (empty on success)',
        labelNames: ['tool', 'status', 'error_type'],
      }),
  );
}

export function mcpRequestDuration(): Histogram<'tool'> {
  return getOrCreate(
    'mcp_request_duration_seconds',
    () =>
      new Histogram({
        name: 'mcp_request_duration_seconds',
        help: 'Tool call duration at the edge, including dispatch to the owning service',
        labelNames: ['tool'],
        buckets: DURATION_BUCKETS,
      }),
  );
}

export function serviceMessagesTotal(): Counter<'service' | 'tool' | 'status'> {
  return getOrCreate(
    'meridian_service_messages_total',
    () =>
      new Counter({
        name: 'meridian_service_messages_total',
        help: 'Tool requests handled by a service, by outcome',
        labelNames: ['service', 'tool', 'status'],
      }),
  );
}

export function serviceMessageDuration(): Histogram<'service' | 'tool'> {
  return getOrCreate(
    'meridian_service_message_duration_seconds',
    () =>
      new Histogram({
        name: 'meridian_service_message_duration_seconds',
        help: 'Time a service spent handling a tool request',
        labelNames: ['service', 'tool'],
        buckets: DURATION_BUCKETS,
      }),
  );
}

export function responsesTruncatedTotal(): Counter<'service' | 'tool'> {
  return getOrCreate(
    'meridian_responses_truncated_total',
    () =>
      new Counter({
        name: 'meridian_responses_truncated_total',
        help: 'Tool results cut to MCP_MAX_RESPONSE_BYTES',
        labelNames: ['service', 'tool'],
      }),
  );
}

export function mcpResponsesCutToBudgetTotal(): Counter<'tool'> {
  return getOrCreate(
    'mcp_responses_cut_to_budget_total',
    () =>
      new Counter({
        name: 'mcp_responses_cut_to_budget_total',
        help: 'MCP tool answers cut to MCP_RESPONSE_BUDGET_BYTES',
        labelNames: ['tool'],
      }),
  );
}

/** Where a rate limit sits: per client address, per user, per user and tool, per user in a service. */
export type RateLimitScope = 'ip' | 'user' | 'tool' | 'service';

export function rateLimitRejectionsTotal(): Counter<'tool' | 'scope'> {
  return getOrCreate(
    'meridian_rate_limit_rejections_total',
    () =>
      new Counter({
        name: 'meridian_rate_limit_rejections_total',
        help: 'Calls refused by a rate limit, by tool (unknown before authentication) and scope',
        labelNames: ['tool', 'scope'],
      }),
  );
}

export function rateLimitStoreFailuresTotal(): Counter<'scope' | 'mode'> {
  return getOrCreate(
    'meridian_rate_limit_store_failures_total',
    () =>
      new Counter({
        name: 'meridian_rate_limit_store_failures_total',
        help: 'Rate-limit decisions taken without the shared store, by scope and on_store_failure mode',
        labelNames: ['scope', 'mode'],
      }),
  );
}

export function cacheHitsTotal(): Counter<'tool'> {
  return getOrCreate(
    'meridian_cache_hits_total',
    () =>
      new Counter({
        name: 'meridian_cache_hits_total',
        help: 'Tool answers served from the cache',
        labelNames: ['tool'],
      }),
  );
}

export function cacheMissesTotal(): Counter<'tool'> {
  return getOrCreate(
    'meridian_cache_misses_total',
    () =>
      new Counter({
        name: 'meridian_cache_misses_total',
        help: 'Cacheable tool answers computed (not found, expired, or force_refresh)',
        labelNames: ['tool'],
      }),
  );
}

export function cacheErrorsTotal(): Counter<'tool'> {
  return getOrCreate(
    'meridian_cache_errors_total',
    () =>
      new Counter({
        name: 'meridian_cache_errors_total',
        help: 'Cache store failures; the answer was computed without the cache',
        labelNames: ['tool'],
      }),
  );
}

export function natsRequestDuration(): Histogram<'subject' | 'outcome'> {
  return getOrCreate(
    'meridian_nats_request_duration_seconds',
    () =>
      new Histogram({
        name: 'meridian_nats_request_duration_seconds',
        help: 'NATS request/reply latency seen by the edge, by subject and outcome',
        labelNames: ['subject', 'outcome'],
        buckets: [0.001, 0.0025, ...DURATION_BUCKETS],
      }),
  );
}

export function envelopesReplayedTotal(): Counter<'service'> {
  return getOrCreate(
    'meridian_envelopes_replayed_total',
    () =>
      new Counter({
        name: 'meridian_envelopes_replayed_total',
        help: 'Signed requests a service refused because their nonce had been used already',
        labelNames: ['service'],
      }),
  );
}

export function nonceStoreFailuresTotal(): Counter<'service'> {
  return getOrCreate(
    'meridian_nonce_store_failures_total',
    () =>
      new Counter({
        name: 'meridian_nonce_store_failures_total',
        help: 'Nonce checks the shared Redis store could not answer; the process memory answered them',
        labelNames: ['service'],
      }),
  );
}

export function mcpRequestsInFlight(): Gauge {
  return getOrCreate(
    'mcp_requests_in_flight',
    () => new Gauge({ name: 'mcp_requests_in_flight', help: 'Tool calls the edge is handling now' }),
  );
}

/** HTTP connections open to the edge (keep-alive connections between requests included). */
export function mcpActiveConnections(): Gauge {
  return getOrCreate(
    'mcp_active_connections',
    () => new Gauge({ name: 'mcp_active_connections', help: 'HTTP connections open to the edge' }),
  );
}

/** MCP responses the edge is streaming now (each POST /mcp until its response closes). */
export function mcpActiveStreams(): Gauge {
  return getOrCreate(
    'mcp_active_streams',
    () => new Gauge({ name: 'mcp_active_streams', help: 'MCP (Streamable HTTP) responses open at the edge' }),
  );
}

export function jwksFetchFailuresTotal(): Counter {
  return getOrCreate(
    'meridian_jwks_fetch_failures_total',
    () =>
      new Counter({
        name: 'meridian_jwks_fetch_failures_total',
        help: 'Token checks that found the JWKS endpoint unreachable or unusable (answered AuthenticationError)',
      }),
  );
}

/**
 * Creates the edge's metrics at start, so /metrics names every one of them before the first call
 * (alert rules and dashboards can tell "nothing happened" from "not exported").
 */
export function registerEdgeMetrics(): void {
  mcpRequestsTotal();
  mcpRequestDuration();
  mcpRequestsInFlight();
  mcpActiveConnections();
  mcpActiveStreams();
  mcpResponsesCutToBudgetTotal();
  natsRequestDuration();
  rateLimitRejectionsTotal();
  rateLimitStoreFailuresTotal();
  jwksFetchFailuresTotal();
}

/** The same for a backend service: what every service exports whether it has been called or not. */
export function registerServiceMetrics(): void {
  serviceMessagesTotal();
  serviceMessageDuration();
  responsesTruncatedTotal();
  envelopesReplayedTotal();
  nonceStoreFailuresTotal();
  rateLimitRejectionsTotal();
  rateLimitStoreFailuresTotal();
  cacheHitsTotal();
  cacheMissesTotal();
  cacheErrorsTotal();
}

export { register as metricsRegistry };
