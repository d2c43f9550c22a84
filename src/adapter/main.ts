// Entry point of the MIPS64 debug adapter (bundled as dist/adapter.js).
//
//   node dist/adapter.js                 speaks DAP on stdin/stdout (VS Code starts it so)
//   node dist/adapter.js --server=PORT   accepts DAP connections on a TCP port (tests,
//                                        debugging the adapter); PORT 0 picks a free one
//   --exception-filters=detailed         offers one exception filter per kind (default:
//                                        the grouped set; setting mips64.debug.exceptionFilters)
//
// In server mode every connection gets its own session and machine.

import { createServer } from 'node:net';
import { Mips64DebugSession, SessionOptions } from './session';

function main(argv: readonly string[]): void {
  const arg = argv.find((a) => a.startsWith('--server='));
  const options: SessionOptions = { exceptionFilters: argv.includes('--exception-filters=detailed') ? 'detailed' : 'grouped' };
  if (arg === undefined) {
    const session = new Mips64DebugSession(undefined, options);
    process.on('SIGTERM', () => session.shutdown());
    session.start(process.stdin, process.stdout);
    return;
  }
  const port = Number(arg.slice('--server='.length));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`mips64 debug adapter: bad port in '${arg}'\n`);
    process.exit(2);
  }
  const server = createServer((socket) => {
    // DAP is request/response: Nagle's algorithm would hold small replies for ~40 ms.
    socket.setNoDelay(true);
    const session = new Mips64DebugSession(undefined, options);
    session.setRunAsServer(true);
    session.start(socket, socket);
    socket.on('error', () => socket.destroy());
  });
  server.listen(port, '127.0.0.1', () => {
    const a = server.address();
    process.stderr.write(`mips64 debug adapter listening on port ${typeof a === 'object' && a ? a.port : port}\n`);
  });
}

main(process.argv.slice(2));
