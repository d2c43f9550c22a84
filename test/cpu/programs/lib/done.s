# Differential test library, part 2 (appended to every program by the harness):
# the exception dispatcher, the default handler, `done` and the data areas.
	.set noreorder
	.set noat

# ---- exceptions -------------------------------------------------------------------
# Entered from a vector stub with k1 = 8 * slot. Counts the exception, aborts a runaway
# program, then jumps to exc_table[slot] or the default handler. Preserves $1.
_vec_common:
	lui	$26, %hi(_kdata)
	daddiu	$26, $26, %lo(_kdata)
	sd	$1, 0($26)		# save $at
	ld	$1, 8($26)
	daddiu	$1, $1, 1
	sd	$1, 8($26)		# exception count
	sltiu	$1, $1, 200
	beqz	$1, _runaway
	nop
	ld	$1, 0($26)		# restore $at
	daddu	$26, $26, $27
	ld	$26, 16($26)		# exc_table[slot]
	beqz	$26, _vec_default
	nop
	jr	$26
	nop

# Default: record Cause, EPC, BadVAddr; refill/cache error → abort; interrupt → clear
# Status.IE; other exceptions resume after the faulting instruction (after the delay
# slot when Cause.BD).
_vec_default:
	mfc0	$26, $13
	ori	$26, $26, 0x7c00	# clear Cause.IP2-IP6 (board interrupt lines, not
	xori	$26, $26, 0x7c00	# compared: QEMU's Malta i8259 drives IP2)
	sd	$26, 0($30)
	dmfc0	$26, $14
	sd	$26, 8($30)
	dmfc0	$26, $8
	sd	$26, 16($30)
	daddiu	$30, $30, 24
	xori	$26, $27, 16
	beqz	$26, 1f			# general
	xori	$26, $27, 24
	beqz	$26, 3f			# interrupt vector
	nop
	b	_runaway		# refill, cache error: unexpected
	nop
1:	mfc0	$27, $13
	ori	$27, $27, 0x7c00
	xori	$27, $27, 0x7c00
	andi	$26, $27, 0x7c
	beqz	$26, 3f			# ExcCode 0: interrupt
	nop
	dmfc0	$26, $14
	bgez	$27, 2f			# BD clear
	daddiu	$26, $26, 4
	daddiu	$26, $26, 4
2:	dmtc0	$26, $14
	ehb
	eret
3:	mfc0	$26, $12
	ori	$26, $26, 1
	xori	$26, $26, 1
	mtc0	$26, $12		# IE = 0
	ehb
	eret

# Too many exceptions (or an unexpected refill): record a marker and finish.
_runaway:
	lui	$26, 0xdead
	sd	$26, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop

# ---- done -------------------------------------------------------------------------
# Stores every GPR, HI, LO and the CP0 registers to `dump` (layout known to the harness),
# prints "DONE xxxxxxxx" (a checksum of the dump) on the UART without polling (the line
# fits the 16-byte transmit FIFO), restores every GPR, HI and LO, then spins at `end`.
# $1 is parked in DESAVE (CP0 31) while it serves as the base register.
done:
	dmtc0	$1, $31
	lui	$1, %hi(dump)
	daddiu	$1, $1, %lo(dump)
	sd	$0, 0($1)
	sd	$2, 16($1)
	sd	$3, 24($1)
	sd	$4, 32($1)
	sd	$5, 40($1)
	sd	$6, 48($1)
	sd	$7, 56($1)
	sd	$8, 64($1)
	sd	$9, 72($1)
	sd	$10, 80($1)
	sd	$11, 88($1)
	sd	$12, 96($1)
	sd	$13, 104($1)
	sd	$14, 112($1)
	sd	$15, 120($1)
	sd	$16, 128($1)
	sd	$17, 136($1)
	sd	$18, 144($1)
	sd	$19, 152($1)
	sd	$20, 160($1)
	sd	$21, 168($1)
	sd	$22, 176($1)
	sd	$23, 184($1)
	sd	$24, 192($1)
	sd	$25, 200($1)
	sd	$26, 208($1)
	sd	$27, 216($1)
	sd	$28, 224($1)
	sd	$29, 232($1)
	sd	$30, 240($1)
	sd	$31, 248($1)
	dmfc0	$2, $31
	sd	$2, 8($1)
	mfhi	$2
	sd	$2, 256($1)
	mflo	$2
	sd	$2, 264($1)
	mfc0	$2, $0			# Index
	sd	$2, 272($1)
	dmfc0	$2, $2			# EntryLo0
	sd	$2, 280($1)
	dmfc0	$2, $3			# EntryLo1
	sd	$2, 288($1)
	dmfc0	$2, $4			# Context
	sd	$2, 296($1)
	mfc0	$2, $5			# PageMask
	sd	$2, 304($1)
	mfc0	$2, $6			# Wired
	sd	$2, 312($1)
	mfc0	$2, $7			# HWREna
	sd	$2, 320($1)
	dmfc0	$2, $8			# BadVAddr
	sd	$2, 328($1)
	dmfc0	$2, $10			# EntryHi
	sd	$2, 336($1)
	mfc0	$2, $11			# Compare
	sd	$2, 344($1)
	mfc0	$2, $12			# Status
	sd	$2, 352($1)
	mfc0	$2, $12, 1		# IntCtl
	sd	$2, 360($1)
	mfc0	$2, $12, 2		# SRSCtl
	sd	$2, 368($1)
	mfc0	$2, $13			# Cause
	sd	$2, 376($1)
	dmfc0	$2, $14			# EPC
	sd	$2, 384($1)
	mfc0	$2, $15			# PRId
	sd	$2, 392($1)
	mfc0	$2, $15, 1		# EBase
	sd	$2, 400($1)
	mfc0	$2, $16			# Config
	sd	$2, 408($1)
	mfc0	$2, $16, 1		# Config1
	sd	$2, 416($1)
	mfc0	$2, $16, 2		# Config2
	sd	$2, 424($1)
	mfc0	$2, $16, 3		# Config3
	sd	$2, 432($1)
	dmfc0	$2, $17			# LLAddr
	sd	$2, 440($1)
	dmfc0	$2, $18			# WatchLo
	sd	$2, 448($1)
	mfc0	$2, $19			# WatchHi
	sd	$2, 456($1)
	dmfc0	$2, $20			# XContext
	sd	$2, 464($1)
	dmfc0	$2, $30			# ErrorEPC
	sd	$2, 472($1)
	# checksum: sum of (dword << (i mod 8)) over GPRs and HI/LO (timing-free values)
	li	$3, 0
	li	$4, 0
