/** The closed set of error types every transport speaks. */
export enum ErrorType {
  Validation = 'ValidationError',
  Authentication = 'AuthenticationError',
  PermissionDenied = 'PermissionDeniedError',
  NotFound = 'NotFoundError',
  RateLimit = 'RateLimitError',
  Timeout = 'TimeoutError',
  ServiceBusy = 'ServiceBusyError',
  ServiceUnavailable = 'ServiceUnavailableError',
  Database = 'DatabaseError',
  Internal = 'InternalError',
}

export const ERROR_TYPES: readonly ErrorType[] = Object.values(ErrorType);

export function httpStatusOf(type: ErrorType): number {
  switch (type) {
    case ErrorType.Validation:
      return 400;
    case ErrorType.Authentication:
      return 401;
    case ErrorType.PermissionDenied:
      return 403;
    case ErrorType.NotFound:
      return 404;
    case ErrorType.RateLimit:
      return 429;
    case ErrorType.ServiceBusy:
      return 503;
    case ErrorType.ServiceUnavailable:
      return 503;
    case ErrorType.Timeout:
      return 504;
    case ErrorType.Database:
      return 502;
    case ErrorType.Internal:
      return 500;
  }
}

export function isErrorType(value: unknown): value is ErrorType {
  return typeof value === 'string' && (ERROR_TYPES as readonly string[]).includes(value);
}
