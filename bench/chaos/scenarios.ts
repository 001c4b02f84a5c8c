import { auditDown } from './audit-down';
import { edgeSigterm } from './edge-sigterm';
import { natsRestart } from './nats-restart';
import { redisDown } from './redis-down';
import type { ScenarioOptions, ScenarioResult } from './scenario';

/** Every scenario by name, in the order `all` runs them. */
export const SCENARIOS: Record<string, (opts: ScenarioOptions) => Promise<ScenarioResult>> = {
  'nats-restart': natsRestart,
  'redis-down': redisDown,
  'edge-sigterm': edgeSigterm,
  'audit-down': auditDown,
};
