import { describe, expect, it } from 'vitest';
import { identifierCondition } from './identifier';

describe('identifierCondition', () => {
  const uuid = '0f8fad5b-d9cb-469f-a165-70867728950e';

  it('selects by id, uuid or slug with the identifier bound', () => {
    expect(identifierCondition('d', 42)).toEqual({ sql: 'd.id = :identifier', params: { identifier: 42 } });
    expect(identifierCondition('d', uuid, 'slug')).toEqual({
      sql: 'd.uuid = :identifier',
      params: { identifier: uuid },
    });
    expect(identifierCondition('d', 'world-health', 'slug')).toEqual({
      sql: 'd.slug = :identifier',
      params: { identifier: 'world-health' },
    });
  });

  it('matches nothing for a slug where slugs do not apply or an id beyond the key range', () => {
    expect(identifierCondition('c', 'world-health')).toBeUndefined();
    expect(identifierCondition('c', 2 ** 31)).toBeUndefined();
  });
});
