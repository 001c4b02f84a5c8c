import { Injectable } from '@nestjs/common';

export type ReadinessCheck = () => Promise<void> | void;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, string>;
  failed: string[];
}

/** Named dependency checks behind /ready; each process registers what it cannot serve without. */
@Injectable()
export class ReadinessService {
  private readonly checks = new Map<string, ReadinessCheck>();

  add(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  async report(timeoutMs = 2000): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        try {
          await Promise.race([
            Promise.resolve().then(check),
            new Promise((_, reject) =>
              setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref(),
            ),
          ]);
          return [name, 'ok'] as const;
        } catch (err) {
          return [name, `failed: ${(err as Error).message}`] as const;
        }
      }),
    );
    const failed = entries.filter(([, v]) => v !== 'ok').map(([k]) => k);
    return { ready: failed.length === 0, checks: Object.fromEntries(entries), failed };
  }
}
