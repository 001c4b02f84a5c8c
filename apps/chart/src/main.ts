import 'reflect-metadata';
import { loadConfig } from '@meridian/config';
import { startService } from '@meridian/messaging';
import { ChartModule } from './chart.module';

async function main(): Promise<void> {
  const config = loadConfig();
  await startService({ service: 'chart', module: ChartModule.forRoot(config), config });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
