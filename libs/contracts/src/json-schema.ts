export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  $ref?: string;
  definitions?: Record<string, JsonSchema>;
  [key: string]: unknown;
};

/** MCP requires tool schemas to be plain objects at the top; nested DTO references are inlined. */
export function inlineRefs(schema: JsonSchema, definitions: Record<string, JsonSchema>): JsonSchema {
  const seen = new Set<string>();
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const obj = node as Record<string, unknown>;
    if (typeof obj.$ref === 'string') {
      const name = obj.$ref.replace(/^#\/definitions\//, '');
      const { $ref: _ref, ...rest } = obj;
      // Union-typed properties reflect as Object; their own @JSONSchema says what they accept.
      if (name === 'Object') return walk(rest);
      const target = definitions[name];
      if (!target) throw new Error(`Unresolved schema reference ${obj.$ref}`);
      if (seen.has(name)) throw new Error(`Recursive schema reference ${obj.$ref}`);
      seen.add(name);
      const resolved = { ...(walk(target) as object), ...(walk(rest) as object) };
      seen.delete(name);
      return resolved;
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, walk(v)]));
  };
  return walk(schema) as JsonSchema;
}
