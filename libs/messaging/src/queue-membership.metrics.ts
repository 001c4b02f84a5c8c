import { Gauge, register } from 'prom-client';

const NAME = 'meridian_queue_group_member';

/** 1 while this process takes work from its NATS queue group, 0 while it stays out (not ready). */
export function queueGroupMember(): Gauge<'queue'> {
  return (
    (register.getSingleMetric(NAME) as Gauge<'queue'> | undefined) ??
    new Gauge({
      name: NAME,
      help: 'Whether the service is in its NATS queue group (1) or out of it until ready (0)',
      labelNames: ['queue'],
    })
  );
}
