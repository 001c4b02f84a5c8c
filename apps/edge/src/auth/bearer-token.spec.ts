import { describe, expect, it } from 'vitest';
import { bearerFromHeader, readBearer } from './bearer-token';

describe('readBearer', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc.def.ghi', 'abc.def.ghi'],
    ['BEARER   abc.def.ghi  ', 'abc.def.ghi'],
    ['Bearer', ''],
    ['Bearer   ', ''],
  ])('reads %j as a bearer token', (authorization, token) => {
    expect(readBearer({ authorization })).toEqual({ kind: 'bearer', token });
  });

  it.each([undefined, 'Basic YWxpY2U6c2VjcmV0', 'Bearerabc', 'Token abc', ''])(
    'treats %j as no bearer token',
    (authorization) => {
      expect(readBearer({ authorization })).toEqual({ kind: 'absent' });
    },
  );
});

describe('bearerFromHeader', () => {
  it('takes the token from the Authorization header only', () => {
    expect(bearerFromHeader({ headers: { authorization: 'Bearer a.b.c' } })).toBe('a.b.c');
    const req = { headers: {}, query: { access_token: 'a.b.c' }, body: { access_token: 'a.b.c' } };
    expect(bearerFromHeader(req)).toBeNull();
    expect(bearerFromHeader({ headers: { authorization: 'Bearer ' } })).toBeNull();
  });
});
