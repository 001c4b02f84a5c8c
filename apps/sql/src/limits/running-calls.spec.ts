import { describe, expect, it } from 'vitest';
import { RunningCalls } from './running-calls';

describe('RunningCalls', () => {
  it('cancels the calls of one user under one key, and nobody else’s', () => {
    const calls = new RunningCalls();
    const mine = calls.open({ user_id: 1 }, 'mcp:7');
    const twin = calls.open({ user_id: 1 }, 'mcp:7');
    const other = calls.open({ user_id: 2 }, 'mcp:7');
    const unnamed = calls.open({ user_id: 1 }, undefined);
    expect(calls.cancel(1, 'mcp:8')).toBe(0);
    expect(calls.cancel(1, 'mcp:7')).toBe(2);
    expect([mine.signal.aborted, twin.signal.aborted, other.signal.aborted, unnamed.signal.aborted]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    mine.close();
    twin.close();
    expect(calls.cancel(1, 'mcp:7')).toBe(0);
    expect(calls.size).toBe(2);
    expect(calls.cancelAll()).toBe(2);
    expect(unnamed.signal.aborted).toBe(true);
  });
});
