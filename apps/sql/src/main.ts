import 'reflect-metadata';
import { loadConfig } from '@meridian/config';
import { closeOnSignals, startService } from '@meridian/messaging';
import { SqlModule } from './sql.module';

async function main(): Promise<void> {
  const config = loadConfig();
  const service = await startService({ service: 'sql', module: SqlModule.forRoot(config), config });
  // Signals drain the service once (running work answers), then the process exits 0.
  closeOnSignals(() => service.close());
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
