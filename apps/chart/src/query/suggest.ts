/** Edit distance with adjacent transpositions (optimal string alignment), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev2: number[] = [];
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        row[j] = Math.min(row[j], prev2[j - 2] + 1);
      }
    }
    prev2 = prev;
    prev = row;
  }
  return prev[t.length];
}

/** Up to three known names close to `name`, nearest first; a name containing the other counts as near. */
export function suggestionsFor(name: string, known: readonly string[]): string[] {
  if (name.length > 255) return [];
  const lower = name.toLowerCase();
  const limit = Math.max(2, Math.floor(name.length / 3));
  return known
    .map((k, i) => {
      const kl = k.toLowerCase();
      const contains = kl.length > 2 && lower.length > 2 && (kl.includes(lower) || lower.includes(kl));
      const d = editDistance(name, k);
      return { k, i, d: contains ? Math.min(d, 1) : d };
    })
    .filter((c) => c.d <= limit)
    .sort((x, y) => x.d - y.d || x.i - y.i)
    .slice(0, 3)
    .map((c) => c.k);
}
