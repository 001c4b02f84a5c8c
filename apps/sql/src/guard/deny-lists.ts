/**
 * Functions no caller may use, per engine: they read or write server files, reach other servers,
 * run SQL given as text, sleep or lock, signal other sessions, or change settings. Names are
 * compared in lower case on their last part, so schema qualification and quoting do not slip past.
 */
interface DenyList {
  names: ReadonlySet<string>;
  prefixes: readonly string[];
  suffixes: readonly string[];
}

const POSTGRES: DenyList = {
  names: new Set([
    'pg_read_file',
    'pg_read_binary_file',
    'pg_stat_file',
    'pg_file_write',
    'pg_file_rename',
    'pg_file_unlink',
    'pg_file_sync',
    'pg_logdir_ls',
    'pg_current_logfile',
    'pg_sleep',
    'pg_sleep_for',
    'pg_sleep_until',
    'pg_terminate_backend',
    'pg_cancel_backend',
    'pg_reload_conf',
    'pg_rotate_logfile',
    'pg_switch_wal',
    'pg_promote',
    'pg_notify',
    'pg_export_snapshot',
    'pg_log_backend_memory_contexts',
    'pg_import_system_collations',
    'pg_backup_start',
    'pg_backup_stop',
    'pg_start_backup',
    'pg_stop_backup',
    'pg_create_restore_point',
    'set_config',
    'current_setting',
    'setval',
    'nextval',
    'query_to_xml',
    'query_to_xmlschema',
    'query_to_xml_and_xmlschema',
    'cursor_to_xml',
    'cursor_to_xmlschema',
    'table_to_xml',
    'table_to_xmlschema',
    'table_to_xml_and_xmlschema',
    'schema_to_xml',
    'schema_to_xmlschema',
    'schema_to_xml_and_xmlschema',
    'database_to_xml',
    'database_to_xmlschema',
    'database_to_xml_and_xmlschema',
    'ts_stat',
    'ts_rewrite',
    'crosstab',
    'crosstab2',
    'crosstab3',
    'crosstab4',
    'connectby',
    'heap_page_items',
    'get_raw_page',
  ]),
  prefixes: [
    'dblink',
    'lo_',
    'pg_ls_',
    'pg_advisory',
    'pg_try_advisory',
    'pg_replication_',
    'pg_create_',
    'pg_drop_',
    'pg_logical_',
    'pg_stat_reset',
    'pg_wal_replay_',
    'binary_upgrade_',
    'postgres_fdw',
  ],
  suffixes: [],
};

const MYSQL: DenyList = {
  names: new Set([
    'load_file',
    'sleep',
    'benchmark',
    'get_lock',
    'release_lock',
    'release_all_locks',
    'is_free_lock',
    'is_used_lock',
    'master_pos_wait',
    'master_gtid_wait',
    'source_pos_wait',
    'wait_for_executed_gtid_set',
    'wait_until_sql_thread_after_gtids',
    'sys_exec',
    'sys_eval',
    'sys_get',
    'sys_set',
    'sys_bineval',
  ]),
  prefixes: [],
  suffixes: [],
};

const LISTS = { postgresql: POSTGRES, mysql: MYSQL } as const;

/** Whether `name` is denied on `dialect`. */
export function isDeniedFunction(dialect: keyof typeof LISTS, name: string): boolean {
  const list = LISTS[dialect];
  const lower = name.toLowerCase();
  return (
    list.names.has(lower) ||
    list.prefixes.some((p) => lower.startsWith(p)) ||
    list.suffixes.some((s) => lower.endsWith(s))
  );
}
