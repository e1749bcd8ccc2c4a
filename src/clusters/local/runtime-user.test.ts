import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accessProblem, findColonEntry, parseRuntimeUserSetting, resolveRuntimeUser } from './runtime-user.js';

describe('runtime user', () => {
  it('reads "user" and "user:group", and refuses anything else', () => {
    expect(parseRuntimeUserSetting('nobody')).toEqual({ user: 'nobody', group: null });
    expect(parseRuntimeUserSetting('hmas-runtime:render')).toEqual({ user: 'hmas-runtime', group: 'render' });
    expect(parseRuntimeUserSetting('1000:1000')).toEqual({ user: '1000', group: '1000' });
    for (const bad of ['', 'a:b:c', 'x y', '../x']) expect(() => parseRuntimeUserSetting(bad)).toThrow(/HMAS_RUNTIME_USER/);
  });

  it('finds a passwd entry by name or by id', () => {
    const passwd = 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';
    expect(findColonEntry(passwd, 'nobody')?.[2]).toBe('65534');
    expect(findColonEntry(passwd, '0')?.[0]).toBe('root');
    expect(findColonEntry(passwd, 'ghost')).toBeNull();
  });

  it('does not switch when the server is not root, and says why', async () => {
    expect(await resolveRuntimeUser({ setting: 'nobody', serverUid: 1000 })).toEqual({
      switching: false,
      reason: 'the server runs as uid 1000, not root, so it cannot switch to nobody',
    });
  });

  it('as root, switches to the named user, and refuses an unknown user or root itself', async () => {
    expect(await resolveRuntimeUser({ setting: 'nobody', serverUid: 0 })).toEqual({ switching: true, name: 'nobody', uid: 65534, gid: 65534 });
    expect(await resolveRuntimeUser({ setting: '4242:4243', serverUid: 0 })).toEqual({ switching: true, name: '4242', uid: 4242, gid: 4243 });
    await expect(resolveRuntimeUser({ setting: 'hmas-no-such-user', serverUid: 0 })).rejects.toThrow(/no user "hmas-no-such-user"/);
    await expect(resolveRuntimeUser({ setting: 'root', serverUid: 0 })).rejects.toThrow(/must not be root/);
  });

  describe('access by mode bits', () => {
    let dir: string;
    const nobody = { name: 'nobody', uid: 65534, gid: 65534 };
    beforeEach(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'hmas-access-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('names the directory the user cannot enter, or the file it cannot read', async () => {
      const inner = path.join(dir, 'models');
      await mkdir(inner);
      const file = path.join(inner, 'm.gguf');
      await writeFile(file, 'x', { mode: 0o600 });
      await chmod(dir, 0o700);
      expect(await accessProblem(nobody, file, 'read')).toBe(`the runtime user nobody cannot enter ${dir} (mode 700), so it cannot reach ${file}`);
      await chmod(dir, 0o711);
      await chmod(inner, 0o755);
      expect(await accessProblem(nobody, file, 'read')).toBe(`the runtime user nobody cannot read ${file} (mode 600)`);
      await chmod(file, 0o644);
      expect(await accessProblem(nobody, file, 'read')).toBeNull();
      expect(await accessProblem(nobody, path.join(dir, 'missing'), 'read')).toBeNull();
    });
  });
});
