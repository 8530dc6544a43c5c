// `xdp-router install [--root DIR]`: put the systemd unit, the example config
// (never over an existing one) and the iproute2 name of the route protocol in
// place. --root writes under another directory (packaging, tests).
import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_CONFIG } from '../../config/schema.js';
import { packageRoot } from '../../dataplane/package-root.js';
import { DAEMON_NODE_FLAGS } from '../node-flags.js';

const PACKAGE_ROOT = packageRoot();

export interface InstallResult {
  written: string[];
  kept: string[];
}

export function install(root = '/'): InstallResult {
  const result: InstallResult = { written: [], kept: [] };
  const put = (path: string, content: string | { copyFrom: string }, overwrite: boolean): void => {
    const target = join(root, path);
    if (!overwrite && existsSync(target)) {
      result.kept.push(target);
      return;
    }
    mkdirSync(dirname(target), { recursive: true });
    if (typeof content === 'string') writeFileSync(target, content);
    else copyFileSync(content.copyFrom, target);
    result.written.push(target);
  };
  const unit = readFileSync(join(PACKAGE_ROOT, 'config', 'xdp-router.service'), 'utf8')
    .replaceAll('@NODE@', process.execPath)
    .replaceAll('@NODE_FLAGS@', DAEMON_NODE_FLAGS.join(' '))
    .replaceAll('@PACKAGE@', PACKAGE_ROOT);
  put('etc/systemd/system/xdp-router.service', unit, true);
  put('etc/xdp-router/config.yaml', { copyFrom: join(PACKAGE_ROOT, 'config', 'example.yaml') }, false);
  // `ip route` then shows "proto xdp-router" for the routes the daemon installs
  put('etc/iproute2/rt_protos.d/xdp-router.conf', `${DEFAULT_CONFIG.routeProtocol}\txdp-router\n`, true);
  linkCommand(root, result);
  return result;
}

/**
 * `xdp-router` on the PATH: a symlink to this checkout's entry point. An
 * earlier link is replaced (another checkout); a real file is somebody
 * else's command and is kept.
 */
function linkCommand(root: string, result: InstallResult): void {
  const target = join(root, 'usr/local/bin/xdp-router');
  const stat = lstatSync(target, { throwIfNoEntry: false });
  if (stat && !stat.isSymbolicLink()) {
    result.kept.push(target);
    return;
  }
  mkdirSync(dirname(target), { recursive: true });
  if (stat) rmSync(target);
  symlinkSync(join(PACKAGE_ROOT, 'bin', 'xdp-router.js'), target);
  result.written.push(target);
}
