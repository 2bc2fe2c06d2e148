import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPTIONS } from '../src/config.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('gives the start and test commands on its first screen', () => {
    const first = readme.split('\n').slice(0, 12).join('\n');
    expect(first).toContain('npm start');
    expect(first).toContain('npm test');
  });

  it('documents every option with its env var, flag and default', () => {
    for (const spec of Object.values(OPTIONS)) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${spec.env}\``));
      expect(row, spec.env).toBeDefined();
      expect(row).toContain(`\`--${spec.flag}\``);
      if (spec.default) expect(row).toContain(`\`${spec.default}\``);
    }
  });
});
