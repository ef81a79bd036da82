import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumArgs, defaultChromiumPath } from '../../api/exports/pdf-renderer';

/**
 * A real Chromium for page tests: Debian's `/usr/bin/chromium` driven by playwright-core (which downloads
 * no browser of its own), with the flags a container needs. One browser per test file; each test opens
 * its own context (cookies) so signed-in users never leak between stories.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || defaultChromiumPath,
    args: chromiumArgs,
    headless: true,
  });
}

/** The office's screen: pages must be usable at 1366×768. */
export const officeViewport = { width: 1366, height: 768 };

/** Where screenshots and downloads are kept as test artifacts. */
export const artifactsDir = path.join(__dirname, '..', 'artifacts');

/** Saves a full-page screenshot under test/artifacts/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
