import { Router } from 'express';
import { inboxLinkExpiry } from '../../domain/inbox-link';
import { formatJalaliDateTime, formatTimeLeft } from '../../lib/jalali';
import { signLinkToken, verifyInboxToken } from '../../lib/link-token';
import { obligationLabels, priorityLabels } from '../../domain/persian-labels';
import { toPersianDigits } from '../../lib/persian-text';
import { unitCodeSchema } from '../../domain/registry-schema';
import { byUrgency, directiveOutcome, type DirectiveOutcome } from '../../audit/unit-record';
import { parseUnitWorkflowId } from '../../workflows/contract';
import { isTerminal } from '../../workflows/unit-state';
import { unitStateLabels } from '../dashboard/labels';
import { mapBounded } from '../dashboard/map-bounded';
import { quote } from '../office/list-directives';
import { html } from '../../lib/html';
import { layout } from '../pages/layout';
import type { UnitPageDeps } from './link-access';
import { LinkRefused } from './page-errors';
import { unitPageErrors } from './routes';

export interface InboxDeps extends UnitPageDeps {
  /** The deployment's task queue: only its directives are listed. */
  taskQueue?: string;
  /** How long after a deadline a link minted here still opens (LINK_GRACE_DAYS). */
  linkGraceMs: number;
}

/** One open directive in the inbox, with a fresh link to its page. */
export interface InboxItem {
  outcome: DirectiveOutcome;
  escalationLevel: number;
  href: string;
}

/**
 * The unit's open directives: visibility finds its running unit workflows, each is asked for its state (a
 * query: fresh, and it drops a unit that ended after visibility listed it), and the list is ordered most
 * urgent first. Directives whose state could not be read are returned apart, never dropped silently.
 */
export async function openDirectives(
  deps: InboxDeps,
  unitCode: string,
  now: number,
): Promise<{ items: InboxItem[]; unreadable: string[] }> {
  const clauses = [`FarmanKind = 'unit'`, `UnitCode = ${quote(unitCode)}`, `ExecutionStatus = 'Running'`];
  if (deps.taskQueue) clauses.push(`TaskQueue = ${quote(deps.taskQueue)}`);
  const listed = await deps.gateway.listWorkflows(clauses.join(' AND '), 'the inbox');
  const directiveIds = [
    ...new Set(
      listed
        .map((wf) => parseUnitWorkflowId(wf.workflowId))
        .filter((p) => p?.unitCode === unitCode)
        .map((p) => p!.directiveId),
    ),
  ];
  const items: InboxItem[] = [];
  const unreadable: string[] = [];
  await mapBounded(directiveIds, 8, async (directiveId) => {
    try {
      const state = await deps.gateway.unitState(directiveId, unitCode);
      if (isTerminal(state)) return;
      const token = signLinkToken(
        {
          directiveId,
          unitCode,
          purpose: 'reply',
          generation: state.linkGeneration,
          expiresAt: inboxLinkExpiry(now, state.policy.reportBy, deps.linkGraceMs),
        },
        deps.signingKeys,
      );
      items.push({
        outcome: directiveOutcome(state, null, now),
        escalationLevel: state.escalationLevel,
        href: `/u/${token}`,
      });
    } catch {
      unreadable.push(directiveId);
    }
  });
  items.sort((a, b) => byUrgency(a.outcome, b.outcome));
  return { items, unreadable: unreadable.sort() };
}

function renderInbox(unitName: string, items: InboxItem[], unreadable: string[], now: Date): string {
  const content = html`<h1>کارتابل ${unitName}</h1>
<p class="muted">دستورالعمل‌های باز واحد شما، فوری‌ترین نخست. برای پاسخ هر یک، عنوان آن را باز کنید. این صفحه فقط نمایش است و با باز کردن آن چیزی ثبت نمی‌شود.</p>
${unreadable.length ? html`<p class="notice bad" role="alert">این فهرست کامل نیست: وضعیت ${toPersianDigits(unreadable.length)} دستورالعمل اکنون خوانده نشد. چند لحظه بعد دوباره این صفحه را باز کنید.</p>` : ''}
${
  items.length
    ? html`<ol class="inbox">${items.map(({ outcome: o, escalationLevel, href }) => {
        const overdue = o.due?.overdue ?? false;
        return html`<li class="card${overdue ? ' overdue' : ''}" data-directive="${o.directiveId}">
<h2><a href="${href}">${o.title}</a></h2>
<p class="muted">شماره <span class="ltr">${toPersianDigits(o.directiveId)}</span> — فوریت: ${priorityLabels[o.priority]} — وضعیت: ${unitStateLabels[o.state]}${escalationLevel > 0 ? html` — <span class="bad">پیگیری مرحله ${toPersianDigits(escalationLevel)}</span>` : ''}</p>
${
  o.due
    ? html`<p>${obligationLabels[o.due.obligation]} تا ${formatJalaliDateTime(o.due.deadline)} <strong class="${overdue ? 'bad' : 'ok'}">(${formatTimeLeft(o.due.deadline, now)})</strong></p>`
    : html`<p class="muted">گزارش فرستاده شده و در انتظار بررسی فرمانداری است.</p>`
}
</li>`;
      })}</ol>`
    : html`<section class="card"><p class="ok">کار بازی ندارید.</p></section>`
}`;
  return layout({ title: `کارتابل ${unitName}`, who: unitName }, content);
}

/**
 * The head's inbox under `/k/<token>`: a token signed per unit (purpose `inbox`), refused once the unit's
 * inbox generation has moved past it or its expiry has passed. GET and HEAD only read: nothing is recorded
 * (mail scanners fetch every link), and the page links to each open directive's own page.
 */
export function inboxRoutes(deps: InboxDeps): Router {
  const router = Router();
  router.use((_req, res, next) => {
    // The page holds fresh reply links: never cache or store it.
    res.set('Cache-Control', 'no-store');
    next();
  });

  router.get('/:token', async (req, res) => {
    const now = (deps.now ?? Date.now)();
    const claims = verifyInboxToken(String(req.params.token), deps.signingKeys, now);
    if (!unitCodeSchema.safeParse(claims.unitCode).success) throw new LinkRefused('unknown');
    const generation = await deps.gateway.inboxGeneration(claims.unitCode);
    if (claims.generation < generation) throw new LinkRefused('revoked');
    if (claims.generation > generation) throw new LinkRefused('mismatch');
    const { items, unreadable } = await openDirectives(deps, claims.unitCode, now);
    const unitName = deps.registry().get(claims.unitCode)?.name ?? claims.unitCode;
    res.type('html').send(renderInbox(unitName, items, unreadable, new Date(now)));
  });

  router.use(() => {
    throw new LinkRefused('unknown');
  });
  router.use(unitPageErrors);
  return router;
}
