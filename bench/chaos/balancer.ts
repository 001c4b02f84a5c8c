import { createServer, request, type Server } from 'node:http';
import { freePort, statusOf } from './stack';

export interface Balancer {
  url: string;
  /** Calls sent to each upstream so far. */
  sent: number[];
  close(): Promise<void>;
}

/**
 * A load balancer as a Kubernetes Service or nginx with health checks would be: it asks each
 * upstream's /ready every `probeMs` and sends each request to the next upstream that answered 200
 * (round robin), so an edge that stops answering readiness stops getting calls.
 */
export async function startBalancer(upstreams: string[], probeMs = 200): Promise<Balancer> {
  const ready = upstreams.map(() => true);
  const sent = upstreams.map(() => 0);
  let next = 0;
  let probing = true;
  const probeLoop = async () => {
    while (probing) {
      const statuses = await Promise.all(upstreams.map((u) => statusOf(`${u}/ready`, probeMs * 5)));
      statuses.forEach((s, i) => (ready[i] = s === 200));
      await new Promise((r) => setTimeout(r, probeMs));
    }
  };
  const loop = probeLoop();

  const server: Server = createServer((req, res) => {
    const candidates = upstreams.map((_, i) => (next + i) % upstreams.length).filter((i) => ready[i]);
    if (candidates.length === 0) {
      res.writeHead(502).end();
      return;
    }
    const target = candidates[0];
    next = (target + 1) % upstreams.length;
    sent[target]++;
    const upstream = new URL(req.url ?? '/', upstreams[target]);
    const out = request(upstream, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(out);
  });
  const port = await freePort();
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    close: async () => {
      probing = false;
      await loop;
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
}
