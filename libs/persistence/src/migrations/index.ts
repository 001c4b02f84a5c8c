import { InitialSchema1795853496074 } from './1795853496074-initial-schema.migration';

/** Applied in order by `meridian db upgrade`; never generated at run time, never synchronize. */
export const MIGRATIONS = [InitialSchema1795853496074] as const;
