import { describe, expect, it } from 'vitest';
import { latestThrottle } from './throttle';

describe('latestThrottle', () => {
  it('sends the first value, holds later ones within the interval, and flushes the latest', () => {
    let t = 0;
    const sent: number[] = [];
    const th = latestThrottle<number>(100, (v) => sent.push(v), () => t);
    th.push(1);
    t = 10; th.push(2);
    t = 50; th.push(3);
    expect(sent).toEqual([1]);
    t = 120; th.push(4);
    expect(sent).toEqual([1, 4]);
    t = 130; th.push(5);
    th.flush();
    expect(sent).toEqual([1, 4, 5]);
    th.flush();
    expect(sent).toEqual([1, 4, 5]);
  });
});
