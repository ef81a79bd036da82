import { allHandlersFinished, condition, continueAsNew, setHandler, upsertMemo } from '@temporalio/workflow';
import { inboxGenerationQuery, revokeInboxUpdate } from './contract';
import type { UnitInboxWorkflowInput } from './types';

/** Revocations one run takes before it continues as new, so its history stays small. */
const revocationsPerRun = 500;

/**
 * The generation of one unit's inbox links (`inbox:<code>`), started at the first revocation: before it
 * exists every inbox link has generation 1. Each `revokeInbox` raises the generation and records it in the
 * memo, which the API and the worker read with a describe call (no worker needed to answer).
 */
export async function unitInboxWorkflow(input: UnitInboxWorkflowInput): Promise<void> {
  let generation = input.generation;
  let revocations = 0;
  // A run continued from an earlier one states its generation again: the memo is what readers see.
  if (generation > 1) upsertMemo({ generation });
  setHandler(inboxGenerationQuery, () => generation);
  setHandler(revokeInboxUpdate, () => {
    generation += 1;
    revocations += 1;
    upsertMemo({ generation });
    return generation;
  });
  await condition(() => revocations >= revocationsPerRun);
  await condition(allHandlersFinished);
  await continueAsNew<typeof unitInboxWorkflow>({ unitCode: input.unitCode, generation });
}
