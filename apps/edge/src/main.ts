import 'reflect-metadata';
import { loadConfig } from '@meridian/config';
import { closeOnSignals } from '@meridian/messaging';
import { startEdge } from './edge.bootstrap';

async function main(): Promise<void> {
  const edge = await startEdge(loadConfig());
  // Signals close the edge once (open calls finish), then the process exits 0.
  closeOnSignals((signal) => edge.close(signal));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
