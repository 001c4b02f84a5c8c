import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import { ReadinessService } from '@meridian/observability';

/**
 * On SIGTERM the edge first answers /ready with 503 and keeps serving for
 * MERIDIAN_SHUTDOWN_DELAY_SECONDS, so load balancers following readiness stop sending it calls
 * while its port is still open; only then does Nest close the HTTP server, which lets the calls in
 * flight finish. Without the delay a balancer's next call could meet a closed port. An edge closed
 * in code (the all-in-one, tests) closes at once.
 */
@Injectable()
export class ShutdownDelay implements OnModuleInit {
  private readonly logger = new Logger('Shutdown');
  private stopping = false;

  constructor(
    @Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig,
    private readonly readiness: ReadinessService,
  ) {}

  onModuleInit(): void {
    this.readiness.add('shutdown', () => {
      if (this.stopping) throw new Error('stopping');
    });
  }

  /** Before the app closes on `signal`: not ready, still serving, for the configured delay. */
  async drain(signal: string): Promise<void> {
    if (this.config.shutdownDelayMs <= 0) return;
    this.stopping = true;
    this.logger.log(`${signal}: not ready, serving ${this.config.shutdownDelayMs} ms more before closing`);
    await new Promise((done) => setTimeout(done, this.config.shutdownDelayMs));
  }
}
