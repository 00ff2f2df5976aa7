/** For the parser tests: the shared bank-file datasets beside the repository (../shared/datasets), never copied in. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: three levels above src/domain/bank. Works from /work/main and from any worktree. */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const DATASETS = resolve(repoRoot, '..', 'shared', 'datasets');

export function datasetAvailable(folder: string): boolean {
  const ok = existsSync(join(DATASETS, folder));
  if (!ok) console.warn(`bank parser tests: ${join(DATASETS, folder)} is absent, dataset cases are skipped`);
  return ok;
}

/** Every data file of a dataset folder (PROVENANCE.md excluded), as paths relative to the folder. */
export function datasetFiles(folder: string): string[] {
  const root = join(DATASETS, folder);
  if (!existsSync(root)) return [];
  const walk = (p: string): string[] => (statSync(p).isDirectory() ? readdirSync(p).sort().flatMap((f) => walk(join(p, f))) : [p]);
  return walk(root).filter((p) => !p.endsWith('PROVENANCE.md')).map((p) => relative(root, p));
}

export function readDataset(folder: string, file: string): Buffer {
  return readFileSync(join(DATASETS, folder, file));
}
