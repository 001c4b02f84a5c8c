export { ErrorType, ERROR_TYPES, httpStatusOf, isErrorType } from './error-type';
export {
  AuthenticationError,
  DatabaseError,
  InternalError,
  MeridianError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServiceBusyError,
  ServiceUnavailableError,
  TimeoutError,
  ValidationError,
} from './meridian-error';
export type { ErrorBody } from './meridian-error';
export { toMeridianError } from './to-meridian-error';
