// A UDP sender and counting receiver for the lab, run inside a namespace
// with `ip netns exec`: `node udp.js send ADDR PORT COUNT RATE` and
// `node udp.js recv PORT SECONDS`. The receiver prints one JSON line with
// what arrived, and checks every payload.
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';

const MAGIC = 'xdp-router-lab';

function payload(seq: number): Buffer {
  const b = Buffer.alloc(64);
  b.write(MAGIC, 0);
  b.writeUInt32BE(seq, 60);
  return b;
}

async function send(addr: string, port: number, count: number, rate: number): Promise<void> {
  const sock = createSocket(isIPv6(addr) ? 'udp6' : 'udp4');
  const perTick = Math.max(1, Math.round(rate / 1000));
  let seq = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      for (let i = 0; i < perTick && seq < count; i++) sock.send(payload(seq++), port, addr);
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

async function recv(port: number, seconds: number): Promise<void> {
  const sock = createSocket({ type: 'udp6', ipv6Only: false });
  const seen = new Set<number>();
  let received = 0;
  let corrupt = 0;
  sock.on('message', (msg) => {
    received++;
    if (msg.length !== 64 || msg.toString('utf8', 0, MAGIC.length) !== MAGIC) {
      corrupt++;
      return;
    }
    seen.add(msg.readUInt32BE(60));
  });
  await new Promise<void>((resolve) => sock.bind(port, '::', () => resolve()));
  process.stdout.write('ready\n');
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  sock.close();
  process.stdout.write(`${JSON.stringify({ received, unique: seen.size, corrupt })}\n`);
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'send' && args.length === 4) {
  await send(args[0]!, Number(args[1]), Number(args[2]), Number(args[3]));
} else if (mode === 'recv' && args.length === 2) {
  await recv(Number(args[0]), Number(args[1]));
} else {
  process.stderr.write('usage: udp.js send ADDR PORT COUNT RATE | udp.js recv PORT SECONDS\n');
  process.exit(2);
}
