import type { MeridianConfig } from '@meridian/config';

type SentrySdk = typeof import('@sentry/node');

let sentry: SentrySdk | undefined;
let starting: Promise<void> | undefined;

/**
 * Reports errors to Sentry when SENTRY_DSN is set (SENTRY_ENVIRONMENT, SENTRY_TRACES_SAMPLE_RATE);
 * otherwise the SDK is never loaded. When Meridian's own OpenTelemetry export is on, Sentry leaves
 * the tracer provider to it.
 */
export function startErrorReporting(
  config: MeridianConfig,
  service: string,
  ownTracing: boolean,
): Promise<void> {
  const { sentryDsn, sentryEnvironment, sentryTracesSampleRate } = config.telemetry;
  if (!sentryDsn) return Promise.resolve();
  starting ??= (async () => {
    const sdk = await import('@sentry/node');
    sdk.init({
      dsn: sentryDsn,
      environment: sentryEnvironment,
      tracesSampleRate: sentryTracesSampleRate,
      release: `meridian@${config.version}`,
      skipOpenTelemetrySetup: ownTracing,
      // Headers, cookies and addresses stay out of reports.
      sendDefaultPii: false,
      initialScope: { tags: { service } },
    });
    sentry = sdk;
  })();
  return starting;
}

/** Sends one unexpected failure to Sentry with what identifies the call; a no-op while it is off. */
export function reportError(err: unknown, context: Record<string, string | number | undefined>): void {
  const sdk = sentry;
  if (!sdk) return;
  sdk.withScope((scope) => {
    for (const [key, value] of Object.entries(context)) {
      if (value !== undefined) scope.setTag(key, String(value));
    }
    sdk.captureException(err);
  });
}

export async function flushErrorReporting(timeoutMs = 2000): Promise<void> {
  await sentry?.flush(timeoutMs).catch(() => undefined);
}
