import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ToolDefinition } from '@meridian/contracts';
import type { Grant } from './access-profile';
import { AccessService, roleSet } from './access.service';
import { PROFILE_TTL_MS } from './authz.constants';
import type { GrantsRepository } from './grants.repository';

/** A grants repository over an in-memory table of role → grants, counting its reads. */
class FakeGrants {
  calls: string[][] = [];
  failNext = false;
  constructor(private readonly table: Record<string, Grant[]>) {}

  async grantsOf(roles: readonly string[]): Promise<Grant[]> {
    this.calls.push([...roles]);
    if (this.failNext) {
      this.failNext = false;
      throw new Error('connection lost');
    }
    return roles.flatMap((r) => this.table[r] ?? []);
  }
}

const grant = (action: string, resource_type: string, resource_id: number | null = null): Grant => ({
  action,
  resource_type,
  resource_id,
  schema: null,
});

const TABLE: Record<string, Grant[]> = {
  Gamma: [grant('can_read', 'Chart'), grant('can_read', 'Dataset')],
  sql_lab: [grant('can_execute_sql_query', 'SQLLab')],
  readers: [grant('datasource_access', 'Dataset', 5)],
};

const tool = (name: string, permission: ToolDefinition['permission'], readOnlyHint = true) => ({
  name,
  permission,
  annotations: { readOnlyHint },
});

