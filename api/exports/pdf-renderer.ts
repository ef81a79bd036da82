import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium; playwright-core downloads no browser of its own. */
export const defaultChromiumPath = '/usr/bin/chromium';

/** Flags for a headless Chromium in a container: no sandbox (no user namespaces), no GPU, no phoning home. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * The policy every printed document carries (report-html.ts puts it in a meta tag): inline styles, and
 * fonts and images only as data: URLs. Nothing else loads and no script runs.
 */
export const printContentSecurityPolicy =
  "default-src 'none'; style-src 'unsafe-inline'; font-src data:; img-src data:";

/** PDFs printed at once by one process; further requests wait their turn (each tab costs CPU and memory). */
export const maxConcurrentRenders = 2;

/**
 * Prints HTML to PDF with Chromium, which shapes Persian correctly (pdfkit and pdfmake reverse words and
 * digits). One browser per process, launched on the first PDF and reused (a launch costs about a second);
 * each PDF gets its own context (tab) with JavaScript off and every network request aborted, closed
 * afterwards: the markup holds text that units and staff typed, so it must not be able to fetch or run
 * anything. At most `maxConcurrent` PDFs are printed at once. A browser that crashed is launched again on
 * the next request. `close()` belongs in the process's shutdown.
 */
export class PdfRenderer {
  private browser: Promise<Browser> | null = null;
  private printing = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly executablePath = process.env.CHROMIUM_PATH ||
      process.env.PLAYWRIGHT_CHROMIUM_PATH ||
      defaultChromiumPath,
    readonly maxConcurrent = maxConcurrentRenders,
  ) {}

  /** PDFs being printed now (at most `maxConcurrent`). */
  get rendering(): number {
    return this.printing;
  }

  private async turn<T>(work: () => Promise<T>): Promise<T> {
    while (this.printing >= this.maxConcurrent) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.printing++;
    try {
      return await work();
    } finally {
      this.printing--;
      this.waiting.shift()?.();
    }
  }

  private launch(): Promise<Browser> {
    if (!this.browser) {
      const launching = chromium.launch({ executablePath: this.executablePath, args: chromiumArgs, headless: true });
      this.browser = launching;
      launching.then(
        (b) =>
          b.on('disconnected', () => {
            if (this.browser === launching) this.browser = null;
          }),
        () => {
          if (this.browser === launching) this.browser = null;
        },
      );
    }
    return this.browser;
  }

  /**
   * A4 landscape PDF of a self-contained HTML document (fonts inlined: the page loads nothing). Waits for
   * the fonts to be ready, so no page is printed in a fallback font.
   */
  render(markup: string): Promise<Buffer> {
    return this.turn(async () => {
      const browser = await this.launch();
      const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
      try {
        // data: URLs are not requests; everything else (http, file, ws…) is aborted before it leaves.
        await context.route('**/*', (route) => route.abort('blockedbyclient'));
        const page = await context.newPage();
        await page.setContent(markup, { waitUntil: 'load' });
        // A string, because this project compiles without the DOM library.
        await page.evaluate('document.fonts.ready.then(() => true)');
        return await page.pdf({ format: 'A4', landscape: true, printBackground: true, preferCSSPageSize: true });
      } finally {
        await context.close().catch(() => undefined);
      }
    });
  }

  /** Closes the browser, if one was launched. Safe to call more than once. */
  async close(): Promise<void> {
    const browser = this.browser;
    this.browser = null;
    if (browser) await (await browser.catch(() => null))?.close();
  }
}

/** The process's renderer: the API shares one browser between all requests. */
export const pdfRenderer = new PdfRenderer();
