import { describe, expect, it } from 'vitest';
import { ReadinessService } from './readiness.service';

describe('ReadinessService', () => {
  const service = () => {
    const readiness = new ReadinessService();
    readiness.add('database', () => {
      throw new Error('connection refused');
    });
    readiness.add('nats', () => Promise.reject(new Error('connection lost; reconnecting')));
    readiness.add('migrations', () => undefined);
    readiness.note('unreachable_databases', () => ['warehouse']);
    return readiness;
  };

  it('reports every check, what failed and the notes', async () => {
    expect(await service().report()).toEqual({
      ready: false,
      checks: {
        database: 'failed: connection refused',
        nats: 'failed: connection lost; reconnecting',
        migrations: 'ok',
      },
      failed: ['database', 'nats'],
      notes: { unreachable_databases: ['warehouse'] },
    });
  });

  it('names the failing checks, leaving out the ones it is told to', async () => {
    const readiness = service();
    expect(await readiness.failing()).toEqual(['database', 'nats']);
    expect(await readiness.failing(new Set(['nats']))).toEqual(['database']);
  });

  it('counts a check that does not answer in time as failing', async () => {
    const readiness = new ReadinessService();
    readiness.add('slow', () => new Promise(() => undefined));
    expect(await readiness.failing(new Set(), 20)).toEqual(['slow']);
  });
});
