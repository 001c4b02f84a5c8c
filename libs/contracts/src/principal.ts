/** Who is calling, as verified by the edge. Services resolve roles and grants from it themselves. */
export interface Principal {
  username: string;
  /** How the edge established the identity. */
  auth: 'dev' | 'jwt';
}

/** What travels from the edge to the owning service for every tool call. */
export interface ToolRequest<TArgs = Record<string, unknown>> {
  tool: string;
  args: TArgs;
  principal: Principal;
  request_id: string;
}
