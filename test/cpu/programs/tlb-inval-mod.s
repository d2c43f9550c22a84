# TLB Invalid (V = 0) and TLB Modified (D = 0) exceptions in kuseg, xuseg and xkseg:
# loads/fetches → TLBL, stores → TLBS through the general vector (not the refill
# vector: the entry exists), stores to clean pages → Mod; BadVAddr, Context, XContext
# and EntryHi record the address. A handler then sets V or D in the entry (tlbp, tlbr,
# modify, tlbwi) and the access is retried successfully.
main:
	dla	$2, handler
	dla	$3, exc_table
	sd	$2, 16($3)
	li	$2, 0xa0		# KX | UX
	mtc0	$2, $12
	ehb
	dla	$4, page
	bal	elo_of
	nop
	move	$16, $2			# EntryLo: V, D, C = 3
	# entries: even half invalid, odd half clean (D = 0)
	xori	$6, $16, 2		# V = 0
	xori	$7, $16, 4		# D = 0
	li	$4, 5
	li	$5, 0x00040000
	li	$8, 0
	bal	tlb_write
	nop
	li	$4, 6
	dli	$5, 0x0000000300040000
	bal	tlb_write
	nop
	li	$4, 7
	dli	$5, 0xc000000000040000
	bal	tlb_write
	nop
	dla	$20, bases
	li	$21, 0
1:	dsll	$22, $21, 3
	daddu	$22, $22, $20
	ld	$23, 0($22)
	ld	$9, 8($23)		# even page invalid: TLBL, fixed, retried
	sd	$9, 0($30)
	daddiu	$30, $30, 8
	li	$10, 0x4444
	sd	$10, 0x10($23)		# even page now valid and dirty
	sd	$10, 0x1010($23)	# odd page clean: Mod, fixed, retried
	ld	$9, 0x1010($23)
	sd	$9, 0($30)
	daddiu	$30, $30, 8
	addiu	$21, $21, 1
	sltiu	$2, $21, 3
	bnez	$2, 1b
	nop
	# an invalid page as a fetch target
	li	$4, 8
	li	$5, 0x00050000
	move	$6, $0
	move	$7, $0
	li	$8, 0
	bal	tlb_write
	nop
	dla	$2, 2f
	dla	$3, resume
	sd	$2, 0($3)
	li	$11, 0x50000
	jr	$11
	nop
2:	mtc0	$0, $12
	ehb
	b	done
	nop

# Records Cause, BadVAddr, Context, XContext, EntryHi; a fetch fault resumes at
# `resume`; otherwise the entry is probed and the faulting half gets V and D.
handler:
	mfc0	$26, $13
	ori	$26, $26, 0x7c00
	xori	$26, $26, 0x7c00
	sd	$26, 0($30)
	dmfc0	$27, $8
	sd	$27, 8($30)
	dmfc0	$27, $4
	sd	$27, 16($30)
	dmfc0	$27, $20
	sd	$27, 24($30)
	dmfc0	$27, $10
	sd	$27, 32($30)
	daddiu	$30, $30, 40
	dmfc0	$26, $8
	dmfc0	$27, $14
	bne	$26, $27, 1f		# BadVAddr = EPC: instruction fetch
	nop
	dla	$26, resume
	ld	$26, 0($26)
	dmtc0	$26, $14
	ehb
	eret
1:	tlbp				# EntryHi holds the faulting VPN2 (and our ASID)
	ehb
	tlbr
	ehb
	andi	$26, $26, 0x1000	# odd half?
	bnez	$26, 2f
	nop
	dmfc0	$27, $2
	ori	$27, $27, 6
	dmtc0	$27, $2
	b	3f
	nop
2:	dmfc0	$27, $3
	ori	$27, $27, 6
	dmtc0	$27, $3
3:	ehb
	tlbwi
	ehb
	eret

	.data
	.align	12
page:	.dword	0x1111111111111111, 0x2222222222222222
	.space	4096 - 16
	.dword	0x3333333333333333
	.space	4096 - 8
bases:	.dword	0x40000, 0x0000000300040000, 0xc000000000040000
resume:	.dword	0
