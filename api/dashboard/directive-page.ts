import type { Response } from 'express';
import { priorities } from '../../domain/directive-schema';
import { formatJalaliDateTime } from '../../lib/jalali';
import { directiveWorkflowId, unitWorkflowId } from '../../workflows/contract';
import type { ReportValue } from '../../workflows/types';
import { isTerminal } from '../../workflows/unit-state';
import { html, type Html } from '../../lib/html';
import { pendingExtensions, type DirectiveOverview, type UnitRow } from './directive-report';
import { complianceBar } from './list-page';
import {
  actorLabel,
  describeTransition,
  directiveStateLabels,
  escalationTargetLabels,
  fa,
  jalaliOrDash,
  obligationLabels,
  priorityLabels,
  unitStateLabels,
} from './labels';
import type { OfficeAction } from './office-actions';
import { formGuard } from './page-shell';
import { href } from './query-params';
import { complianceStates } from '../../workflows/types';
import { unitSortKeys, unitTableParams, unitsPerPage, type UnitSortKey, type UnitTableQuery } from './unit-table';

/** A failed action, shown above the page with the submitted values put back into its form. */
export interface ActionFailure {
  action: OfficeAction;
  unit?: string;
  message: string;
  form: Record<string, unknown>;
}

export interface DirectivePageModel {
  overview: DirectiveOverview;
  /** The filtered, sorted rows (all pages). */
  rows: UnitRow[];
  query: UnitTableQuery;
  /** The open unit, with its details. */
  selected?: UnitRow;
  canAct: boolean;
  /** `${TEMPORAL_UI_URL}/namespaces/${ns}`, when the UI's address is configured. */
  temporalUi?: string;
  /** The confirmation after a successful action (from `?done=`). */
  done?: string;
  failure?: ActionFailure;
}

const sortLabels: Record<UnitSortKey, string> = {
  name: 'واحد',
  county: 'شهرستان',
  state: 'وضعیت',
  acknowledged: 'زمان اعلام وصول',
  reported: 'زمان گزارش',
  reminders: 'یادآوری‌ها',
  escalation: 'سطح پیگیری',
  extensions: 'درخواست تمدید',
};

/** Persian confirmations for `?done=`; anything else shows nothing. */
export const doneMessages: Record<string, string> = {
  amend: 'اصلاحیه ثبت و برای واحدها فرستاده شد.',
  cancel: 'دستورالعمل لغو شد.',
  close: 'دستورالعمل بسته شد.',
  'extend-all': 'مهلت واحدهای باز تمدید شد.',
  extend: 'مهلت واحد تمدید شد.',
  'decide-extension': 'درباره درخواست تمدید تصمیم ثبت شد.',
  accept: 'گزارش پذیرفته شد.',
  return: 'گزارش برای اصلاح برگشت داده شد.',
  exempt: 'واحد معاف شد.',
  remind: 'یادآوری فرستاده شد.',
  issued: 'دستورالعمل صادر شد و برای واحدها فرستاده می‌شود.',
};

function temporalLink(base: string | undefined, workflowId: string): Html {
  if (!base) return html``;
  return html` <a class="muted" href="${`${base}/workflows/${encodeURIComponent(workflowId)}`}" rel="noreferrer">نمایش در Temporal</a>`;
}

function reportValue(v: ReportValue | undefined): string {
  if (v === undefined || v === null || v === '') return '—';
  if (typeof v === 'boolean') return v ? 'بله' : 'خیر';
  if (typeof v === 'number') return fa(v);
  if (Array.isArray(v)) return v.map((f) => f.name).join('، ');
  return v;
}

