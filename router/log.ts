// The daemon's structured log. Under systemd or a collector (stderr not a
// terminal) every line is one JSON object, so fields survive as fields;
// on a terminal the same record reads as one short human line.

import type { LogLevel } from '../config/log-levels.js';

export type { LogLevel };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** a logger that adds `fields` to every record (the call's own fields win) */
  child(fields: LogFields): Logger;
}

/** What the logger writes to: process.stderr, a file stream, or a test's collector. */
export interface LogStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface LoggerOptions {
  level: LogLevel;
  /** one JSON object per line; default: whenever the stream is not a terminal */
  json?: boolean;
  /** default process.stderr: stdout stays free for a command's own output */
  stream?: LogStream;
  /** for tests that pin the time */
  clock?: () => Date;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

// A field with one of these names would overwrite the record's own key,
// so it is written under `field.<name>` instead.
const RESERVED = new Set(['time', 'level', 'msg']);

export function createLogger(options: LoggerOptions): Logger {
  const stream = options.stream ?? process.stderr;
  const json = options.json ?? !stream.isTTY;
  const clock = options.clock ?? (() => new Date());
  const threshold = RANK[options.level];
  const format = json ? formatJson : formatText;

  const make = (bound: LogFields): Logger => {
    const emit = (level: LogLevel) => (msg: string, fields?: LogFields) => {
      if (RANK[level] < threshold) return;
      const merged = fields ? { ...bound, ...fields } : bound;
      stream.write(`${format(clock(), level, msg, merged)}\n`);
    };
    return {
      debug: emit('debug'),
      info: emit('info'),
      warn: emit('warn'),
      error: emit('error'),
      child: (fields) => make({ ...bound, ...fields }),
    };
  };
  return make({});
}

/** Errors keep what an operator acts on (message, errno code); a stack is noise in a log line. */
function errorFields(e: Error): { message: string; code?: unknown; errno?: unknown } {
  const { code, errno } = e as Error & { code?: unknown; errno?: unknown };
  return {
    message: e.message,
    ...(code !== undefined ? { code } : {}),
    ...(errno !== undefined ? { errno } : {}),
  };
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return errorFields(value);
  return value;
}

function formatJson(time: Date, level: LogLevel, msg: string, fields: LogFields): string {
  const record: LogFields = { time: time.toISOString(), level, msg };
  for (const [key, value] of Object.entries(fields)) {
    record[RESERVED.has(key) ? `field.${key}` : key] = value;
  }
  try {
    return JSON.stringify(record, jsonSafe);
  } catch (e) {
    // A cyclic field must not turn a log call into a crash: keep the message.
    return JSON.stringify({ time: record.time, level, msg, logError: `fields not serialisable: ${(e as Error).message}` });
  }
}

function formatText(time: Date, level: LogLevel, msg: string, fields: LogFields): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const clock = `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}.${pad(time.getMilliseconds(), 3)}`;
  const pairs = Object.entries(fields).map(([key, value]) => `${key}=${textValue(value)}`);
  return [clock, level.toUpperCase().padEnd(5), msg, ...pairs].join(' ');
}

function textValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) {
    const { message, code } = errorFields(value);
    return JSON.stringify(code !== undefined ? `${message} (${String(code)})` : message);
  }
  if (value === null || typeof value !== 'object') return String(value);
  try {
    return JSON.stringify(value, jsonSafe);
  } catch {
    return '[unserialisable]';
  }
}
