import { describe, expect, it } from 'vitest';
import { redactUrl } from './logging';

describe('redactUrl', () => {
  it('hides token-like query parameters and keeps the rest', () => {
    expect(redactUrl('/mcp?access_token=eyJabc.def.ghi&page=2')).toBe('/mcp?access_token=[redacted]&page=2');
    expect(redactUrl('/preview.png?expires=1&signature=abc')).toBe(
      '/preview.png?expires=1&signature=[redacted]',
    );
    expect(redactUrl('/list_charts?page_size=3')).toBe('/list_charts?page_size=3');
    expect(redactUrl('/health')).toBe('/health');
    expect(redactUrl(undefined)).toBeUndefined();
  });

  it('keeps a malformed escape as written instead of throwing', () => {
    expect(redactUrl('/get_instance_info?%=1')).toBe('/get_instance_info?%=1');
    expect(redactUrl('/mcp?%zz=1&to%6ben=x')).toBe('/mcp?%zz=1&to%6ben=[redacted]');
  });
});
