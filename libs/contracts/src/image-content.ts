/** An image a tool result carries, as MCP image content wants it. */
export interface ImageContent {
  data: string;
  mimeType: string;
}

const MAX_DEPTH = 4;

function isImage(node: Record<string, unknown>): boolean {
  return (
    typeof node.mime_type === 'string' && node.mime_type.startsWith('image/') && typeof node.data === 'string'
  );
}

/**
 * Takes the images out of a tool result (objects `{mime_type: 'image/…', data: <base64>, …}` near
 * its top), so an MCP answer can carry them as image content blocks instead of base64 text in its
 * structuredContent. The result itself is not changed.
 */
export function splitImages<T>(result: T): { structured: T; images: ImageContent[] } {
  const images: ImageContent[] = [];
  const walk = (node: unknown, depth: number): unknown => {
    if (!node || typeof node !== 'object' || Array.isArray(node) || depth > MAX_DEPTH) return node;
    const obj = node as Record<string, unknown>;
    if (isImage(obj)) {
      images.push({ data: obj.data as string, mimeType: obj.mime_type as string });
      const { data: _data, ...rest } = obj;
      return rest;
    }
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      out[k] = walk(v, depth + 1);
      if (out[k] !== v) changed = true;
    }
    return changed ? out : obj;
  };
  return { structured: walk(result, 0) as T, images };
}
