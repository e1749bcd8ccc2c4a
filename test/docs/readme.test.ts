import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeConfig } from '../../src/config/config.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('starts with a quickstart of exactly the two commands', () => {
    const quickstart = /## Quickstart\s+```sh\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(quickstart?.trim().split('\n')).toEqual(['npm install && npm start', 'npm test']);
  });

  it('documents every configuration variable with its default', () => {
    for (const setting of describeConfig()) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${setting.name}\` |`));
      expect(row, `README row for ${setting.name}`).toBeDefined();
      if (setting.defaultValue) expect(row).toContain(`\`${setting.defaultValue}\``);
    }
  });
});
