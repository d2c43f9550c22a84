// A flattened device tree (DTB) writer, version 17 (Devicetree Specification 0.4,
// chapter 5): header, empty memory reservation map, structure block (BEGIN_NODE /
// PROP / END_NODE tokens, 4-byte aligned), strings block. All fields big-endian,
// whatever the guest's byte order. Boards build the tree from FdtNode values with the
// property helpers below.

export type FdtValue = Uint8Array;

export interface FdtNode {
  readonly name: string;
  readonly props: ReadonlyArray<readonly [string, FdtValue]>;
  readonly children?: readonly FdtNode[];
}

const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1, FDT_END_NODE = 2, FDT_PROP = 3, FDT_END = 9;
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
