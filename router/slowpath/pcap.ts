// pcap files (the classic format tcpdump and Wireshark read): a global
// header, then one record per frame.
const PCAP_MAGIC_NS = 0xa1b23c4d; // nanosecond timestamps
const LINKTYPE_ETHERNET = 1;
const SNAPLEN = 262144;

export function pcapHeader(): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(PCAP_MAGIC_NS, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(SNAPLEN, 16);
  h.writeUInt32LE(LINKTYPE_ETHERNET, 20);
  return h;
}

/** One record; `timeNs` is nanoseconds since the epoch. */
export function pcapRecord(frame: Buffer, timeNs: bigint): Buffer {
  const r = Buffer.alloc(16);
  r.writeUInt32LE(Number(timeNs / 1_000_000_000n), 0);
  r.writeUInt32LE(Number(timeNs % 1_000_000_000n), 4);
  r.writeUInt32LE(Math.min(frame.length, SNAPLEN), 8);
  r.writeUInt32LE(frame.length, 12);
  return Buffer.concat([r, frame.subarray(0, SNAPLEN)]);
}
