import { describe, expect, it } from 'vitest';
import { printResult, renderTable } from './output.js';

describe('CLI output', () => {
  const columns = [
    { header: 'name', value: (row: { name: string; gpus?: number }) => row.name },
    { header: 'gpus', value: (row: { name: string; gpus?: number }) => row.gpus },
  ];

  it('aligns columns under upper-case headers and shows "-" for missing values', () => {
    expect(renderTable([{ name: 'local', gpus: 0 }, { name: 'h100-cluster' }], columns)).toBe(
      ['NAME          GPUS', 'local         0', 'h100-cluster  -'].join('\n'),
    );
  });

  it('says "(none)" for an empty list', () => {
    expect(renderTable([], columns)).toBe('(none)');
  });

  it('prints JSON for --output json', () => {
    const lines: string[] = [];
    printResult('json', [{ name: 'a', gpus: 1 }], columns, (text) => lines.push(text));
    expect(JSON.parse(lines[0]!)).toEqual([{ name: 'a', gpus: 1 }]);
  });
});
