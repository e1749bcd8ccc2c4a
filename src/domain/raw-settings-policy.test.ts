import { describe, expect, it } from 'vitest';
import { mayWriteRawSettings, rawSettingsDiffer } from './raw-settings-policy.js';

describe('raw settings policy', () => {
  it('lets admins write any raw settings', () => {
    expect(mayWriteRawSettings('admin', undefined, { extraArgs: ['--foo'] })).toBe(true);
  });

  it('refuses operators and viewers who add or change raw settings', () => {
    expect(mayWriteRawSettings('operator', undefined, { extraArgs: ['--foo'] })).toBe(false);
    expect(mayWriteRawSettings('operator', { extraEnv: { A: '1' } }, { extraEnv: { A: '2' } })).toBe(false);
    expect(mayWriteRawSettings('operator', { extraEnv: { A: '1' } }, {})).toBe(false);
    expect(mayWriteRawSettings('viewer', undefined, { extraEnv: { A: '1' } })).toBe(false);
  });

  it('lets operators keep raw settings as they are, in any key order, and send empty ones', () => {
    expect(mayWriteRawSettings('operator', { extraEnv: { A: '1', B: '2' } }, { extraEnv: { B: '2', A: '1' } })).toBe(true);
    expect(mayWriteRawSettings('operator', undefined, { extraArgs: [], extraEnv: {} })).toBe(true);
    expect(rawSettingsDiffer({ extraArgs: ['--a', '--b'] }, { extraArgs: ['--b', '--a'] })).toBe(true);
  });
});
