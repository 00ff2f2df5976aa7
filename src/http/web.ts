/**
 * Serves the built web app from the API's own server: hashed assets cached for a year, index.html never cached,
 * and every other non-API path answered with index.html so the app's own routes work on reload.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  // Ant Design writes its styles at run time (CSS-in-JS), hence inline styles; scripts only from this origin.
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
};

export async function registerWeb(app: FastifyInstance, distDir: string): Promise<void> {
  if (!existsSync(join(distDir, 'index.html'))) throw new Error(`assertion failed: no web build in ${distDir}`);
  await app.register(fastifyStatic, {
    root: distDir,
    prefix: '/',
    // Files are looked up on each request, not listed once at start: a rebuild while the server runs (arflow serve
    // rebuilds when the sources change; several servers may share web/dist) brings new hashed assets.
    wildcard: true,
    index: false,
    setHeaders(res, path) {
      res.setHeader('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (!request.url.startsWith('/api/')) for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    return payload;
  });
}

/** Whether a request that matched no route should get the web app (a browser asking for one of its pages). */
export function wantsWebApp(method: string, url: string): boolean {
  const path = url.split('?')[0]!;
  const last = path.slice(path.lastIndexOf('/') + 1);
  // A missing file (/assets/x.js, /favicon.ico) is a 404, not the app.
  return (method === 'GET' || method === 'HEAD') && !path.startsWith('/api/') && path !== '/api' && !last.includes('.');
}
