import type { UpdateDefinition } from '@temporalio/common';
import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import { MulterError } from 'multer';
import {
  acknowledgeUpdate,
  requestExtensionUpdate,
  submitReportUpdate,
  type UnitUpdateResult,
} from '../../workflows/contract';
import type { Actor } from '../../workflows/types';
import { NotFound, Rejected, Unavailable } from '../errors';
import { requestMeta } from '../http/request-meta';
import { downloadContentType } from '../office/attachments';
import { bodyText, rawFromBody, readJalali, readReportForm, readText } from './form-input';
import {
  filesIn,
  filesOfLink,
  openLink,
  signedLink,
  type OpenLink,
  type SignedLink,
  type UnitPageDeps,
} from './link-access';
import {
  fieldErrors,
  FormIncomplete,
  LinkRefused,
  pageProblem,
  rejectionMessage,
  uploadLimitMessage,
} from './page-errors';
import { sameOriginOnly } from './same-origin';
import { allowedActions, renderProblemPage, renderUnitPage, type FormReplay, type UnitAction } from './unit-page-view';
import { checkUpload, discardUploads, multipartParser, storeUploads } from './uploads';

export type { UnitPageDeps } from './link-access';

const submissionIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The form's submission id (minted into the page at render time), or FormIncomplete. */
function submissionIdOf(body: unknown): string {
  const id = bodyText(body, 'submissionId');
  if (!submissionIdPattern.test(id)) throw new FormIncomplete();
  return id;
}

/**
 * Whether the unit's log records a report sent with this submission id: a resubmit of a report already
 * recorded, answered as a success without reading its body again.
 */
function reportedWith(link: OpenLink, submissionId: string): boolean {
  return link.state.log.some((t) => t.event.type === 'reportSubmitted' && t.meta?.submissionId === submissionId);
}

function unitActor(link: SignedLink, name: string, position: string): Actor {
  return { kind: 'unit', id: link.claims.unitCode, name, title: position };
}

/**
 * The district head's pages under `/u/<token>`: GET shows the unit's page (and HEAD the same headers), GET
 * `/files/<sha256>` downloads a file of this directive or this unit's report, and three POSTs record the
 * head's replies. GET and HEAD only read (mail scanners fetch every link); every POST is same-origin only,
 * carries a submission id that is the Temporal update id (so a resubmit is recorded once), and answers a
 * 303 back to the page with a confirmation. Every failure is rendered by `pageProblem`, in one place.
 */
