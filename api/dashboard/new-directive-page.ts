import type { Response } from 'express';
import { formFieldTypes, priorities, type FormField } from '../../domain/directive-schema';
import type { Registry } from '../../domain/registry';
import { electionDirectiveTemplates } from '../../domain/templates/election-directives';
import { html, type Html } from '../../lib/html';
import { escalationTargetLabels, fa, priorityLabels } from './labels';
import {
  deadlineKinds,
  fieldRowsToRender,
  ladderUnits,
  type DeadlineKind,
  type LadderStep,
  type NewDirectiveValues,
} from './new-directive-form';
import { acceptAttribute } from '../unit-pages/uploads';
import { formGuard } from './page-shell';

const fieldTypeLabels: Record<FormField['type'], string> = {
  text: 'متن',
  number: 'عدد',
  boolean: 'بله/خیر',
  date: 'تاریخ',
  choice: 'چندگزینه‌ای',
  file: 'فایل',
};
const ladderUnitLabels: Record<(typeof ladderUnits)[number], string> = { m: 'دقیقه', h: 'ساعت', d: 'روز' };
const deadlineKindLabels: Record<DeadlineKind, string> = {
  jalali: 'تاریخ و ساعت',
  workingDays: 'روز کاری',
  workingHours: 'ساعت کاری',
};

/** Persian messages per form field (see `toFormField`); `(form)` holds the ones that fit no field. */
export type FieldErrors = Record<string, string[]>;

const selected = (on: boolean) => (on ? ' selected' : '');
const checked = (on: boolean) => (on ? ' checked' : '');

function deadlineKind(field: string, kind: DeadlineKind): Html {
  return html`<select name="${`${field}Kind`}" aria-label="نوع مهلت">${deadlineKinds.map((k) => html`<option value="${k}"${selected(k === kind)}>${deadlineKindLabels[k]}</option>`)}</select>`;
}

function errorsOf(errors: FieldErrors, field: string): Html {
  const list = errors[field] ?? [];
  return list.length ? html`<div class="field-error">${list.join('؛ ')}</div>` : html``;
}

function ladderRow(prefix: string, i: number, s: LadderStep, extra: Html = html``): Html {
  return html`<div class="ladder-row"><input type="text" inputmode="numeric" name="${`${prefix}.${i}.amount`}" value="${s.amount}" aria-label="مقدار">
<select name="${`${prefix}.${i}.unit`}" aria-label="واحد زمان">${ladderUnits.map((u) => html`<option value="${u}"${selected(u === s.unit)}>${ladderUnitLabels[u]}</option>`)}</select>${extra}</div>`;
}

/**
 * The "new directive" form: templates, text, targets, Jalali deadlines, the reminder and escalation ladder
 * and the report-form builder, all plain HTML. "Add field" is a submit button that re-renders the form
 * with one more row; the client request id rendered into the form makes a double submit issue once.
 */
