// The command table of `mips64`. New commands register here.

import { Command } from './command';
import { asmCommand } from './asm';
import { bootCommand } from './boot';
import { checkpointCommand } from './checkpoint';
import { disasmCommand } from './disasm';
import { guestCommand } from './guest';

export const COMMANDS: readonly Command[] = [disasmCommand, asmCommand, bootCommand, guestCommand, checkpointCommand];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}
