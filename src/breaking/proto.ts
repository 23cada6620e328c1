// Proto rules. The wire-breaking ones follow buf's WIRE category (learned from its rule list, written
// here from the protobuf wire-format rules), plus two buf keeps in FILE: a deleted RPC or service
// answers UNIMPLEMENTED to every deployed caller, so here it is wire-breaking (see the README).
import type { EnumInfo, FieldInfo, MessageInfo, MethodInfo, ProtoModel, ServiceInfo } from './proto-model.js';
import type { ContractChange, Severity } from './types.js';

/** Scalars that read each other's bytes: varints, zigzag varints, 32-bit, 64-bit (buf's wire groups). */
const WIRE_GROUP: Record<string, number> = {
  int32: 1,
  int64: 1,
  uint32: 1,
  uint64: 1,
  bool: 1,
  sint32: 2,
  sint64: 2,
  string: 3,
  bytes: 4,
  fixed32: 5,
  sfixed32: 5,
  fixed64: 6,
  sfixed64: 6,
  double: 7,
  float: 8,
  message: 10,
  enum: 11,
};

const CARDINALITY_GROUP = { optional: 1, required: 2, repeated: 3, map: 3 } as const;

class Collector {
  readonly changes: ContractChange[] = [];
  constructor(private readonly before: ProtoModel) {}
  add(severity: Severity, rule: string, subject: string, reason: string, file: string, fix?: string): void {
    const path = this.before.paths.get(file) ?? file;
    this.changes.push({ severity, rule, subject, reason, file: path, ...(fix ? { fix } : {}) });
  }
}

/** Every change from `before` to `after`, each classified. */
export function diffProtoModels(before: ProtoModel, after: ProtoModel): ContractChange[] {
  const out = new Collector(before);
  for (const [file, pkg] of before.packages) {
    const now = after.packages.get(file);
    if (now !== undefined && now !== pkg) {
      out.add(
        'wire-breaking',
        'FILE_SAME_PACKAGE',
        `package of ${file}`,
        `package "${pkg}" became "${now}": every message name and RPC path moves${pathExample(before, file, now)}`,
        file,
        `keep "package ${pkg};" and put new definitions in a new file`,
      );
    }
  }
  // After a package rename, compare each definition with its namesake in the new package, so the one
  // rename is reported once instead of as every message deleted and added.
  const moved = renamePackages(before, after);
  diffMessages(out, moved, after);
  diffEnums(out, moved, after);
  diffServices(out, moved, after);
  return out.changes;
}

/** `(/user.v1.UserService/GetUser -> /user.v2.UserService/GetUser)` for a file with an RPC. */
function pathExample(before: ProtoModel, file: string, pkg: string): string {
  const service = [...before.services.values()].find((s) => s.file === file && s.methods.size);
  const method = service && [...service.methods.keys()][0];
  if (!service || !method) return '';
  const short = service.fullName.split('.').pop();
  return ` (/${service.fullName}/${method} -> /${pkg ? `${pkg}.` : ''}${short}/${method})`;
}

/**
 * The `before` model with the definitions of each file whose package changed renamed into the new
 * package. References are renamed only inside renamed definitions (the package moved as a whole);
 * a reference from a file that stayed put keeps the old name, so it is reported as changed, as buf does.
 */
function renamePackages(before: ProtoModel, after: ProtoModel): ProtoModel {
  const moved = new Map<string, [string, string]>();
  for (const [file, pkg] of before.packages) {
    const now = after.packages.get(file);
    if (now !== undefined && now !== pkg && pkg !== '') moved.set(file, [`${pkg}.`, now ? `${now}.` : '']);
  }
  if (!moved.size) return before;
  const names = new Map<string, string>();
  for (const d of [...before.messages.values(), ...before.enums.values(), ...before.services.values()]) {
    const m = moved.get(d.file);
    if (m && d.fullName.startsWith(m[0])) names.set(d.fullName, m[1] + d.fullName.slice(m[0].length));
  }
  const rename = (name: string): string => names.get(name) ?? name;
  const rekey = <T extends { fullName: string }>(map: Map<string, T>, copy: (v: T) => T): Map<string, T> =>
    new Map(
      [...map.values()].map((v) => {
        const next = names.has(v.fullName) ? { ...copy(v), fullName: rename(v.fullName) } : v;
        return [next.fullName, next];
      }),
    );
  return {
    ...before,
    messages: rekey(before.messages, (m) => ({
      ...m,
      fields: new Map([...m.fields].map(([n, f]) => [n, f.typeName ? { ...f, typeName: rename(f.typeName) } : f])),
    })),
    enums: rekey(before.enums, (e) => ({ ...e, formerName: e.fullName })),
    services: rekey(before.services, (s) => ({
      ...s,
      methods: new Map(
        [...s.methods].map(([k, m]) => [k, { ...m, request: rename(m.request), response: rename(m.response) }]),
      ),
    })),
  };
}

