import { createSendUnitMail, type UnitMailDeps } from './unit-mail';

export type { SendUnitMailInput, SendUnitMailResult } from './unit-mail';

export type ActivityDeps = UnitMailDeps;

/**
 * Every activity, built from its dependencies. The worker is the only place that calls this; workflows
 * import its type to type their activity proxies.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    sendUnitMail: createSendUnitMail(deps),
  };
}
