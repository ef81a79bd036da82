import { Unavailable } from '../../api/errors';

/**
 * Sends a reply again when the gateway says "try again" (`Unavailable`: a loaded machine), at most
 * `attempts` times in all. Safe only for sends with a fixed id: the submission id is the update id, so a
 * retry is recorded once, as a head's second click would be. Any other error is thrown at once.
 */
export async function whenBusyRetry<T>(send: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await send();
    } catch (err) {
      if (!(err instanceof Unavailable) || i >= attempts) throw err;
    }
  }
}
