import { describe, expect, it } from 'vitest';
import { createStopMatcher } from './stop-matcher.js';

function run(stops: string[], pieces: string[]) {
  const matcher = createStopMatcher(stops);
  const sent: string[] = [];
  for (const piece of pieces) {
    const { text, stopped } = matcher.push(piece);
    sent.push(text);
    if (stopped) return { sent, stopped: true, text: sent.join('') };
  }
  sent.push(matcher.flush());
  return { sent, stopped: false, text: sent.join('') };
}

describe('createStopMatcher', () => {
  it('passes text through unchanged when there are no stop sequences', () => {
    expect(run([], ['Hello', ' world'])).toEqual({ sent: ['Hello', ' world', ''], stopped: false, text: 'Hello world' });
  });

  it('stops at a stop sequence inside one piece and drops it and what follows', () => {
    expect(run(['STOP'], ['abcSTOPdef'])).toMatchObject({ stopped: true, text: 'abc' });
  });

  it('holds back a possible start of a stop sequence until the next piece decides', () => {
    const result = run([' test'], ['Hello', ' te', 'st model']);
    expect(result.sent).toEqual(['Hello', '', '']);
    expect(result).toMatchObject({ stopped: true, text: 'Hello' });
  });

  it('releases held-back text when the next piece shows it was not a stop sequence', () => {
    const result = run([' test'], ['Hello', ' te', 'rm']);
    expect(result.sent).toEqual(['Hello', '', ' term', '']);
    expect(result).toMatchObject({ stopped: false, text: 'Hello term' });
  });

  it('flushes held-back text when generation ends first', () => {
    expect(run(['.\n'], ['end', '.'])).toMatchObject({ stopped: false, text: 'end.' });
  });

  it('cuts at the earliest of several matching stop sequences', () => {
    expect(run(['model', 'the'], ['from the H-MAS test model'])).toMatchObject({ stopped: true, text: 'from ' });
  });

  it('ignores empty stop strings', () => {
    expect(run([''], ['abc'])).toMatchObject({ stopped: false, text: 'abc' });
  });
});
