/** api/swagger.ts - Swagger UI at /docs/ over this node's own spec; every asset comes from the local swagger-ui-dist package, nothing from a CDN. Imports express and swagger-ui-express. */
import type { Express, NextFunction, Request, Response } from 'express';
import swaggerUi from 'swagger-ui-express';
import { DOCS_PATH, SPEC_URL_PATH } from './constants.ts';

// The only files served under /docs/. swagger-ui-dist also ships an index.html and
// swagger-initializer.js that load the public Petstore demo from the internet: never serve those.
const ASSETS = new Set(['/swagger-ui.css', '/swagger-ui-bundle.js', '/swagger-ui-standalone-preset.js', '/swagger-ui-init.js', '/favicon-32x32.png', '/favicon-16x16.png']);

/**
 * Mount Swagger UI. It loads the spec from GET /wolfram-mega-spec.yaml, whose `servers` entry is
 * the address the browser used, so "Try it out" sends requests to this node.
 */
export function mountSwaggerUi(app: Express): void {
  const opts = {
    swaggerUrl: SPEC_URL_PATH,
    customSiteTitle: 'Mega node API',
    swaggerOptions: {
      // The default posts the spec to validator.swagger.io for a badge: an external request.
      validatorUrl: null,
      displayRequestDuration: true,
      defaultModelsExpandDepth: 0,
    },
  };
  // serveFiles (not `serve`) keeps this app's init script in a closure of its own, so several
  // nodes in one process never share swagger-ui-express module state.
  const [init, assets] = swaggerUi.serveFiles(undefined, opts) as [(req: Request, res: Response, next: NextFunction) => void, (req: Request, res: Response, next: NextFunction) => void];
  const page = swaggerUi.setup(undefined, opts);
  app.use(DOCS_PATH, (req, res, next) => {
    // Relative asset URLs in the page need the trailing slash.
    if (req.originalUrl === DOCS_PATH || req.originalUrl.startsWith(DOCS_PATH + '?')) {
      res.redirect(301, DOCS_PATH + '/' + req.originalUrl.slice(DOCS_PATH.length));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      next();
      return;
    }
    if (req.path === '/') {
      res.set('Cache-Control', 'no-cache');
      page(req, res, next);
      return;
    }
    if (!ASSETS.has(req.path)) {
      next();
      return;
    }
    init(req, res, (err?: unknown) => (err ? next(err) : assets(req, res, next)));
  });
}
