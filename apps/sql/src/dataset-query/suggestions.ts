import { ValidationError } from '@meridian/errors';

/** Edit distance with adjacent transpositions (optimal string alignment), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d = Array.from({ length: s.length + 1 }, (_, i) => [i, ...Array<number>(t.length).fill(0)]);
  for (let j = 1; j <= t.length; j++) d[0][j] = j;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[s.length][t.length];
}

/** Up to three known names close to `name`: nearest first, then in their own order. */
export function suggestionsFor(name: string, known: readonly string[]): string[] {
  if (name.length > 255) return [];
  const limit = Math.max(2, Math.floor(name.length / 3));
  const lower = name.toLowerCase();
  return [...new Set(known)]
    .map((k, i) => {
      const contains =
        k.length > 2 &&
        lower.length > 2 &&
        (k.toLowerCase().includes(lower) || lower.includes(k.toLowerCase()));
      return { k, i, d: contains ? Math.min(1, editDistance(name, k)) : editDistance(name, k) };
    })
    .filter((c) => c.d <= limit)
    .sort((x, y) => x.d - y.d || x.i - y.i)
    .slice(0, 3)
    .map((c) => c.k);
}

/**
 * A ValidationError for a name the dataset does not know, naming the field and suggesting the
 * closest names. The name is quoted with JSON escaping, so it cannot forge the message's shape.
 */
export function unknownName(
  kind: string,
  name: string,
  field: string,
  known: readonly string[],
): ValidationError {
  const suggestions = suggestionsFor(name, known);
  const hint =
    suggestions.length > 0 ? `; did you mean ${suggestions.map((s) => JSON.stringify(s)).join(', ')}?` : '';
  return new ValidationError(`Unknown ${kind} ${JSON.stringify(name.slice(0, 255))} in ${field}${hint}`, {
    field,
    suggestions,
  });
}
