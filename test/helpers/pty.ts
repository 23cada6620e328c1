// Drives the CLI through a real pseudo-terminal: keys in, screen text out.
import pty from '@lydell/node-pty';
import { CLI } from './project.js';

export interface PtySession {
  /** Everything printed so far, without ANSI escapes. */
  screen(): string;
  /** Resolves once the screen (since `from`) matches, or rejects after a timeout. */
  waitFor(pattern: RegExp | string | ((screen: string) => boolean), timeoutMs?: number): Promise<void>;
  write(keys: string): void;
  exit: Promise<number>;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is what terminal escape sequences start with.
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[()][A-Za-z0-9]|\u001b[=>]/g;

export function spawnCli(args: string[], cwd: string): PtySession {
  const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } as Record<string, string>;
  delete env.CI;
  const child = pty.spawn(process.execPath, [CLI, ...args], { cols: 120, rows: 40, cwd, env });
  let raw = '';
  const waiters = new Set<() => void>();
  child.onData((d) => {
    raw += d;
    for (const w of waiters) w();
  });
  const exit = new Promise<number>((resolve) => child.onExit((e) => resolve(e.exitCode)));
  const screen = () => raw.replace(ANSI, '');
  return {
    screen,
    write: (keys) => child.write(keys),
    exit,
    waitFor(pattern, timeoutMs = 15_000) {
      const test = () =>
        typeof pattern === 'string'
          ? screen().includes(pattern)
          : typeof pattern === 'function'
            ? pattern(screen())
            : pattern.test(screen());
      return new Promise<void>((resolve, reject) => {
        if (test()) return resolve();
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${pattern}; screen:\n${screen()}`));
        }, timeoutMs);
        const check = () => {
          if (test()) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve();
          }
        };
        waiters.add(check);
      });
    },
  };
}

export const KEY = { enter: '\r', down: '\u001b[B', up: '\u001b[A', ctrlC: '\u0003' } as const;
