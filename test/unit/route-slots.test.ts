// The compact per-prefix route store and the shared next-hop lists behave
// as the Maps and arrays they replace.
import { describe, expect, it } from 'vitest';
import { KernelState } from '../../router/sync/kernel-state.js';
import type { KernelRoute } from '../../router/sync/model.js';
import { RouteSlots } from '../../router/sync/route-slots.js';

const route = (prefix: string, gateway: string, metric = 0): KernelRoute => ({
  family: 4,
  table: 254,
  prefix,
  metric,
  protocol: 4,
  type: 'unicast',
  nexthops: [{ ifindex: 2, gateway, weight: 1 }],
  tos: 0,
});

describe('RouteSlots', () => {
  it('acts as a Map from none to one to several routes and back', () => {
    const slots = new RouteSlots();
    const model = new Map<string, KernelRoute>();
    const steps: Array<['set', string, KernelRoute] | ['delete', string]> = [
      ['set', 'a', route('192.0.2.0/24', '198.51.100.1')],
      ['set', 'a', route('192.0.2.0/24', '198.51.100.2')],
      ['set', 'b', route('192.0.2.0/24', '198.51.100.3', 10)],
      ['set', 'c', route('192.0.2.0/24', '198.51.100.4', 20)],
      ['delete', 'b'],
      ['delete', 'zz'],
      ['delete', 'a'],
      ['delete', 'c'],
      ['set', 'd', route('192.0.2.0/24', '198.51.100.5')],
    ];
    for (const step of steps) {
      if (step[0] === 'set') {
        slots.set(step[1], step[2]);
        model.set(step[1], step[2]);
      } else {
        expect(slots.delete(step[1])).toBe(model.delete(step[1]));
      }
      expect(slots.size).toBe(model.size);
      expect([...slots]).toEqual([...model]);
      expect([...slots.keys()]).toEqual([...model.keys()]);
      expect([...slots.values()]).toEqual([...model.values()]);
      for (const id of ['a', 'b', 'c', 'd', 'zz']) {
        expect(slots.has(id)).toBe(model.has(id));
        expect(slots.get(id)).toBe(model.get(id));
      }
    }
  });
});

describe('KernelState next-hop lists', () => {
  it('routes through the same next hops share one list, and a change to one leaves the others alone', () => {
    const state = new KernelState([254]);
    state.load({
      links: [],
      addresses: [],
      neighbours: [],
      rules: [],
      routes: [route('198.51.100.0/25', '192.0.2.1'), route('198.51.100.128/25', '192.0.2.1'), route('203.0.113.0/24', '192.0.2.9')],
    });
    const first = state.bestRoute('4|198.51.100.0/25')!;
    const second = state.bestRoute('4|198.51.100.128/25')!;
    expect(first.nexthops).toBe(second.nexthops);
    expect(state.bestRoute('4|203.0.113.0/24')!.nexthops).not.toBe(first.nexthops);

    state.apply({ kind: 'route', op: 'add', route: route('198.51.100.0/25', '192.0.2.7'), replace: true });
    expect(state.bestRoute('4|198.51.100.0/25')!.nexthops).toEqual([{ ifindex: 2, gateway: '192.0.2.7', weight: 1 }]);
    expect(state.bestRoute('4|198.51.100.128/25')!.nexthops).toEqual([{ ifindex: 2, gateway: '192.0.2.1', weight: 1 }]);
  });
});
