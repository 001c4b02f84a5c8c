import { PermissionDeniedError, ValidationError } from '@meridian/errors';

/**
 * Every reason the SQL guard refuses a statement. Statement rules answer ValidationError, access
 * rules PermissionDeniedError; both name the rule in `details.rule`.
 */
export const STATEMENT_RULES = {
  parse_error: 'The SQL does not parse',
  empty_statement: 'The SQL holds no statement',
  multiple_statements: 'Only one statement may run at a time',
  executable_comment: 'Executable comments (/*! ... */, /*M! ... */) are not allowed',
  ddl: 'Schema changes (CREATE, ALTER, DROP, TRUNCATE, GRANT, ...) are not allowed',
  dml_not_allowed: 'This database only allows reading statements',
  data_changing_cte: 'Data-changing statements inside WITH are not allowed',
  select_into: 'SELECT INTO (tables, files or variables) is not allowed',
  locking_read: 'Locking reads (FOR UPDATE, FOR SHARE, ...) are not allowed',
  copy: 'COPY is not allowed',
  call: 'CALL is not allowed',
  do_block: 'DO blocks are not allowed',
  prepared_statement: 'PREPARE, EXECUTE and DEALLOCATE are not allowed',
  explain_analyze: 'EXPLAIN ANALYZE runs the statement and is not allowed',
  explain_target: 'EXPLAIN is allowed on SELECT statements only',
  session_setting: 'Changing session settings (SET, RESET, SET ROLE, USE, variables) is not allowed',
  transaction_control: 'Transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, LOCK) is not allowed',
  function_not_allowed: 'This function is not on the allow-list',
  operator_not_allowed: 'Only built-in operators on ordinary types may be used',
  type_not_allowed: 'Casts and type names are limited to ordinary types',
  tablesample_method: 'This TABLESAMPLE method is not allowed',
  xml: 'XML functions are not allowed',
  unsupported_syntax: 'This syntax is not supported by the SQL guard',
  statement_type: 'This kind of statement is not allowed',
  unresolved_relation: 'A table reference could not be placed in the statement',
  regeneration_mismatch: 'The statement could not be regenerated faithfully and was not run',
} as const;

export const ACCESS_RULES = {
  system_schema: 'System schemas are open to Admin only',
  relation_not_permitted: 'Every table must be a dataset you may query',
  function_schema: 'Only built-in functions, types and operators may be used here',
  dml_requires_database_access: 'Data-changing statements need full access to the database',
  show_statement: 'SHOW and DESCRIBE are open to Admin only',
  system_variable: 'Server variables are open to Admin only',
  expose_in_sqllab: 'This database is not exposed in SQL Lab',
  explain_restricted:
    'EXPLAIN needs full access to the database (plans show rows that grants and row-level security hide)',
  privileged_connection:
    'This database is registered with a privileged connection; only callers with full access to it may run SQL',
} as const;

export type StatementRule = keyof typeof STATEMENT_RULES;
export type AccessRule = keyof typeof ACCESS_RULES;

/** A statement the guard refuses: ValidationError naming the rule. */
export function refuse(rule: StatementRule, detail?: string, extra: Record<string, unknown> = {}): never {
  const message = detail ? `${STATEMENT_RULES[rule]}: ${detail}` : STATEMENT_RULES[rule];
  throw new ValidationError(`SQL refused (${rule}): ${message}`, { field: 'sql', rule, ...extra });
}

/** A statement the caller may not run: PermissionDeniedError naming the rule. */
export function deny(rule: AccessRule, detail?: string, extra: Record<string, unknown> = {}): never {
  const message = detail ? `${ACCESS_RULES[rule]}: ${detail}` : ACCESS_RULES[rule];
  throw new PermissionDeniedError(`SQL refused (${rule}): ${message}`, { rule, ...extra });
}
