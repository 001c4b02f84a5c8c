import { describe, expect, it } from 'vitest';
import { fileOf, packageOf, summarise, type CpuProfile } from './profile';

const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
  id,
  callFrame: { functionName, url },
  children,
});

/**
 * root → handler (edge) → query (typeorm) → write (node:net); and root → (idle).
 * Samples: 2 in write, 1 in query, 1 in handler, 4 idle.
 */
const PROFILE: CpuProfile = {
  nodes: [
    frame(1, '(root)', '', [2, 5]),
    frame(2, 'handler', 'file:///srv/meridian/dist/apps/edge/src/tools/tool-dispatcher.service.js', [3]),
    frame(3, 'query', 'file:///srv/meridian/node_modules/typeorm/query-builder/SelectQueryBuilder.js', [4]),
    frame(4, 'write', 'node:net'),
    frame(5, '(idle)', ''),
  ],
  samples: [4, 4, 3, 2, 5, 5, 5, 5],
  timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
};

describe('CPU profile summary', () => {
  it('names packages, scoped packages, Meridian parts and Node internals', () => {
    expect(packageOf('file:///a/node_modules/@nestjs/core/router/x.js')).toBe('@nestjs/core');
    expect(packageOf('file:///a/node_modules/pg/lib/client.js')).toBe('pg');
    expect(packageOf('file:///a/node_modules/x/node_modules/y/index.js')).toBe('y');
    expect(packageOf('file:///srv/m/dist/libs/messaging/src/envelope.js')).toBe('meridian libs/messaging');
    expect(packageOf('node:internal/process/task_queues')).toBe('node (internals)');
    expect(packageOf('', '(garbage collector)')).toBe('(garbage collector)');
    expect(fileOf('file:///a/node_modules/pg/lib/client.js')).toBe('pg/lib/client.js');
    expect(fileOf('file:///srv/m/dist/apps/edge/src/main.js')).toBe('dist/apps/edge/src/main.js');
  });

  it('counts each busy sample once for everything on its stack, and self for its leaf', () => {
    const s = summarise(PROFILE);
    expect(s.samples).toBe(4);
    const pct = (rows: { name: string; percent: number }[], name: string) =>
      rows.find((r) => r.name === name)?.percent;
    expect(pct(s.inclusiveByPackage, 'meridian apps/edge')).toBe(100);
    expect(pct(s.inclusiveByPackage, 'typeorm')).toBe(75);
    expect(pct(s.inclusiveByPackage, 'node (internals)')).toBe(50);
    expect(pct(s.selfByPackage, 'node (internals)')).toBe(50);
    expect(pct(s.selfByPackage, 'typeorm')).toBe(25);
    expect(pct(s.selfByPackage, 'meridian apps/edge')).toBe(25);
    expect(s.selfByPackage.map((r) => r.name)).not.toContain('(idle)');
  });

  it('keeps only the samples inside the window', () => {
    // Samples at 1..8 ms: the first two (write, write) fall before 2.5 ms.
    const s = summarise(PROFILE, 15, { fromMs: 2.5, toMs: 100 });
    expect(s.samples).toBe(2);
    expect(s.selfByPackage.map((r) => r.name).sort()).toEqual(['meridian apps/edge', 'typeorm']);
  });
});