describe('AccessService', () => {
  let grants: FakeGrants;
  let access: AccessService;
  const who = (...roles: string[]) => ({ roles });

  beforeEach(() => {
    vi.useFakeTimers();
    grants = new FakeGrants(TABLE);
    access = new AccessService(grants as unknown as GrantsRepository);
  });

  afterEach(() => vi.useRealTimers());

  it('computes a profile from the union of the roles grants', async () => {
    const profile = await access.profileFor(who('Gamma', 'readers'));
    expect(profile.can('can_read', 'Chart')).toBe(true);
    expect(profile.can('can_execute_sql_query', 'SQLLab')).toBe(false);
    expect(profile.datasetIds).toEqual([5]);
  });

  it('reads each role set once per TTL, whatever the order or repetition of its roles', async () => {
    const first = await access.profileFor(who('readers', 'Gamma'));
    expect(await access.profileFor(who('Gamma', 'readers', 'Gamma'))).toBe(first);
    expect(grants.calls).toEqual([['Gamma', 'readers']]);
    await access.profileFor(who('Gamma'));
    expect(grants.calls).toHaveLength(2);

    vi.advanceTimersByTime(PROFILE_TTL_MS - 1);
    expect(await access.profileFor(who('Gamma', 'readers'))).toBe(first);
    vi.advanceTimersByTime(1);
    expect(await access.profileFor(who('Gamma', 'readers'))).not.toBe(first);
    expect(grants.calls).toHaveLength(3);
  });

  it('shares one read between concurrent callers and forgets everything on invalidate()', async () => {
    const [a, b] = await Promise.all([access.profileFor(who('Gamma')), access.profileFor(who('Gamma'))]);
    expect(a).toBe(b);
    expect(grants.calls).toHaveLength(1);
    access.invalidate();
    await access.profileFor(who('Gamma'));
    expect(grants.calls).toHaveLength(2);
  });

  it('does not keep a failed read', async () => {
    grants.failNext = true;
    await expect(access.profileFor(who('Gamma'))).rejects.toThrow('connection lost');
    expect((await access.profileFor(who('Gamma'))).can('can_read', 'Chart')).toBe(true);
    expect(grants.calls).toHaveLength(2);
  });

  it('answers Admin without reading grants', async () => {
    const admin = await access.profileFor(who('Admin', 'Gamma'));
    expect(admin.isAdmin).toBe(true);
    expect(grants.calls).toEqual([]);
  });

  it('refuses a tool whose permission is missing, naming it', async () => {
    await expect(
      access.assertToolAllowed(
        who('Gamma'),
        tool('list_dashboards', { action: 'can_read', resource: 'Dashboard' }),
      ),
    ).rejects.toMatchObject({
      type: 'PermissionDeniedError',
      message: 'Missing permission can_read on Dashboard',
      details: { tool: 'list_dashboards', permission: 'can_read', resource: 'Dashboard' },
    });
    await expect(
      access.assertToolAllowed(who(), tool('list_charts', { action: 'can_read', resource: 'Chart' })),
    ).rejects.toMatchObject({ message: 'Missing permission can_read on Chart' });
  });

  it('allows a tool whose permission is held, a tool needing none, and Admin everything', async () => {
    await access.assertToolAllowed(
      who('Gamma'),
      tool('list_charts', { action: 'can_read', resource: 'Chart' }),
    );
    await access.assertToolAllowed(who(), tool('health_check', null));
    await access.assertToolAllowed(who('Admin'), tool('save', { action: 'can_write', resource: 'Chart' }));
  });

  it('lists the tools a principal may call, in order', async () => {
    const tools = [
      tool('health_check', null),
      tool('list_charts', { action: 'can_read', resource: 'Chart' }),
      tool('execute_sql', { action: 'can_execute_sql_query', resource: 'SQLLab' }),
      tool('list_dashboards', { action: 'can_read', resource: 'Dashboard' }),
    ];
    const names = async (...roles: string[]) =>
      (await access.allowedTools(who(...roles), tools)).map((t) => t.name);
    expect(await names('Gamma')).toEqual(['health_check', 'list_charts']);
    expect(await names('Gamma', 'sql_lab')).toEqual(['health_check', 'list_charts', 'execute_sql']);
    expect(await names()).toEqual(['health_check']);
    expect(await names('Admin')).toEqual(tools.map((t) => t.name));
  });

  describe("the operator's switches", () => {
    const switched = (config: { disabledTools?: string[]; readOnly?: boolean }) =>
      new AccessService(grants as unknown as GrantsRepository, {
        disabledTools: config.disabledTools ?? [],
        readOnly: config.readOnly ?? false,
      });
    const tools = [
      tool('list_charts', { action: 'can_read', resource: 'Chart' }),
      tool('generate_chart', { action: 'can_write', resource: 'Chart' }, false),
      tool('execute_sql', { action: 'can_execute_sql_query', resource: 'SQLLab' }, false),
    ];

    it('hides and refuses a disabled tool, even to Admin', async () => {
      const access = switched({ disabledTools: ['generate_chart'] });
      expect((await access.allowedTools(who('Admin'), tools)).map((t) => t.name)).toEqual([
        'list_charts',
        'execute_sql',
      ]);
      await expect(access.assertToolAllowed(who('Admin'), tools[1])).rejects.toMatchObject({
        type: 'PermissionDeniedError',
        message: 'generate_chart is disabled on this server (MCP_DISABLED_TOOLS)',
        details: { tool: 'generate_chart' },
      });
    });

    it('in read-only mode hides and refuses every tool that changes something but execute_sql', async () => {
      const access = switched({ readOnly: true });
      expect((await access.allowedTools(who('Admin'), tools)).map((t) => t.name)).toEqual([
        'list_charts',
        'execute_sql',
      ]);
      await expect(access.assertToolAllowed(who('Admin'), tools[1])).rejects.toMatchObject({
        message: 'generate_chart changes data and this server is read-only (MCP_READ_ONLY)',
      });
      await access.assertToolAllowed(who('Admin'), tools[2]);
    });

    it('refuses to start with a tool name it does not know', () => {
      expect(() => switched({ disabledTools: ['list_chart'] })).toThrow(
        /MCP_DISABLED_TOOLS: unknown tool list_chart \(tools: .*list_charts/,
      );
    });
  });
});

describe('roleSet', () => {
  it('sorts, deduplicates and ignores anything but strings', () => {
    expect(roleSet({ roles: ['b', 'a', 'b'] })).toEqual(['a', 'b']);
    expect(roleSet({ roles: ['x', 3 as unknown as string, null as unknown as string] })).toEqual(['x']);
    expect(roleSet({ roles: undefined as unknown as string[] })).toEqual([]);
  });
});
