import { Injectable } from '@nestjs/common';

export type ReadinessCheck = () => Promise<void> | void;
/** Something /ready reports without failing for it (a registered database that is down, say). */
export type ReadinessNote = () => Promise<unknown> | unknown;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, string>;
  failed: string[];
  notes: Record<string, unknown>;
}

const withTimeout = <T>(work: () => Promise<T> | T, timeoutMs: number): Promise<T> =>
  Promise.race([
    Promise.resolve().then(work),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref(),
    ),
  ]);

/** Named dependency checks behind /ready; each process registers what it cannot serve without. */
@Injectable()
export class ReadinessService {
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly notes = new Map<string, ReadinessNote>();

  add(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  note(name: string, note: ReadinessNote): void {
    this.notes.set(name, note);
  }

  /** Names of the failing checks, leaving out `except` (the notes are not asked). */
  async failing(except: ReadonlySet<string> = new Set(), timeoutMs = 2000): Promise<string[]> {
    const entries = await this.runChecks(timeoutMs, except);
    return entries.filter(([, v]) => v !== 'ok').map(([k]) => k);
  }

  private runChecks(timeoutMs: number, except: ReadonlySet<string> = new Set()) {
    return Promise.all(
      [...this.checks]
        .filter(([name]) => !except.has(name))
        .map(async ([name, check]) => {
          try {
            await withTimeout(check, timeoutMs);
            return [name, 'ok'] as const;
          } catch (err) {
            return [name, `failed: ${(err as Error).message}`] as const;
          }
        }),
    );
  }

  async report(timeoutMs = 2000): Promise<ReadinessReport> {
    const [entries, notes] = await Promise.all([
      this.runChecks(timeoutMs),
      Promise.all(
        [...this.notes].map(async ([name, note]) => {
          try {
            return [name, await withTimeout(note, timeoutMs)] as const;
          } catch (err) {
            return [name, `unknown: ${(err as Error).message}`] as const;
          }
        }),
      ),
    ]);
    const failed = entries.filter(([, v]) => v !== 'ok').map(([k]) => k);
    return {
      ready: failed.length === 0,
      checks: Object.fromEntries(entries),
      failed,
      notes: Object.fromEntries(notes.filter(([, v]) => v !== undefined)),
    };
  }
}
