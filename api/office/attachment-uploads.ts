import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Request, Response } from 'express';
import type { FileRef } from '../../domain/directive-schema';
import type { FileStore } from '../../lib/file-store';
import { ValidationFailed } from '../errors';
import { asUploadError, checkUpload, discardUploads, storeUploads, type MultipartParser } from '../unit-pages/uploads';

/**
 * Files the office uploaded to attach to directives (`POST /api/v1/files`): one small record per file,
 * `<file store>/attachments/<sha256>.json`, holding what the upload check found. The store also holds
 * directive documents and units' report files; a directive may name only files recorded here, so an
 * attachment can never point at another unit's report or a stored document, nor claim a type of its own.
 */
export class AttachmentUploads {
  private readonly dir: string;

  constructor(files: FileStore) {
    this.dir = path.join(files.root, 'attachments');
  }

  private fileOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('not a SHA-256');
    return path.join(this.dir, `${sha256}.json`);
  }

  async record(ref: FileRef): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = path.join(this.dir, `${randomUUID()}.tmp`);
    await writeFile(tmp, JSON.stringify(ref));
    await rename(tmp, this.fileOf(ref.sha256));
  }

  /** The upload of a file as an attachment, or null when it was never uploaded as one. */
  async find(sha256: string): Promise<FileRef | null> {
    const text = await readFile(this.fileOf(sha256), 'utf8').catch(() => null);
    return text ? (JSON.parse(text) as FileRef) : null;
  }
}

/**
 * A directive's attachments as they were uploaded: the type and size the upload check found replace what
 * the caller claims (the name is the caller's). Files already attached to the directive (`kept`, for an
 * amendment) stay allowed.
 * @throws ValidationFailed naming each attachment that was not uploaded as one.
 */
export async function resolveAttachments(
  files: FileStore,
  attachments: readonly FileRef[],
  kept: readonly FileRef[] = [],
): Promise<FileRef[]> {
  const uploads = new AttachmentUploads(files);
  const issues: { path: string; message: string }[] = [];
  const resolved: FileRef[] = [];
  for (const [i, given] of attachments.entries()) {
    const uploaded = kept.find((k) => k.sha256 === given.sha256) ?? (await uploads.find(given.sha256));
    if (uploaded && (await files.has(given.sha256))) resolved.push({ ...uploaded, name: given.name });
    else
      issues.push({
        path: `attachments.${i}.sha256`,
        message: 'no file was uploaded as an attachment with this hash (POST /api/v1/files)',
      });
  }
  if (issues.length > 0) throw new ValidationFailed(issues, 'the directive names attachments that were not uploaded');
  return resolved;
}

/**
 * Checks one staged office upload as unit uploads are checked (type by content, name and content agreeing),
 * moves it into the store and records it as an attachment.
 * @throws ValidationFailed (path `file`) for an empty or disallowed file.
 */
export async function storeAttachment(files: FileStore, staged: Express.Multer.File): Promise<FileRef> {
  const checked = await checkUpload(staged);
  if ('error' in checked) {
    throw new ValidationFailed([
      {
        path: 'file',
        message: 'the file is empty, or not PDF, PNG, JPEG, DOCX, XLSX, PPTX, CSV or TXT with a matching name',
      },
    ]);
  }
  await storeUploads(files, [checked]);
  await new AttachmentUploads(files).record(checked.ref);
  return checked.ref;
}

/**
 * Takes one office upload (multipart, one part named `file`, within the unit uploads' size limits) and
 * stores it as an attachment (`storeAttachment`).
 * @throws ValidationFailed for a missing, empty, oversized or disallowed file.
 */
export async function uploadAttachment(
  files: FileStore,
  parse: MultipartParser,
  req: Request,
  res: Response,
): Promise<FileRef> {
  let staged: Express.Multer.File[] = [];
  try {
    staged = await parse(req, res).catch((err: unknown) => {
      throw asUploadError(err);
    });
    if (staged.length !== 1 || staged[0].fieldname !== 'file')
      throw new ValidationFailed([{ path: 'file', message: 'send one file, in a multipart part named file' }]);
    return await storeAttachment(files, staged[0]);
  } finally {
    await discardUploads(staged);
  }
}
