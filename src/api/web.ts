/** api/web.ts - serves the monitoring page (web/) at / and /index.htm, and the explorer (web/explorer/) at /explorer/, under a strict Content-Security-Policy: same-origin assets, scripts and connections only. Imports express. */
import express, { type Express, type Response } from 'express';

/**
 * Only this node's own files may load, and only this node may be fetched or connected to (the
 * WebSocket feed included: CSP 'self' covers ws: of the same host). A second line of defence:
 * the page renders network text with textContent, so markup in it is never parsed anyway.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function pageHeaders(res: Response): void {
  res.set('Content-Security-Policy', PAGE_CSP);
  res.set('Referrer-Policy', 'no-referrer');
  res.set('Cache-Control', 'no-cache');
}

/** Serve `webDir` as static files, `index.html` at `/` and at `/index.htm` (the seed's name), `explorer/index.html` at `/explorer/`. */
export function mountWebPage(app: Express, webDir: string): void {
  app.get('/index.htm', (_req, res) => {
    pageHeaders(res);
    res.sendFile('index.html', { root: webDir });
  });
  // The explorer is web/explorer/index.html, served at /explorer/ by the static mount; that mount does not redirect (redirect: false), so /explorer (exactly: routes ignore a trailing slash unless matched strictly) is sent on here.
  app.get(/^\/explorer$/, (_req, res) => {
    pageHeaders(res);
    res.redirect(301, '/explorer/');
  });
  app.use(express.static(webDir, { index: 'index.html', fallthrough: true, redirect: false, setHeaders: pageHeaders }));
}
