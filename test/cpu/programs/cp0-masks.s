# CP0 write masks: every register of interest is written with all ones, a pattern,
# zero (dmtc0 for 64-bit registers, mtc0 otherwise, and mtc0 of a value with garbage
# upper bits) and read back, then restored. Status, Cause and EBase get their own
# sequences (all-ones Status with EXL/ERL set so that no interrupt or mode change
# interferes; EBase moved and moved back with no exception in between). Config0's
# original value is restored (K0). Read-only registers (BadVAddr, PRId, Config1-3,
# LLAddr) must ignore the writes. mtc0 moves the whole GPR, so a 64-bit register written
# with mtc0 of a value that is not sign-extended gets all 64 bits (as in QEMU).
# Not here: SRSMap (12, 3). Without shadow register sets (SRSCtl.HSS = 0) it is not
# required by the architecture; QEMU keeps it as a plain read/write register, we read 0.
# Nor Debug (23, 0): an EJTAG register, UNPREDICTABLE outside Debug Mode.
main:
	dli	$20, -1
	dli	$21, 0x5a5a5a5a5a5a5a5a
	dli	$22, 0x123456789abcdef0
	mfc0	$23, $16		# Config0 to restore
	# EntryLo0
	dmtc0	$20, $2
	ehb
	dmfc0	$2, $2
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$21, $2
	ehb
	dmfc0	$2, $2
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$0, $2
	ehb
	dmfc0	$2, $2
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$22, $2
	ehb
	dmfc0	$2, $2
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$0, $2
	ehb
	# EntryLo1
	dmtc0	$20, $3
	ehb
	dmfc0	$2, $3
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$21, $3
	ehb
	dmfc0	$2, $3
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$0, $3
	ehb
	dmfc0	$2, $3
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$22, $3
	ehb
	dmfc0	$2, $3
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$0, $3
	ehb
	# Context
	dmtc0	$20, $4
	ehb
	dmfc0	$2, $4
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$21, $4
	ehb
	dmfc0	$2, $4
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$0, $4
	ehb
	dmfc0	$2, $4
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$22, $4
	ehb
	dmfc0	$2, $4
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$0, $4
	ehb
	# PageMask
	mtc0	$20, $5
	ehb
	mfc0	$2, $5
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$21, $5
	ehb
	mfc0	$2, $5
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $5
	ehb
	mfc0	$2, $5
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$22, $5
	ehb
	mfc0	$2, $5
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $5
	ehb
	# Wired
	mtc0	$20, $6
	ehb
	mfc0	$2, $6
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$21, $6
	ehb
	mfc0	$2, $6
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $6
	ehb
	mfc0	$2, $6
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$22, $6
	ehb
	mfc0	$2, $6
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $6
	ehb
	# HWREna
	mtc0	$20, $7
	ehb
	mfc0	$2, $7
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$21, $7
	ehb
	mfc0	$2, $7
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $7
	ehb
	mfc0	$2, $7
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$22, $7
	ehb
	mfc0	$2, $7
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $7
	ehb
	# BadVAddr
	dmtc0	$20, $8
	ehb
	dmfc0	$2, $8
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$21, $8
	ehb
	dmfc0	$2, $8
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$0, $8
	ehb
	dmfc0	$2, $8
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$22, $8
	ehb
	dmfc0	$2, $8
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$0, $8
	ehb
	# EntryHi
	dmtc0	$20, $10
	ehb
	dmfc0	$2, $10
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$21, $10
	ehb
	dmfc0	$2, $10
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$0, $10
	ehb
	dmfc0	$2, $10
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$22, $10
	ehb
	dmfc0	$2, $10
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$0, $10
	ehb
	# Compare
	mtc0	$20, $11
	ehb
	mfc0	$2, $11
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$21, $11
	ehb
	mfc0	$2, $11
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $11
	ehb
	mfc0	$2, $11
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$22, $11
	ehb
	mfc0	$2, $11
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $11
	ehb
	# IntCtl
	mtc0	$20, $12, 1
	ehb
	mfc0	$2, $12, 1
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$21, $12, 1
	ehb
	mfc0	$2, $12, 1
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $12, 1
	ehb
	mfc0	$2, $12, 1
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$22, $12, 1
	ehb
	mfc0	$2, $12, 1
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $12, 1
	ehb
	# SRSCtl
	mtc0	$20, $12, 2
	ehb
	mfc0	$2, $12, 2
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$21, $12, 2
	ehb
	mfc0	$2, $12, 2
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $12, 2
	ehb
	mfc0	$2, $12, 2
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$22, $12, 2
	ehb
	mfc0	$2, $12, 2
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $12, 2
	ehb
	# EPC
	dmtc0	$20, $14
	ehb
	dmfc0	$2, $14
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$21, $14
	ehb
	dmfc0	$2, $14
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$0, $14
	ehb
	dmfc0	$2, $14
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$22, $14
	ehb
	dmfc0	$2, $14
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$0, $14
	ehb
	# PRId
	mtc0	$20, $15
	ehb
	mfc0	$2, $15
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$21, $15
	ehb
	mfc0	$2, $15
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $15
	ehb
	mfc0	$2, $15
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$22, $15
	ehb
	mfc0	$2, $15
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $15
	ehb
	# Config0
	mtc0	$20, $16
	ehb
	mfc0	$2, $16
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$21, $16
	ehb
	mfc0	$2, $16
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $16
	ehb
	mfc0	$2, $16
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$22, $16
	ehb
	mfc0	$2, $16
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$23, $16
	ehb
	# Config1
	mtc0	$20, $16, 1
	ehb
	mfc0	$2, $16, 1
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$21, $16, 1
	ehb
	mfc0	$2, $16, 1
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $16, 1
	ehb
	mfc0	$2, $16, 1
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$22, $16, 1
	ehb
	mfc0	$2, $16, 1
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $16, 1
	ehb
	# Config2
	mtc0	$20, $16, 2
	ehb
	mfc0	$2, $16, 2
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$21, $16, 2
	ehb
	mfc0	$2, $16, 2
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $16, 2
	ehb
	mfc0	$2, $16, 2
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$22, $16, 2
	ehb
	mfc0	$2, $16, 2
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $16, 2
	ehb
	# Config3
	mtc0	$20, $16, 3
	ehb
	mfc0	$2, $16, 3
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$21, $16, 3
	ehb
	mfc0	$2, $16, 3
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $16, 3
	ehb
	mfc0	$2, $16, 3
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$22, $16, 3
	ehb
	mfc0	$2, $16, 3
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $16, 3
	ehb
	# LLAddr
	dmtc0	$20, $17
	ehb
	dmfc0	$2, $17
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$21, $17
	ehb
	dmfc0	$2, $17
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$0, $17
	ehb
	dmfc0	$2, $17
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$22, $17
	ehb
	dmfc0	$2, $17
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$0, $17
	ehb
	# WatchLo
	dmtc0	$20, $18
	ehb
	dmfc0	$2, $18
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$21, $18
	ehb
	dmfc0	$2, $18
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$0, $18
	ehb
	dmfc0	$2, $18
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$22, $18
	ehb
	dmfc0	$2, $18
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$0, $18
	ehb
	# WatchHi
	mtc0	$20, $19
	ehb
	mfc0	$2, $19
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$21, $19
	ehb
	mfc0	$2, $19
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $19
	ehb
	mfc0	$2, $19
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$22, $19
	ehb
	mfc0	$2, $19
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $19
	ehb
	# XContext
	dmtc0	$20, $20
	ehb
	dmfc0	$2, $20
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$21, $20
	ehb
	dmfc0	$2, $20
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$0, $20
	ehb
	dmfc0	$2, $20
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$22, $20
	ehb
	dmfc0	$2, $20
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$0, $20
	ehb
	# PerfCtl0
	mtc0	$20, $25
	ehb
	mfc0	$2, $25
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$21, $25
	ehb
	mfc0	$2, $25
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $25
	ehb
	mfc0	$2, $25
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$22, $25
	ehb
	mfc0	$2, $25
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $25
	ehb
	# ErrCtl
	mtc0	$20, $26
	ehb
	mfc0	$2, $26
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$21, $26
	ehb
	mfc0	$2, $26
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $26
	ehb
	mfc0	$2, $26
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$22, $26
	ehb
	mfc0	$2, $26
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $26
	ehb
	# TagLo
	mtc0	$20, $28
	ehb
	mfc0	$2, $28
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$21, $28
	ehb
	mfc0	$2, $28
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $28
	ehb
	mfc0	$2, $28
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$22, $28
	ehb
	mfc0	$2, $28
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $28
	ehb
	# ErrorEPC
	dmtc0	$20, $30
	ehb
	dmfc0	$2, $30
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$21, $30
	ehb
	dmfc0	$2, $30
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$0, $30
	ehb
	dmfc0	$2, $30
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$22, $30
	ehb
	dmfc0	$2, $30
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$0, $30
	ehb
	# Status: all ones (EXL/ERL keep kernel mode and block interrupts), pattern, zero
	mtc0	$20, $12
	ehb
	mfc0	$2, $12
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	li	$3, 0x5a5a5a5e		# with ERL
	mtc0	$3, $12
	ehb
	mfc0	$2, $12
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $12
	ehb
	mfc0	$2, $12
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	# Cause: IV, WP, IP1:0 and DC are writable
	mtc0	$20, $13
	ehb
	mfc0	$2, $13
	ori	$2, $2, 0x7c00
	xori	$2, $2, 0x7c00
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $13
	ehb
	mfc0	$2, $13
	ori	$2, $2, 0x7c00
	xori	$2, $2, 0x7c00
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	# EBase: bits 29:12 writable, 31:30 read as 10
	mtc0	$20, $15, 1
	ehb
	mfc0	$2, $15, 1
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$21, $15, 1
	ehb
	mfc0	$2, $15, 1
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $15, 1
	ehb
	mfc0	$2, $15, 1
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	lui	$3, 0x8000
	mtc0	$3, $15, 1
	ehb
	# PageMask: values that are not a run of ones from bit 13
	li	$3, 0x00005000
	mtc0	$3, $5
	mfc0	$2, $5
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	li	$3, 0x0001e000
	mtc0	$3, $5
	mfc0	$2, $5
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	li	$3, 0x00018000
	mtc0	$3, $5
	mfc0	$2, $5
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $5
	b	done
	nop
