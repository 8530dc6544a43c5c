// The daemon's lifecycle: adopt or load the fast path, attach it, mirror
// the kernel into it, and on a clean stop detach it so the kernel forwards
// alone. A crash or kill -9 leaves the program attached, its pinned maps and
// the pinned links of its redirect-error counters in place: forwarding and
// counting go on, and the next start adopts them all.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RouterConfig } from '../config/schema.js';
import { FastPath } from '../dataplane/fastpath.js';
import { addon } from '../dataplane/native.js';
import { RedirectErrors } from '../dataplane/redirect-errors.js';
import type { LogFields, Logger } from './log.js';
import type { AttachedInterface, DaemonStatus } from './status/view.js';
import { planInterfaceSockets, SlowPath } from './slowpath/service.js';
import { kernelHasFlowLookup } from './netfilter/flowtable.js';
import { NetfilterWatch } from './netfilter/watch.js';
import { scopeOfView } from './netfilter/watch.js';
import type { NetfilterView } from './netfilter/watch.js';
import { NetlinkSource } from './sync/netlink.js';
import { describeHandling, describeRule } from './sync/policy.js';
import { multipathUseNeigh, readSysctl } from './sysctl.js';
import { Reconciler } from './sync/reconciler.js';
import { NeighbourLiveness } from './sync/neighbour-liveness.js';
import { KernelNeighbourWriter } from './sync/neighbour-writer.js';
import { MemoryRelease } from './sync/memory-release.js';
import type { AdoptedEntries } from './sync/reconciler.js';
import type { KernelEvent, KernelSource } from './sync/model.js';
import { PROGRAM_NAME } from '../dataplane/fastpath.js';

const execFileP = promisify(execFile);

/** Detach whatever single XDP program an interface has, as `ip link set dev IF xdp off`. */
async function removeXdp(ifname: string, netns: string | undefined): Promise<void> {
  await execFileP('ip', [...(netns ? ['-n', netns] : []), 'link', 'set', 'dev', ifname, 'xdp', 'off']);
}

export class DaemonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DaemonError';
  }
}

export class Daemon implements DaemonStatus {
  fp?: FastPath;
  /** moves the frames egress devices refused from forwarded to drop-redirect */
  redirectErrors?: RedirectErrors;
  reconciler?: Reconciler;
  slowPath?: SlowPath;
  neighbourLiveness?: NeighbourLiveness;
  private neighbourWriter?: KernelNeighbourWriter;
  private source?: KernelSource;
  private netfilterWatch?: NetfilterWatch;
  /** the ruleset as last read; absent with `netfilter: bypass` */
  netfilter?: NetfilterView;
  readonly attached: AttachedInterface[] = [];
  private resyncing: Promise<void> | undefined;
  /** events that arrived during a resync, applied after it */
  private pending: KernelEvent[] = [];
  /** events waiting for the batch being written (see applyQueued) */
  private queued: KernelEvent[] = [];
  private readonly memoryRelease: MemoryRelease;
  private applying: Promise<void> | undefined;
  private resyncAgain = false;
  lastSync = 0;
  resyncs = 0;
  private loggedPolicy = '';

  constructor(
    readonly config: RouterConfig,
    private readonly log: Logger,
  ) {
    this.memoryRelease = new MemoryRelease({ release: () => addon.releaseMemory(), log });
  }

  private get netnsPath(): string | undefined {
    return this.config.netns ? `/run/netns/${this.config.netns}` : undefined;
  }

  /** Read a sysctl of the daemon's network namespace. */
  private sysctl(path: string): string {
    return readSysctl(path, this.netnsPath);
  }

  private warnIfForwardingOff(): void {
    const v4 = this.sysctl('net/ipv4/ip_forward');
    const v6 = this.sysctl('net/ipv6/conf/all/forwarding');
    if (v4 !== '1' || v6 !== '1') {
      this.log.warn('kernel forwarding is off: what the fast path passes up will not be forwarded', {
        ipv4: v4 === '1',
        ipv6: v6 === '1',
        fix: 'sysctl -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1',
      });
    }
  }

