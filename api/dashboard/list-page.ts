import { priorities } from '../../domain/directive-schema';
import { html, type Html } from '../../lib/html';
import type { DirectiveListFilter, DirectiveListPage } from './directive-list';
import { directiveStateLabels, fa, jalaliOrDash, priorityLabels } from './labels';
import { href } from './query-params';

/** A compliance bar with its percentage; a `<meter>` needs no inline style, which the CSP forbids. */
export function complianceBar(percent: number): Html {
  return html`<meter class="compliance" min="0" max="100" low="50" high="90" optimum="100" value="${percent}"></meter> ${fa(percent)}٪`;
}

/** The directive list: filters as a GET form, one row per directive, and page links. */
export function renderDirectiveList(list: DirectiveListPage, filter: DirectiveListFilter, canAct: boolean): Html {
  const params = { state: filter.state, priority: filter.priority, q: filter.text };
  const rows = list.rows.map((r) => {
    const s = r.status;
    return html`<tr class="${s && s.overdue > 0 ? 'overdue' : ''}">
<td><a href="/directives/${r.id}">${r.title}</a><div class="muted ltr">${r.id}</div></td>
<td>${priorityLabels[r.priority]}</td>
<td>${jalaliOrDash(r.acknowledgeBy)}</td>
<td>${jalaliOrDash(r.reportBy)}</td>
<td>${s ? directiveStateLabels[s.state] : html`<span class="bad">در دسترس نیست</span>`}</td>
<td>${s ? complianceBar(r.compliancePercent) : '—'}</td>
<td>${s ? fa(`${s.counts.reported + s.counts.accepted}/${s.total}`) : '—'}</td>
<td class="${s && s.overdue > 0 ? 'bad' : ''}">${s ? fa(s.overdue) : '—'}</td>
</tr>`;
  });
  return html`<h1>دستورالعمل‌ها</h1>
${canAct ? html`<p><a class="button" href="/directives/new">صدور دستورالعمل جدید</a></p>` : ''}
<form method="get" action="/directives" class="filters">
<label>جستجو در عنوان <input type="text" name="q" value="${filter.text ?? ''}"></label>
<label>وضعیت <select name="state"><option value="">همه</option>${Object.entries(directiveStateLabels).map(
    ([k, v]) => html`<option value="${k}"${k === filter.state ? ' selected' : ''}>${v}</option>`,
  )}</select></label>
<label>فوریت <select name="priority"><option value="">همه</option>${priorities.map(
    (p) => html`<option value="${p}"${p === filter.priority ? ' selected' : ''}>${priorityLabels[p]}</option>`,
  )}</select></label>
<button type="submit">نمایش</button> <a href="/directives">پاک کردن</a>
</form>
<p class="muted">${fa(list.total)} دستورالعمل${list.truncated ? ' (فقط ۵۰۰ مورد اخیر بررسی شد)' : ''}</p>
<table class="list">
<thead><tr><th>عنوان</th><th>فوریت</th><th>مهلت اعلام وصول</th><th>مهلت گزارش</th><th>وضعیت</th><th>میزان انجام</th><th>گزارش‌ها</th><th>واحدهای تأخیردار</th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="8" class="muted">دستورالعملی یافت نشد.</td></tr>`}</tbody>
</table>
<nav class="pager">${list.page > 1 ? html`<a href="${href('/directives', { ...params, page: list.page - 1 })}">صفحه قبل</a>` : ''}
<span>صفحه ${fa(list.page)} از ${fa(list.pages)}</span>
${list.page < list.pages ? html`<a href="${href('/directives', { ...params, page: list.page + 1 })}">صفحه بعد</a>` : ''}</nav>`;
}
