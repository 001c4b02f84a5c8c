import 'reflect-metadata';
import { loadConfig } from '@meridian/config';
import { startService } from '@meridian/messaging';
import { SqlModule } from './sql.module';

async function main(): Promise<void> {
  const config = loadConfig();
  await startService({ service: 'sql', module: SqlModule.forRoot(config), config });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
