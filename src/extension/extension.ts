// VS Code entry point: activation of MIPS64 Studio (placeholder until the extension helper fills it).
export function activate(): void {}
export function deactivate(): void {}
