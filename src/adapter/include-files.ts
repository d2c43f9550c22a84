// `.include` over the file system for the assembler (the debug adapter's `program` and the
// CLI's `mips64 asm`): the candidates of includeCandidates() in order, the first that is a
// readable file not larger than MAX_INCLUDE_BYTES.
import { readFileSync, statSync } from 'node:fs';
import { IncludeResult } from '../emulator/isa/assembler/assembler';
import { includeCandidates, MAX_INCLUDE_BYTES } from '../emulator/isa/assembler/include';

export function fileIncludes(includeDirs: readonly string[] = []): (name: string, fromFile: string) => IncludeResult {
  return (name, fromFile) => {
    for (const p of includeCandidates(name, fromFile, includeDirs)) {
      let size: number;
      try {
        const st = statSync(p);
        if (!st.isFile()) continue;
        size = st.size;
      } catch {
        continue;
      }
      if (size > MAX_INCLUDE_BYTES) return { error: `${p} is larger than ${MAX_INCLUDE_BYTES >> 20} MiB` };
      try {
        return { file: p, text: readFileSync(p, 'utf8') };
      } catch (e) {
        return { error: `${p}: ${(e as Error).message}` };
      }
    }
    return { error: `not found (looked in ${includeCandidates(name, fromFile, includeDirs).join(', ')})` };
  };
}
