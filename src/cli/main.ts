// `mips64` command-line entry point (placeholder).
process.stdout.write('mips64\n');