export function unitPageRoutes(deps: UnitPageDeps): Router {
  const router = Router();
  const now = () => new Date((deps.now ?? Date.now)());
  const sameOrigin = sameOriginOnly(deps.publicUrl);
  const urlencoded = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 20 });
  const baseOf = (req: Request, link: SignedLink) => `${req.baseUrl}/${link.token}`;
  const parseMultipart = multipartParser(deps.files.stagingDir);

  router.use((_req, res, next) => {
    // The page holds the unit's replies and a link credential in its forms: never cache or store it.
    res.set('Cache-Control', 'no-store');
    next();
  });

  /** Re-renders the page with a form's input and errors; nothing was recorded. */
  async function replay(req: Request, res: Response, status: number, link: OpenLink, form: FormReplay): Promise<void> {
    res
      .status(status)
      .type('html')
      .send(renderUnitPage(link, { now: now(), base: baseOf(req, link), replay: form }));
  }

  /**
   * Sends one reply to the unit's workflow, naming the link's generation, and redirects to the confirmation.
   * A refusal re-opens the link, which explains a revoked link, a cancelled directive or an unknown unit
   * itself, and otherwise re-renders the form with the reason and the unit's fresh state.
   */
  async function record<A>(
    req: Request,
    res: Response,
    link: SignedLink,
    action: UnitAction,
    update: UpdateDefinition<UnitUpdateResult, [A]>,
    args: A,
    submissionId: string,
    done: string,
    /** Runs once the workflow recorded the reply, before the redirect (moving its staged files in). */
    recorded?: () => Promise<void>,
  ): Promise<void> {
    try {
      await deps.gateway.unitUpdate(
        link.claims.directiveId,
        link.claims.unitCode,
        update,
        { ...args, linkGeneration: link.claims.generation },
        submissionId,
      );
      await recorded?.();
    } catch (err) {
      if (!(err instanceof Rejected) && !(err instanceof NotFound)) throw err;
      // Throws the page's explanation for an unknown unit, a revoked link or a cancelled directive.
      const fresh = await openLink(deps, link.token);
      if (!(err instanceof Rejected)) throw err;
      const errors = fieldErrors(err.issues);
      return replay(req, res, err.code === 'invalid' ? 422 : 409, fresh, {
        action,
        raw: rawFromBody(req.body),
        errors,
        notice: rejectionMessage(err),
      });
    }
    res.redirect(303, `${baseOf(req, link)}?done=${done}`);
  }

  router.get('/:token', async (req, res) => {
    const link = await openLink(deps, String(req.params.token));
    const done = typeof req.query.done === 'string' ? req.query.done : undefined;
    res.type('html').send(renderUnitPage(link, { now: now(), done, base: baseOf(req, link) }));
  });

  router.get('/:token/files/:sha256', async (req, res) => {
    const link = await openLink(deps, String(req.params.token));
    const file = filesOfLink(link).get(req.params.sha256);
    if (!file) throw new NotFound('not a file of this link');
    const bytes = await deps.files.get(file.sha256);
    // Always a download, never rendered in the site's origin, whatever the file claims to be.
    res.attachment(file.name);
    res.set('Content-Type', downloadContentType(file));
    res.send(bytes);
  });

  router.post('/:token/acknowledge', sameOrigin, urlencoded, async (req, res) => {
    // Nothing in this form depends on the unit's state, so a valid one goes straight to the workflow (one
    // round trip per click); the link is opened only to explain a refusal or re-render the form.
    const link = signedLink(deps, String(req.params.token));
    const submissionId = submissionIdOf(req.body);
    const name = readText(bodyText(req.body, 'name'), 200);
    const position = readText(bodyText(req.body, 'position'), 200);
    if ('error' in name || 'error' in position) {
      const errors: Record<string, string> = {};
      if ('error' in name) errors.name = name.error;
      if ('error' in position) errors.position = position.error;
      return replay(req, res, 422, await openLink(deps, link.token), {
        action: 'acknowledge',
        raw: rawFromBody(req.body),
        errors,
      });
    }
    const by = unitActor(link, name.value, position.value);
    await record(
      req,
      res,
      link,
      'acknowledge',
      acknowledgeUpdate,
      { name: name.value, position: position.value, by, meta: requestMeta(req, submissionId) },
      submissionId,
      'acknowledged',
    );
  });

  router.post('/:token/report', sameOrigin, async (req, res) => {
    // The link and the unit's state are checked before the body is read, so a refused link or a unit that
    // takes no report (already reported, accepted, closed) never gets its files read, let alone stored.
    const link = await openLink(deps, String(req.params.token));
    if (!allowedActions(link.state).has('report')) {
      res.set('Connection', 'close');
      const resent = typeof req.query.submission === 'string' && reportedWith(link, req.query.submission);
      if (resent) return res.redirect(303, `${baseOf(req, link)}?done=reported`);
      const why =
        link.state.state === 'reported'
          ? 'a report is already submitted and awaits the office'
          : `no report is taken in state ${link.state.state}`;
      throw new Rejected('not-allowed', why);
    }
    let uploaded: Express.Multer.File[] = [];
    try {
      try {
        uploaded = await parseMultipart(req, res);
      } catch (err) {
        // Anything else the parser throws means the body is not a readable multipart form (busboy's
        // "Malformed part header" for a NUL in a file name, a cut-off body): a bad request, not our failure.
        if (err instanceof Unavailable) throw err;
        if (!(err instanceof MulterError)) throw new FormIncomplete();
        const key = err.field?.replace(/^f_/, '') ?? '_form';
        return replay(req, res, 413, link, {
          action: 'report',
          raw: rawFromBody(req.body),
          errors: { [key]: uploadLimitMessage(err) },
        });
      }
      const submissionId = submissionIdOf(req.body);
      const previous = new Map(
        [...filesIn(link.state.draft), ...filesIn(link.state.report?.values)].map((f) => [f.sha256, f]),
      );
      const reading = readReportForm(
        link.state.policy.form,
        req.body,
        await Promise.all(uploaded.map(checkUpload)),
        previous,
      );
      if (Object.keys(reading.errors).length > 0) {
        const notice =
          uploaded.length > 0 ? 'فایل‌ها ثبت نشدند؛ پس از اصلاح فرم، آن‌ها را دوباره انتخاب کنید.' : undefined;
        return replay(req, res, 422, link, {
          action: 'report',
          raw: rawFromBody(req.body),
          errors: reading.errors,
          notice,
        });
      }
      const by = unitActor(link, reading.name, reading.position);
      await record(
        req,
        res,
        link,
        'report',
        submitReportUpdate,
        {
          name: reading.name,
          position: reading.position,
          values: reading.values,
          by,
          meta: requestMeta(req, submissionId),
        },
        submissionId,
        'reported',
        () => storeUploads(deps.files, reading.uploads),
      );
    } finally {
      // Whatever was not moved into the store (a refused, invalid or failed reply) is deleted.
      await discardUploads(uploaded);
    }
  });

  router.post('/:token/extension', sameOrigin, urlencoded, async (req, res) => {
    const link = await openLink(deps, String(req.params.token));
    const submissionId = submissionIdOf(req.body);
    const errors: Record<string, string> = {};
    const untilText = bodyText(req.body, 'until');
    const until = untilText.trim() ? readJalali(untilText) : null;
    if (!untilText.trim()) errors.until = 'این بخش را پر کنید.';
    else if (!until) errors.until = 'تاریخ و ساعت را به شکل ۱۴۰۵/۰۹/۱۵ ۱۴:۰۰ وارد کنید.';
    else if (Date.parse(until) <= Math.max(now().getTime(), Date.parse(link.state.policy.reportBy))) {
      errors.until = 'تاریخ درخواستی باید پس از مهلت کنونی ارسال گزارش باشد.';
    }
    const reason = readText(bodyText(req.body, 'reason'), 2000);
    if ('error' in reason) errors.reason = reason.error;
    if (Object.keys(errors).length > 0 || !until || 'error' in reason) {
      return replay(req, res, 422, link, { action: 'extension', raw: rawFromBody(req.body), errors });
    }
    const by: Actor = { kind: 'unit', id: link.state.unitCode };
    await record(
      req,
      res,
      link,
      'extension',
      requestExtensionUpdate,
      { until, reason: reason.value, by, meta: requestMeta(req, submissionId) },
      submissionId,
      'extension-requested',
    );
  });

  router.use(() => {
    throw new LinkRefused('unknown');
  });

  router.use(unitPageErrors);
  return router;
}

/** Renders any failure behind a unit's link (long or short, or its inbox) as its Persian problem page. */
export const unitPageErrors: ErrorRequestHandler = (err, req, res, _next) => {
  if (res.headersSent) return;
  const problem = pageProblem(err, req.method);
  if (problem.status === 500)
    req.log?.error({ err: { message: (err as Error)?.message, stack: (err as Error)?.stack } }, 'unit page failed');
  if (problem.retryAfter) res.set('Retry-After', String(problem.retryAfter));
  res.status(problem.status).type('html').send(renderProblemPage(problem));
};
