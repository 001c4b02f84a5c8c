import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { freePort } from './processes';

/** The machine's Redis, shared by test files; each file keeps to its own key prefix. */
export const REDIS_TEST_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const REDIS_SERVER_BIN = process.env.REDIS_SERVER_BIN ?? 'redis-server';

/** A key prefix no other test file (or run) uses. */
export function testKeyPrefix(file: string): string {
  return `meridian-test:${file}:${randomBytes(4).toString('hex')}`;
}

export interface OwnRedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/**
 * A redis-server of the test file's own on a spare loopback port (no persistence): tests that stop
 * Redis use one of these, never the shared server other files rely on. `args` come after the
 * defaults (and so override them).
 */
export async function startOwnRedisServer(args: string[] = []): Promise<OwnRedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  let out = '';

  const start = async () => {
    const proc = spawn(
      REDIS_SERVER_BIN,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        ...args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    out = '';
    const keep = (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-20_000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    const deadline = Date.now() + 15_000;
    while (!/Ready to accept connections/.test(out)) {
      if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode}:\n${out}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const stop = () =>
    new Promise<void>((done) => {
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return done();
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      proc.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      proc.kill('SIGTERM');
    });

  await start();
  return { url: `redis://127.0.0.1:${port}`, port, stop, start };
}
