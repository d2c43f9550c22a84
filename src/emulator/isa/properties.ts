// Properties of each op read off its semantics (isa/semantics) rather than declared a second
// time: whether it is a 64-bit operation (checked outside Kernel mode), may raise, accesses
// memory, calls which helpers with which effects, branches. Computed once from the IR for a
// neutral target (byte order and FPU presence change no property listed here).

import { HELPERS, HelperName } from './helpers';
import { Stmt } from './ir';
import { build, SEMANTICS } from './semantics';

export interface OpProps {
  /** A 64-bit operation: Reserved Instruction outside Kernel mode unless Status allows it. */
  readonly op64: boolean;
  readonly mayRaise: boolean;
  readonly loads: boolean;
  readonly stores: boolean;
  /** Branch statement: none, conditional, likely, or unconditional (jump). */
  readonly branch: 'none' | 'cond' | 'likely' | 'always';
  readonly helpers: readonly HelperName[];
  /** Union of the helpers' effects (isa/helpers.ts Effect). */
  readonly effects: number;
  /** Checks: 'op64', 'cp0', 'cp1'. */
  readonly checks: ReadonlySet<string>;
}

function propsOf(op: string): OpProps {
  const { sem, body } = build(op, { target: { big: false, fpu: true, synciStep: 32, ccRes: 2 } });
  let loads = false, stores = false, branch: OpProps['branch'] = 'none';
  const helpers = new Set<HelperName>();
  for (const n of sem.nodes) {
    if (n.n.k === 'load') loads = true;
    if (n.n.k === 'call') helpers.add(n.n.helper);
  }
  const walk = (l: readonly Stmt[]): void => {
    for (const st of l) {
      if (st.s === 'store') stores = true;
      if (st.s === 'branch') branch = st.likely ? 'likely' : st.cond ? 'cond' : 'always';
      if (st.s === 'if') { walk(st.then); walk(st.else); }
    }
  };
  walk(body);
  let effects = 0;
  for (const h of helpers) effects |= HELPERS[h].effects;
  return { op64: sem.checks.has('op64'), mayRaise: sem.mayRaise, loads, stores, branch, helpers: [...helpers], effects, checks: sem.checks };
}

/** Properties per op of the semantics (a derived constant, like the table). */
export const OP_PROPS: ReadonlyMap<string, OpProps> = new Map(Object.keys(SEMANTICS).map((op) => [op, propsOf(op)]));

/** The properties of op (ops without semantics execute as `reserved`). */
export function opProps(op: string): OpProps {
  return OP_PROPS.get(op) ?? OP_PROPS.get('reserved')!;
}
