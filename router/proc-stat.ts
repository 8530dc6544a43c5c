// A field of /proc/PID/stat (or of a thread's, task/TID/stat), by its
// number in proc(5). The command name, field 2, is in parentheses and may
// hold spaces and parentheses of its own: fields are counted from the last
// closing parenthesis, so no name can shift them.

/** proc(5)'s numbers of the fields read here */
export const STAT = { SESSION: 6, UTIME: 14, STIME: 15, NICE: 19, PROCESSOR: 39 } as const;

/** The first field after the command name is number 3. */
const FIRST_AFTER_COMMAND = 3;

/** Field `n` (proc(5)'s numbering, from 3 on) of a stat file's text, as a number. */
export function statField(stat: string, n: number): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[n - FIRST_AFTER_COMMAND]);
}
