/** cli/mine.ts - proof-of-work mining for the CLI: worker threads via protocol/pow-miner, progress on stderr, Ctrl-C cancels (exit 130). Imports protocol. */
import crypto from 'node:crypto';
import os from 'node:os';
import { minePow, MiningAbortedError } from '../protocol/pow-miner.ts';
import { MAX_DIFFICULTY } from '../protocol/pow.ts';
import type { Pow } from '../protocol/types.ts';
import type { Opts, OptionSpec } from './args.ts';
import { CliError, EXIT } from './errors.ts';
import type { HelpRow } from './help.ts';
import type { CliIo } from './io.ts';

/** Default difficulty in leading zero bits: ~65k hashes, a few milliseconds, yet above a zero-work ad. */
export const DEFAULT_DIFFICULTY = 16;
/** Redraw interval of the progress line on a terminal. */
const TTY_PROGRESS_INTERVAL_MS = 200;
/** Interval of progress lines when --progress forces them onto a pipe or file. */
const PIPE_PROGRESS_INTERVAL_MS = 1000;
/** A difficulty expected to take longer than this is refused unless --force: `--difficulty 99` would otherwise mine for longer than the universe has existed. */
export const MAX_EXPECTED_MINING_S = 7 * 86_400;
/** Without progress lines (no terminal, no --progress), a job expected to take longer than this still prints one line with its ETA, so nobody waits on a silent process. */
export const ETA_LINE_MIN_S = 5;

/** The mining flags of every command that mines. */
export const MINING_OPTIONS = {
  difficulty: { type: 'string', short: 'd' },
  'magic-string': { type: 'string' },
  workers: { type: 'string' },
  progress: { type: 'boolean' },
  force: { type: 'boolean' },
} satisfies OptionSpec;

/** Help rows of {@link MINING_OPTIONS}. */
export const MINING_HELP: HelpRow[] = [
  ['-d, --difficulty <bits>', `proof of work in leading zero bits (default ${DEFAULT_DIFFICULTY}; +1 doubles the time)`],
  ['--magic-string <s>', 'optional string hashed after magicNo (kept in pow.magicString)'],
  ['--workers <n>', 'mining threads (default: all cores)'],
  ['--progress', 'show mining progress on stderr even when it is not a terminal'],
  ['--force', `mine even when the expected time is above ${MAX_EXPECTED_MINING_S / 86_400} days (refused otherwise)`],
];

/** How to mine, from the command line. */
export interface MiningSettings {
  difficulty: number;
  magicString: string | undefined;
  workers: number | undefined;
  progress: boolean;
  /** Mine even when the expected time is absurd. */
  force: boolean;
}

/** Read the mining flags. */
export function miningSettings(opts: Opts, io: CliIo): MiningSettings {
  const magicString = opts.str('magic-string');
  if (magicString !== undefined && magicString.length > 256) throw opts.usage('--magic-string must be at most 256 characters');
  return {
    difficulty: opts.int('difficulty', DEFAULT_DIFFICULTY, 0, MAX_DIFFICULTY),
    magicString,
    workers: opts.optInt('workers', 1, 1024),
    progress: opts.flag('progress') || io.stderrIsTTY,
    force: opts.flag('force'),
  };
}

/** 1234567 -> "1.23M". */
export function formatCount(n: number): string {
  if (n >= 1e18) return n.toExponential(1).replace('e+', 'e');
  const units = ['', 'k', 'M', 'G', 'T', 'P'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return i === 0 ? String(Math.round(n)) : `${n.toFixed(2)}${units[i]}`;
}

/** Seconds -> "42 s", "3.5 min", "2.1 h", "4.0 days", "12.5 years", "3.1e21 years". */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return 'forever';
  const years = s / (365.25 * 86400);
  if (years >= 1e6) return `${years.toExponential(1).replace('e+', 'e')} years`;
  if (years >= 2) return `${years.toFixed(1)} years`;
  if (s < 90) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 5400) return `${(s / 60).toFixed(1)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} days`;
}

/** SHA-256 hashes per second of one thread on this machine, measured on ~16k short strings like the miner's (a few milliseconds). */
export function measureHashRate(): number {
  const n = 1 << 14;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) crypto.hash('sha256', `02${'ab'.repeat(32)}${i}`, 'hex');
  const secs = Math.max((performance.now() - t0) / 1000, 1e-4);
  return n / secs;
}

/**
 * Mine a PoW of `s.difficulty` bits over `preimage` on worker threads. The event loop stays free,
 * so Ctrl-C is handled at once: workers are terminated and a CliError with exit code 130 is thrown.
 * A second Ctrl-C exits immediately.
 */
export async function mine(io: CliIo, label: string, preimage: string, s: MiningSettings): Promise<Pow> {
  const workers = s.workers ?? os.availableParallelism();
  const expected = 2 ** s.difficulty;
  // Expected time from this machine's measured rate (workers scale about linearly up to the cores).
  const estimate = s.difficulty >= 16 ? expected / (measureHashRate() * Math.min(workers, os.availableParallelism())) : 0;
  if (estimate > MAX_EXPECTED_MINING_S && !s.force) {
    throw new CliError(`--difficulty ${s.difficulty} would take ~${formatDuration(estimate)} on ${workers} thread${workers === 1 ? '' : 's'} here (~${formatCount(expected)} hashes); choose fewer bits (each one halves the time) or add --force`, EXIT.USAGE);
  }
  const abort = new AbortController();
  let interrupts = 0;
  const removeHandler = io.onInterrupt(() => {
    if (++interrupts > 1) io.exit(EXIT.CANCELLED);
    abort.abort();
  });
  const started = performance.now();
  let last = started;
  const tty = io.stderrIsTTY;
  const line = (text: string) => io.err(tty ? `\r\x1b[K${text}` : `${text}\n`);
  const onProgress = (hashes: number): void => {
    const now = performance.now();
    if (now - last < (tty ? TTY_PROGRESS_INTERVAL_MS : PIPE_PROGRESS_INTERVAL_MS)) return;
    last = now;
    const secs = (now - started) / 1000;
    const rate = hashes / secs;
    line(`mega: mining ${label}: ${formatCount(hashes)} hashes, ${formatCount(rate)}H/s, ${formatDuration(secs)} (expect ~${formatDuration(expected / rate)})`);
  };
  if (s.progress) {
    io.err(`mega: mining ${label} proof of work: ${s.difficulty} bits on ${workers} thread${workers === 1 ? '' : 's'} (expect ~${formatCount(expected)} hashes; Ctrl-C cancels)\n`);
  } else if (estimate > ETA_LINE_MIN_S) {
    io.err(`mega: mining ${label} proof of work: ${s.difficulty} bits on ${workers} thread${workers === 1 ? '' : 's'}, expect ~${formatDuration(estimate)} (started ${new Date().toISOString()}; --progress for progress lines)\n`);
  }
  try {
    const pow = await minePow(preimage, s.difficulty, {
      workers,
      signal: abort.signal,
      ...(s.magicString !== undefined ? { magicString: s.magicString } : {}),
      ...(s.progress ? { onProgress } : {}),
    });
    if (s.progress) {
      line(`mega: mined ${label} in ${formatDuration((performance.now() - started) / 1000)}`);
      if (tty) io.err('\n');
    }
    return pow;
  } catch (e) {
    if (tty && s.progress) io.err('\r\x1b[K');
    if (e instanceof MiningAbortedError) throw new CliError('mining cancelled', EXIT.CANCELLED);
    throw e;
  } finally {
    removeHandler();
  }
}