export function renderNewDirectivePage(
  res: Response,
  registry: Registry,
  v: NewDirectiveValues,
  errors: FieldErrors,
): Html {
  const counties = registry.counties();
  const general = [...(errors['(form)'] ?? [])];
  const anyErrors = Object.values(errors).some((l) => l.length > 0);
  const rows = fieldRowsToRender(v);
  return html`<h1>صدور دستورالعمل جدید</h1>
${anyErrors ? html`<div class="notice bad" role="alert">دستورالعمل صادر نشد؛ موارد مشخص‌شده را اصلاح کنید.${general.length ? html`<div>${general.join('؛ ')}</div>` : ''}</div>` : ''}
<section class="card"><strong>شروع از الگو:</strong>
<div class="templates">${electionDirectiveTemplates.map((t, i) => html`<a href="/directives/new?template=${t.id}"${v.template === t.id ? html` class="selected"` : ''}>${fa(i + 1)}. ${t.title}</a>`)}</div></section>
<form method="post" action="/directives/new" enctype="multipart/form-data">
${formGuard(res)}
<input type="hidden" name="clientRequestId" value="${v.clientRequestId}">
${v.template ? html`<input type="hidden" name="template" value="${v.template}">` : ''}
<input type="hidden" name="fieldCount" value="${rows.length}">
<fieldset><legend>متن دستورالعمل</legend>
<label for="title">عنوان</label><input type="text" id="title" name="title" value="${v.title}">${errorsOf(errors, 'title')}
<label for="body">متن</label><textarea id="body" name="body">${v.body}</textarea>${errorsOf(errors, 'body')}
<div class="grid3"><div><label for="priority">فوریت</label><select id="priority" name="priority">${priorities.map((p) => html`<option value="${p}"${selected(p === v.priority)}>${priorityLabels[p]}</option>`)}</select></div>
<div><label for="acceptance">پذیرش گزارش</label><select id="acceptance" name="acceptance"><option value="manual"${selected(v.acceptance === 'manual')}>با بررسی فرمانداری</option><option value="automatic"${selected(v.acceptance === 'automatic')}>خودکار</option></select></div></div>
</fieldset>
<fieldset><legend>گیرندگان</legend>
<div class="checks">
<label><input type="radio" name="targetMode" value="all"${checked(v.targetMode === 'all')}> همه واحدها</label>
<label><input type="radio" name="targetMode" value="under"${checked(v.targetMode === 'under')}> واحدهای شهرستان‌های انتخاب‌شده</label>
<label><input type="radio" name="targetMode" value="list"${checked(v.targetMode === 'list')}> واحدهای انتخاب‌شده</label>
</div>${errorsOf(errors, 'targets')}
<div class="grid2"><div><strong>شهرستان‌ها</strong><div class="checks">${counties.map(
    (c) =>
      html`<label><input type="checkbox" name="county" value="${c.code}"${checked(v.counties.includes(c.code))}> ${c.name}</label>`,
  )}</div></div>
<div><label for="units">واحدها <span class="hint">(با Ctrl چند واحد را انتخاب کنید)</span></label><select id="units" name="unit" multiple>${counties.map(
    (c) =>
      html`<optgroup label="${c.name}">${registry
        .under([c.code])
        .map(
          (u) => html`<option value="${u.code}"${selected(v.units.includes(u.code))}>${u.name} (${c.name})</option>`,
        )}</optgroup>`,
  )}</select></div></div>
</fieldset>
<fieldset><legend>مهلت‌ها <span class="hint">به تاریخ شمسی و ساعت تهران، مانند ۱۴۰۵/۰۹/۱۰ ۱۴:۳۰؛ یا چند روز کاری (تا پایان ساعت اداری آخرین روز) یا چند ساعت کاری از زمان صدور</span></legend>
<div class="grid2"><div><label for="acknowledgeBy">مهلت اعلام وصول</label><input type="text" id="acknowledgeBy" name="acknowledgeBy" value="${v.acknowledgeBy}">${deadlineKind('acknowledgeBy', v.acknowledgeByKind)}${errorsOf(errors, 'acknowledgeBy')}</div>
<div><label for="reportBy">مهلت ارسال گزارش</label><input type="text" id="reportBy" name="reportBy" value="${v.reportBy}">${deadlineKind('reportBy', v.reportByKind)}${errorsOf(errors, 'reportBy')}</div></div>
</fieldset>
<fieldset><legend>یادآوری و پیگیری <span class="hint">ردیف‌های خالی نادیده گرفته می‌شوند</span></legend>
<div class="grid3">
<div><strong>یادآوری پیش از مهلت اعلام وصول</strong>${v.remAck.map((s, i) => ladderRow('remAck', i, s))}${errorsOf(errors, 'remAck')}</div>
<div><strong>یادآوری پیش از مهلت گزارش</strong>${v.remRep.map((s, i) => ladderRow('remRep', i, s))}${errorsOf(errors, 'remRep')}</div>
<div><strong>ارجاع پس از گذشت مهلت</strong>${v.esc.map(
    (s, i) =>
      html`${ladderRow(
        'esc',
        i,
        s,
        html` به <select name="${`esc.${i}.notify`}" aria-label="ارجاع به">${(['deputy', 'governor'] as const).map((n) => html`<option value="${n}"${selected(n === s.notify)}>${escalationTargetLabels[n]}</option>`)}</select>`,
      )}${errorsOf(errors, `esc.${i}`)}`,
  )}${errorsOf(errors, 'esc')}</div>
</div></fieldset>
<fieldset><legend>فرم گزارش اقدامات</legend>
<p class="hint">کلید با حرف لاتین کوچک شروع می‌شود (مانند stations). برای حذف یک ردیف، کلید و عنوان آن را خالی کنید. گزینه‌ها فقط برای نوع چندگزینه‌ای، با «،» جدا شوند.</p>
${errorsOf(errors, 'fields')}
<table class="builder"><thead><tr><th>کلید</th><th>عنوان</th><th>نوع</th><th>الزامی</th><th>گزینه‌ها</th></tr></thead><tbody>
${rows.map(
  (f, i) => html`<tr>
<td><input type="text" dir="ltr" name="${`f.${i}.key`}" value="${f.key}" aria-label="کلید">${errorsOf(errors, `f.${i}.key`)}</td>
<td><input type="text" name="${`f.${i}.label`}" value="${f.label}" aria-label="عنوان">${errorsOf(errors, `f.${i}.label`)}</td>
<td><select name="${`f.${i}.type`}" aria-label="نوع">${formFieldTypes.map((t) => html`<option value="${t}"${selected(t === f.type)}>${fieldTypeLabels[t]}</option>`)}</select>${errorsOf(errors, `f.${i}.type`)}</td>
<td><input type="checkbox" name="${`f.${i}.required`}"${checked(f.required)} aria-label="الزامی"></td>
<td><input type="text" name="${`f.${i}.options`}" value="${f.options}" aria-label="گزینه‌ها">${errorsOf(errors, `f.${i}.options`)}${errorsOf(errors, `f.${i}`)}</td>
</tr>`,
)}
</tbody></table>
<p><button type="submit" name="op" value="add-field" class="secondary">افزودن فیلد</button></p>
</fieldset>
<fieldset><legend>پیوست‌ها <span class="hint">PDF، تصویر، Word، Excel، PowerPoint، متن یا CSV؛ هر فایل حداکثر ۱۰ مگابایت</span></legend>
${v.attachments.map((a) => html`<div><input type="hidden" name="attachment" value="${`${a.sha256} ${a.name}`}">${a.name} <span class="hint">(بارگذاری شد)</span></div>`)}
<input type="file" id="file" name="file" multiple accept="${acceptAttribute}" aria-label="پیوست">${errorsOf(errors, 'attachments')}
</fieldset>
<p><button type="submit" name="op" value="issue">صدور دستورالعمل</button></p>
</form>`;
}
