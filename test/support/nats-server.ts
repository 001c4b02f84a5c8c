import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './processes';

export const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

export interface OwnNatsServer {
  url: string;
  port: number;
  storeDir: string;
  output(): string;
  /** Stops the server (SIGTERM, SIGKILL after a while); its JetStream data stays in storeDir. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  dispose(): Promise<void>;
}

export interface NatsServerOptions {
  /** A configuration file (-c); the port, bind address and store dir are still given as flags. */
  configFile?: string;
  env?: Record<string, string>;
}

/**
 * A nats-server of the test file's own, with JetStream, on a spare loopback port: tests that stop
 * NATS use one of these, never the shared server other test files rely on.
 */
export async function startOwnNatsServer(opts: NatsServerOptions = {}): Promise<OwnNatsServer> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'meridian-nats-'));
  let child: ChildProcess | undefined;
  let out = '';

  const start = async () => {
    const args = ['-js', '-sd', storeDir, '-p', String(port), '-a', '127.0.0.1'];
    if (opts.configFile) args.unshift('-c', opts.configFile);
    const proc = spawn(NATS_SERVER_BIN, args, {
      env: { PATH: process.env.PATH ?? '', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    const keep = (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-20_000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    const deadline = Date.now() + 15_000;
    while (!/Server is ready/.test(out)) {
      if (proc.exitCode !== null) throw new Error(`nats-server exited with ${proc.exitCode}:\n${out}`);
      if (Date.now() > deadline) throw new Error(`nats-server did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    out = '';
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
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    output: () => out,
    stop,
    start,
    dispose: async () => {
      await stop();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
