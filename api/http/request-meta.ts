import type { Request, Response } from 'express';
import type { Actor, RequestMeta } from '../../workflows/types';

/** The request's metadata as recorded with a transition: request id, client address and agent. */
export function requestMeta(req: Request, submissionId?: string): RequestMeta {
  return {
    requestId: typeof req.id === 'string' ? req.id : undefined,
    ip: req.ip,
    userAgent: req.get('user-agent')?.slice(0, 300),
    ...(submissionId ? { submissionId } : {}),
  };
}

/** The office user the authentication middleware put on the response; every office action is attributed. */
export function officeActor(res: Response): Actor {
  const actor = res.locals.actor as Actor | undefined;
  if (!actor) throw new Error('no authenticated actor on an office route');
  return actor;
}
