// Where MIPS64 Studio caches what it fetches and derives (Debian guests, instant-boot
// checkpoints, the UI test tools): one directory for the CLI and the debug adapter.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Root of MIPS64 Studio's cache: $MIPS64_STUDIO_CACHE or ${XDG_CACHE_HOME:-~/.cache}/mips64-studio. */
export function cacheDir(): string {
  const explicit = process.env.MIPS64_STUDIO_CACHE;
  if (explicit) return explicit;
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg ? xdg : join(homedir(), '.cache'), 'mips64-studio');
}
