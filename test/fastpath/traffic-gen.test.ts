// The forward benchmark's live-frames generator (bpf/bench/traffic_gen.c),
// by plain test runs: what it decides per run does not need live frames.
// Flooding, every run sends; paced, a run sends only when the clock has
// reached the next frame's turn, so frames sent follow the run's time, not
// its count.
import { describe, expect, it } from 'vitest';
import { addon } from '../../dataplane/native.js';
import { u32 } from '../../bench/attached-program.js';
import { benchObject } from '../../bench/paths.js';
import { udpFrame } from '../../support/frames.js';
import { parseIPv4 } from '../../dataplane/addr.js';

const XDP_TX = 3;
/** struct gen_state: interval_ns, next_ns, sent */
const STATE_BYTES = 24;
const SENT_AT = 16;
/** GEN_PACE_BURST of traffic_gen.c: what a paced generator may send at once after a stall, the first turn included */
const PACE_BURST = 32;
const RUNS = 200_000;
/** times a test run of a few ms may give its CPU up on a busy machine, each a burst more */
const PREEMPTIONS_ALLOWED = 4;

async function generator() {
  const program = new addon.XdpProgram(benchObject('traffic_gen'), 'xdp_traffic_gen');
  const frame = udpFrame({ dstMac: '02:00:00:00:00:02', srcMac: '02:00:00:00:00:01', src: parseIPv4('192.0.2.2')!, dst: parseIPv4('203.0.113.10')!, sport: 1024, dport: 9, frameLength: 64 });
  program.setConst('gen_template', frame.subarray(0, 48));
  await program.load();
  const state = program.map('gen_state');
  return {
    program,
    /** RUNS runs at interval ns between turns: frames sent and the runs' time, ns */
    async run(intervalNs: number): Promise<{ sent: number; ns: number; retval: number }> {
      const fresh = Buffer.alloc(STATE_BYTES);
      fresh.writeBigUInt64LE(BigInt(intervalNs), 0);
      state.update(u32(0), fresh);
      const { retval, durationNs } = await program.testRun({ data: frame, repeat: RUNS });
      return { sent: Number(state.lookup(u32(0))!.readBigUInt64LE(SENT_AT)), ns: durationNs * RUNS, retval };
    },
  };
}

describe('traffic generator (traffic_gen.c)', () => {
  it('flooding, sends on every run', async () => {
    const gen = await generator();
    try {
      const { sent, retval } = await gen.run(0);
      expect(sent).toBe(RUNS);
      expect(retval).toBe(XDP_TX);
    } finally {
      gen.program.close();
    }
  });

  it('paced, sends a frame per interval of the runs\' time, plus at most one burst', async () => {
    const gen = await generator();
    try {
      // an interval of some ten runs' time, so most runs wait for a turn
      const probe = await gen.run(0);
      const intervalNs = Math.max(100, Math.round((10 * probe.ns) / RUNS));
      const { sent, ns } = await gen.run(intervalNs);
      const turns = ns / intervalNs;
      // the kernel times the runs in whole ns per run, cut down (up to RUNS ns more), and only while they
      // hold the CPU: each time the run gave it up, the clock's turns went on and it may catch up a burst
      expect(sent).toBeLessThanOrEqual(Math.ceil((ns + RUNS) / intervalNs) + PREEMPTIONS_ALLOWED * PACE_BURST);
      expect(sent).toBeGreaterThanOrEqual(Math.floor(turns * 0.5));
      expect(sent).toBeLessThan(RUNS);
    } finally {
      gen.program.close();
    }
  });
});