  /**
   * A NIC that strips 802.1Q tags on receive hands XDP a tagged frame as
   * an untagged one of the parent (the tag is in the descriptor, which the
   * program does not read): it would forward a VLAN's traffic, or traffic
   * of a VLAN the host does not have, as the parent's. VLANs ride on the
   * configured interfaces, so checking them covers every driven VLAN's
   * lower device.
   */
  private refuseRxVlanOffload(name: string): void {
    if (!addon.rxVlanOffload(name, this.netnsPath)) return;
    const where = this.config.netns ? `ip netns exec ${this.config.netns} ` : '';
    throw new DaemonError(
      `interface ${name} has rx VLAN offload on: the NIC strips 802.1Q tags before XDP, so the fast path would take tagged traffic for untagged. ` +
        `Turn it off: ${where}ethtool -K ${name} rxvlan off`,
    );
  }

  /** Interfaces to attach, resolved, each checked for rx VLAN offload and a foreign XDP program. */
  private resolveInterfaces(): Array<{ name: string; ifindex: number; mode: 'auto' | 'native' | 'generic'; ours: boolean; foreign: string[] }> {
    return this.config.interfaces.map((i) => {
      let ifindex: number;
      try {
        ifindex = addon.ifIndex(i.name, this.netnsPath);
      } catch {
        throw new DaemonError(`interface "${i.name}" (config interfaces) does not exist${this.config.netns ? ` in namespace ${this.config.netns}` : ''}`);
      }
      this.refuseRxVlanOffload(i.name);
      const q = addon.queryXdp(ifindex, this.netnsPath);
      const foreign = q.programs.filter((p) => p.name !== PROGRAM_NAME);
      if (foreign.length > 0 && (q.legacy || q.mode === 'hw') && !this.config.replaceForeignXdp) {
        throw new DaemonError(
          `interface ${i.name} already has XDP program ${foreign.map((p) => `"${p.name}" (id ${p.id})`).join(', ')} attached without libxdp; ` +
            'xdp-router will not replace it. Remove it (xdp-loader unload / ip link set dev IF xdp off) or set replaceForeignXdp: true',
        );
      }
      const standalone = q.legacy || q.mode === 'hw' ? foreign.map((p) => p.name) : [];
      return { name: i.name, ifindex, mode: i.mode, ours: q.programs.some((p) => p.name === PROGRAM_NAME), foreign: standalone };
    });
  }

  private async adoptedEntries(fp: FastPath): Promise<AdoptedEntries> {
    return {
      routes: (await fp.routes()).map((r) => r.prefix),
      nexthops: [...(await fp.nexthops()).keys()],
      groups: [...(await fp.groups()).keys()],
      neighbours: [...(await fp.neighbours()).keys()],
      interfaces: [...(await fp.interfaces()).keys()],
      locals: await fp.localAddresses(),
    };
  }

