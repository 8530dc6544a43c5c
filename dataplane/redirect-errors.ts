// The tracing programs of bpf/redirect_errors.c beside a FastPath: they move
// the frames an egress device refused after the program redirected them
// from `forwarded` to `drop-redirect`. They count into the fast path's own
// maps, and their links are pinned beside those maps: a killed daemon's
// programs keep counting, and the next start adopts them rather than
// attach a second copy, which would move every refusal twice.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastPath } from './fastpath.js';
import { addon } from './native.js';
import type { NativeLink } from './native.js';
import { packageRoot } from './package-root.js';
import * as L from './layout.js';
import type { MapName } from './layout.js';

export const REDIRECT_ERRORS_OBJECT = join(packageRoot(), 'bpf', 'redirect_errors.o');

interface HeldLink {
  name: string;
  link: NativeLink;
  /** attached by this run, not found pinned */
  attachedHere: boolean;
}

export class RedirectErrors {
  private constructor(
    readonly pinDir: string,
    private readonly held: HeldLink[],
  ) {}

  /**
   * Adopt the links pinned in pinDir that count into fp's maps; attach and
   * pin the programs that have none. A pinned link whose program counts
   * into other maps (a run whose maps are gone) is unpinned: it moves
   * nothing anyone reads. On failure, what this call did is undone.
   */
  static async attach(fp: FastPath, pinDir: string, objectPath = REDIRECT_ERRORS_OBJECT): Promise<RedirectErrors> {
    const object = new addon.TracingObject(objectPath);
    const held: HeldLink[] = [];
    const done = new RedirectErrors(pinDir, held);
    try {
      const counters = fp.map('xr_counters').id;
      for (const name of object.programNames()) {
        const pin = join(pinDir, name);
        if (!existsSync(pin)) continue;
        const link = addon.openPinnedLink(pin);
        if (link.programMapIds().includes(counters)) {
          held.push({ name, link, attachedHere: false });
          continue;
        }
        link.unpin(pin);
        link.close();
      }
      const missing = object.programNames().filter((name) => !held.some((h) => h.name === name));
      if (missing.length === 0) return done;
      // a tracing program cannot read a devmap's id (redirect_errors.c)
      object.setConst('xr_tx_ports_id', L.u32.encode({ value: fp.map('xr_tx_ports').id }));
      for (const name of object.mapNames()) {
        if (!(name in L.MAPS)) throw new Error(`${objectPath}: map ${name} is not one of the fast path's (dataplane/layout.ts MAPS)`);
        object.reuseMap(name, fp.map(name as MapName));
      }
      await object.load();
      for (const name of missing) {
        const link = await object.attach(name);
        held.push({ name, link, attachedHere: true });
        link.pin(join(pinDir, name));
      }
      return done;
    } catch (err) {
      done.detach('attachedHere');
      throw err;
    } finally {
      // the links hold their programs; the object's own fds are not needed
      object.close();
    }
  }

  /** true when every link was found pinned by a previous run */
  get adopted(): boolean {
    return this.held.every((h) => !h.attachedHere);
  }

  /** the links' kernel ids, by program name */
  linkIds(): Record<string, number> {
    return Object.fromEntries(this.held.map((h) => [h.name, h.link.id]));
  }

  /**
   * Unpin and close the links ('all', a clean stop; 'attachedHere', undoing
   * a failed start, leaves a previous run's links as found), which detaches
   * them; the others' fds are closed and their pins stay.
   */
  detach(which: 'all' | 'attachedHere'): void {
    for (const h of this.held.splice(0)) {
      const pin = join(this.pinDir, h.name);
      if ((which === 'all' || h.attachedHere) && existsSync(pin)) h.link.unpin(pin);
      h.link.close();
    }
  }

  /** Close the fds only: the pinned links keep counting (a stop that leaves the fast path running). */
  close(): void {
    for (const h of this.held.splice(0)) h.link.close();
  }
}
