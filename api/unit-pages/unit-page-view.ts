import { randomUUID } from 'node:crypto';
import type { FileRef, FormField } from '../../domain/directive-schema';
import { formatJalaliDateTime, formatTimeLeft } from '../../lib/jalali';
import { complianceStateLabels, obligationLabels, priorityLabels } from '../../domain/persian-labels';
import { toPersianDigits } from '../../lib/persian-text';
import type { ReportValue } from '../../workflows/types';
import type { UnitState } from '../../workflows/unit-state';
import { html, type Html } from '../../lib/html';
import { layout } from '../pages/layout';
import { inputName, jalaliDateOf, rawFromValues, type RawForm } from './form-input';
import { historyTable, officeDecisions } from './history-view';
import { filesIn, type OpenLink } from './link-access';
import type { PageProblem } from './page-errors';
import { acceptAttribute, uploadLimits } from './uploads';

/**
 * The unit's page behind its e-mailed link: what is asked, by when, what happened so far, and a form for
 * each action allowed now. No scripts: every action is a plain form POST carrying a submission id minted
 * here, at render time, which becomes the Temporal update id.
 */

export type UnitAction = 'acknowledge' | 'report' | 'extension';

/** A form being re-shown after a refusal: what was typed and what is wrong with it. */
export interface FormReplay {
  action: UnitAction;
  raw: RawForm;
  errors: Record<string, string>;
  /** A message about the whole form (e.g. the workflow refused it). */
  notice?: string;
}

/** Confirmations after a successful POST (`?done=`), and nothing else: the query string is not echoed. */
export const confirmations: Record<string, string> = {
  acknowledged: 'اعلام وصول شما ثبت شد. سپاس‌گزاریم.',
  reported: 'گزارش اقدامات شما ثبت شد و به فرمانداری رسید.',
  'extension-requested': 'درخواست تمدید مهلت شما ثبت شد و به فرمانداری رسید.',
};

/** Which of the unit's actions the state machine allows now (the workflow checks again on submit). */
export function allowedActions(s: UnitState): Set<UnitAction> {
  const actions = new Set<UnitAction>();
  const terminal = ['accepted', 'exempted', 'cancelled', 'closed'].includes(s.state);
  if (terminal) return actions;
  if (s.acknowledgedVersion !== s.policy.version) actions.add('acknowledge');
  const reportOpen = ['notified', 'acknowledged', 'returned'].includes(s.state);
  if (reportOpen) actions.add('report');
  if (reportOpen && !s.extensionRequests.some((r) => !r.decision)) actions.add('extension');
  return actions;
}

const fieldError = (errors: Record<string, string>, key: string) =>
  errors[key] ? html`<div class="field-error" id="err-${key}">${errors[key]}</div>` : '';
const submissionInput = (id = randomUUID()) => html`<input type="hidden" name="submissionId" value="${id}">`;

function deadlineCell(iso: string, now: Date, done: string | null): Html {
  return html`${formatJalaliDateTime(iso)} ${done ? html`<span class="ok">(${done})</span>` : html`<span class="${Date.parse(iso) < now.getTime() ? 'bad' : 'warn'}">(${formatTimeLeft(iso, now)})</span>`}`;
}

function fileLink(base: string, f: FileRef): Html {
  return html`<a href="${base}/files/${f.sha256}">${f.name}</a> <span class="muted">(${toPersianDigits(Math.max(1, Math.round(f.size / 1024)))} کیلوبایت)</span>`;
}

function valueText(field: FormField, v: ReportValue | undefined, base: string): Html | string {
  if (v === undefined || v === null || v === '') return '—';
  switch (field.type) {
    case 'boolean':
      return v === true ? 'بله' : 'خیر';
    case 'number':
      return typeof v === 'number' ? toPersianDigits(v) : '—';
    case 'date':
      return typeof v === 'string' ? jalaliDateOf(v) : '—';
    case 'file':
      return html`${filesIn({ [field.key]: v }).map((f) => html`<div>${fileLink(base, f)}</div>`)}`;
    default:
      return typeof v === 'string' ? v : '—';
  }
}

function acknowledgeForm(base: string, replay: FormReplay | null): Html {
  const raw = replay?.action === 'acknowledge' ? replay.raw : {};
  const errors = replay?.action === 'acknowledge' ? replay.errors : {};
  return html`<section class="card" id="acknowledge"><h2>اعلام وصول</h2>
${replay?.action === 'acknowledge' && replay.notice ? html`<div class="notice bad" role="alert">${replay.notice}</div>` : ''}
<form class="stack" method="post" action="${base}/acknowledge">${submissionInput()}
<div><label for="ack-name">نام و نام خانوادگی</label><input type="text" id="ack-name" name="name" maxlength="200" required value="${raw.name ?? ''}">${fieldError(errors, 'name')}</div>
<div><label for="ack-position">سمت</label><input type="text" id="ack-position" name="position" maxlength="200" required value="${raw.position ?? ''}">${fieldError(errors, 'position')}</div>
<div><button type="submit">اعلام وصول می‌کنم</button></div>
</form></section>`;
}