6:	dsll	$5, $4, 3
	daddu	$5, $5, $1
	ld	$5, 0($5)
	andi	$6, $4, 7
	dsllv	$5, $5, $6
	daddu	$3, $3, $5
	addiu	$4, $4, 1
	sltiu	$5, $4, 34
	bnez	$5, 6b
	nop
	dsrl32	$5, $3, 0
	xor	$3, $3, $5		# fold to 32 bits
	# print "DONE " + 8 hex digits + "\n"
	lui	$5, 0xb800
	li	$6, 'D'
	sb	$6, 0x3f8($5)
	li	$6, 'O'
	sb	$6, 0x3f8($5)
	li	$6, 'N'
	sb	$6, 0x3f8($5)
	li	$6, 'E'
	sb	$6, 0x3f8($5)
	li	$6, ' '
	sb	$6, 0x3f8($5)
	li	$4, 28
7:	srlv	$6, $3, $4
	andi	$6, $6, 15
	sltiu	$7, $6, 10
	bnez	$7, 8f
	addiu	$6, $6, '0'
	addiu	$6, $6, 'a' - '0' - 10
8:	sb	$6, 0x3f8($5)
	bnez	$4, 7b
	addiu	$4, $4, -4
	li	$6, 10
	sb	$6, 0x3f8($5)
	# restore
	ld	$2, 256($1)
	mthi	$2
	ld	$2, 264($1)
	mtlo	$2
	ld	$2, 16($1)
	ld	$3, 24($1)
	ld	$4, 32($1)
	ld	$5, 40($1)
	ld	$6, 48($1)
	ld	$7, 56($1)
	ld	$8, 64($1)
	ld	$9, 72($1)
	ld	$10, 80($1)
	ld	$11, 88($1)
	ld	$12, 96($1)
	ld	$13, 104($1)
	ld	$14, 112($1)
	ld	$15, 120($1)
	ld	$16, 128($1)
	ld	$17, 136($1)
	ld	$18, 144($1)
	ld	$19, 152($1)
	ld	$20, 160($1)
	ld	$21, 168($1)
	ld	$22, 176($1)
	ld	$23, 184($1)
	ld	$24, 192($1)
	ld	$25, 200($1)
	ld	$26, 208($1)
	ld	$27, 216($1)
	ld	$28, 224($1)
	ld	$29, 232($1)
	ld	$30, 240($1)
	ld	$31, 248($1)
	ld	$1, 8($1)
	.globl	end
end:	b	end
	nop

# ---- data -------------------------------------------------------------------------
	.data
	.align	4
_kdata:
	.dword	0			# +0: $at while dispatching
	.dword	0			# +8: exceptions taken
exc_table:
	.dword	0, 0, 0, 0, 0		# refill, XTLB refill, general, interrupt, cache error
	.dword	0, 0, 0
	.globl	dump
dump:
	.space	512
	.globl	results
results:
	.space	4096
	.globl	_image_end
_image_end:
