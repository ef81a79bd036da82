import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Rejected } from '../../api/errors';
import { mapTemporalError } from '../../api/temporal-gateway';
import { rejectionMessage } from '../../api/unit-pages/page-errors';
import { refusalCodes } from '../../workflows/unit-state';

/** One refusal vocabulary from the unit's update failure through the gateway to the API and the pages. */
const refusedWith = (type: string) =>
  mapTemporalError(
    new WorkflowUpdateFailedError(
      'update failed',
      ApplicationFailure.create({ message: `refused as ${type}`, type, nonRetryable: true }),
    ),
    'the unit',
  );

test.each(refusalCodes)(
  'When a unit refuses an update as %s, then the gateway keeps that code and the page says it in Persian',
  (code) => {
    const err = refusedWith(code);
    expect(err).toBeInstanceOf(Rejected);
    expect((err as Rejected).code).toBe(code);
    expect(rejectionMessage(err as Rejected)).toMatch(/[\u0600-\u06FF]/);
  },
);

test('When a reply comes through a revoked link, then the page says the link was revoked, not that the action is not allowed', () => {
  const revoked = rejectionMessage(refusedWith('link-revoked') as Rejected);
  expect(revoked).toContain('باطل');
  expect(revoked).not.toBe(rejectionMessage(refusedWith('not-allowed') as Rejected));
});

test('When an update fails with a type outside the vocabulary, then it is refused as not-allowed', () => {
  expect((refusedWith('something-else') as Rejected).code).toBe('not-allowed');
});
