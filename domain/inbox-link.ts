import { WorkflowNotFoundError, type Client } from '@temporalio/client';

/**
 * What the API (verifying) and the worker (signing) agree on about a unit's inbox link: its current
 * generation, read from Temporal, and its expiry.
 */

/**
 * The generation of a unit's inbox links: 1 until the first revocation starts the unit's inbox workflow
 * (`inboxWorkflowId`, from `unitInboxWorkflowId` in workflows/contract.ts), then what that workflow's memo
 * says. A describe call: the server answers, fresh, with no worker.
 */
export async function readInboxGeneration(client: Client, inboxWorkflowId: string): Promise<number> {
  try {
    const description = await client.workflow.getHandle(inboxWorkflowId).describe();
    const generation = Number((description.memo as { generation?: unknown } | undefined)?.generation);
    return Number.isInteger(generation) && generation > 0 ? generation : 1;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 1;
    throw err;
  }
}

/**
 * When an inbox link minted now for a message about a directive expires: the grace after the later of now
 * and that directive's report deadline. Every message carries a fresh link, so the expiry moves with the
 * unit's activity, and a head who keeps the latest message keeps a working inbox.
 */
export function inboxLinkExpiry(now: number, reportBy: string, graceMs: number): number {
  return Math.max(now, Date.parse(reportBy)) + graceMs;
}
