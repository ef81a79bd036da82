import type { RequestHandler } from 'express';

/**
 * Security headers for every response. Pages load nothing but their own stylesheet and font, run no
 * script, and send no referrer (link tokens travel in URLs). Forms may post only to this origin. When the
 * public URL is https, browsers are told to use nothing else for a year (HSTS); a plain-http development
 * setup must not get it, or the browser would refuse the site afterwards.
 */
export function securityHeaders(publicUrl: string): RequestHandler {
  const hsts = publicUrl.startsWith('https:') ? { 'Strict-Transport-Security': 'max-age=31536000' } : {};
  return (_req, res, next) => {
    res.set({
      'Content-Security-Policy':
        "default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
      ...hsts,
    });
    next();
  };
}
