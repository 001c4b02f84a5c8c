import { InitialSchema1795853496074 } from './1795853496074-initial-schema.migration';
import { Authorization1795855333344 } from './1795855333344-authorization.migration';
import { AuditEvents1795900000000 } from './1795900000000-audit-events.migration';
import { DatabaseConnectionStatus1796100000000 } from './1796100000000-database-connection-status.migration';
import { AuditEventsSanitized1796200000000 } from './1796200000000-audit-events-sanitized.migration';
import { AuditDeadLetters1796200000001 } from './1796200000001-audit-dead-letters.migration';

/** Applied in order by `meridian db upgrade`; never generated at run time, never synchronize. */
export const MIGRATIONS = [
  InitialSchema1795853496074,
  Authorization1795855333344,
  AuditEvents1795900000000,
  DatabaseConnectionStatus1796100000000,
  AuditEventsSanitized1796200000000,
  AuditDeadLetters1796200000001,
] as const;
