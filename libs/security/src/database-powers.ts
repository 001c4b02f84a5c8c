/**
 * What an analytics login must not hold: PostgreSQL's predefined roles whose members read or write
 * server files, run programs, signal other sessions or read server settings and statistics, and
 * the MySQL/MariaDB global privileges that reach files, other sessions or the server itself. The
 * seed keeps the example reader out of them; the sql service flags a connection that holds any.
 */
export const POSTGRES_POWERFUL_ROLES: readonly string[] = [
  'pg_read_server_files',
  'pg_write_server_files',
  'pg_execute_server_program',
  'pg_signal_backend',
  'pg_monitor',
  'pg_read_all_settings',
  'pg_read_all_stats',
];

export const MYSQL_POWERFUL_PRIVILEGES: readonly string[] = [
  'FILE',
  'PROCESS',
  'SUPER',
  'SHUTDOWN',
  'CONNECTION ADMIN',
  'CREATE USER',
];
