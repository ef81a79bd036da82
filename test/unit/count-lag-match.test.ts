import { matchInOrder, type Poll } from '../../bench/count-lag';

const poll = (at: number, acknowledged: number, reported = 0): Poll => ({ at, acknowledged, reported });

describe('the count-lag benchmark matches replies to the totals it polls', () => {
  test('When two replies are counted in one batch, then each is counted at the first poll showing it', () => {
    const polls = [poll(100, 0), poll(150, 1), poll(200, 1), poll(250, 3)];
    expect(matchInOrder([120, 90, 110], polls, 'acknowledged')).toEqual([60, 140, 130]);
  });

  test('When a count shows before the reply is answered, then the lag is negative, not hidden', () => {
    expect(matchInOrder([160], [poll(150, 0, 1)], 'reported')).toEqual([-10]);
  });

  test('When a reply is never counted, then the run fails instead of reporting a lag', () => {
    expect(() => matchInOrder([10, 20], [poll(50, 1)], 'acknowledged')).toThrow(
      'reply 2 of 2 (acknowledged) was never counted',
    );
  });
});
