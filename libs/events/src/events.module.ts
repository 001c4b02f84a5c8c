import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { MeridianConfig } from '@meridian/config';
import type { InProcessBus } from '@meridian/messaging';
import { EVENT_PUBLISHER, type EventPublisher } from './event-publisher';
import { InProcessEventPublisher } from './in-process-event.publisher';
import { JetStreamEventPublisher } from './jetstream-event.publisher';

export interface EventsOptions {
  config: MeridianConfig;
  /** Whose events these are: `edge`, or the service publishing domain events. */
  source: string;
  /** The all-in-one's bus: events go to the audit handler in process instead of JetStream. */
  bus?: InProcessBus;
}

/** The publisher for this process: in process beside the bus, JetStream when NATS is configured. */
export function createEventPublisher({ config, source, bus }: EventsOptions): EventPublisher {
  if (bus) return new InProcessEventPublisher(bus, source, config.events.bufferSize);
  if (config.natsServers.length > 0) return new JetStreamEventPublisher(config, source);
  throw new Error('Events need NATS_URL (JetStream) or the all-in-one in-process transport');
}

@Injectable()
class EventPublisherLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher) {}

  onApplicationBootstrap(): void {
    this.publisher.start();
  }

  // Runs after the HTTP server has stopped taking calls, so the last events are flushed too.
  async onApplicationShutdown(): Promise<void> {
    await this.publisher.close();
  }
}

/** Provides EVENT_PUBLISHER, started with the application and flushed when it closes. */
@Module({})
export class EventsModule {
  static forRoot(options: EventsOptions): DynamicModule {
    return {
      module: EventsModule,
      providers: [
        { provide: EVENT_PUBLISHER, useFactory: () => createEventPublisher(options) },
        EventPublisherLifecycle,
      ],
      exports: [EVENT_PUBLISHER],
    };
  }
}
