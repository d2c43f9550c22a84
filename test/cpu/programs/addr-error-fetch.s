# Address errors on instruction fetch: jr/jalr to a misaligned target (EPC = BadVAddr =
# the target, BD clear, the link register written), eret to a misaligned EPC, and
# fetches from segments that are not enabled (xkphys and xkseg with KX = 0, xsseg with
# SX = 0, xuseg beyond 32 bits with UX = 0). A custom handler records the state and
# resumes at the address stored in `resume`.
# Each misaligned address is fetched once only: QEMU 7.2 sets BadVAddr for a misaligned
# fetch when it translates the block, so a second fault from a cached block reports the
# BadVAddr of the last translation (a QEMU bug; we always report the faulting address).
main:
	dla	$2, handler
	dla	$3, exc_table
	sd	$2, 16($3)
	dla	$20, resume
	li	$21, 1			# misalignment 1..3
1:	dla	$2, 2f
	sd	$2, 0($20)
	dla	$3, target
	daddu	$3, $3, $21
	jr	$3
	nop
2:	dla	$2, 3f
	sd	$2, 0($20)
	dla	$3, target
	daddu	$3, $3, $21
	jalr	$17, $3			# links before the fetch faults
	nop
3:	dla	$4, 3b
	dsubu	$4, $17, $4
	sd	$4, 0($30)
	daddiu	$30, $30, 8
	addiu	$21, $21, 1
	sltiu	$5, $21, 4
	bnez	$5, 1b
	nop
	# eret to a misaligned EPC
	dla	$2, 4f
	sd	$2, 0($20)
	dla	$3, target2
	daddiu	$3, $3, 2
	dmtc0	$3, $14
	li	$4, 2			# EXL
	mtc0	$4, $12
	ehb
	eret
4:	# 64-bit segments that are not enabled
	dla	$2, 5f
	sd	$2, 0($20)
	dli	$3, 0x9800000000100000	# xkphys, KX = 0
	jr	$3
	nop
5:	dla	$2, 6f
	sd	$2, 0($20)
	dli	$3, 0xc000000000001000	# xkseg, KX = 0
	jr	$3
	nop
6:	dla	$2, 7f
	sd	$2, 0($20)
	dli	$3, 0x4000000000001000	# xsseg, SX = 0
	jr	$3
	nop
7:	dla	$2, 8f
	sd	$2, 0($20)
	dli	$3, 0x0000000100000000	# xuseg, UX = 0
	jr	$3
	nop
8:	b	done
	nop

target:	addiu	$16, $16, 1		# never reached
	b	done
	nop
target2: addiu	$16, $16, 1		# never reached
	b	done
	nop

handler:
	mfc0	$26, $13
	ori	$26, $26, 0x7c00
	xori	$26, $26, 0x7c00
	sd	$26, 0($30)
	dmfc0	$26, $14
	sd	$26, 8($30)
	dmfc0	$26, $8
	sd	$26, 16($30)
	mfc0	$26, $12
	sd	$26, 24($30)
	dmfc0	$26, $10
	sd	$26, 32($30)
	daddiu	$30, $30, 40
	dla	$26, resume
	ld	$26, 0($26)
	dmtc0	$26, $14
	ehb
	eret

	.data
	.align	3
resume:	.dword	0
