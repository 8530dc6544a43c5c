// Loading, attaching (native, and generic where the driver has no XDP),
// pinning and adopting pinned maps, batch map operations.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FastPath, RouteBatch } from '../../dataplane/fastpath.js';
import { addon } from '../../dataplane/native.js';
import { RedirectErrors } from '../../dataplane/redirect-errors.js';
import * as L from '../../dataplane/layout.js';
import { linksCountingInto } from '../helpers/links.js';
import { createFixture } from './fixture.js';
import type { Fixture } from './fixture.js';

const PIN_DIR = `/sys/fs/bpf/xrt-pin-${process.pid}`;

describe('program lifecycle and map operations', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await createFixture('life');
  });
  afterAll(async () => {
    try {
      await fixture?.teardown();
    } finally {
      rmSync(PIN_DIR, { recursive: true, force: true });
    }
  });

  it('falls back to generic mode on a device without native XDP, and says so', async () => {
    const dummy = fixture.ifindex.out3; // an ifb has no XDP driver hook
    expect(await fixture.fp.attach(dummy, 'auto')).toBe('generic');
    const q = addon.queryXdp(dummy, `/run/netns/${fixture.ns}`);
    expect(q.mode).toBe('generic');
    expect(q.programs.map((p) => p.name)).toContain('xdp_router');
    await fixture.fp.detach(dummy);
    expect(addon.queryXdp(dummy, `/run/netns/${fixture.ns}`).mode).toBe('none');
  });

  it('refuses native mode on such a device with an error naming it', async () => {
    await expect(fixture.fp.attach(fixture.ifindex.out3, 'native')).rejects.toThrow(/out3|ifindex|interface/i);
  });

  it('pins its maps, and a second load adopts them with their contents', async () => {
    const first = await FastPath.open({ netns: fixture.ns, pinDir: PIN_DIR });
    try {
      first.setRoute('198.51.100.0/24', { type: 'blackhole' });
      expect(readdirSync(PIN_DIR).sort()).toContain('xr_fib4');
      const second = await FastPath.open({ netns: fixture.ns, pinDir: PIN_DIR });
      try {
        expect(second.lookupRoute('198.51.100.9')).toEqual({ type: 'blackhole' });
        second.deleteRoute('198.51.100.0/24');
        expect(first.lookupRoute('198.51.100.9')).toBeNull();
      } finally {
        second.close();
      }
      first.unpin();
      expect(existsSync(join(PIN_DIR, 'xr_fib4'))).toBe(false);
    } finally {
      first.close();
    }
  });

  it('refuses a pinned map of another shape (another version\'s), naming it, and leaves the pins alone', async () => {
    const first = await FastPath.open({ netns: fixture.ns, pinDir: PIN_DIR });
    first.close();
    try {
      // xr_nexthops as an older build might have left it: another type and size
      rmSync(join(PIN_DIR, 'xr_nexthops'));
      execFileSync('bpftool', ['map', 'create', join(PIN_DIR, 'xr_nexthops'), 'type', 'hash', 'key', '4', 'value', '8', 'entries', '16', 'name', 'xr_nexthops']);
      const pins = readdirSync(PIN_DIR).sort();
      await expect(FastPath.open({ netns: fixture.ns, pinDir: PIN_DIR })).rejects.toThrow(
        /reuse .*xr_nexthops.*made by another version \(type 1, key 4 B, value 8 B, 16 entries.*this program's: type 2,/,
      );
      expect(readdirSync(PIN_DIR).sort()).toEqual(pins);
    } finally {
      rmSync(PIN_DIR, { recursive: true, force: true });
    }
  });

  it('redirect-error counters: pinned beside the maps, adopted while they count into them, replaced once those maps are gone', async () => {
    const first = await FastPath.open({ netns: fixture.ns, pinDir: PIN_DIR });
    try {
      const attached = await RedirectErrors.attach(first, PIN_DIR);
      const ids = attached.linkIds();
      expect(attached.adopted).toBe(false);
      expect(Object.keys(ids).sort()).toEqual(['xr_count_redirect_errors', 'xr_count_xmit_drops']);
      attached.close(); // as a kill -9 leaves them: pinned
      const adopted = await RedirectErrors.attach(first, PIN_DIR);
      expect(adopted.adopted).toBe(true);
      expect(adopted.linkIds()).toEqual(ids);
      adopted.close();
      // the maps' pins go (another start will make new maps), the links' stay
      first.unpin();
      expect(readdirSync(PIN_DIR).sort()).toEqual(['xr_count_redirect_errors', 'xr_count_xmit_drops']);
      const second = await FastPath.open({ netns: fixture.ns, pinDir: PIN_DIR });
      try {
        const fresh = await RedirectErrors.attach(second, PIN_DIR);
        expect(fresh.adopted).toBe(false);
        for (const [name, id] of Object.entries(fresh.linkIds())) expect(id).not.toBe(ids[name]);
        const link = addon.openPinnedLink(join(PIN_DIR, 'xr_count_xmit_drops'));
        expect(link.programMapIds()).toContain(second.map('xr_counters').id);
        link.close();
        fresh.detach('all');
        expect(readdirSync(PIN_DIR).filter((n) => n.startsWith('xr_count_'))).toEqual([]);
      } finally {
        second.unpin();
        second.close();
      }
    } finally {
      first.close();
    }
  });

  it('redirect-error counters that cannot be set up leave no pin behind, and say what failed', async () => {
    const fp = await FastPath.open({ netns: fixture.ns, pinDir: PIN_DIR });
    try {
      // not the counters' object: it has no xr_tx_ports_id to set, nor a tracepoint to attach to
      await expect(RedirectErrors.attach(fp, PIN_DIR, join(__dirname, '..', '..', 'bpf', 'xdp_router.o'))).rejects.toThrow(
        /xdp_router\.o: const 'xr_tx_ports_id'/,
      );
      expect(readdirSync(PIN_DIR).filter((n) => !(n in L.MAPS))).toEqual([]);
    } finally {
      fp.unpin();
      fp.close();
    }
  });

  it('undoes a partly attached pair of redirect-error counters: the first link goes with its pin when the second cannot attach', async () => {
    const fp = await FastPath.open({ netns: fixture.ns, pinDir: PIN_DIR });
    try {
      const object = join(__dirname, '..', '..', 'bpf', 'test', 'attach_undo.o');
      await expect(RedirectErrors.attach(fp, PIN_DIR, object)).rejects.toThrow(/attach program 'xr_undo_second' of .*attach_undo\.o/);
      expect(readdirSync(PIN_DIR).filter((n) => !(n in L.MAPS))).toEqual([]);
      // the first program was attached and pinned before the second failed: its link must be gone from the kernel too
      expect(linksCountingInto(fp.map('xr_counters').id)).toEqual([]);
    } finally {
      fp.unpin();
      fp.close();
    }
  });

  it('writes and removes 20,000 routes in batches, and dumps them back', async () => {
    const fp = fixture.fp;
    const routes = Array.from({ length: 20_000 }, (_, i) => ({
      prefix: i % 2 ? `2001:db8:${(i >> 8).toString(16)}:${(i & 0xff).toString(16)}00::/56` : `10.${i >> 8}.${i & 0xff}.0/24`,
      target: { type: 'unicast' as const, nexthop: 1 },
    }));
    const before = (await fp.routes()).length;
    await fp.setRoutes(RouteBatch.of(routes));
    const all = await fp.routes();
    expect(all.length).toBe(before + 20_000);
    expect(all.map((r) => r.prefix)).toEqual(expect.arrayContaining(['10.0.2.0/24', '2001:db8:0:100::/56']));
    expect(await fp.deleteRoutes(RouteBatch.ofPrefixes(routes.map((r) => r.prefix)))).toBe(20_000);
    expect((await fp.routes()).length).toBe(before);
  });

  it('a map error carries errno and names the map', () => {
    expect(() => fixture.fp.map('xr_tx_ports').update(Buffer.alloc(4, 0xff), Buffer.alloc(4, 0xff))).toThrow(
      expect.objectContaining({ errno: expect.any(Number), message: expect.stringContaining('xr_tx_ports') }),
    );
  });
});
