// Checks of an "attach" configuration before VS Code connects to a debug server
// (`mips64 boot --debug-port N`): the attributes (port required, host a string), and
// whether anything listens there, so that a wrong port is reported as a clear message
// instead of VS Code's bare "connect ECONNREFUSED". No VS Code API here (tested directly).
import { connect } from 'node:net';

export const DEFAULT_ATTACH_HOST = '127.0.0.1';

export interface AttachTarget { port: number; host: string }

/** The port and host of an attach configuration, or the message saying what is wrong. */
export function attachTarget(c: { [key: string]: unknown }): AttachTarget | string {
  const port = c['port'];
  const hint = 'start the guest with `mips64 boot --debug-port N` and set "port": N';
  if (port === undefined || port === null || port === '') return `the attach configuration needs a "port": ${hint}`;
  const n = typeof port === 'string' && /^\d+$/.test(port.trim()) ? Number(port) : port;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535) return `"port" must be a TCP port number (1 to 65535), not ${JSON.stringify(port)}`;
  const host = c['host'] ?? DEFAULT_ATTACH_HOST;
  if (typeof host !== 'string' || host.trim() === '') return `"host" must be a host name or address, not ${JSON.stringify(host)}`;
  return { port: n, host: host.trim() };
}

/**
 * Whether a debug server accepts connections at the target: undefined when it does, else
 * the message for the user. The probe connection is closed at once (the server sees a
 * client that leaves without a request).
 */
export function probeDebugServer(t: AttachTarget, timeoutMs = 3000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const where = `${t.host}:${t.port}`;
    const socket = connect({ port: t.port, host: t.host });
    const done = (msg: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(msg);
    };
    const timer = setTimeout(() => done(`no answer from ${where} within ${timeoutMs / 1000} s: is \`mips64 boot --debug-port ${t.port}\` running there?`), timeoutMs);
    socket.once('connect', () => done(undefined));
    socket.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED') done(`nothing is listening on ${where}: start the guest with \`mips64 boot --debug-port ${t.port}\` first`);
      else if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') done(`unknown host '${t.host}' in the attach configuration`);
      else done(`cannot connect to ${where}: ${e.message}`);
    });
  });
}
