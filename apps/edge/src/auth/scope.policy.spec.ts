import { describe, expect, it } from 'vitest';
import { loadConfig } from '@meridian/config';
import type { Principal } from '@meridian/contracts';
import { PermissionDeniedError } from '@meridian/errors';
import type { ProtectedResource } from '../well-known/protected-resource';
import { AuthChallenges } from './auth-challenges';
import { ScopePolicy, toolCallsIn } from './scope.policy';

const call = (name: unknown) => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name } });

describe('toolCallsIn', () => {
  it('finds the tool of a call, of every call of a batch, and nothing else', () => {
    expect(toolCallsIn(call('list_charts'))).toEqual(['list_charts']);
    expect(toolCallsIn([call('a'), { jsonrpc: '2.0', method: 'tools/list', id: 2 }, call('b')])).toEqual([
      'a',
      'b',
    ]);
    expect(toolCallsIn({ jsonrpc: '2.0', method: 'initialize', id: 1 })).toEqual([]);
    expect(toolCallsIn(call(42))).toEqual([]);
    expect(toolCallsIn([null, 'x', 3])).toEqual([]);
    expect(toolCallsIn(undefined)).toEqual([]);
  });
});

describe('ScopePolicy', () => {
  const policy = (requiredScopes: string[] = []) => {
    const base = loadConfig({});
    const challenges = new AuthChallenges({ metadataUrl: 'http://x/m' } as ProtectedResource);
    return new ScopePolicy({ ...base, auth: { ...base.auth, requiredScopes } }, challenges);
  };
  const reply = { header: () => undefined };
  const jwt = (scopes: string[]): Principal => ({
    user_id: 1,
    username: 'u',
    roles: [],
    scopes,
    auth: 'jwt',
  });

  it('requires the scope of each called tool', () => {
    expect(() =>
      policy().assert(jwt(['meridian:read']), reply, ['list_charts', 'health_check']),
    ).not.toThrow();
    expect(() => policy().assert(jwt(['meridian:write']), reply, ['list_charts'])).toThrow(
      PermissionDeniedError,
    );
  });

  it('ignores unknown tools (the MCP server answers them) and needs nothing for no call', () => {
    expect(() => policy().assert(jwt([]), reply, ['no_such_tool'])).not.toThrow();
    expect(() => policy().assert(jwt([]), reply)).not.toThrow();
  });

  it('requires MCP_REQUIRED_SCOPES on every request', () => {
    expect(() => policy(['meridian:sql']).assert(jwt(['meridian:read']), reply)).toThrow(/meridian:sql/);
    expect(() => policy(['meridian:sql']).assert(jwt(['meridian:sql']), reply)).not.toThrow();
  });

  it('does not check the development identity, which carries no token', () => {
    const dev: Principal = { user_id: 1, username: 'admin', roles: [], scopes: [], auth: 'dev' };
    expect(() => policy(['meridian:sql']).assert(dev, reply, ['list_charts'])).not.toThrow();
  });

  it('hints at the required scopes plus reading when no token is sent', () => {
    expect(policy().baseScopes).toEqual(['meridian:read']);
    expect(policy(['meridian:sql']).baseScopes).toEqual(['meridian:sql', 'meridian:read']);
  });
});
