export const SERVICE_NAMES = ['edge', 'catalog', 'chart', 'sql', 'audit'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Services that answer tool calls over the transport (the edge answers its own). */
export type BackendService = Exclude<ServiceName, 'edge'>;

/** Default port of each backend service's /health, /ready and /metrics when METRICS_PORT is not set. */
export const DEFAULT_METRICS_PORTS: Record<BackendService, number> = {
  catalog: 9101,
  chart: 9102,
  sql: 9103,
  audit: 9104,
};

export function isServiceName(value: string): value is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(value);
}

export const SUBJECT_PREFIX = 'meridian.rpc';
/** Event subjects of the audit stream; never overlaps SUBJECT_PREFIX. */
export const EVENT_SUBJECT_PREFIX = 'meridian.events';

export function rpcSubject(service: ServiceName, tool: string): string {
  return `${SUBJECT_PREFIX}.${service}.${tool}`;
}

/** NATS queue group of a service: its replicas split the work. */
export function queueGroup(service: ServiceName): string {
  return `meridian-${service}`;
}
