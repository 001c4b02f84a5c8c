import 'reflect-metadata';
import { loadConfig } from '@meridian/config';
import { startEdge } from './edge.bootstrap';

async function main(): Promise<void> {
  await startEdge(loadConfig());
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