function diffMessages(out: Collector, before: ProtoModel, after: ProtoModel): void {
  for (const [name, old] of before.messages) {
    const now = after.messages.get(name);
    if (!now) {
      out.add(
        'source-breaking',
        'MESSAGE_NO_DELETE',
        `message ${name}`,
        'the generated type is gone; code using it stops compiling ' +
          '(a field or RPC still using it is reported on its own)',
        old.file,
      );
      continue;
    }
    for (const [number, f] of old.fields) {
      const g = now.fields.get(number);
      if (g) diffField(out, `${name}.${f.name} (${number})`, f, g, before, after, now.file);
      else deletedField(out, name, f, now);
    }
    for (const [number, g] of now.fields) {
      if (old.fields.has(number)) continue;
      if (g.cardinality !== 'required')
        out.add('safe', 'FIELD_ADDED', `field ${name}.${g.name} (${number})`, 'old peers skip it', now.file);
    }
    requiredFields(out, name, old, now);
    lostReservations(out, `message ${name}`, old, now, 'RESERVED_MESSAGE_NO_DELETE');
  }
  for (const [name, m] of after.messages)
    if (!before.messages.has(name))
      out.add('safe', 'MESSAGE_ADDED', `message ${name}`, 'nothing used it before', m.file);
}

/** proto2 `required`: a field one side must send and the other side does not know about breaks. */
function requiredFields(out: Collector, name: string, old: MessageInfo, now: MessageInfo): void {
  const required = (m: MessageInfo) =>
    new Set([...m.fields.values()].filter((f) => f.cardinality === 'required').map((f) => f.number));
  const was = required(old);
  const is = required(now);
  for (const n of was)
    if (!is.has(n))
      out.add(
        'wire-breaking',
        'MESSAGE_SAME_REQUIRED_FIELDS',
        `field ${name}.${old.fields.get(n)!.name} (${n})`,
        'no longer required: deployed peers reject messages without it',
        now.file,
        'keep it required',
      );
  for (const n of is)
    if (!was.has(n))
      out.add(
        'wire-breaking',
        'MESSAGE_SAME_REQUIRED_FIELDS',
        `field ${name}.${now.fields.get(n)!.name} (${n})`,
        'newly required: deployed peers do not send it, so their messages are rejected',
        now.file,
        'make it optional',
      );
}

function isReserved(m: Pick<MessageInfo, 'reservedNumbers'>, n: number): boolean {
  return m.reservedNumbers.some(([lo, hi]) => n >= lo && n <= hi);
}

function deletedField(out: Collector, message: string, f: FieldInfo, now: MessageInfo): void {
  const subject = `field ${message}.${f.name} (${f.number})`;
  if (!isReserved(now, f.number)) {
    const short = message.split('.').pop();
    out.add(
      'wire-breaking',
      'FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED',
      subject,
      `number ${f.number} is free again: a later field reusing it misreads what deployed peers send`,
      now.file,
      `add "reserved ${f.number};" to message ${short} (and reserved "${f.name}"; for JSON peers)`,
    );
  } else {
    out.add(
      'source-breaking',
      'FIELD_NO_DELETE',
      subject,
      'its number is reserved; code reading it stops compiling',
      now.file,
    );
  }
}

function diffField(
  out: Collector,
  label: string,
  f: FieldInfo,
  g: FieldInfo,
  before: ProtoModel,
  after: ProtoModel,
  file: string,
): void {
  const subject = `field ${label}`;
  if (f.name !== g.name)
    out.add(
      'source-breaking',
      'FIELD_SAME_NAME',
      subject,
      `renamed to "${g.name}": the binary wire is unchanged, but generated property names and JSON keys change`,
      file,
      `keep the name "${f.name}"`,
    );
  const typeProblem = fieldTypeProblem(f, g, before, after);
  if (typeProblem)
    out.add(
      'wire-breaking',
      'FIELD_WIRE_COMPATIBLE_TYPE',
      subject,
      typeProblem,
      file,
      'add a new field with a new number instead',
    );
  else if (typeText(f) !== typeText(g)) {
    // Same bytes on the wire; the generated TypeScript type changes unless both map to the same one.
    const ts = tsKind(f.kind) !== tsKind(g.kind) || tsKind(f.mapKey) !== tsKind(g.mapKey) || f.typeName !== g.typeName;
    const why = `type ${typeText(f)} became ${typeText(g)} (same wire encoding${ts ? ', another TypeScript type' : ''})`;
    out.add(ts ? 'source-breaking' : 'safe', 'FIELD_SAME_TYPE', subject, why, file);
  }
  if (CARDINALITY_GROUP[f.cardinality] !== CARDINALITY_GROUP[g.cardinality])
    out.add(
      'wire-breaking',
      'FIELD_WIRE_COMPATIBLE_CARDINALITY',
      subject,
      `${f.cardinality} became ${g.cardinality}: the two are encoded differently`,
      file,
      'add a new field with a new number instead',
    );
  if (f.oneof !== g.oneof)
    out.add(
      'wire-breaking',
      'FIELD_SAME_ONEOF',
      subject,
      oneofMove(f, g),
      file,
      'leave oneof membership as it is; add a new field instead',
    );
  if (f.defaultValue !== g.defaultValue)
    out.add(
      'wire-breaking',
      'FIELD_SAME_DEFAULT',
      subject,
      `default ${f.defaultValue ?? '(none)'} became ${g.defaultValue ?? '(none)'}: ` +
        'peers read an absent field differently',
      file,
    );
}

