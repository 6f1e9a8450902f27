import type { CpuCommand } from './command-buffer.js';

/** One executed command and how long it took on the device (all threads), in milliseconds. */
export interface TimedCommand {
  readonly command: CpuCommand;
  readonly ms: number;
}

/**
 * Called after every command the CPU device executes, while set (profiling, `ireets bench
 * --dispatches`). Unset, the device pays one branch per command.
 */
export type CommandTimer = (timed: TimedCommand) => void;
