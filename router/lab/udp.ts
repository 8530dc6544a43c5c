// The lab's UDP sender, run inside a namespace with `ip netns exec`:
// `node udp.js ADDR PORT COUNT RATE` sends COUNT numbered datagrams at RATE
// per second and prints {"sent"}. Its receiver is tools/udp-sink (C), whose
// forced receive buffer keeps the harness from losing what it counts.
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';

const MAGIC = 'xdp-router-lab';

function payload(seq: number): Buffer {
  const b = Buffer.alloc(64);
  b.write(MAGIC, 0);
  b.writeUInt32BE(seq, 60);
  return b;
}

/** most datagrams one tick sends to catch up after the sender was starved of CPU */
const MAX_BURST = 50;

async function send(addr: string, port: number, count: number, rate: number): Promise<void> {
  const sock = createSocket(isIPv6(addr) ? 'udp6' : 'udp4');
  const start = performance.now();
  let seq = 0;
  await new Promise<void>((resolve) => {
    // paced by the clock, not by ticks: a late timer sends what is due, so
    // the stream keeps its rate through a busy moment instead of thinning
    const timer = setInterval(() => {
      const due = Math.min(count, Math.floor(((performance.now() - start) * rate) / 1000) + 1, seq + MAX_BURST);
      while (seq < due) sock.send(payload(seq++), port, addr);
      if (seq >= count) {
        clearInterval(timer);
        // let the last datagrams leave before the socket closes
        setTimeout(resolve, 200);
      }
    }, 1);
  });
  sock.close();
  process.stdout.write(`${JSON.stringify({ sent: seq })}\n`);
}

const args = process.argv.slice(2);
if (args.length === 4) {
  await send(args[0]!, Number(args[1]), Number(args[2]), Number(args[3]));
} else {
  process.stderr.write('usage: udp.js ADDR PORT COUNT RATE\n');
  process.exit(2);
}
