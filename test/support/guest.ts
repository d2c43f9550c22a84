// The debian-malta guest for tests that boot Debian's kernel: fetched (cached) on first use;
// where it cannot be fetched, the reason a test skips with.
import { fetchDebianMalta, GuestImage } from '../../src/cli/guest/debian-guests.js';

export async function debianMaltaOrSkip(): Promise<GuestImage | string> {
  try {
    return await fetchDebianMalta({ log: (m) => console.log(`# guest: ${m}`) });
  } catch (e) {
    return `the debian-malta guest cannot be fetched: ${(e as Error).message}`;
  }
}
