import { describe, expect, it } from 'vitest';
import { FILTER_OPERATORS, type ColumnKind, type FilterOperator } from '../list-models';
import { filterValueProblem, type ListFilter } from './list-query.dto';

const KINDS: Record<string, ColumnKind> = {
  name: 'string',
  id: 'integer',
  published: 'boolean',
  changed_on: 'datetime',
};

const problem = (col: string, opr: FilterOperator, value?: unknown) =>
  filterValueProblem(KINDS, value === undefined ? { col, opr } : { col, opr, value });

describe('filterValueProblem', () => {
  it('leaves an unknown column or a missing operator to the col/opr rules', () => {
    expect(filterValueProblem(KINDS, { col: 'nope', opr: 'eq', value: {} })).toBeUndefined();
    expect(filterValueProblem(KINDS, { col: 'id', value: {} })).toBeUndefined();
    expect(filterValueProblem(KINDS, { opr: 'eq', value: {} })).toBeUndefined();
    expect(filterValueProblem(KINDS, {})).toBeUndefined();
  });

  describe('eq and ne', () => {
    it.each([
      ['name', 'World Health'],
      ['name', ''],
      ['id', 7],
      ['id', -1],
      ['published', true],
      ['published', false],
      ['changed_on', '2024-03-01'],
      ['changed_on', '2024-03-01T10:15'],
      ['changed_on', '2024-03-01T10:15:30.123Z'],
      ['changed_on', '2024-03-01 10:15:30+02:00'],
    ])('accept %s = %j', (col, value) => {
      expect(problem(col, 'eq', value)).toBeUndefined();
      expect(problem(col, 'ne', value)).toBeUndefined();
    });

    it.each([
      ['name', 5, 'string'],
      ['name', null, 'string'],
      ['id', '7', 'integer'],
      ['id', 1.5, 'integer'],
      ['id', 2 ** 53, 'integer'],
      ['published', 'true', 'boolean'],
      ['published', 1, 'boolean'],
      ['changed_on', 'yesterday', 'datetime'],
      ['changed_on', '2024-13-45', 'datetime'],
      ['changed_on', 1709251200000, 'datetime'],
    ])('refuse %s = %j, naming the kind and column', (col, value, kind) => {
      for (const opr of ['eq', 'ne'] as const) {
        const why = problem(col, opr, value);
        expect(why).toContain(kind);
        expect(why).toContain(col);
      }
    });

    it('need a value', () => {
      expect(problem('id', 'eq')).toBeDefined();
    });
  });

  describe('in and nin', () => {
    it.each([
      ['name', ['a', 'b']],
      ['id', [1]],
      ['published', [true, false]],
      ['changed_on', ['2024-01-01', '2024-02-01T00:00:00Z']],
    ])('accept a list of %s values', (col, value) => {
      expect(problem(col, 'in', value)).toBeUndefined();
      expect(problem(col, 'nin', value)).toBeUndefined();
    });

    it.each([5, 'a,b', [], undefined, null, { 0: 1 }])('refuse %j, asking for a list', (value) => {
      for (const opr of ['in', 'nin'] as const) {
        const why = filterValueProblem(KINDS, { col: 'id', opr, value });
        expect(why).toContain('non-empty list');
        expect(why).toContain(opr);
      }
    });

    it('refuse more than 1000 values', () => {
      const ids = Array.from({ length: 1001 }, (_, i) => i + 1);
      expect(problem('id', 'in', ids.slice(0, 1000))).toBeUndefined();
      expect(problem('id', 'in', ids)).toContain('at most 1000');
    });

    it('refuse a list mixing kinds', () => {
      expect(problem('id', 'in', [1, '2'])).toBe('must hold only integer values for column id');
      expect(problem('changed_on', 'nin', ['2024-01-01', 'soon'])).toContain('datetime');
      expect(problem('name', 'in', ['a', null])).toContain('string');
    });
  });

  describe('sw, ew, like and ilike', () => {
    const textOps = ['sw', 'ew', 'like', 'ilike'] as const;

    it('accept text on text columns', () => {
      for (const opr of textOps) expect(problem('name', opr, 'Sal%')).toBeUndefined();
    });

    it.each(['id', 'published', 'changed_on'])('refuse the %s column, which is not text', (col) => {
      for (const opr of textOps) {
        expect(problem(col, opr, 'x')).toBe(`opr ${opr} applies to text columns only`);
      }
    });

    it('refuse a non-string or overlong pattern', () => {
      for (const opr of textOps) {
        expect(problem('name', opr, 5)).toBeDefined();
        expect(problem('name', opr, ['a'])).toBeDefined();
        expect(problem('name', opr)).toBeDefined();
        expect(problem('name', opr, 'x'.repeat(1000))).toBeUndefined();
        expect(problem('name', opr, 'x'.repeat(1001))).toBeDefined();
      }
    });
  });

  describe('gt, gte, lt and lte', () => {
    const rangeOps = ['gt', 'gte', 'lt', 'lte'] as const;

    it.each([
      ['id', 10],
      ['changed_on', '2024-01-01'],
      ['name', 'm'],
    ])('accept %s against %j', (col, value) => {
      for (const opr of rangeOps) expect(problem(col, opr, value)).toBeUndefined();
    });

    it('refuse boolean columns', () => {
      for (const opr of rangeOps) {
        expect(problem('published', opr, true)).toBe(`opr ${opr} does not apply to boolean columns`);
      }
    });

    it.each([
      ['id', '10', 'integer'],
      ['id', [1, 2], 'integer'],
      ['changed_on', 'last week', 'datetime'],
      ['name', 3, 'string'],
    ])('refuse %s against %j', (col, value, kind) => {
      for (const opr of rangeOps)
        expect(problem(col, opr, value)).toBe(`must be a ${kind} for column ${col}`);
    });
  });

  describe('is_null and is_not_null', () => {
    it.each(Object.keys(KINDS))('take no value on the %s column', (col) => {
      for (const opr of ['is_null', 'is_not_null'] as const) {
        expect(filterValueProblem(KINDS, { col, opr })).toBeUndefined();
        expect(filterValueProblem(KINDS, { col, opr, value: null })).toBeUndefined();
      }
    });

    it.each([true, 0, '', 'x', []])('refuse the value %j', (value) => {
      for (const opr of ['is_null', 'is_not_null'] as const) {
        expect(filterValueProblem(KINDS, { col: 'name', opr, value })).toBe(`takes no value with opr ${opr}`);
      }
    });
  });

  it('has an answer for every operator', () => {
    for (const opr of FILTER_OPERATORS) {
      const filter: Partial<ListFilter> = { col: 'id', opr, value: { not: 'a scalar' } };
      expect(filterValueProblem(KINDS, filter)).toEqual(expect.any(String));
    }
  });
});