function reportField(
  field: FormField,
  raw: RawForm,
  errors: Record<string, string>,
  previous: FileRef[],
  base: string,
): Html {
  const id = `field-${field.key}`;
  const name = inputName.value(field.key);
  const value = raw[name] ?? '';
  const required = field.required ? html` <span class="bad">*</span>` : '';
  const label = html`<label for="${id}">${field.label}${required}</label>`;
  let input: Html;
  switch (field.type) {
    case 'text':
      input = html`<textarea id="${id}" name="${name}" maxlength="${field.maxLength ?? 5000}">${value}</textarea>`;
      break;
    case 'number':
      input = html`<input type="text" inputmode="decimal" id="${id}" name="${name}" value="${value}" placeholder="${field.min !== undefined ? `حداقل ${toPersianDigits(field.min)}` : ''}">`;
      break;
    case 'date':
      input = html`<input type="text" id="${id}" name="${name}" value="${value}" placeholder="۱۴۰۵/۰۹/۱۰">`;
      break;
    case 'boolean':
      return html`<fieldset><legend>${field.label}${required}</legend>
<label class="inline"><input type="radio" name="${name}" value="yes"${value === 'yes' ? html` checked` : ''}> بله</label>
<label class="inline"><input type="radio" name="${name}" value="no"${value === 'no' ? html` checked` : ''}> خیر</label>
${fieldError(errors, field.key)}</fieldset>`;
    case 'choice':
      input = html`<select id="${id}" name="${name}"><option value="">— انتخاب کنید —</option>${(
        field.options ?? []
      ).map((o) => html`<option value="${o}"${o === value ? html` selected` : ''}>${o}</option>`)}</select>`;
      break;
    case 'file':
      input = html`${previous.map(
        (f) =>
          html`<label class="inline"><input type="checkbox" name="${inputName.keep(field.key)}" value="${f.sha256}" checked> نگه داشتن ${fileLink(base, f)}</label>`,
      )}<input type="file" id="${id}" name="${inputName.files(field.key)}" multiple accept="${acceptAttribute}">
<div class="muted">PDF، تصویر، Word، Excel، PowerPoint، متن یا CSV؛ هر فایل حداکثر ${toPersianDigits(uploadLimits.fileSize / 1024 / 1024)} مگابایت.</div>`;
      break;
  }
  return html`<div>${label}${input}${fieldError(errors, field.key)}</div>`;
}

function reportForm(link: OpenLink, base: string, replay: FormReplay | null): Html {
  const s = link.state;
  const mine = replay?.action === 'report';
  const raw: RawForm = mine
    ? replay.raw
    : {
        ...rawFromValues(s.policy.form, s.draft),
        name: s.acknowledgedBy?.name ?? '',
        position: s.acknowledgedBy?.position ?? '',
      };
  const errors = mine ? replay.errors : {};
  const previousFiles = (key: string) => filesIn(s.draft ? { [key]: s.draft[key] ?? null } : null);
  // The id is in the action too: a resubmit after the report was recorded is recognised without its body.
  const submissionId = randomUUID();
  return html`<section class="card" id="report"><h2>ارسال گزارش اقدامات</h2>
${s.draft && !mine ? html`<div class="notice warn">پاسخ پیشین شما در فرم آمده است؛ آن را بازبینی و دوباره ارسال کنید.</div>` : ''}
${mine && replay.notice ? html`<div class="notice bad" role="alert">${replay.notice}</div>` : ''}
${errors._form ? html`<div class="notice bad" role="alert">${errors._form}</div>` : ''}
<form class="stack" method="post" action="${base}/report?submission=${submissionId}" enctype="multipart/form-data">${submissionInput(submissionId)}
${s.policy.form.map((f) => reportField(f, raw, errors, previousFiles(f.key), base))}
<div><label for="rep-name">نام و نام خانوادگی گزارش‌دهنده</label><input type="text" id="rep-name" name="name" maxlength="200" value="${raw.name ?? ''}">${fieldError(errors, 'name')}</div>
<div><label for="rep-position">سمت</label><input type="text" id="rep-position" name="position" maxlength="200" value="${raw.position ?? ''}">${fieldError(errors, 'position')}</div>
<div><button type="submit">ارسال گزارش</button></div>
</form></section>`;
}

