import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { FileStore } from '../../lib/file-store';
import type { Registry } from '../../domain/registry';
import { findTemplate } from '../../domain/templates/election-directives';
import { requireRole, verifyCsrf } from '../auth/middleware';
import type { DirectiveIdAllocator, RequestLedger } from '../directives/directive-ids';
import { issueDirective } from '../directives/issue-directive';
import { storeAttachment } from '../office/attachment-uploads';
import { multipartParser, stagedFormParts } from '../unit-pages/uploads';
import { parseDirectiveId } from '../directives/directive-detail';
import { FarmanError, NotFound, Rejected, Unavailable, ValidationFailed, type FieldIssue } from '../errors';
import { sendExport } from '../exports/routes';
import type { PdfRenderer } from '../exports/pdf-renderer';
import { officeActor, requestMeta } from '../http/request-meta';
import { html } from '../../lib/html';
import type { TemporalGateway } from '../temporal-gateway';
import { dashboardCss } from './dashboard-css';
import { DirectiveCatalog } from './directive-list';
import { renderDirectivePage, type ActionFailure } from './directive-page';
import { loadDirectiveOverview, loadUnitDetails } from './directive-report';
import { persianMessage } from './labels';
import { renderDirectiveList } from './list-page';
import { initialValues, readValues, toDirectiveInput, toFormField, withExtraField } from './new-directive-form';
import { renderNewDirectivePage, type FieldErrors } from './new-directive-page';
import { parseOfficeAction, runOfficeAction } from './office-actions';
import { actorRoles, canAct, sendPage, viewerRoles } from './page-shell';
import { one, parseDirectiveState, parsePage, parsePriority } from './query-params';
import { detailSortKeys, filterAndSort, parseUnitTableQuery, unitsPerPage } from './unit-table';

export interface DashboardDeps {
  registry: () => Registry;
  gateway: TemporalGateway;
  files: FileStore;
  ids: DirectiveIdAllocator;
  ledger: RequestLedger;
  pdf: PdfRenderer;
  /** The deployment's task queue: the list shows only its directives. */
  taskQueue: string;
  /** The Temporal Web UI's base address, for links to each workflow; no links without it. */
  temporalUiUrl?: string;
}

/** Above this many matching units, the table reads full unit states only for the page it shows. */
const detailsForAllLimit = 300;

const fieldLabels: Record<string, string> = {
  title: 'عنوان',
  body: 'متن',
  priority: 'فوریت',
  acknowledgeBy: 'مهلت اعلام وصول',
  reportBy: 'مهلت گزارش',
  reason: 'دلیل',
  until: 'مهلت تازه',
  decision: 'تصمیم',
  requestId: 'درخواست تمدید',
  unit: 'واحد',
  submissionId: 'فرم',
};

/** A Persian sentence for an error of the API's vocabulary. */
export function persianError(err: unknown): string {
  if (err instanceof ValidationFailed) {
    return (
      err.issues
        .map((i) => `${fieldLabels[i.path.split('.')[0]] ?? 'ورودی'}: ${persianMessage(i.message)}`)
        .join('؛ ') || 'ورودی نامعتبر است.'
    );
  }
  if (err instanceof Rejected) {
    if (err.issues.length)
      return err.issues.map((i) => `${fieldLabels[i.path] ?? 'ورودی'}: ${persianMessage(i.message)}`).join('؛ ');
    return rejectionMessage(err.message);
  }
  if (err instanceof Unavailable)
    return 'سامانه گردش کار اکنون پاسخ نمی‌دهد؛ چیزی ثبت نشد. چند لحظه بعد دوباره تلاش کنید.';
  if (err instanceof NotFound) return 'دستورالعمل یا صفحه‌ای با این نشانی پیدا نشد.';
  return 'خطای پیش‌بینی‌نشده‌ای رخ داد؛ چیزی ثبت نشد.';
}

