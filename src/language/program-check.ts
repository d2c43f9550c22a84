// The check before F5 on an assembly file: assembles it from disk (its `.include`s too) for
// the CPU model the launch runs (a launch `cpu` such as 5KEc maps through cpu-models.ts;
// the demo board's default CPU otherwise) and returns the errors, file by file, with
// their ranges — what the debug adapter will meet when it assembles the same file.
import { analyse, Finding } from './analysis';
import { Project } from './project';
import { assemblerModel, DEFAULT_SETTINGS } from './settings';

/** The CPU the demo board runs when a launch configuration names none. */
export const DEFAULT_LAUNCH_CPU = '5KEc';

export interface ProgramCheck { ok: boolean; errors: Finding[]; model: string }

export function checkProgram(file: string, text: string, cpu: string | undefined, includePaths: readonly string[] = []): ProgramCheck {
  const model = assemblerModel(cpu ?? DEFAULT_LAUNCH_CPU);
  if (!model) return { ok: false, model: String(cpu), errors: [{ file, line: 1, column: 1, endColumn: 2, severity: 'error', message: `unknown CPU model '${cpu}'` }] };
  const settings = { ...DEFAULT_SETTINGS, model, includePaths };
  const store = new Project(settings);
  const a = analyse(file, text, settings, store, 30_000);
  const errors = a.findings.filter((f) => f.severity === 'error');
  return { ok: errors.length === 0, errors, model };
}
