// The generated references: as committed they are what the generator makes
// now, and they name everything the .proto and the config schema have
// (read here on their own, not through the generator).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as protobuf from 'protobufjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONFIG_KEYS } from '../../config/schema.js';
import { PACKAGE, PROTO_DIR, PROTO_FILE } from '../../router/api/proto.js';
import { main } from '../../router/cli.js';
import { DEFAULT_CONFIG_FILE } from '../../router/commands/load-config.js';
import { EXIT_CODES, REFUSED_EXAMPLE, refusalOf } from '../../tools/docs/config.js';
import { REFERENCES, referencePath } from '../../tools/docs/references.js';

function committed(file: string): string {
  try {
    return readFileSync(referencePath(file), 'utf8');
  } catch {
    return '';
  }
}

/** Each `##`/`###` heading's text and what follows it up to the next. */
function sections(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  let current: string | undefined;
  for (const line of markdown.split('\n')) {
    const heading = /^#{2,3} (.*)$/.exec(line);
    if (heading) out.set((current = heading[1]!), '');
    else if (current !== undefined) out.set(current, `${out.get(current)}${line}\n`);
  }
  return out;
}

function section(all: Map<string, string>, heading: string): string {
  const body = all.get(heading);
  expect(body, `a section "${heading}"`).toBeDefined();
  return body ?? '';
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('docs/: the generated references', () => {
  for (const reference of REFERENCES) {
    it(`${reference.file} is up to date`, () => {
      expect(committed(reference.file), `${reference.file} is not what the generator makes now: run \`npm run docs\``).toBe(reference.render());
    });
  }
});

describe('docs/api.md', () => {
  const doc = sections(committed('docs/api.md'));
  const protoText = readFileSync(join(PROTO_DIR, PROTO_FILE), 'utf8');
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(PROTO_DIR, target);
  root.loadSync(PROTO_FILE, { keepCase: true });
  const pkg = root.lookup(PACKAGE) as protobuf.Namespace;
  const all: protobuf.ReflectionObject[] = [];
  const walk = (ns: protobuf.NamespaceBase): void => {
    for (const o of ns.nestedArray) {
      all.push(o);
      if (o instanceof protobuf.Namespace) walk(o);
    }
  };
  walk(pkg);
  const name = (o: protobuf.ReflectionObject) => o.fullName.slice(`.${PACKAGE}.`.length);

  it('has every service and every rpc with its signature and the status codes its comment lists', () => {
    const services = all.filter((o): o is protobuf.Service => o instanceof protobuf.Service);
    expect(services.length).toBeGreaterThan(0);
    for (const service of services) {
      section(doc, service.name);
      for (const m of service.methodsArray) {
        const body = section(doc, m.name);
        const stream = (on: boolean | undefined) => (on ? 'stream ' : '');
        expect(body).toContain(`\`rpc ${m.name}(${stream(m.requestStream)}${m.requestType}) returns (${stream(m.responseStream)}${m.responseType})\``);
        const comment = new RegExp(`((?:[ \\t]*//.*\\n)+)[ \\t]*rpc ${m.name}\\(`).exec(protoText)?.[1] ?? '';
        for (const [, code] of comment.matchAll(/^\s*\/\/\s+([A-Z][A-Z_]+):/gm)) expect(body, `${m.name} answers ${code}`).toContain(`- \`${code}\`: `);
      }
    }
  });

  it('has every message with every field, its type and number', () => {
    const messages = all.filter((o): o is protobuf.Type => o instanceof protobuf.Type);
    expect(messages.length).toBeGreaterThan(0);
    for (const message of messages) {
      const body = section(doc, name(message));
      for (const f of message.fieldsArray) {
        expect(body, `${name(message)}.${f.name}`).toMatch(new RegExp(`^\\| \`${f.name}\` \\| .*${escape(f.type.split('.').at(-1)!)}.* \\| ${f.id} \\|`, 'm'));
      }
    }
  });

  it('has every enum with every value and its number', () => {
    const enums = all.filter((o): o is protobuf.Enum => o instanceof protobuf.Enum);
    expect(enums.length).toBeGreaterThan(0);
    for (const e of enums) {
      const body = section(doc, name(e));
      for (const [value, number] of Object.entries(e.values)) expect(body, `${name(e)}.${value}`).toMatch(new RegExp(`^\\| \`${value}\` \\| ${number} \\|`, 'm'));
    }
  });

  it('shows how to reach the API with grpcurl over the unix socket', () => {
    expect(section(doc, 'Reaching it with grpcurl')).toContain('grpcurl -plaintext -unix /run/xdp-router/xdp-router.sock list');
  });
});

describe('docs/config.md', () => {
  const text = committed('docs/config.md');
  const doc = sections(text);

  it('has every key the config schema accepts, with its type and default', () => {
    const paths = Object.entries(CONFIG_KEYS).flatMap(([section, keys]) => keys.map((key) => (section ? `${section}.${key}` : key)));
    expect(paths).toContain('api.tcp.tls.clientCa');
    for (const path of paths) {
      expect(text, `${path} in the summary`).toMatch(new RegExp(`^\\| \\[\`${escape(path)}\`\\]`, 'm'));
      const body = section(doc, `\`${path}\``);
      expect(body, path).toMatch(/^- Type: \S/m);
      expect(body, path).toMatch(/^- Default: \S/m);
    }
  });

  describe('what it says of the command line holds', () => {
    afterEach(() => vi.restoreAllMocks());

    /** main()'s exit code and what it wrote, without letting it reach the terminal. */
    async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
      const out = { stdout: '', stderr: '' };
      const capture = (stream: 'stdout' | 'stderr') =>
        vi.spyOn(process[stream], 'write').mockImplementation((chunk: string | Uint8Array) => {
          out[stream] += String(chunk);
          return true;
        });
      capture('stdout');
      capture('stderr');
      const code = await main(args);
      vi.restoreAllMocks();
      return { code, ...out };
    }

    it('a bad file is refused as shown, with exit code 2', async () => {
      // refusalOf() throws for a file the reader takes: `run` must not start a daemon here
      refusalOf(REFUSED_EXAMPLE, 'check');
      const dir = mkdtempSync(join(tmpdir(), 'xrt-docs-'));
      const file = join(dir, 'config.yaml');
      writeFileSync(file, REFUSED_EXAMPLE);
      try {
        const { code, stderr } = await run(['run', '--config', file]);
        expect(code).toBe(2);
        expect(stderr).toMatch(/^xdp-router: .*\n$/);
        expect(text).toContain(stderr.replaceAll(file, DEFAULT_CONFIG_FILE));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('the exit codes are those of xdp-router --help', async () => {
      const { code, stdout } = await run(['--help']);
      expect(code).toBe(0);
      expect(stdout.split('\n')).toContain(EXIT_CODES);
      expect(text).toContain(EXIT_CODES);
    });
  });
});
