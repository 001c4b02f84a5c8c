import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { MeridianConfig } from '@meridian/config';
import { flushErrorReporting, startErrorReporting } from './error-reporting';
import { flushTracing, startTracing, tracingEnabled } from './tracing';

/** Tracing and error tracking for one process, each started only when its setting is there. */
export async function startTelemetry(config: MeridianConfig, service: string): Promise<void> {
  await startTracing(config, service);
  await startErrorReporting(config, service, tracingEnabled());
}

export async function flushTelemetry(): Promise<void> {
  await Promise.all([flushTracing(), flushErrorReporting()]);
}

/** Sends buffered spans and error reports before the application closes. */
@Injectable()
export class TelemetryShutdown implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await flushTelemetry();
  }
}
