/** Polls `probe` until `ok` accepts its value; fails with the last value after `timeoutMs`. */
export async function until<T>(
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs `fn` over `items` with at most `width` at a time. */
export async function inPool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
    }),
  );
}

/** Calls a tool over REST (GET without arguments, POST with them) under a chosen request id; answers the status. */
export async function restCall(
  baseUrl: string,
  tool: string,
  requestId: string,
  args?: Record<string, unknown>,
): Promise<number> {
  const res = args
    ? await fetch(`${baseUrl}/${tool}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': requestId },
        body: JSON.stringify({ request: args }),
      })
    : await fetch(`${baseUrl}/${tool}`, { headers: { 'x-request-id': requestId } });
  await res.arrayBuffer();
  return res.status;
}
