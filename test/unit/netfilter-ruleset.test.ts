// Which forwarded traffic a ruleset could touch, from `nft -j list ruleset`
// as nft 1.0.6 prints it: the chains on forwarding hooks and their scope.
import { describe, expect, it } from 'vitest';
import { forwardingChains, netfilterScope } from '../../router/netfilter/ruleset.js';

const chain = (family: string, table: string, name: string, hook: string, extra: object = {}): object => ({
  chain: { family, table, name, handle: 1, type: 'filter', hook, prio: 0, policy: 'accept', ...extra },
});
const rule = (family: string, table: string, chainName: string, ...expr: object[]): object => ({ rule: { family, table, chain: chainName, handle: 2, expr } });
const meta = (key: string, right: unknown, op = '=='): object => ({ match: { op, left: { meta: { key } }, right } });
const ruleset = (...items: object[]): object => ({ nftables: [{ metainfo: { version: '1.0.6', json_schema_version: 1 } }, ...items] });

describe('netfilter: the chains that touch forwarded traffic', () => {
  it('masquerade on oifname: out of that interface only', () => {
    const chains = forwardingChains(ruleset(chain('ip', 'nat', 'post', 'postrouting', { type: 'nat' }), rule('ip', 'nat', 'post', meta('oifname', 'r1'), { masquerade: null })));
    expect(chains).toEqual([{ table: 'ip nat', chain: 'post', hook: 'postrouting', ingress: [], egress: ['r1'] }]);
    expect(netfilterScope(chains)).toEqual({ ingress: new Set(), egress: new Set(['r1']), all: false });
  });

  it('a rule that names iifname and oifname is scoped by its iif; a set of names counts each', () => {
    const chains = forwardingChains(
      ruleset(
        chain('inet', 'filt', 'forwarding', 'forward'),
        rule('inet', 'filt', 'forwarding', meta('iifname', 'r0'), meta('oifname', 'r1'), { accept: null }),
        rule('inet', 'filt', 'forwarding', meta('iifname', { set: ['r2', 'eth*'] }), { drop: null }),
      ),
    );
    expect(chains[0]).toMatchObject({ ingress: ['r0', 'r2', 'eth*'], egress: [] });
  });

  it('a rule that names no interface, or excludes one (!=), could touch all traffic', () => {
    for (const first of [{ match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 22 } }, meta('iifname', 'r0', '!=')]) {
      const chains = forwardingChains(ruleset(chain('ip6', 'f', 'c', 'prerouting'), rule('ip6', 'f', 'c', first, { drop: null })));
      expect(chains[0]).toMatchObject({ ingress: null });
      expect(netfilterScope(chains).all).toBe(true);
    }
  });

  it('a drop policy takes every packet; an empty accepting chain, input/output hooks and bridge tables take none', () => {
    expect(forwardingChains(ruleset(chain('inet', 'f', 'c', 'forward', { policy: 'drop' })))).toMatchObject([{ ingress: null }]);
    expect(
      forwardingChains(
        ruleset(
          chain('inet', 'f', 'empty', 'forward'),
          chain('inet', 'f', 'in', 'input'),
          rule('inet', 'f', 'in', { drop: null }),
          chain('bridge', 'b', 'fw', 'forward'),
          rule('bridge', 'b', 'fw', { drop: null }),
        ),
      ),
    ).toEqual([]);
  });

  it('netdev chains: by their device, ingress or egress; without one, all', () => {
    const chains = forwardingChains(
      ruleset(
        chain('netdev', 'n', 'in', 'ingress', { dev: 'r0' }),
        rule('netdev', 'n', 'in', { counter: null }),
        chain('netdev', 'n', 'out', 'egress', { dev: ['r1'] }),
        rule('netdev', 'n', 'out', { counter: null }),
      ),
    );
    expect(chains.map((c) => [c.ingress, c.egress])).toEqual([[['r0'], []], [[], ['r1']]]);
    expect(forwardingChains(ruleset(chain('netdev', 'n', 'in', 'ingress'), rule('netdev', 'n', 'in', { counter: null })))[0]).toMatchObject({ ingress: null });
  });

  it('output nft cannot have produced is an error that says so', () => {
    expect(() => forwardingChains({})).toThrow(/no "nftables" array/);
  });
});
