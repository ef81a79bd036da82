import { createHash } from 'node:crypto';
import { readFile, unlink } from 'node:fs/promises';
import type { Request, RequestHandler, Response } from 'express';
import multer, { MulterError } from 'multer';
import type { FileRef } from '../../domain/directive-schema';
import type { FileStore } from '../../lib/file-store';
import { normalizePersian } from '../../lib/persian-text';
import { Unavailable, ValidationFailed } from '../errors';

/**
 * Files attached to a unit's report. Limits are explicit (multer's default for every limit is Infinity);
 * the type is decided by the bytes, never by the name or the browser's claim. Uploads are streamed to the
 * FileStore's staging directory (memory stays bounded whatever the bodies' size), moved into the
 * content-addressed store only once the reply that names them is recorded, and deleted otherwise; only
 * `{ name, sha256, size, contentType }` enters the workflow.
 */

export const uploadLimits = {
  /** Bytes per file. */
  fileSize: 10 * 1024 * 1024,
  /** Files per form, across all file fields. */
  files: 10,
  fields: 120,
  fieldSize: 64 * 1024,
  parts: 140,
  fieldNameSize: 100,
} as const;

/** Multipart requests one process parses at a time; more get 503 with Retry-After (disk and CPU stay bounded). */
export const maxConcurrentUploads = 4;

/** Parses a multipart form into `req.body` and `req.files`; rejects with a MulterError when a limit is hit. */
export type MultipartParser = (req: Request, res: Response) => Promise<Express.Multer.File[]>;

/**
 * A multipart parser that streams files into `stagingDir` under random names, at most
 * `maxConcurrentUploads` requests at once (the next one is refused with Unavailable before its body is
 * read). The caller owns the staged files: `storeUploads` moves them in, `discardUploads` deletes them.
 */
export function multipartParser(stagingDir: string, maxConcurrent = maxConcurrentUploads): MultipartParser {
  const upload = multer({
    // Random hex names (multer's default): nothing of the client's choosing reaches the file system.
    storage: multer.diskStorage({ destination: stagingDir }),
    limits: uploadLimits,
    // Persian file names arrive as UTF-8 in `filename`; multer's default reads them as Latin-1.
    defParamCharset: 'utf8',
  }).any();
  let inFlight = 0;
  return (req, res) => {
    if (inFlight >= maxConcurrent) return Promise.reject(new Unavailable('too many uploads in progress'));
    inFlight++;
    return new Promise<Express.Multer.File[]>((resolve, reject) => {
      upload(req, res, (err: unknown) =>
        err
          ? reject(err instanceof Error ? err : new Error('multipart parsing failed'))
          : resolve(Array.isArray(req.files) ? req.files : []),
      );
    }).finally(() => inFlight--);
  };
}

/** A limit hit (MulterError) is the client's mistake: ValidationFailed naming the limit, never a 500. */
export function asUploadError(err: unknown): unknown {
  return err instanceof MulterError
    ? new ValidationFailed([{ path: err.field ?? 'file', message: err.message }], 'the upload was refused')
    : err;
}

/**
 * Middleware for a form that may come as multipart (with files) or urlencoded: parses a multipart body into
 * `req.body` and `req.files` (staged) and deletes whatever the route did not move into the store once the
 * response is done, whichever way it ends (a CSRF refusal included). Other bodies pass untouched.
 */
export function stagedFormParts(parse: MultipartParser): RequestHandler {
  return (req, res, next) => {
    if (!req.is('multipart/form-data')) return next();
    res.on('close', () => void discardUploads(Array.isArray(req.files) ? req.files : []));
    parse(req, res).then(
      () => next(),
      (err: unknown) => next(asUploadError(err)),
    );
  };
}

/** Deletes staged uploads that were not moved into the store (a refused or failed reply). */
export async function discardUploads(files: readonly Express.Multer.File[]): Promise<void> {
  await Promise.all(files.map((f) => unlink(f.path).catch(() => undefined)));
}

/** A file type the office accepts: what the bytes must start with, and the names it may carry. */
interface AllowedType {
  contentType: string;
  extensions: string[];
  matches: (bytes: Buffer) => boolean;
}

const startsWith = (signature: number[]) => (bytes: Buffer) =>
  bytes.length >= signature.length && signature.every((b, i) => bytes[i] === b);
