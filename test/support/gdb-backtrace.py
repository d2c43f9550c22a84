# gdb (gdb-multiarch, Python) side of test/support/kernel-gdb.ts: attaches to QEMU's gdbstub
# (BT_TARGET), and for each case of BT_CASES (JSON: id, at, optional ptregs) sets a
# breakpoint at `at`, prints "READY <id>" (the test then types the case's command into the
# guest console), continues, and at the stop prints "RESULT <json>": every frame gdb
# unwinds (pc, function name, gdb frame type: 0 normal, 2 inline, 4 signal/exception
# handler); with `ptregs` (a gdb expression for the address of the struct pt_regs the
# exception saved), the pt_regs address, its cp0_epc, and gdb's backtrace of the
# interrupted context (the registers set from the pt_regs for that, then put back).
import gdb, json, os
cases = json.loads(os.environ['BT_CASES'])
gdb.execute('set pagination off')
gdb.execute('set confirm off')
gdb.execute('target remote ' + os.environ['BT_TARGET'])
def frames():
    out = []
    f = gdb.newest_frame()
    while f is not None and len(out) < 64:
        out.append({'pc': '0x%x' % (f.pc() & 0xffffffffffffffff), 'name': f.name(), 'type': f.type()})
        try:
            f = f.older()
        except gdb.error as e:
            out.append({'error': str(e)})
            break
    return out
for c in cases:
    bp = gdb.Breakpoint(c['at'], internal=False)
    print('READY ' + c['id'], flush=True)
    gdb.execute('continue')
    res = {'id': c['id'], 'frames': frames()}
    if c.get('ptregs'):
        p = int(gdb.parse_and_eval(c['ptregs'])) & 0xffffffffffffffff
        regs = gdb.parse_and_eval('*(struct pt_regs *)%d' % p)
        gpr = [int(regs['regs'][i]) & 0xffffffffffffffff for i in range(32)]
        res['ptregs'] = '0x%x' % p
        res['epc'] = '0x%x' % (int(regs['cp0_epc']) & 0xffffffffffffffff)
        saved = {n: int(gdb.parse_and_eval('$' + n)) for n in ['pc'] + ['r%d' % i for i in range(1, 32)]}
        for i in range(1, 32):
            gdb.execute('set $r%d = %d' % (i, gpr[i]))
        gdb.execute('set $pc = %d' % int(regs['cp0_epc']))
        gdb.invalidate_cached_frames()
        res['interrupted'] = frames()
        for i in range(1, 32):
            gdb.execute('set $r%d = %d' % (i, saved['r%d' % i]))
        gdb.execute('set $pc = %d' % saved['pc'])
    print('RESULT ' + json.dumps(res), flush=True)
    bp.delete()
gdb.execute('detach')
