// File system paths in the configuration: the pin directory on bpffs, and
// the absolute paths of sockets and certificates.
import { posix } from 'node:path';
import { quote, type Reader, type Site } from './yaml-reader.js';

const BPFFS = '/sys/fs/bpf';
const PATH_EXPECTED = 'an absolute path';

export function readPinDir(r: Reader, site: Site): string {
  const expected = `a directory under ${BPFFS}/ (pins can only live on the BPF filesystem, mounted there)`;
  const dir = r.text(site, expected);
  // normalize() folds "..", which could otherwise climb out of the mount
  const normal = posix.normalize(dir).replace(/\/+$/, '');
  if (!dir.startsWith('/') || !normal.startsWith(`${BPFFS}/`)) r.fail(site, quote(dir), expected);
  return normal;
}

export function readAbsolutePath(r: Reader, site: Site): string {
  const path = r.text(site, PATH_EXPECTED);
  if (!path.startsWith('/')) {
    r.fail(site, quote(path), PATH_EXPECTED, "a relative path would depend on the daemon's working directory");
  }
  return path;
}
