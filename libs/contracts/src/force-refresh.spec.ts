import { describe, expect, it } from 'vitest';
import { ValidationError } from '@meridian/errors';
import { toolRegistry } from './tool-registry';

describe('force_refresh on the cached catalog tools', () => {
  const registry = toolRegistry();

  it.each(['get_dataset_info', 'list_dashboards', 'list_charts', 'list_datasets', 'list_databases'])(
    '%s takes a boolean force_refresh, as JSON or as query-string text',
    async (tool) => {
      const base = tool === 'get_dataset_info' ? { identifier: 3 } : {};
      expect(registry.get(tool).inputSchema.properties?.force_refresh).toMatchObject({ type: 'boolean' });
      await expect(registry.validateArgs(tool, { ...base, force_refresh: true })).resolves.toMatchObject({
        force_refresh: true,
      });
      await expect(registry.validateArgs(tool, { ...base, force_refresh: 'false' })).resolves.toMatchObject({
        force_refresh: false,
      });
      await expect(registry.validateArgs(tool, { ...base, force_refresh: 'yes' })).rejects.toBeInstanceOf(
        ValidationError,
      );
    },
  );
});
