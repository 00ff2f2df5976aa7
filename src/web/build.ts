/**
 * The web app is built by `arflow serve` itself (so `npm install && npm start` is all it takes): when web/dist is
 * missing or was built from other sources, Vite builds it again before the server listens. The sources' hash is
 * kept in web/dist/.source-hash. A build goes to a private folder first and is then renamed into place, so a
 * server never serves half a build, and a lock keeps two processes from building at once.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../web');
export const WEB_DIST = join(WEB_ROOT, 'dist');
const HASH_FILE = '.source-hash';
const LOCK = join(WEB_ROOT, '.build-lock');
const LOCK_STALE_MS = 10 * 60_000;

/** The hash of everything the build reads: the app's sources, its config, and the installed package versions. */
export function sourceHash(webRoot = WEB_ROOT): string {
  const hash = createHash('sha256');
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (!/\.test\.tsx?$/.test(entry.name)) files.push(path);
    }
  };
  walk(join(webRoot, 'src'));
  // The pure rules the web app imports from the server's domain (money, aging, csv) are part of its bundle too.
  walk(join(webRoot, '..', 'src', 'domain'));
  // The build's recipe: a change here (production mode, since this version) must rebuild an older bundle.
  hash.update('recipe: production build, 3\0');
  for (const name of ['index.html', 'vite.config.ts', '../package-lock.json']) {
    const path = join(webRoot, name);
    if (existsSync(path)) files.push(path);
  }
  for (const path of files.sort()) {
    hash.update(relative(webRoot, path)).update('\0').update(readFileSync(path)).update('\0');
  }
  return hash.digest('hex');
}

export function isWebBuildCurrent(webRoot = WEB_ROOT): boolean {
  const stamp = join(webRoot, 'dist', HASH_FILE);
  return existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === sourceHash(webRoot);
}

/** Build the web app unless web/dist is current. Answers whether it built. */
export async function ensureWebBuild(log: (message: string) => void = () => {}): Promise<boolean> {
  if (isWebBuildCurrent()) return false;
  await withLock(log);
  try {
    if (isWebBuildCurrent()) return false; // another process built it while this one waited
    const started = Date.now();
    log('building the web app (once after each change of its sources; about a minute)…');
    const hash = sourceHash();
    const outDir = join(WEB_ROOT, `.dist-${process.pid}-${Date.now()}`);
    const { build } = await import('vite');
    // Always the production build: under the test runner NODE_ENV is "test", and Vite would otherwise bundle React's
    // and Ant Design's development builds (slower, with development-only class names), which `npm start` would then serve.
    // (Vite reads NODE_ENV itself, for React's JSX transform too, so it is set for the build and put back after.)
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await build({ configFile: join(WEB_ROOT, 'vite.config.ts'), logLevel: 'warn', mode: 'production', build: { outDir, emptyOutDir: true } });
    } finally {
      if (nodeEnv === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = nodeEnv;
    }
    writeFileSync(join(outDir, HASH_FILE), `${hash}\n`);
    const old = join(WEB_ROOT, `.dist-old-${process.pid}`);
    if (existsSync(WEB_DIST)) renameSync(WEB_DIST, old);
    renameSync(outDir, WEB_DIST);
    rmSync(old, { recursive: true, force: true });
    log(`web app built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return true;
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

async function withLock(log: (message: string) => void): Promise<void> {
  for (let waited = 0; ; waited += 500) {
    try {
      mkdirSync(LOCK);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const since = statSync(LOCK, { throwIfNoEntry: false });
      const age = since ? Date.now() - since.mtimeMs : 0;
      if (age > LOCK_STALE_MS) {
        rmSync(LOCK, { recursive: true, force: true });
        continue;
      }
      if (waited === 0) log('another process is building the web app; waiting for it…');
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
