// Realistic random messages of a chosen size, built by protobufjs reflection so the gRPC side (binary)
// and the REST side (proto3 JSON) carry the very same message.
import type protobuf from 'protobufjs';

const WORDS = [
  'alpha',
  'order',
  'customer',
  'shipped',
  'pending',
  'invoice',
  'berlin',
  'lisbon',
  'premium',
  'refund',
  'mobile',
  'gift',
];
const MAX_DEPTH = 4;

/** A small deterministic generator (mulberry32) so runs are repeatable. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Obj = Record<string, unknown>;

export function payloadBytes(size: string): number {
  const named: Record<string, number> = { small: 128, medium: 1024, large: 32 * 1024 };
  if (size in named) return named[size]!;
  const n = Number(size);
  if (!Number.isInteger(n) || n < 16 || n > 4 * 1024 * 1024)
    throw new Error(`--payload ${size}: use small, medium, large or a byte count from 16 to 4194304`);
  return n;
}

export function fillMessage(type: protobuf.Type, targetJsonBytes: number, seed = 42): Obj {
  const random = rng(seed);
  const word = () => WORDS[Math.floor(random() * WORDS.length)]!;
  const text = () => `${word()}-${word()}-${Math.floor(random() * 1e6)}`;

  function scalar(field: protobuf.Field): unknown {
    const t = field.resolvedType;
    if (t && 'values' in t) {
      const values = Object.values((t as protobuf.Enum).values);
      return values.find((v) => v !== 0) ?? values[0] ?? 0;
    }
    switch (field.type) {
      case 'string':
        return field.name.toLowerCase().includes('id')
          ? `${Math.floor(random() * 1e9).toString(36)}-${Math.floor(random() * 1e9).toString(36)}`
          : text();
      case 'bytes':
        return Buffer.from(Array.from({ length: 16 }, () => Math.floor(random() * 256))).toString('base64');
      case 'bool':
        return random() < 0.5;
      case 'double':
      case 'float':
        return Math.round(random() * 100_000) / 100;
      case 'int64':
      case 'sint64':
      case 'sfixed64':
      case 'uint64':
      case 'fixed64':
        return String(Math.floor(random() * 2 ** 40));
      default:
        return Math.floor(random() * 100_000);
    }
  }

  function message(t: protobuf.Type, depth: number): Obj {
    if (t.fullName === '.google.protobuf.Timestamp')
      return { seconds: String(1_700_000_000 + Math.floor(random() * 1e7)), nanos: Math.floor(random() * 1e9) };
    if (t.fullName === '.google.protobuf.Duration') return { seconds: String(Math.floor(random() * 3600)), nanos: 0 };
    const out: Obj = {};
    const doneOneofs = new Set<string>();
    for (const field of t.fieldsArray) {
      if (field.partOf) {
        if (doneOneofs.has(field.partOf.name)) continue;
        doneOneofs.add(field.partOf.name);
      }
      const value = fieldValue(field, depth);
      if (value !== undefined) out[field.name] = value;
    }
    return out;
  }

  function fieldValue(field: protobuf.Field, depth: number): unknown {
    field.resolve();
    const rt = field.resolvedType;
    const one = (): unknown => {
      if (rt && !('values' in rt)) {
        const mt = rt as protobuf.Type;
        // Any's value is opaque bytes and recursive types would never end: leave them out.
        if (mt.fullName === '.google.protobuf.Any' || depth >= MAX_DEPTH) return undefined;
        return message(mt, depth + 1);
      }
      return scalar(field);
    };
    if (field.map) {
      const v = one();
      return v === undefined ? undefined : { [text()]: v };
    }
    if (field.repeated) {
      const v = one();
      return v === undefined ? undefined : [v];
    }
    return one();
  }

  const root = message(type, 0);
  // Grow lists (round robin) until the JSON form reaches the target size; bounded in steps.
  const grow: (() => void)[] = [];
  for (const field of type.fieldsArray) {
    if (field.repeated && Array.isArray(root[field.name])) {
      grow.push(() => {
        const v = fieldValue(field, 0) as unknown[] | undefined;
        if (v) (root[field.name] as unknown[]).push(v[0]);
      });
    } else if (field.map && root[field.name]) {
      grow.push(() => Object.assign(root[field.name] as Obj, fieldValue(field, 0) as Obj));
    }
  }
  const stringField = type.fieldsArray.find((f) => f.type === 'string' && !f.repeated && !f.map && !f.partOf);
  for (let step = 0; step < 100_000 && JSON.stringify(root).length < targetJsonBytes; step++) {
    if (grow.length) grow[step % grow.length]!();
    else if (stringField) {
      root[stringField.name] = `${String(root[stringField.name] ?? '')} ${text()}`.trim();
    } else break;
  }
  return root;
}
