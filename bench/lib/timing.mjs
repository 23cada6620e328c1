// Interleaved timing of commands: every round runs each contestant once, in order (A B C A B C ...),
// so a change in machine load hits all of them alike. A ratio is taken pair by pair inside a round
// (peer time / our time), and the figure reported is the median of those per-round ratios.
import { run, tail } from './proc.mjs';

export const median = (xs) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 1000) return `${ms.toFixed(0)} ms`;
  if (ms < 100_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 1000).toFixed(0)} s`;
}

export const fmtMem = (bytes) =>
  bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GB` : `${(bytes / 2 ** 20).toFixed(0)} MB`;

export const fmtRatio = (r) => (Number.isFinite(r) ? `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}x` : '-');

/**
 * @typedef {object} Contestant
 * @property {string} name
 * @property {boolean} [ours]             the reference row for ratios (exactly one)
 * @property {(round:number)=>Promise<void>|void} [prepare]   untimed, before each run (clean output, fresh project)
 * @property {(round:number)=>{cmd:string,args:string[],cwd?:string,env?:object}} command
 * @property {(round:number, res:object)=>Promise<string|void>|string|void} [check]  untimed, given the run result; return an error text if the output is wrong
 * @property {()=>Promise<string>|string} [describe]  untimed, after each good run: a note for the table (output size...)
 * @property {string} [note]
 */

/**
 * Run contestants interleaved for `rounds` timed rounds (after `warmup` untimed ones).
 * A contestant that fails or times out is reported and left out of later rounds (the loop stays bounded).
 */
export async function compare({ title, contestants, rounds = 5, warmup = 1, timeoutMs = 600_000, log = console.log }) {
  const state = contestants.map((c) => ({ c, times: [], failed: null, timedOut: false, described: null, rss: [] }));
  const total = warmup + rounds;
  for (let r = 0; r < total; r++) {
    const timed = r >= warmup;
    const label = timed ? `round ${r - warmup + 1}/${rounds}` : `warm-up ${r + 1}/${warmup}`;
    const parts = [];
    for (const s of state) {
      if (s.failed) {
        if (timed) s.times.push(null);
        continue;
      }
      const { c } = s;
      try {
        await c.prepare?.(r);
      } catch (error) {
        s.failed = `prepare: ${error?.message ?? error}`;
        if (timed) s.times.push(null);
        continue;
      }
      const { cmd, args, cwd, env } = c.command(r);
      const res = await run(cmd, args, { cwd, env, timeoutMs, peakRss: true });
      let problem = null;
      if (res.timedOut) {
        s.timedOut = true;
        problem = `timed out after ${fmtMs(timeoutMs)}`;
      } else if (!res.ok) {
        const text = `${res.stderr}\n${res.stdout}`;
        const firstError = text.split('\n').find((l) => /\berror\b/i.test(l));
        problem = `exit ${res.code ?? res.signal}: ${firstError?.trim() ?? tail(text)}`;
      } else {
        try {
          problem = (await c.check?.(r, res)) || null;
        } catch (error) {
          problem = `check: ${error?.message ?? error}`;
        }
      }
      if (problem) {
        s.failed = problem;
        if (timed) s.times.push(null);
        parts.push(`${c.name} FAILED`);
        continue;
      }
      if (timed) s.times.push(res.ms);
      if (timed && res.peakRss) s.rss.push(res.peakRss);
      parts.push(`${c.name} ${fmtMs(res.ms)}`);
      try {
        if (c.describe) s.described = await c.describe(); // right after the run, before anything else touches the output
      } catch {
        /* a note only */
      }
    }
    log(`  ${label}: ${parts.join(' | ')}`);
  }

  const ours = state.find((s) => s.c.ours);
  const rows = [];
  for (const s of state) {
    const ok = s.times.filter((t) => t != null);
    const ratios = [];
    if (ours && ours !== s) {
      for (let i = 0; i < s.times.length; i++) {
        const a = s.times[i];
        const b = ours.times[i];
        if (a != null && b != null) ratios.push(a / b);
      }
    }
    const describe = s.described ?? '';
    rows.push({
      name: s.c.name,
      ours: !!s.c.ours,
      runs: ok.length,
      times: s.times,
      median: median(ok),
      min: ok.length ? Math.min(...ok) : NaN,
      max: ok.length ? Math.max(...ok) : NaN,
      peakRss: median(s.rss),
      ratio: s === ours ? 1 : median(ratios),
      ratioMin: ratios.length ? Math.min(...ratios) : NaN,
      ratioMax: ratios.length ? Math.max(...ratios) : NaN,
      failed: s.failed,
      timedOut: s.timedOut,
      timeoutMs,
      note: [s.c.note, describe].filter(Boolean).join('; '),
    });
  }
  return { title, rounds, warmup, rows };
}

/** Print a result of compare() as a table. The ratio column reads "peer takes N times our time". */
export function printTable({ title, rounds, warmup, rows }, log = console.log) {
  const head = ['tool', 'runs', 'median', 'min-max', 'time / ours', 'per-round ratios', 'peak RSS', 'notes'];
  const body = rows.map((r) => {
    const failed = r.failed
      ? r.timedOut
        ? `> ${fmtMs(r.timeoutMs)} (timed out)`
        : `FAILED: ${r.failed.split('\n')[0].slice(0, 140)}`
      : '';
    return [
      r.ours ? `${r.name} (ours)` : r.name,
      String(r.runs),
      r.runs ? fmtMs(r.median) : r.timedOut ? `> ${fmtMs(r.timeoutMs)}` : '-',
      r.runs ? `${fmtMs(r.min)} - ${fmtMs(r.max)}` : '-',
      r.ours ? '1.00x (ref)' : fmtRatio(r.ratio),
      r.ours || !Number.isFinite(r.ratioMin) ? '' : `${fmtRatio(r.ratioMin)} - ${fmtRatio(r.ratioMax)}`,
      Number.isFinite(r.peakRss) ? fmtMem(r.peakRss) : '-',
      [failed, r.note].filter(Boolean).join('; '),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  log('');
  log(`${title}  (${rounds} timed round${rounds === 1 ? '' : 's'}${warmup ? `, ${warmup} warm-up` : ''}, interleaved)`);
  log(line(head));
  log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of body) log(line(row));
  log('');
}

/**
 * Calls per second of `call` with `callers` concurrent callers looping for `durationMs` after
 * `warmupMs`. `around` (optional) starts a side measurement when the timed window opens and returns
 * a function that ends it, given the number of calls made: its result comes back as `extra`.
 */
export async function callRate(call, callers, { warmupMs, durationMs, around }) {
  let stop = false;
  let count = 0;
  const worker = async () => {
    while (!stop) {
      await call();
      count++;
    }
  };
  const workers = Array.from({ length: callers }, worker);
  await new Promise((r) => setTimeout(r, warmupMs));
  const start = performance.now();
  const startCount = count;
  const end = around ? await around() : undefined;
  await new Promise((r) => setTimeout(r, durationMs));
  const calls = count - startCount;
  const extra = end ? await end(calls) : undefined;
  const seconds = (performance.now() - start) / 1000;
  stop = true;
  await Promise.all(workers);
  return { rate: calls / seconds, extra };
}
