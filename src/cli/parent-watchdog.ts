// The re-executed `mips64 boot` (main.ts, bootInChild) must not outlive the process that
// started it, however that one ends: exit, an uncaught error, a signal it forwards, or
// SIGKILL, which it cannot forward. The parent starts the child with an IPC channel; the
// kernel closes it when the parent is gone for any reason, and the child sees
// 'disconnect'. It then ends as on a hang-up (SIGHUP): the console restores the terminal,
// periodic checkpoints stop after the one being written, and the process exits.

/** In a process started with an IPC channel: calls `onGone` once the parent is gone. Returns whether there is a channel. */
export function watchParent(onGone: () => void = hangUp): boolean {
  const channel = process.channel;
  if (!channel) return false;
  // The channel must not keep this process alive by itself.
  channel.unref();
  process.once('disconnect', onGone);
  return true;
}

function hangUp(): void {
  process.kill(process.pid, 'SIGHUP');
}
