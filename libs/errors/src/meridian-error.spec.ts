import { describe, expect, it, vi } from 'vitest';
import { ERROR_TYPES, ErrorType, httpStatusOf, isErrorType } from './error-type';
import {
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
import { toMeridianError } from './to-meridian-error';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('error types', () => {
  it.each([
    [ErrorType.Validation, 400],
    [ErrorType.Authentication, 401],
    [ErrorType.PermissionDenied, 403],
    [ErrorType.NotFound, 404],
    [ErrorType.RateLimit, 429],
    [ErrorType.ServiceBusy, 503],
    [ErrorType.ServiceUnavailable, 503],
    [ErrorType.Timeout, 504],
    [ErrorType.Database, 502],
    [ErrorType.Internal, 500],
  ])('%s answers HTTP %i', (type, status) => {
    expect(httpStatusOf(type)).toBe(status);
    expect(new MeridianError(type, 'x').status).toBe(status);
  });

  it('is a closed set of ten names', () => {
    expect(ERROR_TYPES).toHaveLength(10);
    for (const type of ERROR_TYPES) expect(isErrorType(type)).toBe(true);
    for (const other of ['Error', 'validationerror', '', 404, undefined, null]) {
      expect(isErrorType(other)).toBe(false);
    }
  });

  it.each([
    [new ValidationError('bad'), ErrorType.Validation, 400],
    [new AuthenticationError(), ErrorType.Authentication, 401],
    [new PermissionDeniedError(), ErrorType.PermissionDenied, 403],
    [new NotFoundError('gone'), ErrorType.NotFound, 404],
    [new RateLimitError('slow down', 5), ErrorType.RateLimit, 429],
    [new TimeoutError('late'), ErrorType.Timeout, 504],
    [new ServiceBusyError('busy'), ErrorType.ServiceBusy, 503],
    [new ServiceUnavailableError('down'), ErrorType.ServiceUnavailable, 503],
    [new DatabaseError('db'), ErrorType.Database, 502],
    [new InternalError(), ErrorType.Internal, 500],
  ])('%s has its type, name and status', (err, type, status) => {
    expect(err).toBeInstanceOf(MeridianError);
    expect(err).toBeInstanceOf(Error);
    expect(err.type).toBe(type);
    expect(err.name).toBe(type);
    expect(err.status).toBe(status);
  });
});

describe('MeridianError.toBody', () => {
  it('carries the message, the type and an ISO timestamp', () => {
    const before = Date.now();
    const body = new NotFoundError('Dashboard 7 not found').toBody();
    const after = Date.now();
    expect(Object.keys(body).sort()).toEqual(['error', 'error_type', 'timestamp']);
    expect(body.error).toBe('Dashboard 7 not found');
    expect(body.error_type).toBe('NotFoundError');
    expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);
    const at = Date.parse(body.timestamp);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(after);
  });

  it('includes details only when there are some', () => {
    expect(new ValidationError('bad', {}).toBody()).not.toHaveProperty('details');
    expect(new ValidationError('bad').toBody()).not.toHaveProperty('details');
    expect(new ValidationError('bad', { field: 'page_size' }).toBody().details).toEqual({
      field: 'page_size',
    });
  });

  it('is plain JSON', () => {
    const body = new ValidationError('bad', { field: 'page' }).toBody();
    expect(JSON.parse(JSON.stringify(body))).toEqual(body);
  });
});

describe('MeridianError.fromBody', () => {
  it.each([
    new ValidationError('bad', { field: 'filters.0.col' }),
    new NotFoundError('gone'),
    new RateLimitError('slow down', 7),
    new InternalError('0f8fad5b-d9cb-469f-a165-70867728950e'),
  ])('round-trips %s through its body', (original) => {
    const body = JSON.parse(JSON.stringify(original.toBody())) as unknown;
    const back = MeridianError.fromBody(body);
    expect(back).toBeInstanceOf(MeridianError);
    expect(back!.type).toBe(original.type);
    expect(back!.message).toBe(original.message);
    expect(back!.status).toBe(original.status);
    expect(back!.details).toEqual(original.details);
    expect(back!.retryAfterSeconds).toBe(original.retryAfterSeconds);
  });

  it.each([
    null,
    undefined,
    'NotFoundError',
    42,
    {},
    { error: 'x' },
    { error_type: 'NotFoundError' },
    { error: 'x', error_type: 'NoSuchError' },
    { error: 42, error_type: 'NotFoundError' },
    { message: 'x', type: 'NotFoundError' },
  ])('refuses %j', (value) => {
    expect(MeridianError.fromBody(value)).toBeUndefined();
  });
});

