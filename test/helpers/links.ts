// BPF links in the kernel, as bpftool lists them: so a test sees stray
// copies and leftovers that the code under test no longer holds.
import { execFileSync } from 'node:child_process';

/** Links in the kernel whose tracing program counts into the map of this id, by link id. */
export function linksCountingInto(mapId: number): number[] {
  const programs = JSON.parse(execFileSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' })) as Array<{ id: number; type: string; map_ids?: number[] }>;
  const counting = new Set(programs.filter((p) => p.type === 'tracing' && p.map_ids?.includes(mapId)).map((p) => p.id));
  const links = JSON.parse(execFileSync('bpftool', ['-j', 'link', 'list'], { encoding: 'utf8' })) as Array<{ id: number; prog_id: number }>;
  return links.filter((l) => counting.has(l.prog_id)).map((l) => l.id).sort((a, b) => a - b);
}
