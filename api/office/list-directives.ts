import type { z } from 'zod';
import { compliancePercent } from '../directives/compliance';
import { mapTemporalError, type TemporalGateway } from '../temporal-gateway';
import type { ListQuery, listItemSchema } from './schemas';

type ListItem = z.infer<typeof listItemSchema>;

/** Most candidates one list request reads the titles of while looking for text matches. */
const scanLimit = 1_000;

/** A string literal of a visibility query. */
export const quote = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** The visibility query of a list request: filters Temporal can apply (text and the cursor are applied here). */
export function visibilityQuery(q: Omit<ListQuery, 'limit'>, taskQueue?: string): string {
  const clauses = [`FarmanKind = 'directive'`];
  if (taskQueue) clauses.push(`TaskQueue = ${quote(taskQueue)}`);
  if (q.state) clauses.push(`ComplianceState IN (${q.state.map(quote).join(', ')})`);
  if (q.priority) clauses.push(`Priority = ${quote(q.priority)}`);
  if (q.campaign) clauses.push(`Campaign = ${quote(q.campaign)}`);
  if (q.issuedFrom) clauses.push(`StartTime >= ${quote(q.issuedFrom)}`);
  if (q.issuedTo) clauses.push(`StartTime < ${quote(q.issuedTo)}`);
  return clauses.join(' AND ');
}

/** Case-insensitive: every word of `text` appears in the title or the id (Arabic ی/ک already normalised). */
function matchesText(text: string | undefined, item: { id: string; title: string }): boolean {
  if (!text) return true;
  const haystack = `${item.id} ${item.title}`.toLowerCase().replace(/[يى]/g, 'ی').replace(/ك/g, 'ک');
  return text
    .toLowerCase()
    .replace(/[يى]/g, 'ی')
    .replace(/ك/g, 'ک')
    .split(/\s+/)
    .every((word) => haystack.includes(word));
}

/**
 * Lists directives, newest id first, a page at a time. Temporal's visibility finds the candidates (kind,
 * state, priority, issue-date range); each listed directive's counts, state and title then come from its
 * workflow's own queries, so the numbers shown are never older than what an earlier reply already saw,
 * even while visibility lags. Filtering by state uses visibility's ComplianceState, which may trail the
 * workflow by about a second.
 *
 * Pagination is by key: `nextCursor` is the last id of the page and the next page starts below it, so
 * directives issued meanwhile never shift or repeat a page. With `text`, a page may hold fewer than
 * `limit` items when more than `scanLimit` candidates were read; `nextCursor` then continues the search.
 */
export async function listDirectives(
  deps: { gateway: TemporalGateway; taskQueue?: string },
  q: ListQuery,
): Promise<{ items: ListItem[]; nextCursor: string | null }> {
  const ids: string[] = [];
  try {
    for await (const info of deps.gateway.client.workflow.list({ query: visibilityQuery(q, deps.taskQueue) })) {
      const id = info.workflowId.startsWith('directive:') ? info.workflowId.slice('directive:'.length) : null;
      if (id && !id.includes('/') && (!q.cursor || id < q.cursor)) ids.push(id);
    }
  } catch (err) {
    throw mapTemporalError(err, 'the directive list');
  }
  const candidates = [...new Set(ids)].sort().reverse();

  const items: ListItem[] = [];
  let scanned = 0;
  while (items.length < q.limit && scanned < candidates.length && scanned < scanLimit) {
    const batch = candidates.slice(
      scanned,
      scanned + Math.min(q.limit - items.length + (q.text ? 10 : 0), scanLimit - scanned),
    );
    const read = await Promise.all(batch.map((id) => readItem(deps.gateway, id)));
    for (const item of read) {
      scanned++;
      if (!matchesText(q.text, item)) continue;
      items.push(item);
      if (items.length === q.limit) break;
    }
  }
  const more = scanned < candidates.length;
  const lastRead = candidates[scanned - 1];
  return { items, nextCursor: more && lastRead ? lastRead : null };
}

async function readItem(gateway: TemporalGateway, id: string): Promise<ListItem> {
  const [status, { spec }] = await Promise.all([gateway.directiveStatus(id), gateway.directiveDocument(id)]);
  return {
    id,
    title: spec.title,
    priority: spec.priority,
    issuedAt: spec.issuedAt,
    campaign: spec.campaign ?? null,
    acknowledgeBy: spec.acknowledgeBy,
    reportBy: spec.reportBy,
    state: status.state,
    compliancePercent: compliancePercent(status),
    status,
    href: `/api/v1/directives/${id}`,
  };
}