  async start(source?: KernelSource): Promise<void> {
    this.warnIfForwardingOff();
    const interfaces = this.resolveInterfaces();
    // the slow path binds after the attach: sockets the XSK map cannot hold must stop us before anything is touched
    if (this.config.punt.length > 0) await planInterfaceSockets(interfaces, this.config.netns);
    const tables = this.config.tables;
    const fp = await FastPath.open({
      ...(this.config.netns ? { netns: this.config.netns } : {}),
      pinDir: this.config.pinDir,
      ...(this.config.hashSeed !== undefined ? { hashSeed: this.config.hashSeed } : {}),
      // the punt stage costs a lookup per packet: compiled in only when there are rules
      punt: this.config.punt.length > 0,
      onGraceError: (err) =>
        this.log.warn('waiting for an RCU grace period failed: freed index groups and next-hop ids stay unused until a retry succeeds', { err }),
    });
    this.fp = fp;
    // before any interface is attached, so that no refused frame stays counted forwarded
    this.redirectErrors = await RedirectErrors.attach(fp, this.config.pinDir);
    this.log.info(this.redirectErrors.adopted ? 'kept the redirect-error counters a previous run attached' : 'counting redirects egress devices refuse', {
      links: this.redirectErrors.linkIds(),
    });
    const adopted = await this.adoptedEntries(fp);
    if (adopted.routes.length + adopted.interfaces.length > 0) {
      this.log.info('adopting pinned maps of a previous run', { pinDir: this.config.pinDir, routes: adopted.routes.length });
    }
    // read once: a change of the sysctl takes effect at the next start
    const reconciler = new Reconciler(fp, {
      tables,
      interfaces: this.config.interfaces.map((i) => i.name),
      multipathUseNeigh: multipathUseNeigh(this.netnsPath),
    });
    this.reconciler = reconciler;
    await this.watchNetfilter(reconciler);
    this.source = source ?? new NetlinkSource({ ...(this.netnsPath ? { netns: this.netnsPath } : {}), tables, eventBufferBytes: this.config.netlinkBufferBytes });
    const started = Date.now();
    let initialSync = true;
    const snapshot = await this.source.start(
      (e) => {
        // the full sync writes in chunks: an event applied between two would
        // be overwritten by the snapshot's older view of its prefix
        if (this.resyncing || initialSync) this.pending.push(e);
        else this.queueEvent(e);
      },
      (reason) => this.requestResync(reason),
    );
    const dumped = Date.now();
    const { routes } = await reconciler.fullSync(snapshot, adopted);
    initialSync = false;
    for (const e of this.pending.splice(0)) this.queueEvent(e);
    await this.applying;
    this.lastSync = Date.now();
    // the whole from the subscription, and its parts: the kernel's dump (decoded), then the maps written
    this.log.info('fast path in sync with the kernel', { routes, ms: this.lastSync - started, dumpMs: dumped - started, syncMs: this.lastSync - dumped });
    this.logPolicy();
    // the dump and the sync's garbage; the arenas trimmed off the JS thread while the interfaces attach
    this.memoryRelease.now();

    for (const i of interfaces) {
      if (i.ours) {
        // attached by the previous run, and already reading the maps just synced
        const q = addon.queryXdp(i.ifindex, this.netnsPath);
        this.attached.push({ name: i.name, ifindex: i.ifindex, mode: q.mode === 'generic' ? 'generic' : 'native', adopted: true });
        this.log.info('kept the program a previous run attached', { interface: i.name, mode: q.mode });
        continue;
      }
      if (i.foreign.length > 0) {
        // replaceForeignXdp: the operator said the other program may go
        await removeXdp(i.name, this.config.netns);
        this.log.warn('removed a foreign XDP program (replaceForeignXdp)', { interface: i.name, programs: i.foreign });
      }
      const mode = await fp.attach(i.ifindex, i.mode);
      this.attached.push({ name: i.name, ifindex: i.ifindex, mode, adopted: false });
      this.log.info('attached', { interface: i.name, mode, requested: i.mode });
    }
    if (this.config.punt.length > 0) await this.startSlowPath(fp);
    this.startNeighbourLiveness(fp, reconciler);
  }

  /** STALE neighbours the fast path forwards to are re-checked by the kernel, as if it had forwarded (neighbour-liveness.ts). */
  private startNeighbourLiveness(fp: FastPath, reconciler: Reconciler): void {
    const log = (msg: string, fields?: object): void => this.log.warn(msg, fields as LogFields | undefined);
    this.neighbourWriter = new KernelNeighbourWriter({ ...(this.netnsPath ? { netns: this.netnsPath } : {}), log });
    this.neighbourLiveness = new NeighbourLiveness(fp, this.neighbourWriter, { stale: () => reconciler.stale(), log });
    this.neighbourLiveness.start();
  }

