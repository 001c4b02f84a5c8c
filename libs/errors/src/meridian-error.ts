import { randomUUID } from 'node:crypto';
import { ErrorType, httpStatusOf, isErrorType } from './error-type';

/** The wire form of every failure: REST body, MCP structuredContent and RPC error payload. */
export interface ErrorBody {
  error: string;
  error_type: ErrorType;
  timestamp: string;
  details?: Record<string, unknown>;
}

export class MeridianError extends Error {
  constructor(
    readonly type: ErrorType,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = type;
  }

  get status(): number {
    return httpStatusOf(this.type);
  }

  /** Seconds a client should wait before retrying, for the types that carry Retry-After. */
  get retryAfterSeconds(): number | undefined {
    const value = this.details?.retry_after_seconds;
    return typeof value === 'number' ? value : undefined;
  }

  toBody(): ErrorBody {
    const body: ErrorBody = {
      error: this.message,
      error_type: this.type,
      timestamp: new Date().toISOString(),
    };
    if (this.details && Object.keys(this.details).length > 0) body.details = this.details;
    return body;
  }

  static fromBody(body: unknown): MeridianError | undefined {
    if (!body || typeof body !== 'object') return undefined;
    const { error, error_type, details } = body as Partial<ErrorBody>;
    if (typeof error !== 'string' || !isErrorType(error_type)) return undefined;
    return new MeridianError(error_type, error, details);
  }
}

export class ValidationError extends MeridianError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(ErrorType.Validation, message, details);
  }
}

export class AuthenticationError extends MeridianError {
  constructor(message = 'Authentication required', details?: Record<string, unknown>) {
    super(ErrorType.Authentication, message, details);
  }
}

export class PermissionDeniedError extends MeridianError {
  constructor(message = 'Permission denied', details?: Record<string, unknown>) {
    super(ErrorType.PermissionDenied, message, details);
  }
}

export class NotFoundError extends MeridianError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(ErrorType.NotFound, message, details);
  }
}

export class RateLimitError extends MeridianError {
  constructor(message: string, retryAfterSeconds: number, details?: Record<string, unknown>) {
    super(ErrorType.RateLimit, message, { ...details, retry_after_seconds: retryAfterSeconds });
  }
}

export class TimeoutError extends MeridianError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(ErrorType.Timeout, message, details);
  }
}

export class ServiceBusyError extends MeridianError {
  constructor(message: string, retryAfterSeconds = 1, details?: Record<string, unknown>) {
    super(ErrorType.ServiceBusy, message, { ...details, retry_after_seconds: retryAfterSeconds });
  }
}

export class ServiceUnavailableError extends MeridianError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(ErrorType.ServiceUnavailable, message, details);
  }
}

export class DatabaseError extends MeridianError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(ErrorType.Database, message, details);
  }
}

export class InternalError extends MeridianError {
  readonly errorId: string;

  constructor(errorId: string = randomUUID()) {
    super(ErrorType.Internal, 'Internal error', { error_id: errorId });
    this.errorId = errorId;
  }
}
