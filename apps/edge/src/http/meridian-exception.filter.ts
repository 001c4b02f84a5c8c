import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import { reportError } from '@meridian/observability';
import {
  AuthenticationError,
  InternalError,
  PermissionDeniedError,
  RateLimitError,
  MeridianError,
  NotFoundError,
  ValidationError,
  toMeridianError,
  ErrorType,
} from '@meridian/errors';
import { sendError } from './error-reply';

function fromHttpException(err: HttpException): MeridianError {
  const status = err.getStatus();
  const message = err.message;
  if (status === 401) return new AuthenticationError(message || 'Authentication required');
  if (status === 403) return new PermissionDeniedError(message || 'Permission denied');
  if (status === 429) return new RateLimitError(message || 'Too many requests', 1);
  if (status === 404) return new NotFoundError(message.startsWith('Cannot ') ? 'Route not found' : message);
  if (status === 413) return new ValidationError('Request body too large');
  if (status === 415) return new ValidationError('Unsupported content type: send application/json');
  if (status >= 400 && status < 500) return new ValidationError(message || 'Bad request');
  return new InternalError();
}

/** The single place HTTP answers errors: the closed error vocabulary, one status per type. */
@Catch()
export class MeridianExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    // A Fastify reply for routes; the bare Node response when middleware (the request logger) threw.
    const reply = host.switchToHttp().getResponse<FastifyReply | ServerResponse>();
    let error: MeridianError;
    if (exception instanceof HttpException) error = fromHttpException(exception);
    else if (isFastifyClientError(exception)) error = new ValidationError(exception.message);
    else error = toMeridianError(exception, this.logger);
    if (error.type === ErrorType.Internal) {
      this.logger.error({ err: exception, error_id: error.details?.error_id }, 'Request failed');
      // Errors already reported where they arose (dispatcher, services) arrive as MeridianErrors.
      if (!(exception instanceof MeridianError) && !MeridianError.fromBody(exception)) {
        reportError(exception, { service: 'edge', error_id: error.details?.error_id as string });
      }
    }
    sendError(reply, error);
  }
}

function isFastifyClientError(err: unknown): err is Error {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return err instanceof Error && typeof code === 'number' && code >= 400 && code < 500;
}
