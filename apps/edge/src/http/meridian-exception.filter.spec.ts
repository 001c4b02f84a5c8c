import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  InternalServerErrorException,
  Logger,
  NotFoundException,
  PayloadTooLargeException,
  UnauthorizedException,
  UnsupportedMediaTypeException,
  type ArgumentsHost,
} from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import {
  AuthenticationError,
  DatabaseError,
  ErrorType,
  MeridianError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServiceBusyError,
  ServiceUnavailableError,
  TimeoutError,
  ValidationError,
  type ErrorBody,
} from '@meridian/errors';
import { MeridianExceptionFilter } from './meridian-exception.filter';

class FakeReply {
  sent = false;
  statusCode?: number;
  headers: Record<string, string> = {};
  body?: ErrorBody;
  sends = 0;

  status(code: number): this {
    this.statusCode = code;
    return this;
  }

  header(name: string, value: string): this {
    this.headers[name] = value;
    return this;
  }

  send(body: ErrorBody): this {
    this.body = body;
    this.sends += 1;
    return this;
  }
}

function hostFor(reply: FakeReply): ArgumentsHost {
  const http = { getResponse: () => reply, getRequest: () => ({}), getNext: () => undefined };
  return { switchToHttp: () => http, getType: () => 'http' } as unknown as ArgumentsHost;
}

