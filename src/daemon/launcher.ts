/** daemon/launcher.ts - stop when the launcher is told to stop: find the launcher processes between the shell and this node (npm exec/npx, npm run, `sh -c`, the tsx CLI) and watch them, because a SIGTERM to `npx` kills its `sh` without passing the signal on, leaving tsx and the node orphaned (issue #19). Linux /proc only; elsewhere nothing is watched. Imports only node built-ins. */
import fs from 'node:fs';

/** How often the launchers are checked. A stopped launcher is noticed within this, so the node stops within ~2 s of the signal. */
export const LAUNCHER_POLL_MS = 500;

/** The command line of a process (NUL-separated in /proc), or null when it is gone or unreadable. */
function cmdline(pid: number): string[] | null {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
  } catch {
    return null;
  }
}

function parentOf(pid: number): number | null {
  try {
    // Field 4 of /proc/<pid>/stat, after the parenthesised command name (which may hold spaces).
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(rest[1]);
    return Number.isInteger(ppid) && ppid > 0 ? ppid : null;
  } catch {
    return null;
  }
}

/**
 * Is this command line one of the launchers that stand between a shell or service manager and the
 * node? npm sets its process title to `npm exec …` / `npm run …` / `npm start`; `sh -c` is what npm
 * runs scripts and bins through; the tsx CLI runs the node as its child.
 */
export function isLauncher(args: readonly string[]): boolean {
  const [argv0 = '', argv1 = ''] = args;
  const base = argv0.split('/').pop() ?? '';
  if (base === 'npm' || base === 'npx' || /^npm (exec|run|start|x)\b/.test(argv0)) return true;
  if ((base === 'sh' || base === 'dash' || base === 'bash') && argv1 === '-c') return true;
  if (base === 'node' && (/\/\.bin\/tsx$/.test(argv1) || /\/tsx\/dist\/cli\.m?js$/.test(argv1) || /\/(npm|npx)(-cli\.js)?$/.test(argv1))) return true;
  return false;
}

/**
 * The launcher processes above this one, nearest first: walking up from the parent while each is a
 * launcher; an interactive shell, a service manager (pid 1) or anything else ends the walk. Empty
 * when the node was started directly (`node --import tsx app.ts`, systemd, Docker).
 */
export function launcherAncestors(startPid: number = process.ppid): number[] {
  const out: number[] = [];
  for (let pid: number | null = startPid; pid !== null && pid > 1 && out.length < 8; pid = parentOf(pid)) {
    const args = cmdline(pid);
    if (!args || !isLauncher(args)) break;
    out.push(pid);
  }
  return out;
}

/** Call `onGone` (once) as soon as any of `pids` no longer exists or was re-parented away. Returns a function that stops watching. */
export function watchLaunchers(pids: readonly number[], onGone: (pid: number) => void, intervalMs = LAUNCHER_POLL_MS): () => void {
  if (pids.length === 0) return () => undefined;
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  };
  const timer = setInterval(() => {
    for (const pid of pids) {
      if (!alive(pid)) {
        clearInterval(timer);
        onGone(pid);
        return;
      }
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