  /** Punt rules from the config, and the AF_XDP sockets that take what they match. */
  private async startSlowPath(fp: FastPath): Promise<void> {
    const slowPath = new SlowPath(fp, {
      ...(this.config.netns ? { netns: this.config.netns } : {}),
      interfaces: this.attached.map((i) => ({ name: i.name, ifindex: i.ifindex })),
      log: this.log,
    });
    await slowPath.start();
    this.slowPath = slowPath;
    // sockets first: a rule matching before they exist would send traffic to the kernel, not lose it
    for (const p of await fp.puntRules()) fp.deletePuntRule(p.prefix);
    this.config.punt.forEach((rule, id) => fp.setPuntRule(id, rule));
    this.log.info('slow path running', { rules: this.config.punt.length, sockets: slowPath.stats().length, returnsToKernel: slowPath.returnsToKernel });
  }

  /**
   * Netfilter's forwarding chains, read before the first sync so the maps
   * never hold an interface without its flags, then followed.
   */
  private async watchNetfilter(reconciler: Reconciler): Promise<void> {
    if (this.config.netfilter === 'bypass') {
      this.log.warn('netfilter: bypass: forwarded traffic the fast path handles skips every netfilter rule (filter, NAT, conntrack)');
      return;
    }
    // flowtable flows are not forwarded in XDP by this version: they go to
    // the kernel with the rest of what netfilter could touch; say which
    // kernels could do better
    this.log.info(
      kernelHasFlowLookup()
        ? 'nftables flowtables: this kernel has bpf_xdp_flow_lookup, but this version leaves flowtable flows to the kernel (pass-netfilter)'
        : 'nftables flowtables: this kernel has no bpf_xdp_flow_lookup kfunc (Linux 6.10+ with CONFIG_NF_FLOW_TABLE), so flowtable flows go to the kernel (pass-netfilter)',
    );
    this.netfilterWatch = new NetfilterWatch({
      ...(this.netnsPath ? { netnsPath: this.netnsPath } : {}),
      onChange: (view) => this.applyNetfilter(reconciler, view),
      log: (msg, fields) => this.log.warn(msg, fields),
    });
    await this.netfilterWatch.start();
  }

  private applyNetfilter(reconciler: Reconciler, view: NetfilterView): void {
    this.netfilter = view;
    if ('unreadable' in view) {
      this.log.warn('netfilter ruleset unreadable: all traffic goes to the kernel (pass-netfilter)', {
        reason: view.unreadable,
        fix: 'install nftables, or set netfilter: bypass if no rule concerns forwarded traffic',
      });
      reconciler.setNetfilter(scopeOfView(view));
      return;
    }
    for (const c of view.chains) {
      this.log.info('netfilter chain on a forwarding hook: the traffic it could touch goes to the kernel (pass-netfilter)', {
        table: c.table,
        chain: c.chain,
        hook: c.hook,
        ...(c.ingress === null ? { traffic: 'all' } : { ingress: c.ingress, egress: c.egress }),
      });
    }
    if (view.chains.length === 0) this.log.info('netfilter: no chain on a forwarding hook touches forwarded traffic');
    reconciler.setNetfilter(scopeOfView(view));
  }

  /** Every policy rule that takes traffic from the fast path, said once per change. */
  private logPolicy(): void {
    const plan = this.reconciler!.desired.policy;
    const summary = plan.rules.map((h) => `${describeRule(h.rule)}: ${describeHandling(h.handling)}`).join('\n');
    if (summary === this.loggedPolicy) return;
    this.loggedPolicy = summary;
    for (const h of plan.rules) {
      if (h.handling.kind !== 'default') this.log.info('policy rule', { rule: describeRule(h.rule), handling: describeHandling(h.handling) });
    }
  }

