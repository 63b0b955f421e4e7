/** Code versions identify the code the same way from dist/ and from the sources. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { codeVersion } from '../../src/paths.js';
import { forecastCodeVersion } from '../../src/simulation/forecast-code-version.js';
import { ROOT } from '../helpers/cli.js';

function fromDist(module: string, fn: string): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', `import(${JSON.stringify(`${ROOT}/dist/src/${module}`)}).then((m) => process.stdout.write(m.${fn}()))`]).toString();
}

describe('code versions', () => {
  it('are the same from the compiled code and from the sources, so a run can be resumed either way', () => {
    expect(fromDist('paths.js', 'codeVersion')).toBe(codeVersion());
    expect(fromDist('simulation/forecast-code-version.js', 'forecastCodeVersion')).toBe(forecastCodeVersion());
    expect(codeVersion()).toMatch(/^\d+\.\d+\.\d+\+[0-9a-f]{12}$/);
  });
});
