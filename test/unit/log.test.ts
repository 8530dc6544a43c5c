// The daemon's logger: JSON lines a collector can parse, level filtering,
// child fields, and the one-line terminal form.
import { describe, expect, it } from 'vitest';
import { createLogger, type LogLevel, type LoggerOptions } from '../../router/log.js';

const NOON = new Date(2024, 4, 17, 12, 3, 4, 56);

/** A logger writing into an array, one entry per line. */
function capture(options: Partial<LoggerOptions> = {}) {
  const lines: string[] = [];
  const stream = { write: (chunk: string) => lines.push(...chunk.split('\n').filter((l) => l !== '')) };
  const log = createLogger({ level: 'debug', json: true, stream, clock: () => NOON, ...options });
  return { log, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('log: JSON lines', () => {
  it('one object per line: time, level, msg and the fields', () => {
    const { log, lines, records } = capture();
    log.info('attached', { interface: 'eth0', mode: 'native', ifindex: 3 });
    log.warn('second');
    expect(lines).toHaveLength(2);
    expect(records()).toEqual([
      { time: NOON.toISOString(), level: 'info', msg: 'attached', interface: 'eth0', mode: 'native', ifindex: 3 },
      { time: NOON.toISOString(), level: 'warn', msg: 'second' },
    ]);
  });

  it('bigints become strings, errors their message, code and errno, also nested', () => {
    const { log, records } = capture();
    const err = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', errno: -111 });
    log.error('failed', { packets: 2n ** 64n - 1n, err, nested: { bytes: 5n, cause: new Error('plain') } });
    expect(records()[0]).toMatchObject({
      packets: '18446744073709551615',
      err: { message: 'connect ECONNREFUSED', code: 'ECONNREFUSED', errno: -111 },
      nested: { bytes: '5', cause: { message: 'plain' } },
    });
  });

  it("fields cannot overwrite the record's own keys", () => {
    const { log, records } = capture();
    log.info('real', { msg: 'fake', level: 'error' });
    expect(records()[0]).toMatchObject({ msg: 'real', level: 'info', 'field.msg': 'fake', 'field.level': 'error' });
  });

  it('a cyclic field still logs the message', () => {
    const { log, records } = capture();
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    log.warn('still here', { loop });
    expect(records()[0]).toMatchObject({ level: 'warn', msg: 'still here' });
    expect(records()[0]!.logError).toMatch(/not serialisable/);
  });

  it('child loggers add their fields; the call site wins', () => {
    const { log, records } = capture();
    const sync = log.child({ part: 'sync', table: 254 });
    sync.child({ family: 6 }).debug('route', { table: 100 });
    log.info('parent');
    expect(records()).toEqual([
      expect.objectContaining({ msg: 'route', part: 'sync', family: 6, table: 100 }),
      { time: NOON.toISOString(), level: 'info', msg: 'parent' },
    ]);
  });
});

describe('log: level filtering', () => {
  const cases: Array<[LogLevel, string[]]> = [
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
  ];
  it.each(cases)('at %s', (level, written) => {
    const { log, records } = capture({ level });
    const child = log.child({ part: 'api' });
    for (const l of [log, child]) {
      l.debug('debug');
      l.info('info');
      l.warn('warn');
      l.error('error');
    }
    expect(records().map((r) => r.level)).toEqual([...written, ...written]);
  });
});

describe('log: terminal lines', () => {
  it('HH:MM:SS.mmm LEVEL msg key=value, quoting what needs it', () => {
    const { log, lines } = capture({ json: false });
    const err = Object.assign(new Error('no such device'), { code: 'ENODEV' });
    log.warn('attach failed', { interface: 'eth0', reason: 'not found', count: 2n, up: false, err, at: { a: 1 } });
    expect(lines).toEqual(['12:03:04.056 WARN  attach failed interface=eth0 reason="not found" count=2 up=false err="no such device (ENODEV)" at={"a":1}']);
  });

  it('the stream decides the default: JSON unless it is a terminal', () => {
    const out = (isTTY: boolean) => {
      const lines: string[] = [];
      createLogger({ level: 'info', stream: { isTTY, write: (c: string) => lines.push(c) }, clock: () => NOON }).info('x');
      return lines[0]!;
    };
    expect(out(true)).toBe('12:03:04.056 INFO  x\n');
    expect(JSON.parse(out(false))).toEqual({ time: NOON.toISOString(), level: 'info', msg: 'x' });
  });
});
