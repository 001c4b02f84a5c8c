import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** Where the all-in-one records which process owns a data directory. */
export const OWNER_LOCK_FILE = 'meridian.lock';

export interface OwnerRecord {
  pid: number;
  /** The owner's start time as the kernel counts it (Linux), so a reused pid is not taken for it. */
  started: string | null;
}

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: OwnerRecord,
  ) {
    super(
      `Another Meridian all-in-one (pid ${owner.pid}) is running on the data directory ${dataDir}. ` +
        'Stop it first, or give this one its own MERIDIAN_DATA_DIR.',
    );
  }
}

/** The start time of a process from /proc, or null where that is not available. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name in field 2 may hold spaces, so count from its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the process that wrote the record still runs (same pid, same start time). */
export function ownerAlive(owner: OwnerRecord): boolean {
  if (!isProcessAlive(owner.pid)) return false;
  if (owner.started === null) return true;
  const started = processStartTime(owner.pid);
  return started === null || started === owner.started;
}

function readOwner(file: string): OwnerRecord | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<OwnerRecord>;
    if (typeof parsed.pid !== 'number') return null;
    return { pid: parsed.pid, started: typeof parsed.started === 'string' ? parsed.started : null };
  } catch {
    return null;
  }
}

export interface DataDirLock {
  /** Whether the previous owner had gone without releasing the directory (a crash or kill -9). */
  tookOverFrom: OwnerRecord | null;
  release(): void;
}

/**
 * Claims a data directory for this process. A record left by a process that no longer runs is
 * taken over; one whose process still runs means a second all-in-one on the same directory, which
 * is refused with a DataDirInUseError.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const file = resolve(dataDir, OWNER_LOCK_FILE);
  const me: OwnerRecord = { pid: process.pid, started: processStartTime(process.pid) };
  let tookOverFrom: OwnerRecord | null = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      // Exclusive create: of two processes starting together, exactly one wins.
      const fd = openSync(file, 'wx', 0o600);
      writeFileSync(fd, `${JSON.stringify(me)}\n`);
      closeSync(fd);
      const release = () => {
        const current = readOwner(file);
        if (current?.pid === me.pid) rmSync(file, { force: true });
        process.removeListener('exit', release);
      };
      process.once('exit', release);
      return { tookOverFrom, release };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = readOwner(file);
    if (owner && owner.pid !== me.pid && ownerAlive(owner)) throw new DataDirInUseError(dataDir, owner);
    // Unreadable (a write cut short) or left by a process that is gone: take the directory over,
    // unless another starting process took it over in the meantime.
    if (JSON.stringify(readOwner(file)) !== JSON.stringify(owner)) continue;
    tookOverFrom = owner ?? tookOverFrom;
    rmSync(file, { force: true });
  }
  throw new Error(`Could not claim the data directory ${dataDir} (${file} keeps reappearing)`);
}
