// The signals that ask us to stop, and the exit code a process ends with when one stopped it (128 + n).
export const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };

/** 130 for SIGINT, 143 for SIGTERM, as shells report them. */
export const signalExitCode = (signal: string): number => 128 + (SIGNAL_NUMBERS[signal] ?? 1);
