import path from 'node:path';
import express, { type Router } from 'express';

/** The self-hosted Persian font (Vazirmatn, OFL) and the pages' stylesheet, under `/assets/`. */
export function assetRoutes(): Router {
  const router = express.Router();
  const fonts = path.join(path.dirname(require.resolve('vazirmatn/package.json')), 'fonts', 'webfonts');
  router.use('/fonts', express.static(fonts, { immutable: true, maxAge: '365d', fallthrough: false }));
  router.use(express.static(path.join(__dirname, 'static'), { maxAge: '1h', fallthrough: false }));
  return router;
}
