// node:crypto's SHA-256 as the emulator core takes it (a HashProvider, see
// src/emulator/snapshot/digest.ts: the core imports no hash implementation), on this
// thread. The CLI and the adapter give their machines parallel-hashes.ts's, which adds
// a helper thread; this one serves where one thread is wanted (tests, tools).

import { createHash } from 'node:crypto';
import { CreateHash, HashProvider, syncHashes } from '../emulator/snapshot/digest';

export function nodeHashes(): HashProvider {
  return syncHashes(createHash as CreateHash, 'node:crypto');
}
