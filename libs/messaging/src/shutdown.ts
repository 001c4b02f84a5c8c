/**
 * The one place a Meridian process turns a signal into a clean stop: SIGTERM (an orchestrator),
 * SIGINT (Ctrl-C) and SIGHUP (a closed terminal) close it once, draining what runs, then exit 0,
 * or 1 when closing failed. The same signal again while closing ends the process at once (a
 * second Ctrl-C).
 */
export function closeOnSignals(
  close: (signal: NodeJS.Signals) => Promise<void>,
  say: (line: string) => void = () => undefined,
): void {
  let closing = false;
  const stop = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    say(`${signal} received, shutting down`);
    close(signal)
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        console.error(err);
        process.exit(1);
      });
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => stop(signal));
}
