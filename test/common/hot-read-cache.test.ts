import { HotReadCache, noticeWrite } from '../../src/common/hot-read-cache';

/** The hot read path's cache: at most `ttl` old, stale at once after a write in this process, one load at a time. */
describe('HotReadCache', () => {
  let now = 0;
  let loads: string[];
  let fail: boolean;
  const make = () =>
    new HotReadCache<string, string>(
      async (key) => {
        loads.push(key);
        await Promise.resolve();
        if (fail) throw new Error(`no ${key}`);
        return `${key}@${now}`;
      },
      1000,
      () => now,
    );
  beforeEach(() => {
    now = 0;
    loads = [];
    fail = false;
  });

  it('loads a key once while it is younger than the TTL, again once it is not', async () => {
    const c = make();
    expect(await c.get('a')).toBe('a@0');
    now = 999;
    expect(await c.get('a')).toBe('a@0');
    now = 1000;
    expect(await c.get('a')).toBe('a@1000');
    expect(loads).toEqual(['a', 'a']);
  });

  it('shares one load between concurrent requests for a key; keys are apart', async () => {
    const c = make();
    const [x, y, z] = await Promise.all([c.get('a'), c.get('a'), c.get('b')]);
    expect([x, y, z]).toEqual(['a@0', 'a@0', 'b@0']);
    expect(loads).toEqual(['a', 'b']);
  });

  it('loads again after a write noticed in this process, whatever the age', async () => {
    const c = make();
    await c.get('a');
    now = 10;
    noticeWrite();
    expect(await c.get('a')).toBe('a@10');
    expect(loads).toEqual(['a', 'a']);
  });

  it('does not keep a failed load', async () => {
    const c = make();
    fail = true;
    await expect(c.get('a')).rejects.toThrow('no a');
    fail = false;
    expect(await c.get('a')).toBe('a@0');
    expect(loads).toEqual(['a', 'a']);
  });
});
