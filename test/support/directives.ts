import type { FileRef } from '../../domain/directive-schema';
import { eventually, type TestStack } from './stack';

export { directiveBody, officeActor, silentUnitBody, unitActor } from '../../reliability/harness/directive-bodies';

/**
 * Issues a directive through the real HTTP API, as the office account, and returns its id once every unit's workflow has started
 * (as a district head's link only exists once its notice went out).
 */
export async function issueViaApi(
  stack: TestStack,
  body: unknown,
): Promise<{ status: number; id: string; location: string | null; json: Record<string, unknown> }> {
  const res = await stack.api('/api/v1/directives', { method: 'POST', json: body });
  const json = (await res.json()) as Record<string, unknown>;
  const id = typeof json.id === 'string' ? json.id : '';
  if (res.status < 300) await waitForFanOut(stack, id);
  return { status: res.status, id, location: res.headers.get('location'), json };
}

/** Uploads a file as the office does before attaching it (`POST /api/v1/files`); returns its reference. */
export async function uploadAttachment(stack: TestStack, bytes: Buffer, name: string): Promise<FileRef> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), name);
  const res = await stack.api('/api/v1/files', { method: 'POST', body: form });
  if (res.status !== 201) throw new Error(`upload of ${name} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as FileRef;
}

/** Waits until every unit of the directive has started. */
export async function waitForFanOut(stack: TestStack, id: string, timeoutMs = 300_000): Promise<void> {
  await eventually(
    async () => {
      const status = await stack.gateway.directiveStatus(id);
      return status.state !== 'fanning-out' ? true : undefined;
    },
    timeoutMs,
    `fan-out of ${id}`,
  );
}
