// A flattened device tree (DTB) writer, version 17 (Devicetree Specification 0.4,
// chapter 5): header, empty memory reservation map, structure block (BEGIN_NODE /
// PROP / END_NODE tokens, 4-byte aligned), strings block. All fields big-endian,
// whatever the guest's byte order. Boards build the tree from FdtNode values with the
// property helpers below. checkFdt checks a tree a user supplies (the header, the
// memory reservation map and the structure block's tokens, as libfdt's fdt_check_header
// and a walk of the tree would) so a bad one is refused before the guest sees it.

export type FdtValue = Uint8Array;

export interface FdtNode {
  readonly name: string;
  readonly props: ReadonlyArray<readonly [string, FdtValue]>;
  readonly children?: readonly FdtNode[];
}

const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1, FDT_END_NODE = 2, FDT_PROP = 3, FDT_NOP = 4, FDT_END = 9;
const HEADER_BYTES = 40;

/** A property of 32-bit cells. */
export const cells = (...v: number[]): FdtValue => {
  const b = new Uint8Array(v.length * 4);
  const dv = new DataView(b.buffer);
  v.forEach((x, i) => dv.setUint32(i * 4, x >>> 0));
  return b;
};
/** A 64-bit value as two cells (high first). */
export const cells64 = (v: number): number[] => [Math.floor(v / 2 ** 32) >>> 0, v >>> 0];
/** A NUL-terminated string, or a string list. */
export const str = (...s: string[]): FdtValue => new TextEncoder().encode(s.map((x) => `${x}\0`).join(''));
/** A property without a value (a flag). */
export const empty = (): FdtValue => new Uint8Array(0);

export function buildFdt(root: FdtNode, bootCpu = 0): Uint8Array {
  const strings: number[] = [];
  const stringOff = new Map<string, number>();
  const struct: number[] = [];
  const u32 = (v: number): void => { struct.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff); };
  const bytes = (b: Uint8Array): void => {
    for (const x of b) struct.push(x);
    while (struct.length % 4) struct.push(0);
  };
  const nameOff = (name: string): number => {
    let off = stringOff.get(name);
    if (off === undefined) {
      off = strings.length;
      stringOff.set(name, off);
      for (const c of new TextEncoder().encode(name)) strings.push(c);
      strings.push(0);
    }
    return off;
  };
  const node = (n: FdtNode): void => {
    u32(FDT_BEGIN_NODE);
    bytes(str(n.name));
    for (const [name, value] of n.props) {
      u32(FDT_PROP);
      u32(value.length);
      u32(nameOff(name));
      bytes(value);
    }
    for (const c of n.children ?? []) node(c);
    u32(FDT_END_NODE);
  };
  node(root);
  u32(FDT_END);

  const rsvOff = HEADER_BYTES;
  const structOff = rsvOff + 16; // one terminating (0, 0) reservation entry
  const stringsOff = structOff + struct.length;
  const total = stringsOff + strings.length;
  const out = new Uint8Array(Math.ceil(total / 8) * 8);
  const dv = new DataView(out.buffer);
  [FDT_MAGIC, out.length, structOff, stringsOff, rsvOff, 17, 16, bootCpu, strings.length, struct.length]
    .forEach((v, i) => dv.setUint32(i * 4, v));
  out.set(struct, structOff);
  out.set(strings, stringsOff);
  return out;
}

/** A device tree blob that is not one, or not one this board can pass on. */
export class FdtError extends Error {}

/**
 * Checks that `b` is a whole, well-formed flattened device tree of at most `maxBytes`
 * (versions 16/17: the ones dtc writes and Linux reads); FdtError with one line otherwise.
 */
export function checkFdt(b: Uint8Array, maxBytes: number): void {
  const bad = (why: string): never => { throw new FdtError(`not a usable device tree blob: ${why}`); };
  if (b.length < HEADER_BYTES) bad(`${b.length} bytes, shorter than the ${HEADER_BYTES}-byte header (truncated?)`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const h = (i: number): number => dv.getUint32(i * 4);
  if (h(0) !== FDT_MAGIC) {
    const text = /^\s*(\/dts-v1\/|\/\s*\{)/.test(new TextDecoder().decode(b.subarray(0, 64)));
    bad(`magic 0x${h(0).toString(16).padStart(8, '0')}, not 0xd00dfeed${text ? ' (a .dts source? compile it with dtc -O dtb)' : ''}`);
  }
  const [total, structOff, stringsOff, rsvOff, version, lastComp] = [h(1), h(2), h(3), h(4), h(5), h(6)];
  const structSize = h(9), stringsSize = h(8);
  if (total > maxBytes || b.length > maxBytes) bad(`${Math.max(total, b.length)} bytes, more than the ${maxBytes}-byte limit`);
  if (total > b.length) bad(`the header says ${total} bytes, the file has ${b.length} (truncated)`);
  if (version < 16 || lastComp > 17) bad(`version ${version} (compatible with ${lastComp}); Linux reads versions 16 and 17`);
  const within = (what: string, off: number, size: number): void => {
    if (off < HEADER_BYTES || off + size > total) bad(`the ${what} (offset ${off}, ${size} bytes) lies outside the ${total}-byte tree`);
  };
  within('structure block', structOff, structSize);
  within('strings block', stringsOff, stringsSize);
  if (structOff % 4 || rsvOff % 8) bad('misaligned structure block or memory reservation map');
  // Memory reservation map: (address, size) pairs up to a (0, 0) entry.
  for (let o = rsvOff; ; o += 16) {
    if (o < HEADER_BYTES || o + 16 > total) bad('the memory reservation map has no end entry within the tree');
    if (dv.getBigUint64(o) === 0n && dv.getBigUint64(o + 8) === 0n) break;
  }
  // Structure block: nodes nested properly, properties naming strings, one root, then FDT_END.
  const end = structOff + structSize;
  const cstr = (from: number, limit: number, what: string): number => {
    const z = b.indexOf(0, from);
    if (z < 0 || z >= limit) bad(`${what} at offset ${from} is not NUL-terminated within its block`);
    return z;
  };
  let o = structOff, depth = 0, roots = 0;
  for (;;) {
    if (o + 4 > end) bad('the structure block ends without FDT_END');
    const token = dv.getUint32(o);
    o += 4;
    if (token === FDT_BEGIN_NODE) {
      if (depth === 0 && ++roots > 1) bad('more than one root node');
      o = align4(cstr(o, end, 'a node name') + 1);
      depth++;
    } else if (token === FDT_END_NODE) {
      if (depth === 0) bad(`an FDT_END_NODE without its node at offset ${o - 4}`);
      depth--;
    } else if (token === FDT_PROP) {
      if (depth === 0) bad(`a property outside any node at offset ${o - 4}`);
      if (o + 8 > end) bad('a property header runs past the structure block');
      const len = dv.getUint32(o), nameOff = dv.getUint32(o + 4);
      if (nameOff >= stringsSize) bad(`a property name offset ${nameOff} beyond the ${stringsSize}-byte strings block`);
      cstr(stringsOff + nameOff, stringsOff + stringsSize, 'a property name');
      o += 8;
      if (o + len > end) bad(`a ${len}-byte property value runs past the structure block`);
      o = align4(o + len);
    } else if (token === FDT_END) {
      if (depth !== 0) bad(`FDT_END inside an unclosed node (depth ${depth})`);
      if (roots === 0) bad('no root node');
      return;
    } else if (token !== FDT_NOP) {
      bad(`unknown token 0x${token.toString(16)} at offset ${o - 4} of the structure block`);
    }
  }
}

const align4 = (v: number): number => (v + 3) & ~3;