function extensionForm(base: string, replay: FormReplay | null): Html {
  const mine = replay?.action === 'extension';
  const raw = mine ? replay.raw : {};
  const errors = mine ? replay.errors : {};
  return html`<section class="card" id="extension"><h2>درخواست تمدید مهلت</h2>
${mine && replay.notice ? html`<div class="notice bad" role="alert">${replay.notice}</div>` : ''}
<form class="stack" method="post" action="${base}/extension">${submissionInput()}
<div><label for="ext-until">مهلت پیشنهادی (تاریخ و ساعت)</label><input type="text" id="ext-until" name="until" value="${raw.until ?? ''}" placeholder="۱۴۰۵/۰۹/۱۵ ۱۴:۰۰">${fieldError(errors, 'until')}</div>
<div><label for="ext-reason">علت</label><textarea id="ext-reason" name="reason" maxlength="2000">${raw.reason ?? ''}</textarea>${fieldError(errors, 'reason')}</div>
<div><button type="submit" class="secondary">درخواست تمدید</button></div>
</form></section>`;
}

/** The whole page for an open link. `done` is a confirmation key from the redirect after a POST. */
export function renderUnitPage(
  link: OpenLink,
  options: { now: Date; done?: string; replay?: FormReplay | null; base: string },
): string {
  const { state: s, document: doc } = link;
  const { now, base } = options;
  const replay = options.replay ?? null;
  const actions = allowedActions(s);
  const acknowledged =
    s.acknowledgedVersion === s.policy.version && s.acknowledgedAt
      ? `انجام شد در ${formatJalaliDateTime(s.acknowledgedAt)}`
      : null;
  const reported = s.report ? `ارسال شد در ${formatJalaliDateTime(s.report.submittedAt)}` : null;
  const confirmation = options.done ? confirmations[options.done] : undefined;
  const decisions = officeDecisions(s);
  const pendingRequest = s.extensionRequests.find((r) => !r.decision);
  const content = html`
${confirmation ? html`<div class="notice ok" role="status" id="confirmation">${confirmation}</div>` : ''}
<h1>${doc.title}</h1>
<section class="card"><table class="facts">
<tr><th>شماره دستورالعمل</th><td><span class="ltr">${toPersianDigits(s.policy.directiveId)}</span> (نسخه ${toPersianDigits(s.policy.version)})</td></tr>
<tr><th>واحد</th><td>${link.unit?.name ?? s.unitCode}</td></tr>
<tr><th>فوریت</th><td><span class="badge ${s.policy.priority === 'normal' ? '' : 'bad'}">${priorityLabels[s.policy.priority]}</span></td></tr>
<tr><th>وضعیت</th><td id="unit-state">${complianceStateLabels[s.state] ?? s.state}${s.overdue ? html` <span class="badge bad">مهلت ${obligationLabels[s.overdue]} گذشته</span>` : ''}</td></tr>
<tr><th>مهلت ${obligationLabels.acknowledge}</th><td>${deadlineCell(s.policy.acknowledgeBy, now, acknowledged)}</td></tr>
<tr><th>مهلت ${obligationLabels.report}</th><td>${deadlineCell(s.policy.reportBy, now, reported)}</td></tr>
</table></section>
<section class="card"><h2>متن دستورالعمل</h2><pre class="body" id="directive-body">${doc.body}</pre>
${doc.attachments.length > 0 ? html`<h2>پیوست‌ها</h2><ul>${doc.attachments.map((a) => html`<li>${fileLink(base, a)}</li>`)}</ul>` : ''}
</section>
${decisions.length > 0 ? html`<section class="card" id="decisions"><h2>تصمیم‌های فرمانداری</h2><ul>${decisions.map((d) => html`<li>${d}</li>`)}</ul></section>` : ''}
${pendingRequest ? html`<div class="notice warn">درخواست تمدید شما تا ${formatJalaliDateTime(pendingRequest.until)} در انتظار تصمیم فرمانداری است.</div>` : ''}
${
  s.report
    ? html`<section class="card" id="submitted-report"><h2>گزارش ارسال‌شده</h2><table>${s.policy.form.map(
        (f) =>
          html`<tr><th>${f.label}</th><td class="report-value">${valueText(f, s.report!.values[f.key], base)}</td></tr>`,
      )}<tr><th>گزارش‌دهنده</th><td>${s.report.name}، ${s.report.position}</td></tr></table></section>`
    : ''
}
${actions.size === 0 && !confirmation ? html`<div class="notice ok">اقدامی از سوی شما لازم نیست.</div>` : ''}
${actions.has('acknowledge') ? acknowledgeForm(base, replay) : ''}
${actions.has('report') ? reportForm(link, base, replay) : ''}
${actions.has('extension') ? extensionForm(base, replay) : ''}
<section class="card"><h2>سابقه</h2>${historyTable(s)}</section>`;
  return layout({ title: doc.title, who: link.unit?.name ?? s.unitCode }, content);
}

/** A page that only says what went wrong (refused link, cross-site post, outage …). */
export function renderProblemPage(problem: PageProblem): string {
  const content = html`<section class="card"><h1>${problem.title}</h1>
<div class="notice ${problem.status >= 500 ? 'warn' : 'bad'}" role="alert">${problem.message}</div>
${problem.detail ? html`<h2>توضیح فرمانداری</h2><pre class="body">${problem.detail}</pre>` : ''}
</section>`;
  return layout({ title: problem.title }, content);
}
