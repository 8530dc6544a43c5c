// docs/api.md: the gRPC API reference, made from the .proto's own comments
// so the two cannot disagree. protobufjs's parser keeps `//` comments only
// in its alternate comment mode, and keeps none of the file's header (the
// comment above `syntax`), which is read from the text.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { DEFAULT_CONFIG } from '../../config/defaults.js';
import { PACKAGE, PROTO_DIR, PROTO_FILE } from '../../router/api/proto.js';
import { code, document, generatedNotice, link, paragraphs, table, text } from './markdown.js';

const SOURCE = `proto/${PROTO_FILE}`;

/** The API's services, messages and enums in the order the file declares them. */
export interface ApiModel {
  /** the comment above `syntax`, its lines as written */
  header: string[];
  services: protobuf.Service[];
  messages: protobuf.Type[];
  enums: protobuf.Enum[];
}

export function readApi(): ApiModel {
  const source = readFileSync(join(PROTO_DIR, PROTO_FILE), 'utf8');
  const { root } = protobuf.parse(source, { keepCase: true, alternateCommentMode: true });
  root.resolveAll();
  const pkg = root.lookup(PACKAGE);
  if (!(pkg instanceof protobuf.Namespace)) throw new Error(`${SOURCE} declares no package ${PACKAGE}`);
  const all = declarations(pkg);
  return {
    header: leadingComment(source),
    services: all.filter((o): o is protobuf.Service => o instanceof protobuf.Service),
    messages: all.filter((o): o is protobuf.Type => o instanceof protobuf.Type),
    enums: all.filter((o): o is protobuf.Enum => o instanceof protobuf.Enum),
  };
}

export function renderApiDocs(api: ApiModel = readApi()): string {
  return document([
    generatedNotice(SOURCE),
    '',
    '# gRPC API reference',
    '',
    `The daemon's API: package ${code(PACKAGE)}, defined in [${SOURCE}](../${SOURCE}). The services, messages and enums below are that file's declarations and comments.`,
    '',
    ...api.header.map(text),
    '',
    ...grpcurlSection(api),
    ...api.services.flatMap(serviceSection),
    '## Messages',
    '',
    ...api.messages.flatMap(messageSection),
    '## Enums',
    '',
    ...api.enums.flatMap(enumSection),
  ]);
}

function declarations(ns: protobuf.NamespaceBase): protobuf.ReflectionObject[] {
  return ns.nestedArray.flatMap((o) => [o, ...(o instanceof protobuf.Namespace || o instanceof protobuf.Type ? declarations(o) : [])]);
}

function leadingComment(source: string): string[] {
  const lines = source.split('\n');
  const end = lines.findIndex((l) => !l.startsWith('//'));
  return lines.slice(0, end).map((l) => l.replace(/^\/\/ ?/, ''));
}

/** A declaration's name as written inside the package: `Route`, `RouteEvent.Type`. */
function localName(o: protobuf.ReflectionObject): string {
  return o.fullName.slice(`.${PACKAGE}.`.length);
}

function grpcurlSection(api: ApiModel): string[] {
  const socket = DEFAULT_CONFIG.api.unix.path;
  const status = rpc(api, 'StatusService', 'GetStatus');
  const lookup = rpc(api, 'RouteService', 'LookupRoute');
  const address = lookup.resolvedRequestType?.fields.address;
  if (!address) throw new Error(`${SOURCE}: the grpcurl example sends LookupRoute an "address", which its request no longer has`);
  const call = (m: protobuf.Method) => `${PACKAGE}.${localName(m.parent!)}/${m.name}`;
  const unix = `grpcurl -plaintext -unix`;
  return [
    '## Reaching it with grpcurl',
    '',
    'The daemon serves server reflection, so [grpcurl](https://github.com/fullstorydev/grpcurl) needs no copy of the .proto.',
    `On the unix socket (config ${code('api.unix')}; ${code(socket)} by default), as root or as a member of the socket's group:`,
    '',
    '```sh',
    `${unix} ${socket} list`,
    `${unix} ${socket} describe ${PACKAGE}.${localName(lookup.parent!)}`,
    `${unix} ${socket} ${call(status)}`,
    `${unix} -d '{"${address.name}": "198.51.100.7"}' ${socket} ${call(lookup)}`,
    `${unix} ${socket} grpc.health.v1.Health/Check`,
    '```',
    '',
    'grpcurl speaks protobuf\'s JSON mapping of the messages below: field names in lowerCamelCase (`neighbor_mac` is `neighborMac`; the names as written are accepted too), enum values by name, 64-bit integers as strings.',
    '',
    `Over TCP (config ${code('api.tcp')}), give the address instead of ${code('-unix PATH')}, the CA that signed the daemon's certificate and, when the daemon requires client certificates (${code('api.tcp.tls.clientCa')}), the client's:`,
    '',
    '```sh',
    'grpcurl -cacert ca.pem -cert client.pem -key client.key router.example.net:50051 list',
    'grpcurl -plaintext 127.0.0.1:50051 list     # insecure: true, on loopback only',
    '```',
    '',
  ];
}

