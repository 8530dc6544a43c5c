// The fast path's figure as an SVG: ns per packet against FIB size (log
// scale), xdp-router and the bpf_fib_lookup reference, IPv4 and IPv6.
import type { FastpathResult } from './fastpath.js';

const W = 720;
const H = 440;
const M = { left: 70, right: 190, top: 40, bottom: 56 };

interface Series {
  label: string;
  color: string;
  dashed: boolean;
  points: Array<{ routes: number; ns: number }>;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function niceMax(v: number): number {
  const step = 10 ** Math.floor(Math.log10(v));
  return Math.ceil(v / step) * step;
}

export function fastpathSvg(r: FastpathResult, title: string): string {
  const series: Series[] = [];
  for (const family of [4, 6] as const) {
    // the full-table rows hold both families at once: not points of one family's curve
    const rows = r.rows.filter((x) => x.family === family && x.table !== 'full-table').sort((a, b) => a.routes - b.routes);
    if (rows.length === 0) continue;
    const dashed = family === 6;
    series.push({ label: `xdp-router IPv${family}`, color: '#c0392b', dashed, points: rows.map((x) => ({ routes: x.routes, ns: x.xdpRouterNs })) });
    series.push({ label: `bpf_fib_lookup IPv${family}`, color: '#2471a3', dashed, points: rows.map((x) => ({ routes: x.routes, ns: x.referenceNs })) });
  }
  const all = series.flatMap((s) => s.points);
  const minExp = Math.floor(Math.log10(Math.min(...all.map((p) => p.routes))));
  const maxExp = Math.ceil(Math.log10(Math.max(...all.map((p) => p.routes))));
  const yMax = niceMax(Math.max(...all.map((p) => p.ns), 100) * 1.05);
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (routes: number): string => (M.left + ((Math.log10(routes) - minExp) / Math.max(1, maxExp - minExp)) * pw).toFixed(1);
  const y = (ns: number): string => (M.top + ph - (ns / yMax) * ph).toFixed(1);

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${M.left}" y="22" font-size="14" font-weight="bold">${esc(title)}</text>`);
  for (let e = minExp; e <= maxExp; e++) {
    const gx = x(10 ** e);
    out.push(`<line x1="${gx}" y1="${M.top}" x2="${gx}" y2="${M.top + ph}" stroke="#ddd"/>`);
    out.push(`<text x="${gx}" y="${M.top + ph + 18}" text-anchor="middle">${(10 ** e).toLocaleString('en-US')}</text>`);
  }
  const yStep = yMax / 5;
  for (let i = 0; i <= 5; i++) {
    const v = i * yStep;
    out.push(`<line x1="${M.left}" y1="${y(v)}" x2="${M.left + pw}" y2="${y(v)}" stroke="#ddd"/>`);
    out.push(`<text x="${M.left - 8}" y="${Number(y(v)) + 4}" text-anchor="end">${Math.round(v)}</text>`);
  }
  out.push(`<line x1="${M.left}" y1="${y(100)}" x2="${M.left + pw}" y2="${y(100)}" stroke="#7d7d7d" stroke-dasharray="2,3"/>`);
  out.push(`<text x="${M.left + pw - 4}" y="${Number(y(100)) - 5}" text-anchor="end" fill="#555">target: 100 ns</text>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 14}" text-anchor="middle">routes in the FIB (log scale)</text>`);
  out.push(`<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">ns per packet</text>`);
  series.forEach((s, i) => {
    const dash = s.dashed ? ' stroke-dasharray="6,4"' : '';
    const pts = s.points.map((p) => `${x(p.routes)},${y(p.ns)}`).join(' ');
    out.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    for (const p of s.points) out.push(`<circle cx="${x(p.routes)}" cy="${y(p.ns)}" r="3.5" fill="${s.color}"/>`);
    const ly = M.top + 10 + i * 22;
    out.push(`<line x1="${M.left + pw + 16}" y1="${ly}" x2="${M.left + pw + 46}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${M.left + pw + 52}" y="${ly + 4}">${esc(s.label)}</text>`);
  });
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
