// CP0 register numbers, field bits and exception codes, named as in the MIPS64
// Architecture manuals (Volume III: the Privileged Resource Architecture).

/** CP0 register numbers (select 0 unless noted). */
export const enum Cp0Reg {
  Index = 0, Random = 1, EntryLo0 = 2, EntryLo1 = 3, Context = 4, PageMask = 5, Wired = 6, HWREna = 7,
  BadVAddr = 8, Count = 9, EntryHi = 10, Compare = 11, Status = 12, Cause = 13, EPC = 14, PRId = 15,
  Config = 16, LLAddr = 17, WatchLo = 18, WatchHi = 19, XContext = 20, Debug = 23, DEPC = 24,
  PerfCnt = 25, ErrCtl = 26, CacheErr = 27, TagLo = 28, TagHi = 29, ErrorEPC = 30, DESAVE = 31,
}

// Status register fields.
export const ST_IE = 1 << 0;
export const ST_EXL = 1 << 1;
export const ST_ERL = 1 << 2;
export const ST_KSU_SHIFT = 3;
export const ST_KSU = 3 << 3;
export const ST_UX = 1 << 5;
export const ST_SX = 1 << 6;
export const ST_KX = 1 << 7;
/**
 * Status bits that change where an address translates beyond the privilege mode (UX/SX/KX
 * enable the 64-bit segments; ERL makes Kernel-mode kuseg unmapped): the host translation
 * cache, keyed by mode only, is flushed when one of them changes.
 */
export const ST_XLATE = ST_UX | ST_SX | ST_KX | ST_ERL;
export const ST_IM_SHIFT = 8;
export const ST_IM = 0xff << 8;
export const ST_NMI = 1 << 19;
export const ST_SR = 1 << 20;
export const ST_TS = 1 << 21;
export const ST_BEV = 1 << 22;
export const ST_PX = 1 << 23;
export const ST_MX = 1 << 24;
export const ST_RE = 1 << 25;
export const ST_FR = 1 << 26;
export const ST_RP = 1 << 27;
export const ST_CU0 = 1 << 28;
export const ST_CU1 = 1 << 29;
export const ST_CU2 = 1 << 30;
export const ST_CU3 = 1 << 31;

// Cause register fields.
export const CA_EXCCODE_SHIFT = 2;
export const CA_EXCCODE = 0x1f << 2;
export const CA_IP_SHIFT = 8;
export const CA_IP = 0xff << 8;
export const CA_IP0 = 1 << 8;
export const CA_IP1 = 1 << 9;
export const CA_IP7 = 1 << 15;
export const CA_WP = 1 << 22;
export const CA_IV = 1 << 23;
export const CA_PCI = 1 << 26;
export const CA_DC = 1 << 27;
export const CA_CE_SHIFT = 28;
export const CA_CE = 3 << 28;
export const CA_TI = 1 << 30;
export const CA_BD = 1 << 31;

/** Exception codes (Cause.ExcCode). */
export const enum Exc {
  Int = 0, Mod = 1, TLBL = 2, TLBS = 3, AdEL = 4, AdES = 5, IBE = 6, DBE = 7, Sys = 8, Bp = 9, RI = 10,
  CpU = 11, Ov = 12, Tr = 13, FPE = 15, TLBRI = 19, TLBXI = 20, WATCH = 23, MCheck = 24,
}

export const EXC_NAMES: Record<number, string> = {
  0: 'Int', 1: 'Mod', 2: 'TLBL', 3: 'TLBS', 4: 'AdEL', 5: 'AdES', 6: 'IBE', 7: 'DBE', 8: 'Sys', 9: 'Bp',
  10: 'RI', 11: 'CpU', 12: 'Ov', 13: 'Tr', 15: 'FPE', 19: 'TLBRI', 20: 'TLBXI', 23: 'WATCH', 24: 'MCheck',
};

/** Human descriptions used by the debugger. */
export const EXC_DESCRIPTIONS: Record<number, string> = {
  0: 'interrupt', 1: 'TLB modified', 2: 'TLB miss/invalid (load or fetch)', 3: 'TLB miss/invalid (store)',
  4: 'address error (load or fetch)', 5: 'address error (store)', 6: 'bus error (fetch)', 7: 'bus error (data)',
  8: 'syscall', 9: 'breakpoint', 10: 'reserved instruction', 11: 'coprocessor unusable', 12: 'integer overflow',
  13: 'trap', 15: 'floating-point exception', 19: 'TLB read inhibit', 20: 'TLB execute inhibit', 23: 'watch', 24: 'machine check',
};

// Config0 fields.
export const CFG0_K0 = 7;
export const CFG0_M = 1 << 31;

// EntryLo fields.
export const ELO_G = 1;
export const ELO_V = 2;
export const ELO_D = 4;
export const ELO_C_SHIFT = 3;