const zip = startsWith([0x50, 0x4b, 0x03, 0x04]);
/** An Office Open XML package names its main part in the first local headers, uncompressed. */
const ooxml = (folder: string) => (bytes: Buffer) =>
  zip(bytes) && bytes.subarray(0, 64 * 1024).includes(`${folder}/`, 0, 'latin1');
/** Text: valid UTF-8 without NUL bytes (a binary file almost always has one early on). */
const utf8Text = (bytes: Buffer) =>
  !bytes.subarray(0, 64 * 1024).includes(0) && Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);

/**
 * The allow-list. Archives, executables, HTML and SVG (which can carry scripts) are not on it, nor old
 * Word and Excel files (.doc, .xls: OLE2 containers that run macros when opened, and that no scanner here
 * checks); their Office Open XML successors cannot carry macros under these names.
 */
export const allowedTypes: readonly AllowedType[] = [
  { contentType: 'application/pdf', extensions: ['pdf'], matches: startsWith([0x25, 0x50, 0x44, 0x46, 0x2d]) },
  {
    contentType: 'image/png',
    extensions: ['png'],
    matches: startsWith([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  },
  { contentType: 'image/jpeg', extensions: ['jpg', 'jpeg'], matches: startsWith([0xff, 0xd8, 0xff]) },
  {
    contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    extensions: ['docx'],
    matches: ooxml('word'),
  },
  {
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    extensions: ['xlsx'],
    matches: ooxml('xl'),
  },
  {
    contentType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    extensions: ['pptx'],
    matches: ooxml('ppt'),
  },
  { contentType: 'text/csv; charset=utf-8', extensions: ['csv'], matches: utf8Text },
  { contentType: 'text/plain; charset=utf-8', extensions: ['txt'], matches: utf8Text },
];

/** The `accept` attribute for file inputs: a hint to the browser; the server decides by content. */
export const acceptAttribute = allowedTypes.flatMap((t) => t.extensions.map((e) => `.${e}`)).join(',');

/**
 * The content type of a file whose bytes match an allowed type and whose name has that type's extension,
 * or null. Both must agree: a PDF renamed `.png` or a text file renamed `.pdf` is refused.
 */
export function detectFileType(bytes: Buffer, name: string): string | null {
  const extension = /\.([A-Za-z0-9]{1,8})$/.exec(name)?.[1]?.toLowerCase();
  if (!extension || bytes.length === 0) return null;
  return allowedTypes.find((t) => t.extensions.includes(extension) && t.matches(bytes))?.contentType ?? null;
}

/** A file name safe to store and show: no path, no control or bidi-override characters, at most 255 characters. */
export function cleanFileName(name: string): string {
  const base = normalizePersian(name.split(/[\\/]/).pop() ?? '')
    .replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, '')
    .trim();
  if (!base) return 'file';
  if (base.length <= 255) return base;
  const dot = base.lastIndexOf('.');
  const ext = dot > 0 && base.length - dot <= 10 ? base.slice(dot) : '';
  return base.slice(0, 255 - ext.length) + ext;
}

/** An upload that passed the checks: its reference (for the workflow) and its staged file (for the store). */
export interface CheckedUpload {
  field: string;
  ref: FileRef;
  stagedPath: string;
}

/**
 * Checks one staged file by its content and describes it, without storing it: the form may still be
 * invalid, and nothing is kept for a reply that is not recorded. Returns a Persian message when refused.
 */
export async function checkUpload(
  file: Express.Multer.File,
): Promise<CheckedUpload | { field: string; error: string }> {
  const name = cleanFileName(file.originalname);
  if (file.size === 0) return { field: file.fieldname, error: `فایل «${name}» خالی است.` };
  const bytes = await readFile(file.path);
  const contentType = detectFileType(bytes, name);
  if (!contentType) {
    return {
      field: file.fieldname,
      error: `نوع فایل «${name}» پذیرفته نیست؛ فقط PDF، تصویر PNG یا JPEG، Word، Excel، PowerPoint، متن یا CSV.`,
    };
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { field: file.fieldname, ref: { name, sha256, size: file.size, contentType }, stagedPath: file.path };
}

/** Moves checked uploads from staging into the FileStore, once the reply naming them is recorded. */
export async function storeUploads(files: FileStore, uploads: readonly CheckedUpload[]): Promise<void> {
  for (const u of uploads) await files.moveIn(u.stagedPath, u.ref.sha256);
}
