/** cli/command.ts - the shape of a `mega` subcommand and the wrapper that parses its flags and serves its --help. Imports only cli. */
import { parseCommand, type OptionSpec, type Parsed } from './args.ts';
import type { CliIo } from './io.ts';

/** One `mega` subcommand. */
export interface Command {
  name: string;
  /** Full help text (usage, description, options, examples). */
  help: string;
  /** Run with the arguments after the command name; resolves to the exit code. */
  run(argv: string[], io: CliIo): Promise<number>;
}

/** Declaration of a subcommand: its flags, how many positional arguments it takes, and its body. */
export interface CommandInit {
  name: string;
  help: string;
  options: OptionSpec;
  maxPositionals?: number;
  /** Returns the exit code, or nothing for success. */
  run(parsed: Parsed, io: CliIo): Promise<number | void>;
}

/** Build a {@link Command} whose `--help` prints `help` on stdout and exits 0. */
export function defineCommand(init: CommandInit): Command {
  return {
    name: init.name,
    help: init.help,
    async run(argv, io) {
      const parsed = parseCommand(init.name, argv, init.options, init.maxPositionals ?? 0);
      if (parsed.help) {
        io.out(init.help.endsWith('\n') ? init.help : init.help + '\n');
        return 0;
      }
      return (await init.run(parsed, io)) ?? 0;
    },
  };
}
