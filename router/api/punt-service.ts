// PuntService and StatusService.CapturePackets: protobuf in, PuntManager
// call, protobuf out. No punt logic here (see router/punt/).
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from '../log.js';
import type { PuntManager, PuntRuleView } from '../punt/manager.js';
import { replier, serviceError } from './errors.js';
import type { CapturedPacket } from './generated/xdprouter/v1/CapturedPacket.js';
import type { CapturePacketsRequest__Output } from './generated/xdprouter/v1/CapturePacketsRequest.js';
import type { PuntRule } from './generated/xdprouter/v1/PuntRule.js';
import type { PuntServiceHandlers } from './generated/xdprouter/v1/PuntService.js';

/** Frames waiting for a slow client beyond this are skipped rather than held in the daemon's memory. */
const CAPTURE_BACKLOG = 10_000;

const ruleToProto = (r: PuntRuleView): PuntRule => ({ ...r, packets: r.packets.toString(), bytes: r.bytes.toString() });

export function puntService(punt: () => PuntManager, log: Logger): PuntServiceHandlers {
  const reply = replier(log);
  return {
    AddPuntRule(call, callback) {
      const r = call.request.rule;
      reply(callback, async () => ({ rule: ruleToProto(await punt().addRule({ prefix: r?.prefix ?? '', protocol: r?.protocol ?? '', port: r?.port ?? 0 })) }));
    },

    DeletePuntRule(call, callback) {
      reply(callback, async () => {
        await punt().deleteRule(call.request.prefix);
        return {};
      });
    },

    ListPuntRules(_call, callback) {
      reply(callback, async () => ({ rules: (await punt().listRules()).map(ruleToProto) }));
    },
  };
}

export function capturePackets(punt: () => PuntManager): grpc.handleServerStreamingCall<CapturePacketsRequest__Output, CapturedPacket> {
  return (call) => {
    const f = call.request.filter;
    let stop: () => void;
    // told with the next frame that gets through, so the client can say how many it missed
    let skipped = 0;
    try {
      stop = punt().capture(
        { prefix: f?.prefix ?? '', protocol: f?.protocol ?? '', port: f?.port ?? 0, maxPackets: f?.maxPackets ?? 0 },
        (p) => {
          if (call.writableLength >= CAPTURE_BACKLOG) {
            skipped++;
            return;
          }
          call.write({ interface: p.interface, queue: p.queue, timeNs: p.timeNs.toString(), data: p.data, originalLength: p.data.length, skippedBefore: String(skipped) });
          skipped = 0;
        },
        () => call.end(),
      );
    } catch (err) {
      call.emit('error', serviceError(err));
      return;
    }
    call.once('cancelled', stop);
    call.once('close', stop);
  };
}
