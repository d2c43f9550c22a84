// The command table of `mips64`. New commands register here.

import { Command } from './command';
import { asmCommand } from './asm';
import { disasmCommand } from './disasm';

export const COMMANDS: readonly Command[] = [disasmCommand, asmCommand];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}
