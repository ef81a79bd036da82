import { condition, setHandler } from '@temporalio/workflow';
import { campaignQuery } from './contract';
import type { CampaignRecord } from './types';

/**
 * A campaign as a small entity workflow (`campaign:<id>`): its record is the start input, answered by the
 * `campaign` query, and its search attributes (`FarmanKind = 'campaign'`, `Campaign = <id>`) list it. The
 * workflow ID makes the id unique across API replicas; it runs until terminated, records nothing after its
 * start, so its history stays a handful of events. Directives name their campaign in their own search
 * attribute, so the campaign never needs to hear of them.
 */
export async function campaignWorkflow(record: CampaignRecord): Promise<void> {
  setHandler(campaignQuery, () => record);
  await condition(() => false);
}
