// The thread RouteLagTracker (route-lag-tracker.ts) runs RouteLag on: its
// own view of the daemon's pinned maps, its own netlink subscription, and
// the requests of the bench's main thread answered by id.
import { parentPort, workerData } from 'node:worker_threads';
import { FastPath } from '../dataplane/fastpath.js';
import { RouteLag } from './route-lag.js';
import type { LagInit, LagMaps, LagReply, LagRequest } from './route-lag-tracker.js';

const port = parentPort!;
const post = (reply: LagReply): void => port.postMessage(reply);
const open = (maps: LagMaps): Promise<FastPath> => FastPath.open({ netns: maps.netns, pinDir: maps.pinDir, adoptOnly: true });

async function main(): Promise<void> {
  const init = workerData as LagInit;
  let fp = await open(init.maps);
  const lag = new RouteLag(init.netnsPath, init.protocol, init.probes, fp, init.nexthopIds);
  lag.start();

  const answer = async (request: LagRequest): Promise<unknown> => {
    switch (request.op) {
      case 'follow': {
        const next = await open(request.maps);
        lag.follow(next, request.nexthopIds);
        fp.close();
        fp = next;
        return null;
      }
      case 'reset':
        lag.reset();
        return null;
      case 'behind':
        return lag.behind;
      case 'followed':
        return lag.followed(request.changes, request.timeoutMs);
      case 'stats':
        return lag.stats();
      case 'stop':
        lag.stop();
        fp.close();
        return null;
    }
  };
  port.on('message', ({ id, request }: { id: number; request: LagRequest }) => {
    answer(request).then(
      (value) => post({ id, value }),
      (err: unknown) => post({ id, error: err instanceof Error ? err.message : String(err) }),
    );
  });
  post({ ready: true, timeOrigin: performance.timeOrigin });
}

main().catch((err: unknown) => post({ failed: err instanceof Error ? err.message : String(err) }));
