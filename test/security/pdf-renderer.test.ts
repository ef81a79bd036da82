import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PdfRenderer, printContentSecurityPolicy } from '../../api/exports/pdf-renderer';
import { complianceReportHtml } from '../../api/exports/report-html';
import type { DirectiveOverview } from '../../api/dashboard/directive-report';
import { complianceStates } from '../../workflows/types';

const renderer = new PdfRenderer(undefined, 2);
const requests: string[] = [];
let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.end('x');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await renderer.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function pdfText(pdf: Buffer): string {
  const file = path.join(tmpdir(), `farman-pdf-${process.pid}-${Date.now()}.pdf`);
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
}

describe('The PDF renderer', () => {
  test('When printed markup asks for images, styles, frames or scripts, then no request leaves the browser and no script runs', async () => {
    const markup = `<!doctype html><html><head><link rel="stylesheet" href="${origin}/style.css"></head><body>
<p id="p">PRINTED</p><img src="${origin}/image.png"><iframe src="${origin}/frame"></iframe>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<script>document.getElementById('p').textContent = 'SCRIPT RAN'; fetch('${origin}/fetch');</script></body></html>`;
    const text = pdfText(await renderer.render(markup));
    expect(text).toContain('PRINTED');
    expect(text).not.toContain('SCRIPT RAN');
    expect(requests).toEqual([]);
  });

  test('When many PDFs are asked for at once, then at most the bound are printed together and all of them finish', async () => {
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, renderer.rendering)), 5);
    try {
      const pdfs = await Promise.all(Array.from({ length: 5 }, (_, i) => renderer.render(`<p>PDF ${i}</p>`)));
      expect(pdfs.map((p) => p.subarray(0, 5).toString('latin1'))).toEqual(Array(5).fill('%PDF-'));
    } finally {
      clearInterval(watch);
    }
    expect(most).toBe(2);
  });

  test('When the compliance report is printed, then its document carries a policy that loads nothing but data: fonts and images', () => {
    const at = '2026-12-01T08:00:00.000Z';
    const overview = {
      id: '1405-000001',
      spec: {
        title: 'آزمون',
        version: 1,
        priority: 'normal',
        acknowledgeBy: at,
        reportBy: at,
        issuedAt: at,
        escalation: [],
      },
      status: { state: 'open', counts: Object.fromEntries(complianceStates.map((s) => [s, 0])), total: 0, overdue: 0 },
      compliancePercent: 0,
      units: [],
      log: [],
    } as unknown as DirectiveOverview;
    const doc = complianceReportHtml(overview, { headers: [], rows: [] });
    expect(printContentSecurityPolicy).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; font-src data:; img-src data:",
    );
    expect(doc).toMatch(
      /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; font-src data:; img-src data:">/,
    );
  });
});
