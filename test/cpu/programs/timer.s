# diff: notrace
# diff: ignore cp0.compare
# The Count/Compare timer: Compare = Count + 0x20000 with IE and IM7 → an interrupt with
# Cause.TI and IP7 set, acknowledged by writing Compare; with IM7 masked Cause.TI/IP7
# become set without an interrupt; a Compare write clears them; Count writes. Timing
# (QEMU's Count follows host time, ours counts instructions) decides only how long the
# polling loops run: their counters, EPC and Compare are not recorded/compared.
main:
	dla	$2, handler
	dla	$3, exc_table
	sd	$2, 16($3)
	dla	$20, flag
	bal	arm
	nop
	li	$2, 0x8001		# IE, IM7
	mtc0	$2, $12
	lui	$3, 0x1000		# bounded wait (256M iterations; normally a few thousand)
1:	ld	$4, 0($20)
	bnez	$4, 2f
	addiu	$3, $3, -1
	bnez	$3, 1b
	nop
2:	sltu	$3, $0, $3		# 1 if the interrupt came before the bound
	sd	$3, 0($30)
	daddiu	$30, $30, 8
	sd	$4, 0($30)
	daddiu	$30, $30, 8
	# masked: TI becomes pending without an interrupt
	li	$2, 0x0001		# IE, IM7 clear
	mtc0	$2, $12
	bal	arm
	nop
	# (Until both TI and IP7 are seen: QEMU sets them one after the other from its timer
	# callback while the CPU thread runs, so a loaded host can show TI alone for a moment.)
	lui	$3, 0x1000
	li	$6, 0x40008000
3:	mfc0	$5, $13
	bltz	$5, 4f			# BD is never set here: bit 31 clear; TI is bit 30
	and	$7, $5, $6
	beq	$7, $6, 4f
	addiu	$3, $3, -1
	bnez	$3, 3b
	nop
4:	li	$7, 0
	sltu	$3, $0, $3
	sd	$3, 0($30)
	daddiu	$30, $30, 8
	and	$5, $5, $6		# TI and IP7
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	mfc0	$2, $11
	mtc0	$2, $11			# acknowledge
	mfc0	$5, $13
	and	$5, $5, $6
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	# Count write and read-back (only the difference is checked, loosely)
	lui	$7, 0x1234
	mtc0	$7, $9
	mfc0	$8, $9
	subu	$8, $8, $7		# ticks since the write: small and not negative
	lui	$9, 0x1000
	sltu	$8, $8, $9
	li	$9, 0
	sd	$8, 0($30)
	daddiu	$30, $30, 8
	# quiet: Compare far away, interrupts off
	mtc0	$0, $12
	mfc0	$2, $9
	lui	$3, 0x4000
	addu	$2, $2, $3
	mtc0	$2, $11
	li	$2, 0
	li	$3, 0
	li	$5, 0
	li	$7, 0
	dmtc0	$0, $14			# EPC held a timing-dependent loop address
	b	done
	nop

# arm: Compare = Count + 0x20000, retried if Count has already passed the new Compare
# (QEMU's Count follows host time: the thread may be descheduled between the read and
# the write).
arm:	mfc0	$2, $9
	lui	$3, 2
	addu	$2, $2, $3
	mtc0	$2, $11
	mfc0	$4, $9
	subu	$4, $2, $4		# Compare - Count
	bltz	$4, arm
	nop
	jr	$31
	li	$4, 0

handler:
	mfc0	$26, $13
	ori	$26, $26, 0x7c00
	xori	$26, $26, 0x7c00
	sd	$26, 0($30)		# ExcCode 0, TI, IP7
	daddiu	$30, $30, 8
	mfc0	$26, $11
	mtc0	$26, $11		# acknowledge (clears TI)
	li	$26, 1
	sd	$26, 0($20)
	ehb
	eret

	.data
	.align	3
flag:	.dword	0
