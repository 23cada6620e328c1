// Terminal output: colour only on a TTY and without NO_COLOR; a spinner only on a TTY.
import { styleText } from 'node:util';

type Style = Parameters<typeof styleText>[0];

const colour = (stream: NodeJS.WriteStream) =>
  stream.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== 'dumb';

export function paint(style: Style, text: string, stream: NodeJS.WriteStream = process.stdout): string {
  return colour(stream) ? styleText(style, text) : text;
}

/** "1 file", "12 files". */
export function files(n: number): string {
  return `${n} file${n === 1 ? '' : 's'}`;
}

export function info(text: string): void {
  process.stdout.write(`${text}\n`);
}

export function warn(text: string): void {
  process.stderr.write(`${paint('yellow', 'warning', process.stderr)}: ${text}\n`);
}

/** One warning line each (what was taken, what was assumed). */
export function warnAll(lines: readonly string[]): void {
  for (const line of lines) warn(line);
}

export function fail(text: string): void {
  process.stderr.write(`${paint('red', 'error', process.stderr)}: ${text}\n`);
}

export interface Spinner {
  succeed(text: string): void;
  fail(text: string): void;
}

/** A spinner on a TTY (yocto-spinner); a plain line otherwise, so logs stay readable. */
export async function spin(text: string): Promise<Spinner> {
  if (!process.stderr.isTTY) {
    process.stderr.write(`${text}\n`);
    return { succeed: (t) => process.stderr.write(`${t}\n`), fail: (t) => process.stderr.write(`${t}\n`) };
  }
  const { default: yoctoSpinner } = await import('yocto-spinner');
  const s = yoctoSpinner({ text, stream: process.stderr }).start();
  return { succeed: (t) => s.success(t), fail: (t) => s.error(t) };
}
