// Reading a contract as it was at a git revision: `git show <ref>:./<file>` from the project root,
// so a project in a subfolder of its repository works, and imported files come from the same revision.
import { execa } from 'execa';
import { UsageError } from '../errors.js';
import type { ContractReader } from './load.js';

/** Checks that `root` is in a git work tree and `ref` names a commit; returns the commit's short id. */
export async function resolveRevision(root: string, ref: string): Promise<string> {
  const inside = await execa('git', ['rev-parse', '--is-inside-work-tree'], { cwd: root, reject: false });
  if (inside.failed || inside.stdout.trim() !== 'true') {
    const why = inside.code === 'ENOENT' ? 'git is not installed' : `${root} is not inside a git repository`;
    throw new UsageError(
      `breaking compares the contracts with a git revision, but ${why}. ` +
        'Run it in a git checkout (or `git init` and commit the contracts first).',
    );
  }
  const commit = await execa('git', ['rev-parse', '--verify', '--quiet', '--short', `${ref}^{commit}`], {
    cwd: root,
    reject: false,
  });
  if (commit.exitCode !== 0) {
    const empty = ref === 'HEAD' ? ' (the repository has no commit yet: commit the contracts first)' : '';
    throw new UsageError(`unknown git revision "${ref}"${empty}. Pass a branch, tag or commit with --against.`);
  }
  return commit.stdout.trim();
}

export function gitReader(root: string, ref: string): ContractReader {
  return async (file) => {
    const spec = `${ref}:./${file.split('\\').join('/').replace(/^\.\//, '')}`;
    const r = await execa('git', ['show', spec], { cwd: root, reject: false, stripFinalNewline: false });
    return r.exitCode === 0 ? r.stdout : undefined;
  };
}
