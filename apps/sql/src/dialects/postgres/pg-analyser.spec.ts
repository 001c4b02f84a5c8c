import { describe, expect, it } from 'vitest';
import { ValidationError } from '@meridian/errors';
import { extraFunctionsOf } from '../../guard/allow-list';
import type { Node } from '../../guard/tree';
import { analysePgTree } from './pg-analyser';
import { pgNodeClass, type PgNodeTag } from './pg-node-kinds';

const select = (targetList: unknown[]): Node => ({
  stmts: [{ stmt: { SelectStmt: { targetList, op: 'SETOP_NONE' } } }],
});

function ruleOf(tree: Node): unknown {
  try {
    analysePgTree(tree);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).details?.rule;
  }
  return undefined;
}

describe('the PostgreSQL walker fails closed', () => {
  it('refuses a node type the parser may grow that the guard has not classified', () => {
    expect(pgNodeClass('NoSuchNode' as PgNodeTag)).toBe('refuse');
    expect(ruleOf(select([{ ResTarget: { val: { NoSuchNode: {} } } }]))).toBe('unsupported_syntax');
  });

  it('refuses planner nodes a raw parse never holds', () => {
    expect(ruleOf(select([{ ResTarget: { val: { FuncExpr: { funcid: 2650 } } } }]))).toBe(
      'unsupported_syntax',
    );
  });

  it('refuses an unwrapped object in a field it has not reviewed', () => {
    expect(ruleOf(select([{ ResTarget: { val: { A_Const: { surprise: { sval: 'x' } } } } }]))).toBe(
      'unsupported_syntax',
    );
  });

  it('refuses more than one key where one node belongs', () => {
    expect(ruleOf(select([{ ResTarget: { val: { A_Const: {}, ColumnRef: {} } } }]))).toBe(
      'unsupported_syntax',
    );
  });
});

describe('extra.allowed_functions', () => {
  it('keeps valid names, qualified or not, and sets the rest aside', () => {
    const extra = extraFunctionsOf({
      allowed_functions: ['fiscal_quarter', 'analytics.working_days', 'bad name', 'x; DROP', 3, 'a.b.c'],
    });
    expect([...extra.names]).toEqual(['fiscal_quarter', 'analytics.working_days']);
    expect(extra.invalid).toEqual(['bad name', 'x; DROP', '3', 'a.b.c']);
    expect(extraFunctionsOf({}).names.size).toBe(0);
    expect(extraFunctionsOf({ allowed_functions: 'pg_read_file' }).names.size).toBe(0);
  });
});
