import { HealthcheckFailed, healthcheckCommand } from './cli/healthcheck.command';

/**
 * `meridian healthcheck` on its own: the image's HEALTHCHECK runs this file, which loads only the
 * settings, not the platform (main.js takes about a second of CPU to load everything).
 */
const lines: string[] = [];
healthcheckCommand(process.argv.slice(2), (line) => lines.push(line)).then(
  () => finish(0),
  (err: unknown) => {
    lines.push(err instanceof HealthcheckFailed ? err.message : String(err));
    finish(1);
  },
);

/** Exits once the verdict is written (a pipe is written asynchronously; keep-alive sockets may linger). */
function finish(code: number): void {
  process.stdout.write(`${lines.join('\n')}\n`, () => process.exit(code));
}
