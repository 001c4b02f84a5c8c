import type { HttpAdapterHost } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { loadConfig, type MeridianConfig } from '@meridian/config';
import { NotFoundError } from '@meridian/errors';
import { ProtectedResource } from './protected-resource';
import { WellKnownController } from './well-known.controller';

function setup(overrides: Partial<MeridianConfig>, boundPort?: number) {
  const base = loadConfig({});
  const config: MeridianConfig = { ...base, ...overrides, auth: { ...base.auth, ...overrides.auth } };
  const adapterHost = {
    httpAdapter: { getHttpServer: () => ({ address: () => (boundPort ? { port: boundPort } : null) }) },
  } as unknown as HttpAdapterHost;
  const resource = new ProtectedResource(config, adapterHost);
  return { resource, controller: new WellKnownController(config, resource) };
}

const enabled = (more: Partial<MeridianConfig['auth']> = {}) => ({
  ...loadConfig({}).auth,
  enabled: true,
  authorizationServers: ['https://idp.example.com/'],
  ...more,
});

describe('protected resource metadata', () => {
  it('names MCP_SERVICE_URL + /mcp, the authorization servers and every scope', () => {
    const { controller, resource } = setup({ serviceUrl: 'https://meridian.example.com', auth: enabled() });
    const expected = {
      resource: 'https://meridian.example.com/mcp',
      authorization_servers: ['https://idp.example.com/'],
      scopes_supported: ['meridian:read', 'meridian:write', 'meridian:sql'],
      bearer_methods_supported: ['header'],
      resource_name: 'Meridian',
    };
    expect(controller.root()).toEqual(expected);
    expect(controller.mcp()).toEqual(expected);
    expect(resource.metadataUrl).toBe(
      'https://meridian.example.com/.well-known/oauth-protected-resource/mcp',
    );
  });

  it('falls back to the bound address, never the request Host', () => {
    expect(setup({ auth: enabled(), port: 0 }, 41234).resource.resource).toBe('http://127.0.0.1:41234/mcp');
    expect(setup({ auth: enabled(), host: '::1', port: 5008 }).resource.baseUrl).toBe('http://[::1]:5008');
  });

  it('is not published while token authentication is off', () => {
    const { controller } = setup({ serviceUrl: 'https://meridian.example.com' });
    expect(() => controller.root()).toThrow(NotFoundError);
    expect(() => controller.mcp()).toThrow(NotFoundError);
  });
});