function oneofMove(f: FieldInfo, g: FieldInfo): string {
  if (f.oneof && g.oneof) return `moved from oneof ${f.oneof} to oneof ${g.oneof}`;
  if (f.oneof) return `moved out of oneof ${f.oneof}: peers may now receive it together with its former alternatives`;
  return `moved into oneof ${g.oneof}: setting another member now clears it`;
}

/** The TypeScript type family a scalar is generated as (32-bit numbers and floats are all `number`). */
function tsKind(kind: string | undefined): string | undefined {
  if (kind && /^(u?int32|sint32|s?fixed32|float|double)$/.test(kind)) return 'number';
  if (kind && /^(u?int64|sint64|s?fixed64)$/.test(kind)) return 'int64';
  return kind;
}

function typeText(f: FieldInfo): string {
  const t = f.typeName ?? f.kind;
  return f.mapKey ? `map<${f.mapKey}, ${t}>` : t;
}

/** Why `g` cannot read what `f` wrote (or the reverse), or undefined when the wire agrees. */
function fieldTypeProblem(f: FieldInfo, g: FieldInfo, before: ProtoModel, after: ProtoModel): string | undefined {
  if (f.mapKey && g.mapKey && WIRE_GROUP[f.mapKey] !== WIRE_GROUP[g.mapKey])
    return `map key ${f.mapKey} became ${g.mapKey}: different wire encodings`;
  if (WIRE_GROUP[f.kind] !== WIRE_GROUP[g.kind]) {
    if (f.kind === 'string' && g.kind === 'bytes') return undefined;
    return `type ${typeText(f)} became ${typeText(g)}: different wire encodings`;
  }
  if (f.typeName === g.typeName) return undefined;
  if (f.kind === 'enum') {
    const old =
      before.enums.get(f.typeName ?? '') ?? [...before.enums.values()].find((e) => e.formerName === f.typeName);
    const now = after.enums.get(g.typeName ?? '');
    if (old && now && sameShortName(old.fullName, now.fullName) && enumIsSubset(old, now)) return undefined;
  }
  return `type ${f.typeName} became ${g.typeName}: a different ${f.kind}`;
}

function sameShortName(a: string, b: string): boolean {
  return a.split('.').pop() === b.split('.').pop();
}

function enumIsSubset(old: EnumInfo, now: EnumInfo): boolean {
  for (const [n, names] of old.values) {
    const has = now.values.get(n);
    if (!has || !names.every((x) => has.includes(x))) return false;
  }
  return true;
}

function lostReservations(
  out: Collector,
  subject: string,
  old: Pick<MessageInfo, 'reservedNumbers' | 'reservedNames' | 'file'>,
  now: Pick<MessageInfo, 'reservedNumbers' | 'reservedNames' | 'file'>,
  rule: string,
): void {
  for (const [lo, hi] of old.reservedNumbers) {
    const covered = now.reservedNumbers.some(([a, b]) => a <= lo && b >= hi);
    if (!covered)
      out.add(
        'wire-breaking',
        rule,
        subject,
        `reserved ${lo === hi ? lo : `${lo} to ${hi}`} was removed: old numbers may be reused`,
        now.file,
        `restore "reserved ${lo === hi ? lo : `${lo} to ${hi}`};"`,
      );
  }
  for (const name of old.reservedNames)
    if (!now.reservedNames.includes(name))
      out.add(
        'wire-breaking',
        rule,
        subject,
        `reserved name "${name}" was removed`,
        now.file,
        `restore 'reserved "${name}";'`,
      );
}