  /**
   * Events are applied in batches: what arrives while a batch is written
   * (a netlink read brings hundreds at once) goes in the next one, so a
   * route feed costs a map call per batch, not per route (Reconciler.applyEvents).
   */
  private queueEvent(e: KernelEvent): void {
    this.queued.push(e);
    this.applying ??= this.applyQueued().finally(() => (this.applying = undefined));
  }

  private async applyQueued(): Promise<void> {
    // the rest of the netlink read that brought this event is queued before a microtask runs
    await null;
    while (this.queued.length > 0) {
      const batch = this.queued.splice(0);
      try {
        await this.reconciler!.applyEvents(batch);
      } catch (err) {
        // the dump of the resync sees what the events left unapplied said
        this.queued = [];
        this.requestResync(`applying ${batch.length} events failed: ${(err as Error).message}`);
        return;
      }
      if (batch.some((e) => e.kind === 'rule')) this.logPolicy();
      this.lastSync = Date.now();
      this.memoryRelease.changed(batch.length);
    }
  }

  /** Events were lost or could not be applied: dump and reconcile everything. */
  requestResync(reason: string): void {
    if (this.resyncing) {
      this.resyncAgain = true;
      return;
    }
    this.log.warn('full resync', { reason });
    this.resyncs++;
    this.resyncing = (async () => {
      try {
        // the batch being written finishes first; what arrives meanwhile waits in pending
        await this.applying;
        do {
          this.resyncAgain = false;
          const snap = await this.source!.dump();
          await this.reconciler!.fullSync(snap);
          this.lastSync = Date.now();
        } while (this.resyncAgain);
        // events that raced the dump: applying one the dump already had changes nothing
        for (const e of this.pending.splice(0)) this.queueEvent(e);
        this.log.info('resync done', { routes: this.reconciler!.routeCount });
        this.logPolicy();
        this.memoryRelease.now();
      } catch (err) {
        this.log.error('resync failed; retrying in 1 s', { err: err as Error });
        setTimeout(() => this.requestResync('previous resync failed'), 1000).unref();
      } finally {
        this.resyncing = undefined;
      }
    })();
  }

  /**
   * Clean stop: detach from every interface and remove the pins, so the
   * kernel forwards alone. `keepAttached` leaves everything for a restart.
   */
  async stop(keepAttached = false): Promise<void> {
    await this.shutDown(keepAttached ? 'none' : 'all');
  }

  /**
   * A start that failed part-way: undo what this run did, so a half-started
   * router does not forward from maps nobody keeps in sync. What a previous
   * run left (its attached program, the pins it reads) stays as found.
   */
  async abortStart(): Promise<void> {
    await this.shutDown('ours');
  }

  private async shutDown(detach: 'all' | 'ours' | 'none'): Promise<void> {
    // punted traffic goes back to the kernel before anything else stops
    this.slowPath?.stop();
    this.netfilterWatch?.stop();
    await this.neighbourLiveness?.stop();
    this.neighbourWriter?.close();
    this.source?.close();
    await this.resyncing;
    await this.applying;
    this.memoryRelease.stop();
    const fp = this.fp;
    if (!fp) return;
    for (const i of detach === 'none' ? [] : this.attached.filter((a) => detach === 'all' || !a.adopted)) {
      try {
        await fp.detach(i.ifindex);
        this.log.info('detached', { interface: i.name });
      } catch (err) {
        this.log.error('detach failed', { interface: i.name, err: err as Error });
      }
    }
    // after XDP: a frame redirected until then is still moved if refused;
    // before the maps' pins, whose directory goes once it is empty
    try {
      if (detach === 'none') this.redirectErrors?.close();
      else this.redirectErrors?.detach(detach === 'all' ? 'all' : 'attachedHere');
    } catch (err) {
      this.log.error('detaching the redirect-error counters failed', { err: err as Error });
    }
    if (detach === 'all' || (detach === 'ours' && !fp.adoptedPins)) fp.unpin();
    fp.close();
  }
}
