import { describe, expect, it } from 'vitest';
import { createSlotPool } from './slot-pool.js';

describe('createSlotPool', () => {
  it('hands out free slots at once and counts them busy', async () => {
    const pool = createSlotPool(['a', 'b']);
    const first = await pool.acquire();
    const second = await pool.acquire();
    expect([first.slot, second.slot].sort()).toEqual(['a', 'b']);
    expect(pool.busy).toBe(2);
    expect(pool.deferredTotal).toBe(0);
  });

  it('queues requests over the slot count and serves them first come, first served', async () => {
    const pool = createSlotPool(['only']);
    const holder = await pool.acquire();
    const order: string[] = [];
    const second = pool.acquire().then((lease) => {
      order.push('second');
      return lease;
    });
    const third = pool.acquire().then((lease) => {
      order.push('third');
      return lease;
    });
    expect(pool.waiting).toBe(2);
    expect(pool.deferredTotal).toBe(2);

    holder.release();
    (await second).release();
    (await third).release();
    expect(order).toEqual(['second', 'third']);
    expect(pool.busy).toBe(0);
    expect(pool.waiting).toBe(0);
  });

  it('releasing twice frees the slot once', async () => {
    const pool = createSlotPool([1]);
    const lease = await pool.acquire();
    lease.release();
    lease.release();
    expect(pool.busy).toBe(0);
    await pool.acquire();
    expect(pool.busy).toBe(1);
  });

  it('drops a waiting request whose signal aborts, and rejects with its reason', async () => {
    const pool = createSlotPool([1]);
    const holder = await pool.acquire();
    const controller = new AbortController();
    const waiting = pool.acquire(controller.signal);
    controller.abort(new Error('client went away'));
    await expect(waiting).rejects.toThrow('client went away');
    expect(pool.waiting).toBe(0);
    holder.release();
    expect(pool.busy).toBe(0);
  });

  it('refuses waiting and new requests once closed', async () => {
    const pool = createSlotPool([1]);
    await pool.acquire();
    const waiting = pool.acquire();
    pool.close(new Error('shutting down'));
    await expect(waiting).rejects.toThrow('shutting down');
    await expect(pool.acquire()).rejects.toThrow('shutting down');
  });
});
