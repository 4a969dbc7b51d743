/** daemon/heap-flags.ts - the V8 heap flags a node daemon is launched with (package.json's start scripts, contrib/mega.service, the Dockerfile, bench/run.ts and the e2e daemon helper; test/unit/daemon/heap-flags.test.ts keeps them equal) and the check that names those a process runs without. Imports nothing. */

/**
 * A node's launch flags (docs/operations.md, "V8 heap flags"; measured in docs/benchmarks.md, round 7):
 * - `--max-semi-space-size=32` (MB): a young generation twice V8's default, so half as many scavenges
 *   copy what is alive at each one (the entities waiting in the intake for their signature checks);
 *   Node's own docs name this flag as the throughput-for-memory trade. V8 sizes the young
 *   generation as three semi-spaces, so up to 48 MB more memory when busy (heap_size_limit shows it).
 * - `--initial-old-space-size=256` (MB): the old generation's first collection limit, so a fresh node
 *   filling its mempool (sync on join) does not run the early full collections its heap growth would
 *   trigger. A new node's heap may hold up to that much garbage before its first full collection;
 *   V8's memory reducer still collects an idle one.
 * Together, in interleaved runs on this project's 2-core machine, a 100k-entry sync took a median of 5.0 s
 * instead of 6.0 s with about 18 % less CPU, and P2P ingest rose from 0.79 to 0.93 × the raw verify rate.
 */
export const HEAP_FLAGS: readonly string[] = ['--max-semi-space-size=32', '--initial-old-space-size=256'];

/** A V8 option's name as written before `=`, with V8's `_`/`-` equivalence folded to `-`. */
function optionName(arg: string): string {
  const eq = arg.indexOf('=');
  return (eq < 0 ? arg : arg.slice(0, eq)).replace(/_/g, '-');
}

/**
 * The {@link HEAP_FLAGS} whose option is set neither in `execArgv` (node's own command-line flags)
 * nor in `nodeOptions` (the NODE_OPTIONS environment variable). Another value of one counts as set:
 * that is the operator's choice.
 */
export function missingHeapFlags(execArgv: readonly string[], nodeOptions = ''): string[] {
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)].filter((a) => a.startsWith('--')).map(optionName));
  return HEAP_FLAGS.filter((f) => !given.has(optionName(f)));
}