/** The directive page: summary, directive-wide actions, the unit table and the open unit's panel. */
export function renderDirectivePage(res: Response, m: DirectivePageModel): Html {
  const { overview: o, query: q } = m;
  const { spec, status } = o;
  const open = status.state === 'open' || status.state === 'fanning-out';
  const base = `/directives/${o.id}`;
  const back = href(base, unitTableParams(q));
  const failedValue = (action: OfficeAction, field: string, fallback = ''): string => {
    const v = m.failure?.action === action ? m.failure.form[field] : undefined;
    return typeof v === 'string' ? v : fallback;
  };
  const isOpen = (action: OfficeAction, unit?: string) =>
    m.failure?.action === action && m.failure.unit === unit ? ' open' : '';
  const actionForm = (
    action: OfficeAction,
    unit: string | undefined,
    label: string,
    fields: Html,
    danger = false,
  ) => html`<details class="action"${isOpen(action, unit)}>
<summary>${label}</summary>
<form method="post" action="${`${base}/actions/${action}`}" class="stack">${formGuard(res)}<input type="hidden" name="back" value="${back}">${
    unit ? html`<input type="hidden" name="unit" value="${unit}">` : ''
  }${fields}<div><button type="submit"${danger ? html` class="danger"` : ''}>${label}</button></div></form></details>`;
  const dateInput = (action: OfficeAction, name: string, label: string, fallback = '') =>
    html`<label>${label} <span class="hint">(مانند ۱۴۰۵/۰۹/۱۰ ۱۴:۳۰)</span><input type="text" name="${name}" value="${failedValue(action, name, fallback)}"></label>`;
  const textInput = (action: OfficeAction, name: string, label: string) =>
    html`<label>${label}<input type="text" name="${name}" value="${failedValue(action, name)}"></label>`;

  const countsLine = html`<div class="counts">${complianceStates
    .filter((s) => status.counts[s] > 0)
    .map((s) => html`<span>${unitStateLabels[s]}<strong>${fa(status.counts[s])}</strong></span>`)}
<span class="${status.overdue > 0 ? 'bad' : ''}">تأخیردار<strong>${fa(status.overdue)}</strong></span>
${status.undeliverable > 0 ? html`<span class="bad">نامه تحویل‌نشده<strong>${fa(status.undeliverable)}</strong></span>` : ''}</div>`;

  const directiveForms =
    m.canAct && open
      ? html`<section class="card"><h2>اقدام روی کل دستورالعمل</h2>
${actionForm(
  'amend',
  undefined,
  'صدور اصلاحیه',
  html`<label>عنوان<input type="text" name="title" value="${failedValue('amend', 'title', spec.title)}"></label>
<label>متن<textarea name="body">${failedValue('amend', 'body', spec.body)}</textarea></label>
<label>فوریت<select name="priority">${priorities.map((p) => html`<option value="${p}"${p === failedValue('amend', 'priority', spec.priority) ? ' selected' : ''}>${priorityLabels[p]}</option>`)}</select></label>
${dateInput('amend', 'acknowledgeBy', 'مهلت اعلام وصول', formatJalaliDateTime(spec.acknowledgeBy))}
${dateInput('amend', 'reportBy', 'مهلت گزارش', formatJalaliDateTime(spec.reportBy))}
<p class="hint">همه واحدهای باز باید اصلاحیه را دوباره رؤیت کنند؛ گزارش‌های ارسال‌شده به‌عنوان پیش‌نویس نگه داشته می‌شوند.</p>`,
)}
${actionForm('extend-all', undefined, 'تمدید مهلت همه واحدهای باز', html`${dateInput('extend-all', 'acknowledgeBy', 'مهلت تازه اعلام وصول (اختیاری)')}${dateInput('extend-all', 'reportBy', 'مهلت تازه گزارش')}${textInput('extend-all', 'reason', 'دلیل')}`)}
${actionForm('close', undefined, 'بستن دستورالعمل', html`${textInput('close', 'reason', 'دلیل بستن')}<p class="hint">واحدهای باز در همان وضعیت بسته می‌شوند.</p>`, true)}
${actionForm('cancel', undefined, 'لغو دستورالعمل', html`${textInput('cancel', 'reason', 'دلیل لغو')}<p class="hint">همه واحدهای باز لغو و باخبر می‌شوند.</p>`, true)}
</section>`
      : '';

  const headerCell = (key: UnitSortKey) => {
    const dir = q.sort === key && q.dir === 'asc' ? 'desc' : 'asc';
    const mark = q.sort === key ? (q.dir === 'asc' ? ' ▲' : ' ▼') : '';
    return html`<th><a href="${href(base, { ...unitTableParams(q), sort: key, dir, page: undefined })}">${sortLabels[key]}${mark}</a></th>`;
  };
  const pages = Math.max(1, Math.ceil(m.rows.length / unitsPerPage));
  const page = Math.min(q.page, pages);
  const visible = m.rows.slice((page - 1) * unitsPerPage, page * unitsPerPage);
  const counties = [
    ...new Map(o.units.filter((u) => u.countyCode).map((u) => [u.countyCode!, u.countyName])).entries(),
  ];
  const unitRows = visible.map((r) => {
    const d = r.details;
    const pending = pendingExtensions(r).length;
    return html`<tr class="${[r.summary.overdue ? 'overdue' : '', r.code === q.unit ? 'selected' : ''].join(' ').trim()}">
<td><a href="${href(base, { ...unitTableParams(q), unit: r.code })}#unit">${r.name}</a></td>
<td>${r.countyName}</td>
<td>${unitStateLabels[r.summary.state]}${r.summary.overdue ? html` <span class="badge bad">تأخیر ${obligationLabels[r.summary.overdue]}</span>` : ''}${r.summary.undeliverable ? html` <span class="badge warn">نامه تحویل نشد</span>` : ''}</td>
<td>${d ? jalaliOrDash(d.acknowledgedAt) : '…'}</td>
<td>${d ? jalaliOrDash(d.reportedAt) : '…'}</td>
<td>${d ? fa(d.remindersSent) : '…'}</td>
<td>${r.summary.escalationLevel > 0 ? html`<span class="bad">${fa(r.summary.escalationLevel)}</span>` : fa(0)}</td>
<td>${d ? (pending > 0 ? html`<span class="warn">${fa(pending)} در انتظار</span>` : fa(d.extensionRequests.length)) : '…'}</td>
</tr>`;
  });

  return html`<h1>${spec.title}</h1>
${m.done && doneMessages[m.done] ? html`<div class="notice ok" role="status">${doneMessages[m.done]}</div>` : ''}
${m.failure ? html`<div class="notice bad" role="alert">${m.failure.message}</div>` : ''}
<section class="card">
<div class="grid2"><div>
<div>شماره: <span class="ltr">${o.id}</span> · نسخه ${fa(spec.version)} · فوریت: <strong>${priorityLabels[spec.priority]}</strong> · وضعیت: <strong>${directiveStateLabels[status.state]}</strong>${temporalLink(m.temporalUi, directiveWorkflowId(o.id))}</div>
<div>مهلت اعلام وصول: <strong>${jalaliOrDash(spec.acknowledgeBy)}</strong></div>
<div>مهلت گزارش: <strong>${jalaliOrDash(spec.reportBy)}</strong></div>
<div class="muted">صادرکننده: ${actorLabel(spec.issuedBy)} · ${jalaliOrDash(spec.issuedAt)}</div>
<div class="muted">یادآوری: ${spec.reminders.report.length + spec.reminders.acknowledge.length > 0 ? fa(spec.reminders.acknowledge.length + spec.reminders.report.length) + ' مرحله' : 'ندارد'} · پیگیری: ${spec.escalation.map((l) => escalationTargetLabels[l.notify]).join('، ') || 'ندارد'}</div>
</div><div>
<div>میزان انجام: ${complianceBar(o.compliancePercent)} (${fa(status.counts.reported + status.counts.accepted)} از ${fa(status.total)} واحد)</div>
${countsLine}
<div>خروجی: <a href="${base}/export.csv">CSV</a> · <a href="${base}/export.xlsx">Excel</a> · <a href="${base}/export.pdf">گزارش PDF برای جلسه</a></div>
</div></div>
<details><summary>متن دستورالعمل</summary><pre class="body">${spec.body}</pre></details>
</section>
${directiveForms}
<section class="card">
<h2>واحدها</h2>
<form method="get" action="${base}" class="filters">
<input type="hidden" name="sort" value="${q.sort}"><input type="hidden" name="dir" value="${q.dir}">
<label>نام واحد <input type="text" name="q" value="${q.text ?? ''}"></label>
<label>وضعیت <select name="state"><option value="">همه</option>${complianceStates.map((s) => html`<option value="${s}"${s === q.state ? ' selected' : ''}>${unitStateLabels[s]}</option>`)}</select></label>
<label>شهرستان <select name="county"><option value="">همه</option>${counties.map(([code, name]) => html`<option value="${code}"${code === q.county ? ' selected' : ''}>${name}</option>`)}</select></label>
<label><input type="checkbox" name="overdue" value="1"${q.overdue ? ' checked' : ''}> فقط تأخیردارها</label>
<button type="submit">اعمال</button> <a href="${base}">همه واحدها</a>
</form>
<p class="muted">${fa(m.rows.length)} واحد از ${fa(o.units.length)}</p>
<table class="units">
<thead><tr>${unitSortKeys.map(headerCell)}</tr></thead>
<tbody>${unitRows.length ? unitRows : html`<tr><td colspan="8" class="muted">واحدی با این شرایط نیست.</td></tr>`}</tbody>
</table>
${pages > 1 ? html`<nav class="pager">${page > 1 ? html`<a href="${href(base, { ...unitTableParams(q), page: page - 1 })}">صفحه قبل</a>` : ''}<span>صفحه ${fa(page)} از ${fa(pages)}</span>${page < pages ? html`<a href="${href(base, { ...unitTableParams(q), page: page + 1 })}">صفحه بعد</a>` : ''}</nav>` : ''}
</section>
${m.selected ? renderUnitPanel(m, m.selected, actionForm, dateInput, textInput, failedValue) : ''}
<section class="card"><h2>سابقه دستورالعمل</h2><ol class="timeline">${o.log.map(
    (e) =>
      html`<li><span class="when">${jalaliOrDash(e.at)}</span>${directiveEventLabel(e.event)} — ${actorLabel(e.by)}</li>`,
  )}</ol></section>`;
}

