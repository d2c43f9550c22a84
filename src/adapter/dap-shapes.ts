// The shapes of the arguments of every request the MIPS64 debug adapter serves, as the
// Debug Adapter Protocol specification declares them (plus this adapter's launch and
// attach attributes and its mips64/… custom requests). The session checks a request's
// arguments against its shape before any handler runs (checkRequest), so handlers see
// well-typed values and a malformed request gets one clear line, never a stack trace.
// Numbers are bounded where the adapter uses them as integers: lines and columns are
// 1..2^31−1, ids and counts are exact integers, byte offsets fit 64-bit arithmetic.

import { BOARD_NAMES } from '../emulator/boards/catalog';
import { any, arr, bool, checkShape, int, num, obj, oneOf, oneOfValues, record, Shape, str } from './shape';
import {
  CHECKPOINT_COMPARE, CHECKPOINT_DELETE, CHECKPOINT_LIST, CHECKPOINT_RESTORE, CHECKPOINT_TAKE, GO_TO_INSTRUCTION, STATS, STEP_BACK_OUT, TIMELINE, UART_INPUT,
} from './protocol';

const LINE = int(1, 2 ** 31 - 1);
const ID = int(0);
const OFFSET = int();
const COUNT = int(0);
const granularity = oneOfValues('statement', 'line', 'instruction');
const format = obj({ hex: bool });

const source: Shape = obj({
  name: str(), path: str(), sourceReference: ID, presentationHint: str(), origin: str(), sources: arr(any),
  adapterData: any, checksums: arr(any),
});
const uartOutput = oneOfValues('debugConsole', 'event', 'both');

const launch = obj({
  noDebug: bool, __restart: any,
  kernel: str(), board: oneOfValues(...BOARD_NAMES), initrd: str(), dtb: str(), append: str(), memory: int(1, 1 << 20),
  engine: oneOfValues('jit', 'interp'), tune: str(), exactTlb: bool, cpu: str(),
  symbols: arr(obj({ path: str(), offset: oneOf(int(), str()) }, ['path'])),
  stopOnEntry: bool, checkpoint: str(), sourceMap: record(str()), uartOutput, checkpointDir: str(),
  checkpointMemoryMiB: num(0, 2 ** 40),
  timeTravel: bool, timeTravelMemoryMiB: num(0, 2 ** 40), timeTravelInputInPast: oneOfValues('refuse', 'truncate'),
  silentExit: num(0, 86_400),
  instantBoot: bool, cacheDir: str(),
  gdbPort: int(0, 65535), gdbHost: str(),
});
const attach = obj({ __restart: any, port: int(0, 65535), host: str(), uartOutput });

const step = obj({ threadId: ID, singleThread: bool, granularity, targetId: ID }, ['threadId']);

