import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import { roleAllows, type Role } from '../auth/account-schema';
import { csrfField, currentUser } from '../auth/middleware';
import { html, type Html } from '../../lib/html';
import { layout } from '../pages/layout';

/** Roles that may read the dashboard, and those that may act on directives (admin passes both). */
export const viewerRoles: Role[] = ['office', 'auditor'];
export const actorRoles: Role[] = ['office'];

/** Whether the signed-in user may see and use action forms; auditors read only. */
export function canAct(res: Response): boolean {
  const user = currentUser(res);
  return user !== undefined && roleAllows(user.role, actorRoles);
}

/**
 * The hidden fields every dashboard form carries: the session's CSRF token and a fresh submission id,
 * which becomes the Temporal update id, so a double click or a browser resubmit is recorded once.
 */
export function formGuard(res: Response): Html {
  return html`${csrfField(res)}<input type="hidden" name="submissionId" value="${randomUUID()}">`;
}

/** Sends a dashboard page: the shared RTL layout plus the dashboard's own stylesheet and navigation. */
export function sendPage(res: Response, status: number, title: string, content: Html): void {
  const user = currentUser(res);
  const nav = html`<nav class="dash-nav"><a href="/directives">دستورالعمل‌ها</a> <a href="/scoreboard">رتبه‌بندی واحدها</a>${canAct(res) ? html` <a href="/directives/new">دستورالعمل جدید</a>` : ''}${
    user
      ? html` <form method="post" action="/logout" class="inline">${csrfField(res)}<button type="submit" class="secondary">خروج</button></form>`
      : ''
  }</nav>`;
  // A stylesheet link is allowed in the body; the shared layout has no slot for a second stylesheet.
  const body = html`<link rel="stylesheet" href="/dashboard-assets/dashboard.css">${content}`;
  res
    .status(status)
    .type('html')
    .send(layout({ title, who: user ? `${user.name}` : undefined, nav }, body));
}