function directiveEventLabel(e: DirectiveOverview['log'][number]['event']): string {
  switch (e.type) {
    case 'issued':
      return `صدور برای ${fa(e.units)} واحد`;
    case 'amended':
      return `اصلاحیه نسخه ${fa(e.version)}`;
    case 'cancelled':
      return `لغو — ${e.reason}`;
    case 'closed':
      return `بستن — ${e.reason}`;
    case 'completed':
      return 'تکمیل';
  }
}

type ActionFormFn = (
  action: OfficeAction,
  unit: string | undefined,
  label: string,
  fields: Html,
  danger?: boolean,
) => Html;
type InputFn = (action: OfficeAction, name: string, label: string, fallback?: string) => Html;

function renderUnitPanel(
  m: DirectivePageModel,
  r: UnitRow,
  actionForm: ActionFormFn,
  dateInput: InputFn,
  textInput: InputFn,
  failedValue: (a: OfficeAction, f: string, d?: string) => string,
): Html {
  const d = r.details;
  const id = m.overview.id;
  if (!d)
    return html`<section class="card" id="unit"><h2>${r.name} (${r.countyName})</h2><p class="bad">وضعیت این واحد اکنون در دسترس نیست؛ کمی بعد دوباره تلاش کنید.</p></section>`;
  const live = !isTerminal(d);
  const forms =
    m.canAct && live
      ? html`<h3>اقدام روی این واحد</h3>
${actionForm('remind', r.code, 'یادآوری همین حالا', textInput('remind', 'note', 'یادداشت (اختیاری)'))}
${actionForm('extend', r.code, 'تمدید مهلت این واحد', html`${dateInput('extend', 'acknowledgeBy', 'مهلت تازه اعلام وصول (اختیاری)')}${dateInput('extend', 'reportBy', 'مهلت تازه گزارش', formatJalaliDateTime(d.policy.reportBy))}${textInput('extend', 'reason', 'دلیل')}`)}
${d.state === 'reported' ? actionForm('accept', r.code, 'پذیرش گزارش', textInput('accept', 'note', 'یادداشت (اختیاری)')) : ''}
${d.state === 'reported' ? actionForm('return', r.code, 'برگشت گزارش برای اصلاح', html`${textInput('return', 'reason', 'دلیل برگشت')}${dateInput('return', 'reportBy', 'مهلت تازه گزارش (اختیاری)')}`) : ''}
${pendingExtensions(r).map((x) =>
  actionForm(
    'decide-extension',
    r.code,
    `تصمیم درباره درخواست تمدید تا ${formatJalaliDateTime(x.until)}`,
    html`<input type="hidden" name="requestId" value="${x.requestId}"><p>دلیل واحد: ${x.reason}</p>
<div class="checks"><label><input type="radio" name="decision" value="approve"${failedValue('decide-extension', 'decision') !== 'reject' ? ' checked' : ''}> موافقت</label><label><input type="radio" name="decision" value="reject"${failedValue('decide-extension', 'decision') === 'reject' ? ' checked' : ''}> مخالفت</label></div>
${dateInput('decide-extension', 'until', 'مهلت تازه (در صورت موافقت)', formatJalaliDateTime(x.until))}${textInput('decide-extension', 'note', 'یادداشت (اختیاری)')}`,
  ),
)}
${actionForm('exempt', r.code, 'معاف کردن واحد', textInput('exempt', 'reason', 'دلیل معافیت'), true)}`
      : '';
  const report = d.report ?? (d.draft ? { values: d.draft } : null);
  return html`<section class="card" id="unit">
<h2>${r.name} (${r.countyName})</h2>
<div>وضعیت: <strong>${unitStateLabels[d.state]}</strong>${d.overdue ? html` <span class="badge bad">تأخیر ${obligationLabels[d.overdue]}</span>` : ''} · سطح پیگیری: ${fa(d.escalationLevel)} · یادآوری‌ها: ${fa(d.remindersSent)}${temporalLink(m.temporalUi, unitWorkflowId(id, r.code))}</div>
<div>مهلت اعلام وصول: ${jalaliOrDash(d.policy.acknowledgeBy)} · مهلت گزارش: ${jalaliOrDash(d.policy.reportBy)}</div>
<div>اعلام وصول: ${jalaliOrDash(d.acknowledgedAt)}${d.acknowledgedBy ? ` (${d.acknowledgedBy.name}، ${d.acknowledgedBy.position})` : ''} · گزارش: ${jalaliOrDash(d.reportedAt)}</div>
${report && m.overview.spec.form.length > 0 ? html`<h3>${d.report ? 'گزارش اقدامات' : 'پیش‌نویس گزارش'}</h3><table><tbody>${m.overview.spec.form.map((f) => html`<tr><th>${f.label}</th><td>${reportValue(report.values[f.key])}</td></tr>`)}</tbody></table>` : ''}
${d.extensionRequests.length ? html`<h3>درخواست‌های تمدید</h3><ul>${d.extensionRequests.map((x) => html`<li>تا ${jalaliOrDash(x.until)} — ${x.reason} — ${x.decision ? (x.decision.approved ? 'پذیرفته شد' : 'رد شد') : 'در انتظار تصمیم'}</li>`)}</ul>` : ''}
${forms}
<h3>سابقه واحد</h3>
<ol class="timeline">${d.log.map((t) => html`<li><span class="when">${jalaliOrDash(t.at)}</span>${describeTransition(t)}${t.by.kind === 'office' ? ` — ${actorLabel(t.by)}` : ''}</li>`)}</ol>
</section>`;
}
