/**
 * @meridian/cache — the one principal-safe cache of Meridian.
 *
 * Reading (in a service that knows the caller's grants):
 *
 *   const answer = await cache.getOrCompute(
 *     {
 *       tool: 'get_chart_data',               // also names the hit/miss counters
 *       args,                                  // validated arguments; force_refresh bypasses
 *       principal,                             // user id and roles are in every key
 *       grants: () => access.profileFor(principal).then((p) => p.fingerprint),
 *       rls: predicate,                        // the RLS predicate applied, when rows are returned
 *       objects: [objectRef('chart', id), objectRef('dataset', datasetId)],
 *     },
 *     undefined,                               // ttl in seconds; default MCP_CACHE_CONFIG.ttl
 *     () => computeTheAnswer(),
 *   );
 *
 * Writing: after a change commits, `await cache.bump('chart', id)` (and `bump('dashboard', id)`,
 * `bump('dataset', id)`, ...). `bump(kind)` without an id invalidates every object of the kind;
 * `bump('acl')` follows a change of roles, grants or RLS rules and invalidates everything.
 * List answers name `objectRef(kind)` ("any object of this kind"), which every bump of that kind
 * advances. Register it with `CacheService.provider('<service>')`.
 */
export { ACL_REF, CacheService } from './cache.service';
export { cacheKey, canonical, objectRef, type CacheKeyParts } from './cache-key';
export { MemoryCacheStore, RedisCacheStore, type CacheStore } from './cache-store';
