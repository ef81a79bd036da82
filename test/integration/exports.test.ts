import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { pdfRenderer } from '../../api/exports/pdf-renderer';
import { summarySheetName, unitSheetName } from '../../api/exports/xlsx';
import { acknowledgeUpdate, submitReportUpdate } from '../../workflows/contract';
import { directiveBody, issueViaApi, unitActor } from '../support/directives';
import { eventually, inSeconds, startStack, type TestStack } from '../support/stack';
import { parseCsv } from '../support/csv';

let stack: TestStack;
let id: string;
const codes = ['THR-TEH-MRK', 'THR-REY-MRK', 'THR-SHM-MRK'];
const injected = '=HYPERLINK("http://evil.example.org","باز کنید")';
const artifacts = path.join(__dirname, '..', 'artifacts');

beforeAll(async () => {
  stack = await startStack();
  const issued = await issueViaApi(
    stack,
    directiveBody({
      title: 'تعیین محل استقرار صندوق‌های اخذ رأی',
      targets: { mode: 'list', codes },
      acknowledgeBy: inSeconds(600),
      reportBy: inSeconds(1200),
      form: [
        { key: 'stations', label: 'تعداد شعب اخذ رأی', type: 'number', required: true, min: 0 },
        { key: 'inspected', label: 'همه محل‌ها بازدید شده‌اند', type: 'boolean', required: false },
        { key: 'problems', label: 'مشکلات مشاهده‌شده', type: 'text', required: false },
      ],
    }),
  );
  id = issued.id;
  // The central district of Tehran reports; the central district of Rey only acknowledges.
  const who = { name: 'فاطمه احمدی', position: 'بخشدار مرکزی' };
  await stack.gateway.unitUpdate(
    id,
    codes[0],
    submitReportUpdate,
    { ...who, values: { stations: 12, inspected: true, problems: injected }, by: unitActor(codes[0]) },
    'exp-report-0',
  );
  await stack.gateway.unitUpdate(id, codes[1], acknowledgeUpdate, { ...who, by: unitActor(codes[1]) }, 'exp-ack-1');
  await eventually(
    async () => {
      const s = await stack.gateway.directiveStatus(id);
      return s.counts.reported === 1 && s.counts.acknowledged === 1 ? s : undefined;
    },
    20_000,
    'the directive to count the report and the acknowledgement',
  );
  mkdirSync(artifacts, { recursive: true });
});

afterAll(async () => {
  await pdfRenderer.close();
  await stack?.stop();
});