const rejections: [RegExp, string][] = [
  [/cancelled/, 'دستورالعمل لغو شده است و اقدامی نمی‌پذیرد.'],
  [/closed|no longer open/, 'دستورالعمل بسته شده است و اقدامی نمی‌پذیرد.'],
  [/already accepted|already exempted/, 'کار این واحد پیش‌تر تمام شده است.'],
  [/no submitted report/, 'گزارشی برای بررسی وجود ندارد.'],
  [/already decided/, 'درباره این درخواست پیش‌تر تصمیم گرفته شده است.'],
  [/no extension request/, 'چنین درخواست تمدیدی وجود ندارد.'],
  [/changes nothing/, 'اصلاحیه چیزی را تغییر نمی‌دهد.'],
  [/deadline/, 'مهلت تازه نامعتبر است.'],
];
function rejectionMessage(message: string): string {
  return rejections.find(([re]) => re.test(message))?.[1] ?? 'این اقدام در وضعیت کنونی ممکن نیست.';
}

/**
 * The office's dashboard: server-rendered Persian pages (no script), readable by office, auditor and admin
 * users; only office and admin users get the action forms and may post them, each with its CSRF token.
 */
export function dashboardRoutes(deps: DashboardDeps): Router {
  const router = Router();
  const catalog = new DirectiveCatalog(deps.gateway, deps.taskQueue);
  const parseForm = express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 5_000 });
  const view = requireRole(...viewerRoles);
  const act = [requireRole(...actorRoles), parseForm, verifyCsrf];
  const temporalUi = deps.temporalUiUrl
    ? `${deps.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(deps.gateway.client.options.namespace)}`
    : undefined;

  router.get('/dashboard-assets/dashboard.css', (_req, res) => {
    res.type('css').set('Cache-Control', 'public, max-age=3600').send(dashboardCss);
  });
  router.get('/', view, (_req, res) => res.redirect(303, '/directives'));

  router.get('/directives', view, async (req, res) => {
    const filter = {
      state: parseDirectiveState(req.query.state),
      priority: parsePriority(req.query.priority),
      text: one(req.query.q),
      page: parsePage(req.query.page),
    };
    const list = await catalog.list(filter);
    sendPage(res, 200, 'دستورالعمل‌ها', renderDirectiveList(list, filter, canAct(res)));
  });

  router.get('/directives/new', requireRole(...actorRoles), (req, res) => {
    const template = findTemplate(one(req.query.template) ?? '');
    sendPage(res, 200, 'دستورالعمل جدید', renderNewDirectivePage(res, deps.registry(), initialValues(template), {}));
  });

  // The form is multipart (attachments): its parts are read before the CSRF check, and staged files that
  // were not stored as attachments are deleted when the response ends, whatever it was.
  const formParts = stagedFormParts(multipartParser(deps.files.stagingDir));
  router.post('/directives/new', requireRole(...actorRoles), formParts, parseForm, verifyCsrf, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = readValues(body);
    // Each new file is stored as an attachment now, so it is kept (by hash) if the form comes back.
    const refused: FieldIssue[] = [];
    for (const file of Array.isArray(req.files) ? req.files.filter((f) => f.fieldname === 'file' && f.size > 0) : []) {
      try {
        const ref = await storeAttachment(deps.files, file);
        values.attachments.push({ sha256: ref.sha256, name: ref.name });
      } catch (err) {
        if (!(err instanceof ValidationFailed)) throw err;
        refused.push({ path: 'file', message: `${file.originalname}: not an allowed file` });
      }
    }
    if (one(body.op) === 'add-field') {
      return sendPage(
        res,
        200,
        'دستورالعمل جدید',
        renderNewDirectivePage(res, deps.registry(), withExtraField(values), {}),
      );
    }
    const { input, issues, escIndex, fieldIndex } = toDirectiveInput(values);
    const showErrors = (list: FieldIssue[], status: number) => {
      const errors: FieldErrors = {};
      for (const issue of list)
        (errors[toFormField(issue.path, escIndex, fieldIndex)] ??= []).push(persianMessage(issue.message));
      sendPage(res, status, 'دستورالعمل جدید', renderNewDirectivePage(res, deps.registry(), values, errors));
    };
    if (issues.length || refused.length) return showErrors([...refused, ...issues], 400);
    try {
      const result = await issueDirective(deps, input, officeActor(res), requestMeta(req));
      res.redirect(303, `/directives/${result.directiveId}?done=issued`);
    } catch (err) {
      if (err instanceof ValidationFailed) return showErrors(err.issues, 400);
      throw err;
    }
  });

  const showDirective = async (req: Request, res: Response, status: number, failure?: ActionFailure) => {
    const id = parseDirectiveId(req.params.id);
    const query = parseUnitTableQuery(
      failure
        ? { ...Object.fromEntries(new URL(safeBack(failure.form.back, id), 'http://x').searchParams) }
        : req.query,
    );
    const overview = await loadDirectiveOverview(deps, id);
    // Sorting by a detail column needs every unit's state; otherwise only the visible page's.
    const needAll = detailSortKeys.includes(query.sort) && overview.units.length <= detailsForAllLimit;
    if (needAll) await loadUnitDetails(deps.gateway, id, overview.units);
    const rows = filterAndSort(overview.units, query);
    if (!needAll) {
      const page = Math.min(query.page, Math.max(1, Math.ceil(rows.length / unitsPerPage)));
      await loadUnitDetails(deps.gateway, id, rows.slice((page - 1) * unitsPerPage, page * unitsPerPage));
    }
    const selected = query.unit ? overview.units.find((u) => u.code === query.unit) : undefined;
    if (selected && !selected.details) await loadUnitDetails(deps.gateway, id, [selected]);
    const done = failure ? undefined : one(req.query.done);
    sendPage(
      res,
      status,
      overview.spec.title,
      renderDirectivePage(res, { overview, rows, query, selected, canAct: canAct(res), temporalUi, done, failure }),
    );
  };

  router.get('/directives/:id', view, async (req, res) => showDirective(req, res, 200));

  router.post('/directives/:id/actions/:action', ...act, async (req, res) => {
    const id = parseDirectiveId(req.params.id);
    const action = parseOfficeAction(String(req.params.action));
    if (!action) throw new NotFound('no such action');
    const form = (req.body ?? {}) as Record<string, unknown>;
    try {
      await runOfficeAction(deps, id, action, form, officeActor(res), requestMeta(req));
    } catch (err) {
      if (err instanceof ValidationFailed || err instanceof Rejected || err instanceof Unavailable) {
        const status = err instanceof ValidationFailed ? 400 : err.status;
        return showDirective(req, res, status, { action, unit: one(form.unit), message: persianError(err), form });
      }
      throw err;
    }
    const back = new URL(safeBack(form.back, id), 'http://x');
    back.searchParams.set('done', action);
    res.redirect(303, `${back.pathname}${back.search}${one(form.unit) ? '#unit' : ''}`);
  });

  router.get('/directives/:id/export.:format', view, async (req, res) => {
    await sendExport(deps, res, req.params.id, req.params.format);
  });

  router.use(pageErrorHandler);
  return router;
}

/** The page to return to after an action: only this directive's page, whatever the form says. */
function safeBack(value: unknown, directiveId: string): string {
  const base = `/directives/${directiveId}`;
  const text = one(value);
  return text && (text === base || text.startsWith(`${base}?`)) ? text : base;
}

/** Errors on dashboard pages become a Persian page, never a stack trace. */
export const pageErrorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  if (res.headersSent) return;
  const status = err instanceof FarmanError ? err.status : 500;
  if (status === 500)
    req.log?.error({ err: { message: (err as Error)?.message, stack: (err as Error)?.stack } }, 'dashboard error');
  const title = status === 404 ? 'پیدا نشد' : 'خطا';
  sendPage(
    res,
    status,
    title,
    html`<section class="card"><h1>${title}</h1><p>${persianError(err)}</p><p><a href="/directives">بازگشت به فهرست دستورالعمل‌ها</a></p></section>`,
  );
};
