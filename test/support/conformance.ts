import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

export interface ConformanceResult {
  passed: number;
  failed: number;
  exitCode: number;
  output: string;
}

/** Runs one server scenario of the official MCP conformance suite against a live endpoint. */
export function runConformance(root: string, url: string, scenario: string): Promise<ConformanceResult> {
  const cli = resolve(root, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
  return new Promise((done) => {
    execFile(
      process.execPath,
      [cli, 'server', '--url', url, '--scenario', scenario, '--verbose'],
      { timeout: 120_000, maxBuffer: 10 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const output = `${stdout}\n${stderr}`;
        const count = (status: string) =>
          (output.match(new RegExp(`"status":\\s*"${status}"`, 'g')) ?? []).length;
        done({
          passed: count('SUCCESS'),
          failed: count('FAILURE'),
          exitCode: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          output: output.slice(-8000),
        });
      },
    );
  });
}