async function download(format: string, as: 'office' | 'auditor' = 'office'): Promise<{ res: Response; body: Buffer }> {
  const res = await stack.api(`/api/v1/directives/${id}/export.${format}`, { as });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

describe('Exports of a directive', () => {
  test('When the office downloads the CSV, then it is UTF-8 with a BOM, Persian headers and text intact, and a formula-like answer stays text', async () => {
    const { res, body } = await download('csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="farman-${id}.csv"`);
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(body.subarray(3).toString('utf8'));
    const [headers, ...units] = rows;
    expect(headers).toEqual(
      expect.arrayContaining(['واحد', 'شهرستان', 'وضعیت', 'زمان گزارش', 'تعداد شعب اخذ رأی', 'مشکلات مشاهده‌شده']),
    );
    expect(units).toHaveLength(3);
    const col = (name: string) => headers.indexOf(name);
    const tehran = units.find((r) => r[col('کد واحد')] === 'THR-TEH-MRK')!;
    expect(tehran[col('واحد')]).toBe('بخش مرکزی');
    expect(tehran[col('شهرستان')]).toBe('شهرستان تهران');
    expect(tehran[col('وضعیت')]).toBe('گزارش ارسال‌شده');
    expect(tehran[col('تعداد شعب اخذ رأی')]).toBe('12');
    expect(tehran[col('همه محل‌ها بازدید شده‌اند')]).toBe('بله');
    expect(tehran[col('مشکلات مشاهده‌شده')]).toBe(`'${injected}`);
    expect(tehran[col('زمان گزارش')]).toMatch(/^[۰-۹]{4}\/[۰-۹]{2}\/[۰-۹]{2} ساعت [۰-۹]{2}:[۰-۹]{2}$/);
    const rey = units.find((r) => r[col('کد واحد')] === 'THR-REY-MRK')!;
    expect(rey[col('شهرستان')]).toBe('شهرستان ری');
    expect(rey[col('وضعیت')]).toBe('رؤیت‌شده');
    expect(rey[col('اعلام‌کننده')]).toBe('فاطمه احمدی (بخشدار مرکزی)');
    // No cell of the file starts a formula.
    expect(rows.flat().filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
  });

  test('When the office downloads the XLSX, then both sheets are right-to-left and the Persian text and numbers read back', async () => {
    const { res, body } = await download('xlsx');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    writeFileSync(path.join(artifacts, 'export.xlsx'), body);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(body as unknown as ArrayBuffer);
    const sheet = book.getWorksheet(unitSheetName)!;
    const summary = book.getWorksheet(summarySheetName)!;
    expect(sheet.views[0].rightToLeft).toBe(true);
    expect(summary.views[0].rightToLeft).toBe(true);
    const headers = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(headers).toEqual(expect.arrayContaining(['واحد', 'شهرستان', 'وضعیت', 'تعداد شعب اخذ رأی']));
    expect(sheet.rowCount).toBe(4);
    const col = (name: string) => headers.indexOf(name) + 1;
    const tehranRow = [2, 3, 4]
      .map((r) => sheet.getRow(r))
      .find((r) => r.getCell(col('کد واحد')).value === 'THR-TEH-MRK')!;
    expect(tehranRow.getCell(col('واحد')).value).toBe('بخش مرکزی');
    expect(tehranRow.getCell(col('تعداد شعب اخذ رأی')).value).toBe(12);
    expect(tehranRow.getCell(col('مشکلات مشاهده‌شده')).value).toBe(`'${injected}`);
    const facts = new Map((summary.getSheetValues() as unknown[][]).filter(Boolean).map((r) => [r[1], r[2]]));
    expect(facts.get('عنوان')).toBe('تعیین محل استقرار صندوق‌های اخذ رأی');
    expect(facts.get('میزان انجام (درصد)')).toBe(33.3);
  });

  test('When the office downloads the PDF, then it has a cover page and a table page, embeds Vazirmatn, and its text is the Persian report', async () => {
    const { res, body } = await download('pdf', 'auditor');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    writeFileSync(path.join(artifacts, 'compliance-report.pdf'), body);
    expect(body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(body.toString('latin1')).toMatch(/\/FontName\s*\/[A-Z]{6}\+Vazirmatn/);
    const pages = body.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? [];
    expect(pages).toHaveLength(2);
    // pdftotext (poppler-utils, brought by the pretest step) writes bidi embedding marks around runs and breaks table cells into words.
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: body })
      .toString('utf8')
      .replace(/[\u200e\u200f\u202a-\u202e]/g, '');
    const pageTexts = text.split('\f').filter((p) => p.trim());
    expect(pageTexts).toHaveLength(2);
    expect(pageTexts[0]).toContain('تعیین محل استقرار صندوق‌های اخذ رأی');
    expect(pageTexts[0]).toContain('۳۳.۳٪');
    expect(pageTexts[0]).toContain('واحدهای تأخیردار');
    for (const word of ['وضعیت واحدها', 'مرکزی', 'شمیرانات', 'فاطمه', 'احمدی', 'THR-TEH-MRK'])
      expect(pageTexts[1]).toContain(word);
    expect(pageTexts[1]).toMatch(/[۰-۹]{4}\/[۰-۹]{2}\/[۰-۹]{2}/);
  });

  test('When a request has no credentials, then the export answers 401 problem+json and sends nothing', async () => {
    const res = await stack.api(`/api/v1/directives/${id}/export.csv`, { as: null });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const unknown = await stack.api(`/api/v1/directives/${id}/export.docx`);
    expect(unknown.status).toBe(404);
  });
});
