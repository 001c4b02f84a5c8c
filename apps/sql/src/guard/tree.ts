import { isDeepStrictEqual } from 'node:util';

/** A node of a parser's JSON tree. */
export type Node = Record<string, unknown>;

export const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A string-valued field of a node, or '' when it holds anything else. */
export const text = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';

/** Deepest nesting the walkers follow; deeper trees are refused rather than risk the stack. */
export const MAX_TREE_DEPTH = 400;

export interface TreeNormaliser {
  /** Keys that only say where text was, or are a parser's bookkeeping: dropped before comparing. */
  ignoreKey(key: string): boolean;
  /** Rewrites a node into its canonical form (two spellings of the same thing compare equal). */
  canonical?(node: Node): unknown;
}

/** A canonical copy of `tree` for comparison. */
export function normalised(tree: unknown, n: TreeNormaliser): unknown {
  if (Array.isArray(tree)) return tree.map((v) => normalised(v, n));
  if (!isNode(tree)) return tree;
  const node = n.canonical ? n.canonical(tree) : tree;
  if (!isNode(node)) return node;
  const out: Node = {};
  for (const [k, v] of Object.entries(node)) {
    if (!n.ignoreKey(k) && v !== undefined) out[k] = normalised(v, n);
  }
  return out;
}

/** Whether two trees say the same thing under the normaliser. */
export function sameTree(a: unknown, b: unknown, n: TreeNormaliser): boolean {
  return isDeepStrictEqual(normalised(a, n), normalised(b, n));
}
