import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium; playwright-core downloads no browser of its own. */
export const defaultChromiumPath = '/usr/bin/chromium';

/** Flags for a headless Chromium in a container: no sandbox (no user namespaces), no GPU, no phoning home. */
export const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * Prints HTML to PDF with Chromium, which shapes Persian correctly (pdfkit and pdfmake reverse words and
 * digits). One browser per process, launched on the first PDF and reused (a launch costs about a second);
 * each PDF gets its own page (tab), closed afterwards. A browser that crashed is launched again on the next
 * request. `close()` belongs in the process's shutdown.
 */
export class PdfRenderer {
  private browser: Promise<Browser> | null = null;

  constructor(private readonly executablePath = process.env.CHROMIUM_PATH || process.env.PLAYWRIGHT_CHROMIUM_PATH || defaultChromiumPath) {}

  private launch(): Promise<Browser> {
    if (!this.browser) {
      const launching = chromium.launch({ executablePath: this.executablePath, args: chromiumArgs, headless: true });
      this.browser = launching;
      launching.then(
        (b) => b.on('disconnected', () => {
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
  async render(markup: string): Promise<Buffer> {
    const browser = await this.launch();
    const page = await browser.newPage();
    try {
      await page.setContent(markup, { waitUntil: 'load' });
      // A string, because this project compiles without the DOM library.
      await page.evaluate('document.fonts.ready.then(() => true)');
      return await page.pdf({ format: 'A4', landscape: true, printBackground: true, preferCSSPageSize: true });
    } finally {
      await page.close().catch(() => undefined);
    }
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
