// "MIPS64: Fetch Kernel Debug Symbols": downloads the Debian Malta guest kernel's unstripped
// vmlinux (Debian's matching -dbg package, through `mips64 guest fetch-symbols` in a child
// process) with a cancellable progress notification. Debian Malta launches without
// "kernel" or "symbols" load it from then on (debug-config.ts); a running Debian Malta
// session is offered a restart with it (its configuration plus the symbol file).
import * as vscode from 'vscode';
import { stderrTail } from './cli-runner';
import { DEBIAN_MALTA, DEBUG_TYPE, Mips64ConfigProvider, parseGuestPaths } from './debug-config';

/** "downloading: 12 of 660 MB" (the CLI's progress lines) → [done, total]. */
export function parseDownloadProgress(text: string): { mb: number; totalMb?: number } | undefined {
  const all = [...text.matchAll(/downloading: (\d+)(?: of (\d+))? MB/g)];
  const m = all.at(-1);
  if (!m) return undefined;
  return { mb: Number(m[1]), ...(m[2] ? { totalMb: Number(m[2]) } : {}) };
}

export function registerFetchKernelSymbols(provider: Mips64ConfigProvider, log?: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand('mips64.fetchKernelSymbols', async (): Promise<string | undefined> => {
    // The guest first (its kernel decides which -dbg package matches).
    const guest = await provider.guest();
    if (!guest) return undefined;
    const vmlinux = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'MIPS64: fetching the kernel debug symbols (Debian -dbg package)…', cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        let percent = 0;
        progress.report({ message: 'asking Debian for the kernel\'s -dbg package' });
        try {
          const r = await provider.cli(['guest', 'fetch-symbols', DEBIAN_MALTA], abort.signal, (text) => {
            const p = parseDownloadProgress(text);
            if (!p) return;
            const now = p.totalMb ? Math.min(100, Math.floor((p.mb * 100) / p.totalMb)) : percent;
            progress.report({ message: `downloading: ${p.mb}${p.totalMb ? ` of ${p.totalMb}` : ''} MB`, increment: now - percent });
            percent = now;
          });
          if (r.stderr) log?.info(r.stderr.trimEnd());
          const path = r.code === 0 ? parseGuestPaths(`kernel\t-\ninitrd\t-\n${r.stdout}`)?.vmlinux : undefined;
          if (!path) {
            void vscode.window.showErrorMessage(`MIPS64: could not fetch the kernel debug symbols: ${stderrTail(r.stderr, 3) || `exit code ${r.code ?? r.signal}`}`);
            return undefined;
          }
          return path;
        } catch (e) {
          if (!abort.signal.aborted) void vscode.window.showErrorMessage(`MIPS64: could not fetch the kernel debug symbols: ${String(e)}`);
          return undefined;
        } finally {
          sub.dispose();
        }
      },
    );
    if (!vmlinux) return undefined;
    const s = vscode.debug.activeDebugSession;
    const maltaRunning = s?.type === DEBUG_TYPE && s.configuration['board'] === 'malta' && s.configuration['kernel'] === guest.kernel
      && !(s.configuration['symbols'] as unknown[] | undefined)?.length;
    const text = `MIPS64: kernel debug symbols ready (${vmlinux}). Debian Malta sessions load them from their next start.`;
    if (maltaRunning) {
      const restart = 'Restart Session';
      if (await vscode.window.showInformationMessage(text, restart) === restart) {
        // The same configuration with the symbols (a plain restart would reuse the resolved one without them).
        const config = { ...s!.configuration, symbols: [{ path: vmlinux }] };
        await vscode.debug.stopDebugging(s);
        await vscode.debug.startDebugging(s!.workspaceFolder, config);
      }
    } else {
      void vscode.window.showInformationMessage(text);
    }
    return vmlinux;
  });
}
