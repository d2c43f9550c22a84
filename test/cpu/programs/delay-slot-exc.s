# Exceptions in branch delay slots: Cause.BD = 1 and EPC = the branch's address; after
# fixing the cause the handler returns to the branch, which is re-executed (taken or
# not, linking again). Covered: a trap, an overflow, a misaligned load, a TLB refill and
# a syscall in the delay slots of beq/bne/jal/jr/jalr/bgezal/beql; and an exception
# in a delay slot of a not-taken branch. The handler repairs the faulting condition by
# changing the register the faulting instruction uses.
# Not tested: a branch that can never be taken because rs and rt are the same register
# (bne $0, $0; bltz $0). QEMU 7.2 translates it as a nop, so an exception in its delay
# slot reports BD = 0 and EPC = the slot; the architecture (and we) report BD = 1 and
# EPC = the branch.
main:
	dla	$2, handler
	dla	$3, exc_table
	sd	$2, 16($3)
	dla	$2, refill
	sd	$2, 0($3)
	li	$16, 0
	# trap in the delay slot of a taken beq
	li	$8, 1			# teq traps while $8 == 1; the handler sets $8 = 2
	beq	$0, $0, 1f
	teqi	$8, 1
	addiu	$16, $16, 0x100		# skipped
1:	addiu	$16, $16, 1
	# overflow in the delay slot of a not-taken bne (rs and rt distinct registers, see above)
	li	$9, 0x7fffffff
	li	$10, 1
	li	$24, 3
	li	$25, 3
	bne	$24, $25, 2f
	add	$11, $9, $10		# handler sets $9 = 0
	addiu	$16, $16, 2
2:	sd	$11, 0($30)
	daddiu	$30, $30, 8
	# misaligned load in the delay slot of jal (link must be written again)
	dla	$12, word
	daddiu	$12, $12, 1		# handler realigns $12
	jal	sub1
	lw	$13, 0($12)
	sd	$13, 0($30)
	daddiu	$30, $30, 8
	sd	$31, 0($30)
	daddiu	$30, $30, 8
	# TLB refill in the delay slot of jr
	dla	$14, 3f
	li	$15, 0x70000
	jr	$14
	lw	$17, 0($15)		# refill handler maps VA 0x70000
3:	sd	$17, 0($30)
	daddiu	$30, $30, 8
	# syscall in the delay slot of jalr cannot be repaired: the handler resumes at
	# EPC + 8, after the delay slot (the jump is not taken then)
	dla	$19, sub2
	jalr	$19
	syscall
	sd	$16, 0($30)
	daddiu	$30, $30, 8
	# bgezal and beql
	li	$8, 1
	bgezal	$0, 4f
	teqi	$8, 1
	nop
4:	dla	$20, 4b
	dsubu	$20, $31, $20
	sd	$20, 0($30)
	daddiu	$30, $30, 8
	li	$8, 1
	beql	$0, $0, 5f
	teqi	$8, 1
	nop
5:	sd	$16, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop

sub1:	jr	$31
	addiu	$16, $16, 4
sub2:	jr	$31
	addiu	$16, $16, 8

# General handler: record Cause (BD), EPC; repair and return to EPC (the branch).
handler:
	mfc0	$26, $13
	ori	$26, $26, 0x7c00
	xori	$26, $26, 0x7c00
	sd	$26, 0($30)
	dmfc0	$27, $14
	sd	$27, 8($30)
	dmfc0	$27, $8
	sd	$27, 16($30)
	daddiu	$30, $30, 24
	andi	$26, $26, 0x7c
	li	$27, 13 << 2		# Tr
	bne	$26, $27, 1f
	nop
	b	9f
	li	$8, 2
1:	li	$27, 12 << 2		# Ov
	bne	$26, $27, 2f
	nop
	b	9f
	li	$9, 0
2:	li	$27, 4 << 2		# AdEL
	bne	$26, $27, 3f
	nop
	b	9f
	daddiu	$12, $12, -1
3:	li	$27, 8 << 2		# Sys: resume after the delay slot
	bne	$26, $27, 9f
	nop
	dmfc0	$27, $14
	daddiu	$27, $27, 8
	dmtc0	$27, $14
9:	ehb
	eret

refill:	mfc0	$26, $13
	ori	$26, $26, 0x7c00
	xori	$26, $26, 0x7c00
	sd	$26, 0($30)
	dmfc0	$26, $14
	sd	$26, 8($30)
	daddiu	$30, $30, 16
	dla	$27, page
	dsll	$27, $27, 35
	dsrl	$27, $27, 47
	dsll	$27, $27, 6
	ori	$27, $27, 0x1e
	dmtc0	$27, $2
	dmtc0	$0, $3
	li	$27, 20
	mtc0	$27, $0
	ehb
	tlbwi
	ehb
	eret

	.data
	.align	12
page:	.dword	0x7777777777777777
	.space	4096 - 8
word:	.word	0x12345678, 0
