import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import { ReadinessService } from '@meridian/observability';

/**
 * On SIGTERM the edge first answers /ready with 503 and keeps serving for
 * MERIDIAN_SHUTDOWN_DELAY_SECONDS, so load balancers following readiness stop sending it calls
 * while its port is still open; only then does Nest close the HTTP server, which lets the calls in
 * flight finish. Without the delay a balancer's next call could meet a closed port.
 */
@Injectable()
export class ShutdownDelay implements OnModuleInit, BeforeApplicationShutdown {
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

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    // Only a signal stops a serving edge; an app closed in code (tests, the CLI) closes at once.
    if (!signal || this.config.shutdownDelayMs <= 0) return;
    this.stopping = true;
    this.logger.log(`${signal}: not ready, serving ${this.config.shutdownDelayMs} ms more before closing`);
    await new Promise((done) => setTimeout(done, this.config.shutdownDelayMs));
  }
}
