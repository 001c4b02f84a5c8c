import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import { toolScopeNames } from '@meridian/contracts';

/** OAuth 2.0 Protected Resource Metadata (RFC 9728) as this edge publishes it. */
export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported: string[];
  bearer_methods_supported: string[];
  resource_name: string;
}

export const METADATA_PATH = '/.well-known/oauth-protected-resource';

/**
 * The edge as an OAuth protected resource: its identifier (the public MCP URL), where its
 * metadata lives, and the metadata itself. The public base is MCP_SERVICE_URL, or the address the
 * edge is bound to; never the request's Host header, which the client controls.
 */
@Injectable()
export class ProtectedResource {
  constructor(
    @Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  get baseUrl(): string {
    if (this.config.serviceUrl) return this.config.serviceUrl;
    const address = this.adapterHost.httpAdapter?.getHttpServer()?.address() as
      AddressInfo | null | undefined;
    const port = address?.port ?? this.config.port;
    const host = this.config.host.includes(':') ? `[${this.config.host}]` : this.config.host;
    return `http://${host}:${port}`;
  }

  /** The resource identifier tokens are issued for (RFC 8707): the MCP endpoint. */
  get resource(): string {
    return `${this.baseUrl}/mcp`;
  }

  /** Where clients find the metadata; named in every WWW-Authenticate challenge. */
  get metadataUrl(): string {
    return `${this.baseUrl}${METADATA_PATH}/mcp`;
  }

  metadata(): ProtectedResourceMetadata {
    return {
      resource: this.resource,
      authorization_servers: [...this.config.auth.authorizationServers],
      scopes_supported: [
        ...new Set([...toolScopeNames(this.config.auth.toolScopes), ...this.config.auth.requiredScopes]),
      ],
      bearer_methods_supported: ['header'],
      resource_name: 'Meridian',
    };
  }
}
