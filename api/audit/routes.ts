import express, { type Response, type Router } from 'express';
import { ArchiveTampered, type HistoryArchive, type HistoryEntry } from '../../audit/archive';
import { AuditInputError, IncompleteHistories, resolveDirective } from '../../audit/audit-commands';
import { archivedDirective, latestPerWorkflow } from '../../audit/history-source';
import { formatRows } from '../../audit/output';
import { buildTimeline, type TimelineEntry } from '../../audit/timeline';
import { verifyArchive, type VerifyReport } from '../../audit/verify-archive';
import { formatJalaliDateTime } from '../../lib/jalali';
import { toPersianDigits } from '../../lib/persian-text';
import { currentUser, refusalPage, requireRole } from '../auth/middleware';
import { html, type Html } from '../../lib/html';
import { layout } from '../pages/layout';
import type { TemporalGateway } from '../temporal-gateway';
import { actorText, describeEntry, timelineKindLabels } from './timeline-labels';

/**
 * The auditor's pages (role auditor; admin passes too): the archive's verification status, a directive's
 * timeline read from its archived histories (or from the live server while it is not archived yet), and
 * downloads of the manifest and of every archived file, checked against its recorded hash on the way out.
 * Everything here reads; nothing changes the archive or a workflow.
 */

export interface AuditRouteDeps {
  archive: HistoryArchive;
  gateway: TemporalGateway;
}

const directiveIdPattern = /^\d{4}-\d{6}$/;
const unitCodePattern = /^[A-Z0-9-]{1,64}$/;

function page(res: Response, status: number, title: string, content: Html): void {
  const user = currentUser(res);
  const nav = html`<nav><a href="/audit">بایگانی حسابرسی</a> <a href="/directives">دستورالعمل‌ها</a></nav>`;
  res
    .status(status)
    .type('html')
    .send(layout({ title, who: user ? `${user.name} (حسابرس)` : undefined, nav }, content));
}

const fa = (n: number | string) => toPersianDigits(String(n));

function statusCard(report: VerifyReport): Html {
  const summary = html`<p>${fa(report.entries)} مدخل در فهرست، ${fa(report.filesChecked)} فایل با هش ثبت‌شده سنجیده شد.</p>
<p>هش آخرین مدخل (برای ثبت بیرون از بایگانی): <code class="ltr">${report.headHash}</code></p>`;
  if (report.ok)
    return html`<section class="card"><h2>وضعیت زنجیره</h2><p class="notice ok" id="chain-status">زنجیره سالم است: هیچ مدخلی تغییر نکرده، جابه‌جا یا حذف نشده است.</p>${summary}</section>`;
  const rows = report.problems.map(
    (p) =>
      html`<tr><td>${p.position === null ? '—' : fa(p.position)}</td><td class="ltr">${p.kind}</td><td class="ltr">${p.file ?? ''}</td><td class="ltr">${p.detail}</td></tr>`,
  );
  return html`<section class="card"><h2>وضعیت زنجیره</h2><p class="notice bad" id="chain-status">زنجیره آسیب دیده است: ${fa(report.problems.length)} مشکل پیدا شد.</p>${summary}
<table><thead><tr><th>ردیف فهرست</th><th>نوع مشکل</th><th>فایل</th><th>شرح</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function entriesTable(entries: HistoryEntry[]): Html {
  const rows = entries.map(
    (e) =>
      html`<tr><td>${fa(e.seq)}</td><td class="ltr">${e.workflowId}</td><td class="ltr">${e.status}</td><td>${e.closeTime ? formatJalaliDateTime(e.closeTime) : '—'}</td><td class="ltr"><code>${e.sha256.slice(0, 16)}…</code></td><td class="ltr"><code>${e.buildIds.at(-1)?.slice(0, 12) ?? '—'}</code></td><td><a href="/audit/entries/${e.seq}">دریافت</a></td></tr>`,
  );
  return html`<table><thead><tr><th>ردیف</th><th>شناسه گردش کار</th><th>وضعیت</th><th>زمان پایان</th><th>SHA-256</th><th>نسخه کد</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
}

