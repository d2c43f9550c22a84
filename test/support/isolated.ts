// Runs a function of a compiled module in a worker thread, so that a regression that
// loops forever fails its test (the worker is terminated after `ms`) instead of hanging
// the whole test run. The watchdog bounds a hang; it measures no speed.
import { Worker } from 'node:worker_threads';

/** Calls `require(modulePath)[fn](...args)` in a worker; resolves with its (structured-cloned) result. */
export function runIsolated<T>(modulePath: string, fn: string, args: unknown[], ms = 60_000): Promise<T> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const r = require(workerData.modulePath)[workerData.fn](...workerData.args);
    parentPort.postMessage(r);`;
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { modulePath, fn, args } });
    const timer = setTimeout(() => {
      void w.terminate();
      reject(new Error(`${fn}(${args.map((a) => JSON.stringify(a)).join(', ')}) did not return within ${ms / 1000} s (endless loop?)`));
    }, ms);
    w.once('message', (r: T) => { clearTimeout(timer); void w.terminate(); resolve(r); });
    w.once('error', (e) => { clearTimeout(timer); reject(e); });
  });
}