function diffEnums(out: Collector, before: ProtoModel, after: ProtoModel): void {
  for (const [name, old] of before.enums) {
    const now = after.enums.get(name);
    if (!now) {
      out.add(
        'source-breaking',
        'ENUM_NO_DELETE',
        `enum ${name}`,
        'the generated type is gone; code using it stops compiling',
        old.file,
      );
      continue;
    }
    for (const [n, names] of old.values) {
      const has = now.values.get(n);
      const subject = `enum value ${name}.${names[0]} (${n})`;
      if (!has) {
        if (isReserved(now, n))
          out.add(
            'source-breaking',
            'ENUM_VALUE_NO_DELETE',
            subject,
            'its number is reserved; code naming it stops compiling',
            now.file,
          );
        else
          out.add(
            'wire-breaking',
            'ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED',
            subject,
            `number ${n} is free again: a later value reusing it means something else to deployed peers`,
            now.file,
            `add "reserved ${n};" to enum ${name.split('.').pop()} (and reserved "${names[0]}"; for JSON peers)`,
          );
      } else if (!names.every((x) => has.includes(x))) {
        out.add(
          'source-breaking',
          'ENUM_VALUE_SAME_NAME',
          subject,
          `renamed to ${has.join(', ')}: the binary wire is unchanged, JSON and code change`,
          now.file,
        );
      }
    }
    for (const [n, names] of now.values)
      if (!old.values.has(n))
        out.add(
          'safe',
          'ENUM_VALUE_ADDED',
          `enum value ${name}.${names[0]} (${n})`,
          'old peers read it as an unknown value',
          now.file,
        );
    lostReservations(out, `enum ${name}`, old, now, 'RESERVED_ENUM_NO_DELETE');
  }
}

function diffServices(out: Collector, before: ProtoModel, after: ProtoModel): void {
  for (const [name, old] of before.services) {
    const now = after.services.get(name);
    if (!now) {
      const renamed = [...after.services.values()].find((s) => !before.services.has(s.fullName) && sameMethods(old, s));
      out.add(
        'wire-breaking',
        'SERVICE_NO_DELETE',
        `service ${name}`,
        `${renamed ? `renamed to ${renamed.fullName}: ` : ''}deployed callers of /${name}/* get UNIMPLEMENTED`,
        old.file,
        renamed ? `keep service ${name} (both names can be served)` : 'keep the service until no caller uses it',
      );
      continue;
    }
    for (const [m, a] of old.methods) diffMethod(out, name, a, now.methods.get(m), now.file);
    for (const m of now.methods.keys())
      if (!old.methods.has(m)) out.add('safe', 'RPC_ADDED', `rpc ${name}.${m}`, 'old callers do not call it', now.file);
  }
  for (const [name, s] of after.services)
    if (!before.services.has(name))
      out.add('safe', 'SERVICE_ADDED', `service ${name}`, 'old callers do not call it', s.file);
}

const shape = (streaming: boolean, side: string) =>
  `${side} streaming ${streaming ? 'removed' : 'added'}: deployed callers use the other call shape`;

/** Each RPC rule: why the two versions of one RPC disagree on the wire, or undefined. */
const RPC_RULES: [string, (a: MethodInfo, b: MethodInfo) => string | undefined][] = [
  [
    'RPC_SAME_REQUEST_TYPE',
    (a, b) => (a.request !== b.request ? `request ${a.request} became ${b.request}` : undefined),
  ],
  [
    'RPC_SAME_RESPONSE_TYPE',
    (a, b) => (a.response !== b.response ? `response ${a.response} became ${b.response}` : undefined),
  ],
  [
    'RPC_SAME_CLIENT_STREAMING',
    (a, b) => (a.clientStreaming !== b.clientStreaming ? shape(a.clientStreaming, 'client') : undefined),
  ],
  [
    'RPC_SAME_SERVER_STREAMING',
    (a, b) => (a.serverStreaming !== b.serverStreaming ? shape(a.serverStreaming, 'server') : undefined),
  ],
  [
    'RPC_SAME_IDEMPOTENCY_LEVEL',
    (a, b) =>
      a.idempotency !== b.idempotency
        ? `idempotency_level ${a.idempotency ?? '(unset)'} became ${b.idempotency ?? '(unset)'}: ` +
          'clients choose GET or POST by it'
        : undefined,
  ],
];

function diffMethod(out: Collector, service: string, a: MethodInfo, b: MethodInfo | undefined, file: string): void {
  const subject = `rpc ${service}.${a.name}`;
  if (!b) {
    const why = `deployed callers of /${service}/${a.name} get UNIMPLEMENTED`;
    out.add(
      'wire-breaking',
      'RPC_NO_DELETE',
      subject,
      why,
      file,
      'keep the RPC (deprecate it) until no caller uses it',
    );
    return;
  }
  for (const [rule, check] of RPC_RULES) {
    const why = check(a, b);
    if (why)
      out.add(
        'wire-breaking',
        rule,
        subject,
        why,
        file,
        rule.endsWith('IDEMPOTENCY_LEVEL') ? undefined : 'add a new RPC instead',
      );
  }
}

function sameMethods(a: ServiceInfo, b: ServiceInfo): boolean {
  return a.methods.size === b.methods.size && [...a.methods.keys()].every((m) => b.methods.has(m));
}
