# TLB refill in 32-bit kuseg (refill vector EBase + 0x000): a handler in the classic
# style loads the PTE pair through Context (PTEBase = 0xffffffff80800000) and writes it
# with tlbwi (a deterministic index; Random is not compared). Loads, stores and an
# instruction fetch each miss once and then hit; the handler records BadVAddr, Context,
# EntryHi, Cause and EPC. Then the same mappings are used again from a new refill with
# an ASID switch back and forth (the entries are not global).
main:
	dla	$2, refill
	dla	$3, exc_table
	sd	$2, 0($3)
	lui	$2, 0x8080
	dmtc0	$2, $4			# Context.PTEBase = 0xffffffff80800000
	li	$20, 8			# next TLB index for the handler
	dla	$21, tlbidx
	sd	$20, 0($21)
	# page table: PTE pairs at PTEBase + VPN2 * 16
	lui	$22, 0x8080		# 0xffffffff80800000
	dla	$4, page0
	bal	elo_of
	nop
	sd	$2, 0x80($22)		# VPN2 8 (VA 0x10000): even -> page0
	dla	$4, page1
	bal	elo_of
	nop
	sd	$2, 0x88($22)		# odd (VA 0x11000) -> page1
	dla	$4, page2
	bal	elo_of
	nop
	xori	$2, $2, 4		# read-only (D = 0)
	sd	$2, 0x90($22)		# VPN2 9 (VA 0x12000): even -> page2, D = 0
	sd	$0, 0x98($22)		# odd (VA 0x13000): invalid
	dla	$4, ucode
	bal	elo_of
	nop
	sd	$2, 0xa0($22)		# VPN2 10 (VA 0x14000): code
	sd	$0, 0xa8($22)
	lui	$23, 0x0040		# top VPN2 of kuseg: 0x7fffe000 -> VPN2 0x3ffff
	daddu	$23, $23, $22		# PTE address = PTEBase + 0x3ffff0
	daddiu	$23, $23, -16
	dla	$4, page1
	bal	elo_of
	nop
	sd	$2, 0($23)
	dla	$4, page0
	bal	elo_of
	nop
	sd	$2, 8($23)
	# accesses
	li	$5, 0x10000
	lw	$6, 0($5)		# refill, then hit
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	li	$7, 0x5a5a
	sw	$7, 0x1004($5)		# odd page, same entry: no refill
	lw	$6, 0x1004($5)
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	lw	$6, 0x2000($5)		# VPN2 9 even: refill
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	sw	$7, 0x2008($5)		# D = 0: TLB Modified (default handler skips)
	lw	$6, 0x3000($5)		# odd page invalid: TLBL
	sw	$7, 0x3000($5)		# TLBS
	li	$8, 0x14000
	jalr	$8			# instruction fetch refill
	nop
	sd	$9, 0($30)
	daddiu	$30, $30, 8
	lui	$10, 0x7fff
	ori	$10, $10, 0xe000
	lw	$6, 0($10)		# 0x7fffe000 -> page1
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	sd	$7, 0x1ff8($10)		# 0x7ffffff8 -> page0 + 0xff8
	# ASID switch: entries written with ASID 0 do not match ASID 5
	li	$11, 5
	dmtc0	$11, $10		# EntryHi: ASID 5
	ehb
	lw	$6, 0($5)		# refill again (ASID 5)
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$0, $10			# back to ASID 0: the old entry still matches
	ehb
	lw	$6, 4($5)
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop

refill:
	dmfc0	$26, $8
	sd	$26, 0($30)
	dmfc0	$26, $4
	sd	$26, 8($30)
	dmfc0	$26, $10
	sd	$26, 16($30)
	mfc0	$26, $13
	ori	$26, $26, 0x7c00
	xori	$26, $26, 0x7c00
	sd	$26, 24($30)
	dmfc0	$26, $14
	sd	$26, 32($30)
	daddiu	$30, $30, 40
	dmfc0	$27, $4
	ld	$26, 0($27)
	dmtc0	$26, $2
	ld	$26, 8($27)
	dmtc0	$26, $3
	dla	$27, tlbidx
	ld	$26, 0($27)
	mtc0	$26, $0
	daddiu	$26, $26, 1
	sd	$26, 0($27)
	ehb
	tlbwi
	ehb
	eret

	.align	12
ucode:	li	$9, 0x4242		# runs at VA 0x14000
	jr	$31
	nop

	.data
	.align	12
page0:	.dword	0x0000000000000100, 0x0000000000000101
	.space	4096 - 16
page1:	.dword	0x0000000000000200, 0x0000000000000201
	.space	4096 - 16
page2:	.dword	0x0000000000000300, 0x0000000000000301
	.space	4096 - 16
tlbidx:	.dword	0
