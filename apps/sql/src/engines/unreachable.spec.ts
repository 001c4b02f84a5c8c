import { describe, expect, it } from 'vitest';
import type { Principal } from '@meridian/contracts';
import { unreachableFor } from '../worker/sql-runner.service';
import { DatabaseUnreachableError, driverReason, type ConnectionTarget } from './engine';

const target: ConnectionTarget = {
  id: 7,
  name: 'warehouse',
  backend: 'postgresql',
  host: 'db.internal',
  port: 6543,
  dbName: 'dw',
  username: 'reader',
  password: 'hunter2',
};
const who = (roles: string[]): Principal => ({ user_id: 1, username: 'u', roles, scopes: [], auth: 'dev' });

describe('an unreachable database', () => {
  const err = new DatabaseUnreachableError(
    target,
    Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
  );

  it('names only the database to callers who are not Admin', () => {
    const shown = unreachableFor(who(['Gamma']), err).toBody();
    expect(shown).toMatchObject({
      error_type: 'DatabaseError',
      error: 'Could not connect to database warehouse; an Admin can see why with get_database_info',
      details: { database: 'warehouse' },
    });
    expect(JSON.stringify(shown)).not.toMatch(/db\.internal|6543|ECONNREFUSED|hunter2|reader/);
  });

  it('tells an Admin host, port and the driver’s reason, never the password', () => {
    const shown = unreachableFor(who(['Admin']), err).toBody();
    expect(shown).toMatchObject({
      error:
        'Could not connect to database warehouse at db.internal:6543: connect ECONNREFUSED. ' +
        'Check its registration with get_database_info',
      details: { database: 'warehouse', host: 'db.internal', port: 6543, reason: 'connect ECONNREFUSED' },
    });
    expect(JSON.stringify(shown)).not.toMatch(/hunter2/);
  });

  it.each([
    [new Error('getaddrinfo ENOTFOUND db.internal'), 'getaddrinfo ENOTFOUND db.internal'],
    [
      Object.assign(new Error(''), {
        errors: [new Error('connect ECONNREFUSED ::1:5'), new Error('connect ECONNREFUSED 127.0.0.1:5')],
      }),
      'connect ECONNREFUSED ::1:5; connect ECONNREFUSED 127.0.0.1:5',
    ],
    [{ code: 'ETIMEDOUT' }, 'ETIMEDOUT'],
    [undefined, 'no reason given by the driver'],
    [
      new Error(`line one\n  line two ${'x'.repeat(400)}`),
      expect.stringMatching(/^line one line two x+\.\.\.$/),
    ],
  ])('puts the driver’s reason on one bounded line (%#)', (cause, expected) => {
    const reason = driverReason(cause);
    expect(reason).toEqual(expected);
    expect(reason.length).toBeLessThanOrEqual(300);
  });
});
