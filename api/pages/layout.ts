import { html, type Html } from '../../lib/html';

export interface LayoutOptions {
  title: string;
  /** Shown at the top right: who is signed in, or the unit's name on a link page. */
  who?: Html | string;
  /** Links or a sign-out form, shown at the top left. */
  nav?: Html;
}

/**
 * The shell of every Persian page: `lang="fa" dir="rtl"`, the self-hosted font, and no script at all, so
 * pages work with JavaScript off and a strict Content-Security-Policy.
 */
export function layout(options: LayoutOptions, content: Html): string {
  return html`<!doctype html>
<html lang="fa" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${options.title} | فرمان</title>
<link rel="stylesheet" href="/assets/farman.css">
</head>
<body>
<header class="top"><strong>فرمان — سامانه پیگیری دستورالعمل‌ها</strong><span>${options.who ?? ''}</span>${options.nav ?? ''}</header>
<main>
${content}
</main>
</body>
</html>`.value;
}
