import type { FileRef } from '../../domain/directive-schema';
import type { ReportValues } from '../../workflows/types';
import { NotFound } from '../errors';
import { allowedTypes } from '../unit-pages/uploads';
import type { TemporalGateway } from '../temporal-gateway';

function refsIn(values: ReportValues | null | undefined): FileRef[] {
  return Object.values(values ?? {}).flatMap((v) => (Array.isArray(v) ? v : []));
}

/**
 * Finds the attachment `sha256` where the caller says it is: among the directive's own attachments, or
 * with `unitCode`, in any report that unit submitted (current, draft, or earlier in its log). The file
 * store holds everything by hash (directive documents too); serving only hashes found in such a place
 * means a download link can never fetch a stored document or another unit's file by guessing its hash.
 */
export async function findAttachment(
  gateway: TemporalGateway,
  sha256: string,
  directiveId: string,
  unitCode?: string,
): Promise<FileRef> {
  let refs: FileRef[];
  if (unitCode) {
    const state = await gateway.unitState(directiveId, unitCode);
    refs = [
      ...refsIn(state.report?.values),
      ...refsIn(state.draft),
      ...state.log.flatMap((t) => (t.event.type === 'reportSubmitted' ? refsIn(t.event.values) : [])),
    ];
  } else {
    refs = (await gateway.directiveDocument(directiveId)).spec.attachments;
  }
  const ref = refs.find((r) => r && typeof r === 'object' && r.sha256 === sha256);
  if (!ref) throw new NotFound('no such attachment');
  return ref;
}

/**
 * The content type a download is sent with: the file's own when it is one of the upload allow-list's
 * (api/unit-pages/uploads.ts), opaque bytes otherwise. Every download (office API, unit pages) uses it, so
 * a stored claim such as `text/html` is never repeated to a browser.
 */
export function downloadContentType(ref: FileRef): string {
  return allowedTypes.some((t) => t.contentType === ref.contentType) ? ref.contentType : 'application/octet-stream';
}
