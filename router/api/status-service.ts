// StatusService: StatusReader's answers as protobuf.
import type { Logger } from '../log.js';
import type { Counter as CounterView, InterfaceStatus, StatusReader } from '../status/reader.js';
import { replier } from './errors.js';
import type { AttachMode } from './generated/xdprouter/v1/AttachMode.js';
import type { Counter } from './generated/xdprouter/v1/Counter.js';
import type { Interface } from './generated/xdprouter/v1/Interface.js';
import type { LinkState } from './generated/xdprouter/v1/LinkState.js';
import type { StatusServiceHandlers } from './generated/xdprouter/v1/StatusService.js';

const counterToProto = (c: CounterView): Counter => ({ reason: c.reason, packets: c.packets.toString(), bytes: c.bytes.toString() });

const LINK_STATE: Record<InterfaceStatus['state'], LinkState> = { up: 'LINK_STATE_UP', down: 'LINK_STATE_DOWN', 'no-carrier': 'LINK_STATE_NO_CARRIER' };
const ATTACH_MODE: Record<InterfaceStatus['attachMode'], AttachMode> = { native: 'ATTACH_MODE_NATIVE', generic: 'ATTACH_MODE_GENERIC' };

function interfaceToProto(i: InterfaceStatus): Interface {
  return { name: i.name, index: i.index, attachMode: ATTACH_MODE[i.attachMode], state: LINK_STATE[i.state], mac: i.mac, mtu: i.mtu, adopted: i.adopted };
}

/** All but CapturePackets, which is the slow path's (punt-service.ts). */
export function statusService(status: () => StatusReader, log: Logger): Pick<StatusServiceHandlers, 'GetStats' | 'ListInterfaces' | 'ListNeighbors' | 'GetStatus'> {
  const reply = replier(log);

  return {
    GetStats(_call, callback) {
      reply(callback, async () => {
        const s = await status().stats();
        return {
          totals: s.totals.map(counterToProto),
          interfaces: s.interfaces.map((i) => ({ interface: i.name, index: i.index, counters: i.counters.map(counterToProto) })),
        };
      });
    },

    ListInterfaces(_call, callback) {
      reply(callback, () => ({ interfaces: status().interfaces().map(interfaceToProto) }));
    },

    ListNeighbors(_call, callback) {
      reply(callback, async () => ({ neighbors: await status().neighbours() }));
    },

    GetStatus(_call, callback) {
      reply(callback, () => {
        const s = status().status();
        return {
          ...s,
          uptimeSeconds: String(s.uptimeSeconds),
          lastSyncMsAgo: String(s.lastSyncMsAgo),
          neighbors: s.neighbours,
          interfaces: s.interfaces.map(interfaceToProto),
        };
      });
    },
  };
}
