import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { NO_MESSAGE_HANDLER } from '@nestjs/microservices/constants';
import { lastValueFrom, timeout, TimeoutError as RxTimeoutError } from 'rxjs';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import { sqlOverflowSubject, toolRegistry, type Principal, type ToolRequest } from '@meridian/contracts';
import { ErrorType, MeridianError, ServiceUnavailableError, TimeoutError } from '@meridian/errors';
import { EnvelopeSigner, type SignableRequest } from '@meridian/messaging';
import { requestContext } from '@meridian/observability';
import { SQL_CLIENT } from '../chart.constants';
import type { DatasetQuery } from './chart-plan';

/** What query_dataset answers. */
export interface ChartData {
  columns: { name: string; type?: string }[];
  rows: Record<string, unknown>[];
  row_count: number;
  truncated: boolean;
  truncation_reason?: string | null;
  execution_time_ms: number;
  executed_sql: string;
  params?: unknown[];
}

const TOOL = 'query_dataset';

/**
 * The chart service's only way to data: the sql service's query_dataset, called as the caller
 * (their principal, in an envelope this service signs), so grants and row-level security are
 * enforced in one place. NATS in the distributed deployment, the in-process bus in the all-in-one.
 */
@Injectable()
export class DatasetQueryClient implements OnApplicationShutdown {
  private readonly signer: EnvelopeSigner;
  private readonly subject = toolRegistry().subjectOf(TOOL);
  /** The most rows query_dataset gives, read from its own schema. */
  readonly maxRows: number;

  constructor(
    @Inject(SQL_CLIENT) private readonly client: ClientProxy,
    @Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig,
  ) {
    this.signer = new EnvelopeSigner(config.secretKey!);
    const rowLimit = toolRegistry().get(TOOL).inputSchema.properties?.row_limit;
    this.maxRows = typeof rowLimit?.maximum === 'number' ? rowLimit.maximum : 10_000;
  }

  async query(principal: Principal, datasetId: number, query: DatasetQuery): Promise<ChartData> {
    const args = { ...query, dataset_id: datasetId };
    const request = {
      tool: TOOL,
      args: JSON.parse(JSON.stringify(args)) as Record<string, unknown>,
      principal,
      request_id: requestContext.getStore()?.requestId ?? randomUUID(),
    };
    try {
      return await this.send(this.subject, request);
    } catch (err) {
      // Saturated sql workers leave the tool subject; its overflow subject queues or refuses at once.
      if (!(err instanceof ServiceUnavailableError) && !isSaturated(err)) throw err;
    }
    return this.send(sqlOverflowSubject(this.subject), request);
  }

  /** Signs each message on its own: the sql service accepts a signed message once. */
  private async send(subject: string, request: SignableRequest): Promise<ChartData> {
    const signed: ToolRequest = { ...request, envelope: this.signer.sign(request, subject) };
    try {
      return await lastValueFrom(
        this.client.send<ChartData>(subject, signed).pipe(timeout(this.config.requestTimeoutMs)),
      );
    } catch (err) {
      throw this.translate(err);
    }
  }

  private translate(err: unknown): unknown {
    if (err instanceof RxTimeoutError) {
      return new TimeoutError(`The sql service did not answer within ${this.config.requestTimeoutMs} ms`, {
        service: 'sql',
      });
    }
    const message = (err as { message?: unknown } | null)?.message;
    if (err === NO_MESSAGE_HANDLER || message === NO_MESSAGE_HANDLER) {
      return new ServiceUnavailableError('The sql service is not available', { service: 'sql' });
    }
    return err instanceof MeridianError ? err : (MeridianError.fromBody(err) ?? err);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}

function isSaturated(err: unknown): boolean {
  return (
    err instanceof MeridianError && err.type === ErrorType.ServiceBusy && err.details?.saturated === true
  );
}
