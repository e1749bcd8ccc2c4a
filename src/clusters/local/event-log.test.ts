import { describe, expect, it } from 'vitest';
import { createEventLog } from './event-log.js';

function clock(start = Date.parse('2025-01-01T00:00:00Z')) {
  let at = start;
  return { now: () => new Date(at), advance: (ms: number) => (at += ms) };
}

const replica = { kind: 'Replica' as const, name: 'chat-0' };

describe('event log', () => {
  it('counts repeats of the same reason and message on the same object, keeping first and last time', () => {
    const time = clock();
    const log = createEventLog({ now: time.now });
    log.record('Warning', 'BackOff', 'Back-off restarting failed replica chat-0', replica);
    time.advance(5000);
    log.record('Warning', 'BackOff', 'Back-off restarting failed replica chat-0', replica);
    expect(log.all()).toEqual([
      {
        type: 'Warning',
        reason: 'BackOff',
        message: 'Back-off restarting failed replica chat-0',
        count: 2,
        firstTimestamp: '2025-01-01T00:00:00.000Z',
        lastTimestamp: '2025-01-01T00:00:05.000Z',
        involvedObject: replica,
      },
    ]);
  });

  it('keeps events apart when the message, reason or object differs', () => {
    const log = createEventLog({ now: clock().now });
    log.record('Warning', 'Exited', 'Replica chat-0 exited with code 1', replica);
    log.record('Warning', 'Exited', 'Replica chat-0 exited with code 2', replica);
    log.record('Warning', 'Failed', 'Replica chat-0 exited with code 1', replica);
    log.record('Warning', 'Exited', 'Replica chat-0 exited with code 1', { kind: 'Replica', name: 'chat-1' });
    expect(log.all().map((event) => event.count)).toEqual([1, 1, 1, 1]);
  });

  it('answers events last seen at or after a time, oldest first, a repeat moving to the end', () => {
    const time = clock();
    const log = createEventLog({ now: time.now });
    log.record('Normal', 'Started', 'a', replica);
    time.advance(1000);
    log.record('Normal', 'Started', 'b', replica);
    time.advance(1000);
    log.record('Normal', 'Started', 'a', replica);
    expect(log.since().map((event) => event.message)).toEqual(['b', 'a']);
    expect(log.since(new Date('2025-01-01T00:00:01.500Z')).map((event) => event.message)).toEqual(['a']);
    expect(log.since(new Date('2025-01-01T00:00:03Z'))).toEqual([]);
  });

  it('drops the events seen longest ago beyond its size', () => {
    const time = clock();
    const log = createEventLog({ now: time.now, max: 2 });
    for (const message of ['one', 'two', 'three']) {
      log.record('Normal', 'Started', message, replica);
      time.advance(1);
    }
    expect(log.all().map((event) => event.message)).toEqual(['two', 'three']);
  });

  it('continues counting events it was given back (from a saved state)', () => {
    const time = clock();
    const first = createEventLog({ now: time.now });
    first.record('Warning', 'OOMKilled', 'killed', replica);
    time.advance(1000);
    const second = createEventLog({ now: time.now, initial: first.all() });
    second.record('Warning', 'OOMKilled', 'killed', replica);
    expect(second.all()).toEqual([expect.objectContaining({ count: 2, firstTimestamp: '2025-01-01T00:00:00.000Z', lastTimestamp: '2025-01-01T00:00:01.000Z' })]);
  });
});
