import { describe, expect, it } from 'vitest';
import { mariadbType } from './mariadb-example';

describe('mariadbType', () => {
  it.each([
    ['text NOT NULL', 'VARCHAR(255) NOT NULL'],
    ['integer NOT NULL', 'INT NOT NULL'],
    ['bigint NOT NULL', 'BIGINT NOT NULL'],
    ['numeric(10,2) NOT NULL', 'DECIMAL(10,2) NOT NULL'],
    ['numeric NOT NULL', 'DECIMAL(24,2) NOT NULL'],
    ['date NOT NULL', 'DATE NOT NULL'],
  ])('turns %s into %s', (pg, mariadb) => {
    expect(mariadbType(pg)).toBe(mariadb);
  });
});
