// The metrics section: where /metrics is served.
import { readEndpoint } from './endpoint-reader.js';
import { CONFIG_KEYS } from './keys.js';
import type { RouterConfig } from './model.js';
import { or, type Reader, type Site } from './yaml-reader.js';

/** `d`: the defaults, for what the section leaves out. */
export function readMetrics(r: Reader, site: Site, d: RouterConfig['metrics']): RouterConfig['metrics'] {
  const f = r.fields(site, CONFIG_KEYS.metrics, 'a map {listen}');
  return { listen: or(f.listen, (s) => readEndpoint(r, s), d.listen) };
}