/** Argument shapes by command. */
const SHAPES: Readonly<Record<string, Shape>> = {
  initialize: obj({
    clientID: str(), clientName: str(), adapterID: str(), locale: str(), linesStartAt1: bool, columnsStartAt1: bool,
    pathFormat: str(), supportsVariableType: bool, supportsVariablePaging: bool, supportsRunInTerminalRequest: bool,
    supportsMemoryReferences: bool, supportsProgressReporting: bool, supportsInvalidatedEvent: bool,
    supportsMemoryEvent: bool, supportsArgsCanBeInterpretedByShell: bool, supportsStartDebuggingRequest: bool,
  }, ['adapterID']),
  launch,
  attach,
  configurationDone: obj({}),
  disconnect: obj({ restart: bool, terminateDebuggee: bool, suspendDebuggee: bool }),
  terminate: obj({ restart: bool }),
  restart: obj({ arguments: oneOf(launch, attach) }),
  setBreakpoints: obj({
    source,
    breakpoints: arr(obj({ line: LINE, column: LINE, condition: str(), hitCondition: str(), logMessage: str(), mode: str() }, ['line'])),
    lines: arr(LINE), sourceModified: bool,
  }, ['source']),
  setFunctionBreakpoints: obj({ breakpoints: arr(obj({ name: str(), condition: str(), hitCondition: str() }, ['name'])) }, ['breakpoints']),
  setInstructionBreakpoints: obj({
    breakpoints: arr(obj({ instructionReference: str(), offset: OFFSET, condition: str(), hitCondition: str(), mode: str(), logMessage: str() }, ['instructionReference'])),
  }, ['breakpoints']),
  setExceptionBreakpoints: obj({
    filters: arr(str()), filterOptions: arr(obj({ filterId: str(), condition: str(), mode: str() }, ['filterId'])), exceptionOptions: arr(any),
  }, ['filters']),
  dataBreakpointInfo: obj({ variablesReference: ID, name: str(), frameId: ID, bytes: int(1, 1 << 30), asAddress: bool, mode: str() }, ['name']),
  setDataBreakpoints: obj({
    breakpoints: arr(obj({ dataId: str(), accessType: oneOfValues('read', 'write', 'readWrite'), condition: str(), hitCondition: str() }, ['dataId'])),
  }, ['breakpoints']),
  continue: obj({ threadId: ID, singleThread: bool }, ['threadId']),
  next: step,
  stepIn: step,
  stepOut: step,
  stepBack: step,
  reverseContinue: obj({ threadId: ID, singleThread: bool }, ['threadId']),
  pause: obj({ threadId: ID }, ['threadId']),
  threads: obj({}),
  stackTrace: obj({ threadId: ID, startFrame: COUNT, levels: COUNT, format: any }, ['threadId']),
  scopes: obj({ frameId: ID }, ['frameId']),
  variables: obj({ variablesReference: ID, filter: oneOfValues('indexed', 'named'), start: COUNT, count: COUNT, format }, ['variablesReference']),
  setVariable: obj({ variablesReference: ID, name: str(), value: str(), format }, ['variablesReference', 'name', 'value']),
  setExpression: obj({ expression: str(), value: str(), frameId: ID, format }, ['expression', 'value']),
  evaluate: obj({ expression: str(), frameId: ID, line: LINE, column: LINE, source, context: str(), format }, ['expression']),
  exceptionInfo: obj({ threadId: ID }, ['threadId']),
  readMemory: obj({ memoryReference: str(), offset: OFFSET, count: COUNT }, ['memoryReference', 'count']),
  writeMemory: obj({ memoryReference: str(), offset: OFFSET, allowPartial: bool, data: str() }, ['memoryReference', 'data']),
  disassemble: obj({
    memoryReference: str(), offset: OFFSET, instructionOffset: int(-(2 ** 40), 2 ** 40), instructionCount: COUNT, resolveSymbols: bool,
  }, ['memoryReference', 'instructionCount']),
  gotoTargets: obj({ source, line: LINE, column: LINE }, ['source', 'line']),
  goto: obj({ threadId: ID, targetId: ID }, ['threadId', 'targetId']),
  source: obj({ source, sourceReference: ID }, ['sourceReference']),
  cancel: obj({ requestId: ID, progressId: str() }),
  [UART_INPUT]: obj({ text: str(), port: int(0, 3) }, ['text']),
  [STATS]: obj({}),
  [GO_TO_INSTRUCTION]: obj({ icount: int(0), sub: int(0, 64) }, ['icount']),
  [STEP_BACK_OUT]: obj({ threadId: ID }),
  [TIMELINE]: obj({}),
  [CHECKPOINT_TAKE]: obj({ name: str(256), kind: oneOfValues('full', 'incremental', 'auto') }),
  [CHECKPOINT_LIST]: obj({}),
  [CHECKPOINT_RESTORE]: obj({ id: str() }, ['id']),
  [CHECKPOINT_DELETE]: obj({ id: str() }, ['id']),
  [CHECKPOINT_COMPARE]: obj({ a: str(), b: str() }, ['a', 'b']),
};

/**
 * The problem with a request message, or undefined when it is well-formed: `command` a
 * string, `seq` an integer, `arguments` absent or an object of the command's shape.
 * Commands this adapter does not know are left to the protocol library ("unrecognized").
 */
export function checkRequest(request: unknown): string | undefined {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) return 'a request must be a JSON object';
  const r = request as Record<string, unknown>;
  if (typeof r.command !== 'string') return 'the request has no command';
  if (typeof r.seq !== 'number' || !Number.isSafeInteger(r.seq) || r.seq < 0) return `${r.command}: the request's seq must be a non-negative integer`;
  const shape = SHAPES[r.command];
  if (!shape) return undefined;
  // Absent arguments are an empty object (a client leaves `{}` out).
  const e = checkShape(r.arguments === undefined ? {} : r.arguments, shape, 'arguments');
  return e === undefined ? undefined : `${r.command}: ${e}`;
}

/** The commands with a declared shape (tests check every one the session serves). */
export const SHAPED_COMMANDS: readonly string[] = Object.keys(SHAPES);
