import { refuse } from './guard-rules';
import type { RoutineRef } from './statement';

/** What a dialect lets any caller use; everything else is refused. */
export interface DialectAllowList {
  functions: ReadonlySet<string>;
  /** Operator symbols (and keyword operators such as BETWEEN, spaces as `_`). */
  operators: ReadonlySet<string>;
  types: ReadonlySet<string>;
  tableSampleMethods: ReadonlySet<string>;
  /** Keyword functions without parentheses (CURRENT_DATE, ...). */
  valueFunctions: ReadonlySet<string>;
}

/** A function name an Admin may add: a name, optionally schema-qualified, of plain characters. */
const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_$]{0,62}(\.[A-Za-z_][A-Za-z0-9_$]{0,62})?$/;

/** The functions an Admin added for one database, as `name` or `schema.name`. */
export interface ExtraFunctions {
  names: ReadonlySet<string>;
  /** Entries that are not a valid name and were ignored. */
  invalid: readonly string[];
}

export const NO_EXTRA_FUNCTIONS: ExtraFunctions = { names: new Set(), invalid: [] };

/** `extra.allowed_functions` of a database's settings: a list of function names. */
export function extraFunctionsOf(extra: Record<string, unknown> | null | undefined): ExtraFunctions {
  const list = extra?.allowed_functions;
  if (!Array.isArray(list)) return NO_EXTRA_FUNCTIONS;
  const names = new Set<string>();
  const invalid: string[] = [];
  for (const entry of list) {
    if (typeof entry === 'string' && FUNCTION_NAME.test(entry)) names.add(entry);
    else invalid.push(String(entry));
  }
  return { names, invalid };
}

/** Whether an Admin allowed this function on the database (by name, or by schema and name). */
export function extraAllows(extra: ExtraFunctions, ref: Pick<RoutineRef, 'schema' | 'name'>): boolean {
  return extra.names.has(ref.schema ? `${ref.schema}.${ref.name}` : ref.name) || extra.names.has(ref.name);
}

const label = (r: RoutineRef) => (r.schema ? `${r.schema}.${r.name}` : r.name);

/**
 * Refuses the first function, operator, type or sampling method of a statement that is neither on
 * the dialect's allow-list (in one of its built-in schemas) nor added by an Admin for the database.
 * `caseless` compares names in lower case (MySQL, where function names are case-insensitive).
 */
export function enforceAllowList(
  routines: readonly RoutineRef[],
  list: DialectAllowList,
  builtinSchemas: readonly string[],
  extra: ExtraFunctions,
  caseless = false,
): void {
  // Function names compare without case where the server ignores it; schema names keep theirs.
  const lowerName = (entry: string) => entry.replace(/[^.]*$/, (fn) => fn.toLowerCase());
  const added = caseless ? { ...extra, names: new Set([...extra.names].map(lowerName)) } : extra;
  for (const r of routines) {
    const name = caseless ? r.name.toLowerCase() : r.name;
    const builtin = r.schema === null || builtinSchemas.includes(r.schema);
    switch (r.kind) {
      case 'function':
        if (builtin && list.functions.has(name)) break;
        if (extraAllows(added, caseless ? { schema: r.schema, name } : r)) break;
        refuse('function_not_allowed', label(r), { function: label(r) });
        break;
      case 'value_function':
        if (list.valueFunctions.has(name) || extraAllows(extra, r)) break;
        refuse('function_not_allowed', label(r), { function: label(r) });
        break;
      case 'operator':
        if (builtin && list.operators.has(r.name.replace(/ /g, '_'))) break;
        refuse('operator_not_allowed', label(r), { operator: label(r) });
        break;
      case 'type':
        if (builtin && list.types.has(name)) break;
        refuse('type_not_allowed', label(r), { type: label(r) });
        break;
      case 'tablesample':
        if (builtin && list.tableSampleMethods.has(name)) break;
        refuse('tablesample_method', label(r), { function: label(r) });
        break;
    }
  }
}