function timelineTable(entries: TimelineEntry[]): Html {
  const rows = entries.map(
    (e) =>
      html`<tr data-kind="${e.kind}"><td>${e.jalali}</td><td class="ltr">${e.at}</td><td class="ltr">${e.unit ?? '—'}</td><td>${timelineKindLabels[e.kind]}</td><td>${actorText(e.actor)}</td><td>${describeEntry(e)}${
        e.details.messageId ? html`<br><span class="muted ltr">Message-ID: ${String(e.details.messageId)}</span>` : ''
      }</td></tr>`,
  );
  return html`<table id="timeline"><thead><tr><th>زمان (تهران)</th><th>زمان (ISO)</th><th>واحد</th><th>رویداد</th><th>انجام‌دهنده</th><th>شرح</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/**
 * Every history of the directive, complete (audit/audit-commands.ts): the closed runs from the archive,
 * what it lacks from the live server. Null when neither knows the directive.
 * @throws IncompleteHistories when some history is in neither, so the page never shows a partial timeline.
 */
async function directiveHistories(deps: AuditRouteDeps, id: string) {
  const archived = await archivedDirective(deps.archive, id);
  try {
    const histories = await resolveDirective(id, { archive: deps.archive, server: async () => deps.gateway.client });
    return { live: histories.some((h) => h.source === 'live'), histories, entries: archived.map((a) => a.entry) };
  } catch (err) {
    if (err instanceof AuditInputError) return null;
    throw err;
  }
}

export function auditRoutes(deps: AuditRouteDeps): Router {
  const router = express.Router();
  router.use(requireRole('auditor'));

  router.get('/', async (_req, res) => {
    const [report, entries] = await Promise.all([verifyArchive(deps.archive), deps.archive.entries()]);
    const histories = entries.filter((e): e is HistoryEntry => e.kind === 'history');
    const byDirective = new Map<string, HistoryEntry[]>();
    for (const e of histories) {
      const id = /^directive:([^/]+)/.exec(e.workflowId)?.[1];
      if (id) byDirective.set(id, [...(byDirective.get(id) ?? []), e]);
    }
    const rows = [...byDirective.entries()]
      .sort(([a], [b]) => (a < b ? 1 : -1))
      .map(([id, list]) => {
        const latest = latestPerWorkflow(list);
        const closed = latest.filter((e) => e.status !== 'Running').length;
        return html`<tr><td class="ltr"><a href="/audit/directives/${id}">${id}</a></td><td>${fa(latest.length)}</td><td>${fa(closed)}</td><td>${formatJalaliDateTime(list.at(-1)!.archivedAt)}</td></tr>`;
      });
    page(
      res,
      200,
      'بایگانی حسابرسی',
      html`<h1>بایگانی حسابرسی</h1>${statusCard(report)}
<section class="card"><h2>دستورالعمل‌های بایگانی‌شده</h2>${
        rows.length
          ? html`<table><thead><tr><th>دستورالعمل</th><th>گردش کارها</th><th>پایان‌یافته</th><th>آخرین بایگانی</th></tr></thead><tbody>${rows}</tbody></table>`
          : html`<p class="muted">هنوز چیزی بایگانی نشده است.</p>`
      }
<p><a href="/audit/manifest.jsonl">دریافت فهرست زنجیره‌ای (manifest.jsonl)</a></p></section>`,
    );
  });

  router.get('/manifest.jsonl', async (_req, res) => {
    res
      .type('application/x-ndjson')
      .attachment('farman-archive-manifest.jsonl')
      .send(await deps.archive.manifestText());
  });

  router.get('/entries/:seq', async (req, res) => {
    const seq = Number(req.params.seq);
    const entry = Number.isInteger(seq) ? (await deps.archive.entries()).find((e) => e.seq === seq) : undefined;
    if (!entry) return refusalPage(res, 404, 'یافت نشد', 'چنین مدخلی در بایگانی نیست.');
    try {
      const bytes = await deps.archive.readFile(entry);
      const name = `farman-archive-${seq}-${entry.kind === 'history' ? entry.workflowId.replace(/[^A-Za-z0-9-]+/g, '_') : entry.buildId.slice(0, 16)}${entry.kind === 'history' ? '.json' : '.js'}`;
      res.set('X-Content-SHA256', entry.sha256);
      res
        .type(entry.kind === 'history' ? 'application/json' : 'text/javascript')
        .attachment(name)
        .send(bytes);
    } catch (err) {
      if (err instanceof ArchiveTampered)
        return refusalPage(
          res,
          409,
          'فایل دست‌کاری شده است',
          'این فایل با هش ثبت‌شده در فهرست بایگانی مطابقت ندارد و فرستاده نمی‌شود.',
        );
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        return refusalPage(res, 410, 'فایل موجود نیست', 'فایل این مدخل از بایگانی حذف شده است.');
      throw err;
    }
  });

  router.get(['/directives/:id', '/directives/:id/timeline.csv'], async (req, res) => {
    const id = String(req.params.id);
    const unit = typeof req.query.unit === 'string' && req.query.unit ? req.query.unit.trim().toUpperCase() : undefined;
    if (!directiveIdPattern.test(id))
      return refusalPage(res, 404, 'یافت نشد', 'شناسه دستورالعمل نامعتبر است؛ نمونه: ۱۴۰۵-۰۰۰۰۴۲');
    if (unit !== undefined && !unitCodePattern.test(unit))
      return refusalPage(
        res,
        400,
        'کد واحد نامعتبر است',
        'کد واحد فقط حروف بزرگ لاتین، رقم و خط تیره دارد؛ نمونه: THR-TEH-MRK',
      );
    const found = await directiveHistories(deps, id).catch((err: unknown) => {
      if (err instanceof IncompleteHistories) return err;
      throw err;
    });
    if (!found) return refusalPage(res, 404, 'یافت نشد', 'این دستورالعمل نه در بایگانی هست و نه در سرور.');
    if (found instanceof IncompleteHistories) {
      return refusalPage(
        res,
        503,
        'سابقه ناقص',
        `سابقه کامل نیست و نشان داده نمی‌شود؛ این تاریخچه‌ها نه در بایگانی هستند و نه در سرور: ${found.missing.join('، ')}`,
      );
    }
    const timeline = buildTimeline(found.histories, { unit });
    if (req.path.endsWith('.csv')) {
      const rows = timeline.map((e) => ({
        at: e.at,
        jalali: e.jalali,
        unit: e.unit,
        kind: e.kind,
        event: timelineKindLabels[e.kind],
        actor: actorText(e.actor),
        description: describeEntry(e),
        messageId: String(e.details.messageId ?? ''),
        workflowId: e.workflowId,
        eventId: e.eventId,
      }));
      res.type('text/csv; charset=utf-8').attachment(`farman-timeline-${id}${unit ? `-${unit}` : ''}.csv`);
      return res.send(
        formatRows(
          rows,
          ['at', 'jalali', 'unit', 'kind', 'event', 'actor', 'description', 'messageId', 'workflowId', 'eventId'],
          'csv',
        ),
      );
    }
    const units = [
      ...new Set(found.histories.map((h) => /\/unit:(.+)$/.exec(h.workflowId)?.[1]).filter((c): c is string => !!c)),
    ].sort();
    const archivedEntries = found.entries;
    page(
      res,
      200,
      `سابقه دستورالعمل ${fa(id)}`,
      html`<h1>سابقه دستورالعمل <span class="ltr">${id}</span></h1>
${found.live ? html`<p class="notice warn">این دستورالعمل هنوز بایگانی نشده است (یا فقط بخشی از آن بایگانی شده است)؛ آنچه در بایگانی نیست از سرور زنده خوانده شد.</p>` : html`<p class="notice ok">سابقه از تاریخچه‌های بایگانی‌شده خوانده شد، نه از وضعیت فعلی گردش کار.</p>`}
<section class="card"><form method="get" action="/audit/directives/${id}"><label for="unit">فقط یک واحد</label>
<select id="unit" name="unit"><option value="">همه واحدها</option>${units.map((c) => html`<option value="${c}"${c === unit ? ' selected' : ''}>${c}</option>`)}</select>
<button type="submit">نمایش</button></form>
<p><a href="/audit/directives/${id}/timeline.csv${unit ? `?unit=${encodeURIComponent(unit)}` : ''}">دریافت CSV</a></p></section>
<section class="card"><h2>رویدادها</h2>${timeline.length ? timelineTable(timeline) : html`<p class="muted">رویدادی نیست.</p>`}</section>
${archivedEntries.length ? html`<section class="card"><h2>فایل‌های بایگانی</h2>${entriesTable(archivedEntries)}</section>` : ''}`,
    );
  });

  return router;
}
