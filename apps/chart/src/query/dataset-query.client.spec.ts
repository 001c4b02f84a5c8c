import type { ClientProxy } from '@nestjs/microservices';
import { Observable, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@meridian/config';
import { sqlOverflowSubject, toolRegistry, type Principal, type ToolRequest } from '@meridian/contracts';
import { ServiceUnavailableError } from '@meridian/errors';
import { EnvelopeSigner } from '@meridian/messaging';
import { DatasetQueryClient } from './dataset-query.client';

const SECRET = 'a-secret-key-of-enough-length';
const principal: Principal = { user_id: 3, username: 'gary', roles: ['Gamma'], scopes: [], auth: 'jwt' };
const subject = toolRegistry().subjectOf('query_dataset');

function fakeClient(answers: ((subject: string, req: ToolRequest) => unknown)[]) {
  const sent: { subject: string; request: ToolRequest }[] = [];
  const client = {
    send: (to: string, request: ToolRequest) => {
      sent.push({ subject: to, request });
      const answer = answers[sent.length - 1](to, request);
      return answer instanceof Error
        ? throwError(() => answer)
        : new Observable((o) => (o.next(answer), o.complete()));
    },
    close: async () => undefined,
  } as unknown as ClientProxy;
  return { client, sent };
}

describe('DatasetQueryClient', () => {
  const config = { ...loadConfig({}), secretKey: SECRET };

  it('sends query_dataset as the caller, in an envelope the sql service verifies', async () => {
    const { client, sent } = fakeClient([() => ({ rows: [], columns: [] })]);
    await new DatasetQueryClient(client, config).query(principal, 7, {
      metrics: [{ name: 'count' }],
      row_limit: 5,
    });
    const [{ subject: to, request }] = sent;
    expect(to).toBe(subject);
    expect(request).toMatchObject({
      tool: 'query_dataset',
      principal,
      args: { dataset_id: 7, row_limit: 5 },
    });
    expect(() => new EnvelopeSigner(SECRET).verify(request, subject)).not.toThrow();
  });

  it('turns to the overflow subject when no sql worker has a free slot', async () => {
    const { client, sent } = fakeClient([
      () => new ServiceUnavailableError('The sql service is not available'),
      () => ({ rows: [{ n: 1 }], columns: [] }),
    ]);
    const data = await new DatasetQueryClient(client, config).query(principal, 7, {});
    expect(data.rows).toEqual([{ n: 1 }]);
    expect(sent.map((s) => s.subject)).toEqual([subject, sqlOverflowSubject(subject)]);
  });

  it('passes refusals on as they are, and reads its row cap from the query_dataset schema', async () => {
    const body = {
      error: 'No access',
      error_type: 'PermissionDeniedError',
      timestamp: new Date().toISOString(),
    };
    const { client, sent } = fakeClient([() => Object.assign(new Error('x'), body)]);
    const queries = new DatasetQueryClient(client, config);
    await expect(queries.query(principal, 7, {})).rejects.toMatchObject({ type: 'PermissionDeniedError' });
    expect(sent).toHaveLength(1);
    expect(queries.maxRows).toBe(
      toolRegistry().get('query_dataset').inputSchema.properties?.row_limit?.maximum,
    );
  });
});