describe('Retry-After carriers', () => {
  it('RateLimitError carries retry_after_seconds beside its other details', () => {
    const err = new RateLimitError('Too many requests', 30, { limit: 100 });
    expect(err.retryAfterSeconds).toBe(30);
    expect(err.toBody().details).toEqual({ limit: 100, retry_after_seconds: 30 });
  });

  it('ServiceBusyError carries retry_after_seconds, one second by default', () => {
    expect(new ServiceBusyError('busy').retryAfterSeconds).toBe(1);
    const err = new ServiceBusyError('busy', 4);
    expect(err.retryAfterSeconds).toBe(4);
    expect(err.toBody().details).toEqual({ retry_after_seconds: 4 });
  });

  it('other types carry none', () => {
    expect(new ValidationError('bad').retryAfterSeconds).toBeUndefined();
    expect(new ValidationError('bad', { retry_after_seconds: 'soon' }).retryAfterSeconds).toBeUndefined();
  });
});

describe('InternalError', () => {
  it('has a fixed message and a fresh error_id', () => {
    const a = new InternalError();
    const b = new InternalError();
    expect(a.message).toBe('Internal error');
    expect(a.errorId).toMatch(UUID);
    expect(a.errorId).not.toBe(b.errorId);
    expect(a.details).toEqual({ error_id: a.errorId });
  });
});

describe('toMeridianError', () => {
  const fakeLogger = () => ({ error: vi.fn() });

  it('returns a MeridianError as it is, without logging', () => {
    const logger = fakeLogger();
    const err = new NotFoundError('gone');
    expect(toMeridianError(err, logger)).toBe(err);
    expect(logger.error).not.toHaveBeenCalled();
  });

  it.each([
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['22003', 'value "2147483648" is out of range for type integer'],
    ['22P02', 'invalid input syntax for type integer: "x"'],
    ['54000', 'index row size 9000 exceeds maximum 2712 for index'],
  ])('answers a metadata database data exception %s as ValidationError', (code, message) => {
    const logger = fakeLogger();
    const queryFailed = Object.assign(new Error(message), {
      name: 'QueryFailedError',
      driverError: { code },
    });
    const err = toMeridianError(queryFailed, logger);
    expect(err.toBody()).toMatchObject({
      error_type: 'ValidationError',
      error: `Invalid value: ${message}`,
      details: { sqlstate: code },
    });
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('keeps other database failures internal', () => {
    const logger = fakeLogger();
    const err = toMeridianError(
      Object.assign(new Error('relation "x" does not exist'), { code: '42P01' }),
      logger,
    );
    expect(err.type).toBe(ErrorType.Internal);
    expect(logger.error).toHaveBeenCalled();
  });

  it('revives an error body received from another service', () => {
    const logger = fakeLogger();
    const body = new TimeoutError('catalog did not answer', { service: 'catalog' }).toBody();
    const err = toMeridianError(body, logger);
    expect(err.type).toBe(ErrorType.Timeout);
    expect(err.message).toBe('catalog did not answer');
    expect(err.details).toEqual({ service: 'catalog' });
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('turns an unknown Error into an InternalError and logs the original with its id', () => {
    const logger = fakeLogger();
    const original = new Error('relation "secret_table" does not exist: password=hunter2');
    const err = toMeridianError(original, logger);

    expect(err).toBeInstanceOf(InternalError);
    const errorId = (err as InternalError).errorId;
    expect(errorId).toMatch(UUID);
    expect(err.details).toEqual({ error_id: errorId });

    expect(logger.error).toHaveBeenCalledTimes(1);
    const [fields, message] = logger.error.mock.calls[0] as [Record<string, unknown>, string];
    expect(fields.err).toBe(original);
    expect(fields.error_id).toBe(errorId);
    expect(message).toContain(errorId);

    const body = err.toBody();
    expect(body.error_type).toBe('InternalError');
    expect(body.details).toEqual({ error_id: errorId });
    const wire = JSON.stringify(body);
    expect(wire).not.toContain('secret_table');
    expect(wire).not.toContain('hunter2');
    expect(wire).not.toContain(original.stack!.split('\n')[1].trim());
    expect(wire).not.toContain('stack');
  });

  it.each([['a string'], [42], [null], [undefined], [{ message: 'not a body' }]])(
    'turns the thrown value %j into an InternalError',
    (thrown) => {
      const logger = fakeLogger();
      const err = toMeridianError(thrown, logger);
      expect(err.type).toBe(ErrorType.Internal);
      expect(logger.error).toHaveBeenCalledTimes(1);
      expect(JSON.stringify(err.toBody())).not.toContain('not a body');
    },
  );

  it('works without a logger', () => {
    expect(toMeridianError(new Error('boom')).type).toBe(ErrorType.Internal);
  });
});
