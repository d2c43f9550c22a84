// The target description gdb reads with qXfer:features:read:target.xml: the architecture
// (mips:isa64r2, or mips:octeon2 for the Octeon model), then one <feature> per register
// group of registers.ts, every register with its regnum so that gdb's numbering and the
// protocol's are the same. gdb's MIPS target needs the three org.gnu.gdb.mips features;
// the mips64studio ones add the rest of CP0 and the TLB.

import type { Cpu } from '../emulator/cpu/cpu';
import { GdbRegister } from './registers';

export function architectureOf(cpu: Cpu): string {
  return cpu.model.octeon ? 'mips:octeon2' : 'mips:isa64r2';
}

export function targetXml(cpu: Cpu, registers: readonly GdbRegister[]): string {
  const features = new Map<string, GdbRegister[]>();
  for (const r of registers) {
    let l = features.get(r.feature);
    if (!l) { l = []; features.set(r.feature, l); }
    l.push(r);
  }
  const lines = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
    '<target version="1.0">',
    `  <architecture>${architectureOf(cpu)}</architecture>`,
  ];
  for (const [name, regs] of features) {
    lines.push(`  <feature name="${name}">`);
    for (const r of regs) {
      const attrs = [`name="${r.name}"`, `bitsize="${r.bits}"`, `regnum="${r.regnum}"`];
      if (r.type) attrs.push(`type="${r.type}"`);
      if (r.group) attrs.push(`group="${r.group}"`);
      lines.push(`    <reg ${attrs.join(' ')}/>`);
    }
    lines.push('  </feature>');
  }
  lines.push('</target>');
  return `${lines.join('\n')}\n`;
}
