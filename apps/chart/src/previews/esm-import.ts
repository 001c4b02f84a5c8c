/**
 * A real dynamic import() that survives compilation to CommonJS, for ESM-only packages (vega,
 * vega-lite). The compiler would otherwise rewrite it to require().
 */
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const dynamicImport = new Function('specifier', 'return import(specifier)') as <T>(s: string) => Promise<T>;

export async function importEsm<T>(specifier: string): Promise<T> {
  try {
    return await dynamicImport<T>(specifier);
  } catch (err) {
    // Inside a VM context (a test runner's module loader) Function-made code cannot import; there
    // the module is ESM already and the plain expression is a real import().
    if ((err as { code?: string }).code !== 'ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING') throw err;
    return (await import(specifier)) as T;
  }
}