function rpc(api: ApiModel, service: string, method: string): protobuf.Method {
  const found = api.services.find((s) => s.name === service)?.methods[method];
  if (!found) throw new Error(`${SOURCE}: the grpcurl examples call ${service}.${method}, which is gone`);
  return found;
}

function serviceSection(service: protobuf.Service): string[] {
  const typeLink = (t: protobuf.Type | null, name: string, stream: boolean | undefined) =>
    `${stream ? 'stream ' : ''}${t ? link(localName(t), localName(t)) : code(name)}`;
  const summary = service.methodsArray.map((m) => [
    link(m.name, m.name),
    typeLink(m.resolvedRequestType, m.requestType, m.requestStream),
    typeLink(m.resolvedResponseType, m.responseType, m.responseStream),
  ]);
  return [
    `## ${service.name}`,
    '',
    ...commentBlocks(service.comment),
    ...table(['RPC', 'Request', 'Response'], summary),
    '',
    ...service.methodsArray.flatMap(methodSection),
  ];
}

function methodSection(m: protobuf.Method): string[] {
  const stream = (flag: boolean | undefined) => (flag ? 'stream ' : '');
  const signature = `rpc ${m.name}(${stream(m.requestStream)}${m.requestType}) returns (${stream(m.responseStream)}${m.responseType})`;
  return [`### ${m.name}`, '', code(signature), '', ...commentBlocks(m.comment)];
}

function messageSection(type: protobuf.Type): string[] {
  const rows = type.fieldsArray.map((f) => [code(f.name), fieldType(f), String(f.id), fieldComment(f)]);
  return [
    `### ${localName(type)}`,
    '',
    ...commentBlocks(type.comment),
    ...(rows.length > 0 ? table(['Field', 'Type', 'Number', 'Description'], rows) : ['No fields.']),
    '',
  ];
}

function enumSection(e: protobuf.Enum): string[] {
  const rows = Object.entries(e.values).map(([name, number]) => [code(name), String(number), oneLine(e.comments[name])]);
  return [`### ${localName(e)}`, '', ...commentBlocks(e.comment), ...table(['Value', 'Number', 'Description'], rows), ''];
}

function fieldType(f: protobuf.Field): string {
  const target = f.resolvedType;
  const shown = target ? link(localName(target), localName(target)) : code(f.type);
  if (f instanceof protobuf.MapField) return `map&lt;${code(f.keyType)}, ${shown}&gt;`;
  if (f.repeated) return `repeated ${shown}`;
  return isProto3Optional(f) ? `optional ${shown}` : shown;
}

function fieldComment(f: protobuf.Field): string {
  const comment = oneLine(f.comment);
  // proto3 `optional` is a oneof of one, made up by the compiler: not worth a mention
  const oneof = f.partOf && !isProto3Optional(f) ? `one of ${code(f.partOf.name)}` : '';
  return [oneof, comment].filter((s) => s !== '').join('; ');
}

function isProto3Optional(f: protobuf.Field): boolean {
  return f.options?.['proto3_optional'] === true;
}

function oneLine(comment: string | null | undefined): string {
  return text(paragraphs((comment ?? '').split('\n')).join(' '));
}

// The status names an RPC's comment starts a line with, as in
// "INVALID_ARGUMENT: malformed prefix"; the parser has dropped the
// indentation that set them apart, so they are recognised by name.
const STATUS_NAMES = new Set(Object.keys(grpc.status).filter((k) => !/^\d+$/.test(k)));
// Directions to the linter, not to readers.
const LINT_DIRECTIVE = /^buf:lint:/;

/** A comment as paragraphs, its status codes as a list. */
function commentBlocks(comment: string | null): string[] {
  const prose: string[] = [];
  const statuses: { name: string; lines: string[] }[] = [];
  // where a line that goes on the one before it belongs
  let current = prose;
  for (const line of (comment ?? '').split('\n')) {
    if (LINT_DIRECTIVE.test(line)) continue;
    const status = /^([A-Z_]+): (.*)$/.exec(line);
    if (status && STATUS_NAMES.has(status[1]!)) {
      current = [status[2]!];
      statuses.push({ name: status[1]!, lines: current });
    } else if (line === '') {
      current = prose;
      prose.push('');
    } else {
      current.push(line);
    }
  }
  const out = paragraphs(prose).flatMap((p) => [text(p), '']);
  if (statuses.length > 0) {
    out.push('Status codes:', '', ...statuses.map((s) => `- ${code(s.name)}: ${text(paragraphs(s.lines).join(' '))}`), '');
  }
  return out;
}
