// The commands that talk to the running daemon over its API, one file per
// noun, each just another client of the gRPC contract.
import { captureCommand } from './capture.js';
import type { CommandIo } from './command-io.js';
import { neighCommand } from './neigh.js';
import { puntCommand } from './punt.js';
import { routeCommand } from './route.js';
import { statsCommand } from './stats.js';
import { statusCommand } from './status.js';

/** Each prints its own --help. */
export const API_COMMANDS: Record<string, { run: (args: string[], io: CommandIo) => Promise<number> }> = {
  route: { run: routeCommand },
  neigh: { run: neighCommand },
  stats: { run: statsCommand },
  status: { run: statusCommand },
  punt: { run: puntCommand },
  capture: { run: captureCommand },
};

export const processIo: CommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  onInterrupt: (stop) => {
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  },
  isTTY: process.stdout.isTTY === true,
};
