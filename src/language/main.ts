// Entry point of dist/language-server.js: `node dist/language-server.js --stdio` (or
// --node-ipc, --socket=N, as vscode-languageserver reads them from the command line).
import { startServer } from './server';

if (!process.argv.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket') || a.startsWith('--pipe') || a.startsWith('--clientProcessId'))) {
  process.stderr.write('usage: node language-server.js --stdio   (MIPS64 assembly language server, Language Server Protocol)\n');
  process.exit(2);
}
startServer();
