import type { Client } from '@temporalio/client';
import type { DeliveryReceipt } from '../activities/sms/delivery-receipt';
import type { SmsSender } from '../activities/sms/smpp-client';
import type { SmsLedger } from '../activities/sms/sms-ledger';
import { smsReceiptSignal } from '../workflows/contract';

/**
 * Records each delivery receipt in its unit's history: the SMS ledger names the unit workflow and purpose
 * of the part the SMSC reports on, and the unit workflow is signalled. A receipt that arrives before its
 * part is in the ledger (the SMSC answered faster than the send returned) is looked up again a second later;
 * one for a part this worker never sent, or for a unit whose workflow has ended, is logged and dropped.
 */
export function recordSmsReceipts(
  sender: SmsSender,
  ledger: SmsLedger,
  client: Client,
  log: (msg: string, fields: Record<string, unknown>) => void,
): void {
  const record = (receipt: DeliveryReceipt, retried: boolean) => {
    const part = ledger.partOf(receipt.smscId);
    if (!part) {
      if (!retried) setTimeout(() => record(receipt, true), 1000).unref();
      else log('SMS receipt for a part this worker did not send', { smscId: receipt.smscId, state: receipt.state });
      return;
    }
    client.workflow
      .getHandle(part.workflowId)
      .signal(smsReceiptSignal, {
        purpose: part.purpose,
        reference: part.reference,
        smscId: receipt.smscId,
        part: part.index,
        state: receipt.state,
        doneAt: receipt.doneAt,
        error: receipt.error,
      })
      .catch((err: Error) =>
        log('SMS receipt not recorded', { workflowId: part.workflowId, smscId: receipt.smscId, error: err.message }),
      );
  };
  sender.onReceipt((receipt) => record(receipt, false));
}
