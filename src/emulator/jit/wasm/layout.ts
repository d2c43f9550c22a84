// Addresses the WebAssembly tier's generated code uses, all in the bus's memory: the
// CPU's register file and host translation cache (allocated by the Cpu), and the tier's
// own control words, link slots and block start addresses (allocated by the tier).

/** Control words, as byte offsets from Layout.ctrl. */
export const enum Ctrl {
  /** f64: icount when the chain of regions running was entered (the icount now is IC0 + REM0 − REM). */
  IC0 = 0,
  /**
   * i32: how many more instructions may run before a link may no longer be followed
   * (Cpu.jitLimit − icount; −2^30 disables chaining): REM0 at the chain's entry, REM as
   * regions leave it at exits and call-outs (their entry reads it, so no float work).
   */
  REM0 = 8, REM = 12,
  /** i32 ×2: PC at exit. */
  PCLO = 16, PCHI = 20,
  /** i32: link slot of the exit taken (−1: none; −2: a call-out took a guest exception). */
  SLOT = 24,
  /** i32: table index of the block that exited. */
  LAST = 28,
  /** i32 ×2: the branch target while a delay slot calls out (precise state). */
  BRLO = 32, BRHI = 36,
  /** i32: outcome of the last call-out: 0 done, 1 it accessed a device (exit after the instruction), 2 it took a guest exception. */
  STATUS = 40,
  /** i32: high word of a slow-path load's result. */
  RESHI = 44,
  /** i32 ×2: the PC after the last helper call-out's instruction that changed the translation context (eret: its target). */
  NEXTLO = 48, NEXTHI = 52,
  /**
   * i32: set by a call-out after which JavaScript must decide (a device access, an interrupt
   * or event, a stop, WAIT, a host translation cache flush, Status.KX): the driver returns
   * instead of going on through the jump cache.
   */
  BAIL = 56,
  /** i32: the privilege mode the CPU is in (the driver's jump-cache lookups are per mode). */
  MODE = 60,
  BYTES = 64,
}

export interface Layout {
  /** GPR pairs (Cpu.r): GPR n as int64 at regs + 8n, LO at regs + 256, HI at regs + 264. */
  readonly regs: number;
  /** The CP0 register words (cpu/cp0.ts C0). */
  readonly cp0: number;
  /** Host translation cache wide tables (HostTlb.wideTag, wideAdd): int64 per entry. */
  readonly wideTag: number;
  readonly wideAdd: number;
  readonly ctrl: number;
  /** i32 per link slot: table index of the linked block, 0 = none. */
  readonly links: number;
  /** int64 per table index: the block's start address (checked before following an indirect jump's link). */
  readonly starts: number;
  /** Jump cache: i32 per jcSlot(address), the table index of a Kernel-mode region starting at an unmapped address (0: none; check `starts`). */
  readonly jc: number;
  /**
   * The driver's jump cache: i32 per jcSlot(address), the table index of a region of any mode
   * starting there (0: none); `meta` has its mode and the RAM offset of its start, which the
   * fetch translation of the address must still give.
   */
  readonly jcAll: number;
  /** i32 ×2 per table index: the region's privilege mode and the RAM offset of its start. */
  readonly meta: number;
}

/** Entries of the jump cache (a power of two). */
export const JC_SIZE = 1 << 14;

/** The jump-cache entry for a start address's low word. */
export function jcSlot(lo: number): number {
  return ((lo >>> 2) ^ (lo >>> 16)) & (JC_SIZE - 1);
}

/** Function-table capacity (index 0 unused). */
export const TABLE_CAP = 1 << 15;
/** Link slots. */
export const LINK_CAP = 1 << 16;
