export const SERVICE_NAMES = ['edge', 'catalog', 'chart', 'sql', 'audit'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Services that answer tool calls over the transport (the edge answers its own). */
export type BackendService = Exclude<ServiceName, 'edge'>;

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
