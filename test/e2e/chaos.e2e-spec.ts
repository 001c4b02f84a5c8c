import { describe, expect, it } from 'vitest';
import { formatResult, type ScenarioResult } from '../../bench/chaos/scenario';
import { SCENARIOS } from '../../bench/chaos/scenarios';
import { createTestDatabase, TEST_SECRET_KEY } from '../support/database';

/**
 * The short version of each chaos scenario (`npm run chaos -- <scenario> --short`): real
 * processes, a private nats-server and redis-server, seconds of traffic. Each scenario checks its
 * own goals against the calls it made; a goal that did not hold fails the test with its detail.
 */
describe('chaos scenarios (short)', () => {
  const lines: string[] = [];
  const run = async (name: string): Promise<ScenarioResult> => {
    const database = await createTestDatabase(`e2e_chaos_${name.replace(/-/g, '_')}`);
    return SCENARIOS[name]({
      short: true,
      log: (line) => lines.push(line),
      database: { ...database, secretKey: TEST_SECRET_KEY },
      dbPrefix: 'unused',
    });
  };

  for (const name of Object.keys(SCENARIOS)) {
    it(`${name}: its goals hold`, { timeout: 120_000 }, async () => {
      lines.length = 0;
      const result = await run(name);
      const report = `${lines.join('\n')}\n${formatResult(result)}`;
      expect(result.calls, report).toBeGreaterThan(0);
      expect(
        result.goals.filter((g) => !g.held).map((g) => `${g.goal}: ${g.detail}`),
        report,
      ).toEqual([]);
      expect(result.held).toBe(true);
    });
  }
});