describe('MeridianExceptionFilter', () => {
  const filter = new MeridianExceptionFilter();

  it('answers on the bare Node response when middleware threw before Fastify had a reply', () => {
    const raw = {
      headersSent: false,
      writableEnded: false,
      status: 0,
      head: {} as Record<string, string>,
      body: '',
      writeHead(code: number, headers: Record<string, string>) {
        this.status = code;
        this.head = headers;
        this.headersSent = true;
      },
      end(text: string) {
        this.body = text;
        this.writableEnded = true;
      },
    };
    filter.catch(new URIError('URI malformed'), hostFor(raw as unknown as FakeReply));
    expect(raw.status).toBe(500);
    expect(raw.head['Content-Type']).toBe('application/json');
    expect(JSON.parse(raw.body)).toMatchObject({
      error_type: 'InternalError',
      details: { error_id: expect.any(String) },
    });
    filter.catch(new ValidationError('again'), hostFor(raw as unknown as FakeReply));
    expect(JSON.parse(raw.body)).toMatchObject({ error_type: 'InternalError' });
  });
  let logged: MockInstance<Logger['error']>;

  beforeEach(() => {
    logged = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    logged.mockRestore();
  });

  const answer = (exception: unknown): FakeReply => {
    const reply = new FakeReply();
    filter.catch(exception, hostFor(reply));
    return reply;
  };

  describe('Meridian errors', () => {
    it.each([
      [new ValidationError('page_size must not be greater than 100', { field: 'page_size' }), 400],
      [new AuthenticationError(), 401],
      [new PermissionDeniedError('Host not allowed: evil.example.com', { header: 'Host' }), 403],
      [new NotFoundError('Dashboard 7 not found'), 404],
      [new TimeoutError('catalog did not answer in time'), 504],
      [new ServiceUnavailableError('catalog is unavailable'), 503],
      [new DatabaseError('The analytics database refused the query'), 502],
    ])('answers %s with HTTP %i and its body', (err, status) => {
      const reply = answer(err);
      expect(reply.statusCode).toBe(status);
      expect(reply.statusCode).toBe(err.status);
      expect(reply.headers['Content-Type']).toBe('application/json');
      expect(reply.headers).not.toHaveProperty('Retry-After');
      expect(reply.sends).toBe(1);
      expect(reply.body).toEqual({ ...err.toBody(), timestamp: expect.any(String) });
      expect(new Date(reply.body!.timestamp).toISOString()).toBe(reply.body!.timestamp);
      expect(logged).not.toHaveBeenCalled();
    });

    it('sets Retry-After for RateLimitError', () => {
      const reply = answer(new RateLimitError('Too many requests', 30));
      expect(reply.statusCode).toBe(429);
      expect(reply.headers['Retry-After']).toBe('30');
      expect(reply.body).toMatchObject({
        error: 'Too many requests',
        error_type: 'RateLimitError',
        details: { retry_after_seconds: 30 },
      });
    });

    it('adds the RateLimit fields when the refusal names its limit', () => {
      const reply = answer(
        new RateLimitError('Rate limit exceeded', 37, {
          scope: 'user',
          limit: '100 per minute',
          limit_points: 100,
          window_seconds: 60,
          remaining: 0,
          reset_seconds: 37,
        }),
      );
      expect(reply.statusCode).toBe(429);
      expect(reply.headers).toMatchObject({
        'Retry-After': '37',
        'RateLimit-Limit': '100',
        'RateLimit-Remaining': '0',
        'RateLimit-Reset': '37',
        'RateLimit-Policy': '100;w=60',
      });
    });

    it('sets Retry-After for ServiceBusyError, in whole seconds', () => {
      const reply = answer(new ServiceBusyError('catalog is busy', 1.2));
      expect(reply.statusCode).toBe(503);
      expect(reply.headers['Retry-After']).toBe('2');
      expect(reply.body?.error_type).toBe('ServiceBusyError');
      expect(answer(new ServiceBusyError('catalog is busy')).headers['Retry-After']).toBe('1');
    });

    it('answers an error body received from a service like the error itself', () => {
      const reply = answer(new NotFoundError('Chart 9 not found', { identifier: 9 }).toBody());
      expect(reply.statusCode).toBe(404);
      expect(reply.body).toMatchObject({ error: 'Chart 9 not found', details: { identifier: 9 } });
    });
  });

  describe('Nest HTTP exceptions', () => {
    it('answers NotFoundException with 404 NotFoundError', () => {
      const reply = answer(new NotFoundException('Dashboard 7 not found'));
      expect(reply.statusCode).toBe(404);
      expect(reply.body).toMatchObject({ error_type: 'NotFoundError', error: 'Dashboard 7 not found' });
    });

    it('answers an unknown route with 404 without echoing the path', () => {
      const reply = answer(new NotFoundException('Cannot GET /admin/secret'));
      expect(reply.statusCode).toBe(404);
      expect(reply.body?.error_type).toBe('NotFoundError');
      expect(reply.body?.error).toBe('Route not found');
    });

    it('answers BadRequestException with 400 ValidationError', () => {
      const reply = answer(new BadRequestException('Unexpected token in JSON'));
      expect(reply.statusCode).toBe(400);
      expect(reply.body).toMatchObject({ error_type: 'ValidationError', error: 'Unexpected token in JSON' });
    });

    it('answers PayloadTooLargeException (413) with 400 ValidationError', () => {
      const reply = answer(new PayloadTooLargeException());
      expect(reply.statusCode).toBe(400);
      expect(reply.body).toMatchObject({ error_type: 'ValidationError', error: 'Request body too large' });
    });

    it('answers UnsupportedMediaTypeException (415) with 400 ValidationError', () => {
      const reply = answer(new UnsupportedMediaTypeException());
      expect(reply.statusCode).toBe(400);
      expect(reply.body?.error_type).toBe('ValidationError');
      expect(reply.body?.error).toContain('application/json');
    });

    it('answers a server-side HttpException with 500 InternalError', () => {
      const reply = answer(new InternalServerErrorException('pool exhausted at db-3'));
      expect(reply.statusCode).toBe(500);
      expect(reply.body?.error_type).toBe('InternalError');
      expect(JSON.stringify(reply.body)).not.toContain('db-3');
    });
  });

  it('answers a Fastify client error (4xx statusCode) with 400 ValidationError', () => {
    const err = Object.assign(
      new Error("Body cannot be empty when content-type is set to 'application/json'"),
      {
        statusCode: 400,
        code: 'FST_ERR_CTP_EMPTY_JSON_BODY',
      },
    );
    const reply = answer(err);
    expect(reply.statusCode).toBe(400);
    expect(reply.body).toMatchObject({ error_type: 'ValidationError', error: err.message });
  });

  describe('anything else', () => {
    it('answers 500 InternalError with an error_id and nothing of the original', () => {
      const original = new Error('connect ECONNREFUSED 10.0.0.7:5432 password=hunter2');
      const reply = answer(original);

      expect(reply.statusCode).toBe(500);
      expect(reply.headers['Content-Type']).toBe('application/json');
      const body = reply.body!;
      expect(body.error_type).toBe(ErrorType.Internal);
      expect(body.error).toBe('Internal error');
      const errorId = body.details?.error_id;
      expect(errorId).toMatch(/^[0-9a-f-]{36}$/);
      expect(Object.keys(body.details!)).toEqual(['error_id']);

      const wire = JSON.stringify(body);
      expect(wire).not.toContain('ECONNREFUSED');
      expect(wire).not.toContain('hunter2');
      expect(wire).not.toContain('stack');
      expect(wire).not.toContain(original.stack!.split('\n')[1].trim());
    });

    it('logs the original error with the error_id it answered', () => {
      const original = new TypeError('Cannot read properties of undefined');
      const reply = answer(original);
      const errorId = reply.body!.details!.error_id;
      expect(logged).toHaveBeenCalled();
      expect(
        logged.mock.calls.some(([fields]) => fields?.err === original && fields?.error_id === errorId),
      ).toBe(true);
    });

    it.each([['a thrown string'], [undefined], [{ unexpected: true }]])(
      'answers 500 for the thrown value %j',
      (thrown) => {
        const reply = answer(thrown);
        expect(reply.statusCode).toBe(500);
        expect(reply.body?.error_type).toBe('InternalError');
        expect(JSON.stringify(reply.body)).not.toContain('thrown string');
      },
    );

    it('answers a plain Error carrying a 5xx statusCode as InternalError', () => {
      const reply = answer(Object.assign(new Error('upstream exploded'), { statusCode: 502 }));
      expect(reply.statusCode).toBe(500);
      expect(JSON.stringify(reply.body)).not.toContain('upstream exploded');
    });
  });

  it('sends nothing when the reply has already been sent', () => {
    const reply = new FakeReply();
    reply.sent = true;
    filter.catch(new NotFoundError('late'), hostFor(reply));
    filter.catch(new Error('late failure'), hostFor(reply));
    expect(reply.sends).toBe(0);
    expect(reply.statusCode).toBeUndefined();
    expect(reply.headers).toEqual({});
  });

  it('answers every Meridian error type with its own status', () => {
    for (const type of Object.values(ErrorType)) {
      const err = new MeridianError(type, `a ${type}`);
      expect(answer(err).statusCode).toBe(err.status);
    }
  });
});

describe('MeridianExceptionFilter on framework HTTP exceptions', () => {
  const filter = new MeridianExceptionFilter();

  it.each([
    [new UnauthorizedException(), 401, 'AuthenticationError'],
    [new ForbiddenException(), 403, 'PermissionDeniedError'],
    [new HttpException('Too many requests', 429), 429, 'RateLimitError'],
  ])('maps %s to %i %s', (exception, status, type) => {
    const reply = new FakeReply();
    filter.catch(exception, hostFor(reply));
    expect(reply.statusCode).toBe(status);
    expect(reply.body?.error_type).toBe(type);
    if (status === 429) expect(reply.headers['Retry-After']).toBe('1');
  });
});
