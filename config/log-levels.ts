// The daemon's log levels, least severe first: the config schema validates
// against them and the logger ranks by them, and neither imports the other.
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
