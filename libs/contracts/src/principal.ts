/**
 * Who is calling, as established by the edge (token or development identity) and resolved
 * against the metadata database. Services verify the signed envelope that carries it and check
 * permissions themselves.
 */
export interface Principal {
  user_id: number;
  username: string;
  /** Role names held at the time of the call. */
  roles: string[];
  /** OAuth scopes granted by the token (empty for the development identity). */
  scopes: string[];
  /** How the edge established the identity. */
  auth: 'dev' | 'jwt';
}

/**
 * The edge's signature over one request: who, for which subject, over which payload, until when,
 * under which name for a cancel, and a nonce that makes it single use. Keyed by a key derived from
 * SECRET_KEY, so only the edge (and processes sharing its secret) can mint one.
 */
export interface RequestEnvelope {
  /** The subject the request was sent to; a re-targeted request fails verification. */
  subject: string;
  /** sha256 (hex) of the canonical JSON of {tool, args}. */
  payload_sha256: string;
  /** Expiry, epoch milliseconds; at most 30 s after signing. */
  exp: number;
  /** Random, one per sent message (each retry has its own): a service accepts it once. */
  nonce: string;
  /**
   * base64url HMAC-SHA256 over the canonical JSON of
   * {principal, subject, payload_sha256, request_id, exp, nonce, cancel_key}.
   */
  signature: string;
}

/** What travels from the edge to the owning service for every tool call. */
export interface ToolRequest<TArgs = Record<string, unknown>> {
  tool: string;
  args: TArgs;
  principal: Principal;
  request_id: string;
  /** The caller's name for the call, so that a cancel can reach it (sql calls); signed. */
  cancel_key?: string;
  envelope: RequestEnvelope;
}
