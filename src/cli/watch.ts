// `generate --watch`: regenerates whenever a file a contract reads changes (the contract itself, every
// .proto it imports, every file an OpenAPI `$ref` points to), following files that join later.
import { existsSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { patternOf, selectLinks } from '../core/engine.js';
import type { LinkConfig } from '../core/types.js';
import { detectProject } from '../project/detect.js';
import { readManifest } from '../vfs/manifest.js';
import { UserFileError } from '../errors.js';
import { errorCode } from './exit.js';
import { info, paint } from './output.js';

/** One generate run that reports each file a link's generator asks for. */
export type GenerateRun = (onRead: (link: LinkConfig, file: string) => void) => Promise<number>;

/**
 * Whether a file the generator read belongs to the contract: files in the link's own folder
 * (handlers.ts, generated files read back) are its output, and watching them would loop.
 */
function isContractRead(root: string, link: LinkConfig, file: string): boolean {
  const abs = path.resolve(root, file);
  const out = path.resolve(root, link.out);
  return abs !== out && !abs.startsWith(out + path.sep);
}

/** Regenerates on every contract change; an invalid contract prints its error and watching goes on. */
export async function watchContracts(names: string[], cwd: string | undefined, generate: GenerateRun): Promise<number> {
  const project = detectProject(cwd ?? process.cwd());
  const links = selectLinks(readManifest(project.root), names);
  // Watch folders, not files: editors often save by writing a new file and renaming it over the old one.
  // Contract folders and what the pattern adds (gRPC import roots) from the start; then the folder of
  // every file a run read, found or not (an import not written yet is seen when it appears). Folders
  // are only added: a run that fails half way read less than the graph, and must not drop the rest.
  const folders = new Set<string>();
  for (const l of links) {
    for (const c of l.contracts) folders.add(path.dirname(path.resolve(project.root, c)));
    for (const r of patternOf(l).watchRoots?.(l) ?? []) folders.add(path.resolve(project.root, r));
  }
  const onRead = (link: LinkConfig, file: string): void => {
    if (isContractRead(project.root, link, file)) folders.add(path.dirname(path.resolve(project.root, file)));
  };

  const watchers = new Map<string, FSWatcher>();
  let stopped = false;
  let interrupted = false;
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  // A user file that does not parse: watched too until the next run, so saving the fix regenerates.
  let unparsed: FSWatcher | undefined;
  const runOnce = async (): Promise<void> => {
    unparsed?.close();
    unparsed = undefined;
    try {
      await generate(onRead);
    } catch (error) {
      // Ctrl-C during a commit (exit 130) ends the watch as it ends any command.
      if (errorCode(error) === 130) interrupted = true;
      else if (error instanceof UserFileError && !stopped) unparsed = watchUserFile(project.root, error.file, changed);
    }
    follow();
  };
  const changed = (_event: string, file: string | null): void => {
    if (file && (file.startsWith('.') || file.endsWith('~'))) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(() => {
        info(paint('dim', `\n[${new Date().toLocaleTimeString()}] contract changed, regenerating`));
        return runOnce();
      });
    }, 100);
  };
  /** Starts watching every known folder that exists and is not watched yet. */
  const follow = (): void => {
    for (const folder of folders) {
      if (stopped || watchers.has(folder) || !existsSync(folder)) continue;
      try {
        watchers.set(folder, watch(folder, changed));
      } catch {
        // A folder that vanished between the check and the watch: the next run tries again.
      }
    }
  };

  await runOnce();
  if (interrupted) return 130;
  const shown = [...watchers.keys()].map((f) => path.relative(project.root, f) || '.');
  info(paint('dim', `Watching ${shown.join(', ')} (Ctrl-C to stop).`));
  await new Promise<void>((resolve) => {
    const stop = () => {
      stopped = true;
      unparsed?.close();
      for (const w of watchers.values()) w.close();
      clearTimeout(timer);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await running;
  return interrupted ? 130 : 0;
}

/** Watches one user file (its folder: editors save by rename) and calls `changed` when it is saved. */
function watchUserFile(
  root: string,
  file: string,
  changed: (event: string, file: string | null) => void,
): FSWatcher | undefined {
  const full = path.resolve(root, file);
  if (!existsSync(path.dirname(full))) return undefined;
  info(paint('dim', `Watching ${file} too: generate runs again when you save it.`));
  return watch(path.dirname(full), (event, name) => {
    if (name === path.basename(full)) changed(event, name);
  });
}
