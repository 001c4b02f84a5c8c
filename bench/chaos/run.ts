import { parseArgs } from 'node:util';
import { formatResult, writeResult } from './scenario';
import { SCENARIOS } from './scenarios';

const USAGE = `Usage: npm run chaos -- <scenario>... [--short]

Scenarios: ${Object.keys(SCENARIOS).join(', ')}, or all.
  --short   the CI version: a few seconds of traffic and a few users

Each scenario starts its own nats-server and redis-server on spare loopback ports, the built
services, and a metadata database CHAOS_DB_PREFIX_<scenario> (default prefix meridian_chaos) on
CHAOS_PG_URL (default postgresql://postgres@127.0.0.1:5432/postgres); it prints calls, errors by
type, the longest call and its goals, writes bench/results/chaos-<scenario>.json, and exits 1 when a
goal did not hold.`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      short: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || positionals.length === 0) return void console.log(USAGE);
  const names = positionals.includes('all') ? Object.keys(SCENARIOS) : positionals;
  const unknown = names.filter((n) => !SCENARIOS[n]);
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}\n\n${USAGE}`);
  const log = (line: string) => console.log(line);
  const dbPrefix = (process.env.CHAOS_DB_PREFIX ?? 'meridian_chaos')
    .replace(/[^a-z0-9_]/gi, '_')
    .toLowerCase();
  let failed = 0;
  for (const name of names) {
    log(`\n== ${name}${values.short ? ' (short)' : ''}`);
    const result = await SCENARIOS[name]({ short: values.short, log, dbPrefix });
    log(formatResult(result));
    log(`Summary written to ${writeResult(result)}`);
    if (!result.held) failed++;
  }
  if (failed) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
