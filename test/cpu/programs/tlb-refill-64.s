# XTLB refill (vector EBase + 0x080) for 64-bit segments: xuseg (Status.UX) in kernel
# mode, and xkseg (Status.KX); with UX/KX clear the same addresses are address errors.
# With UX/KX set, the 32-bit compatibility addresses of those regions (kuseg, kseg3)
# refill through the XTLB vector too; xsseg with Status.SX. The handlers record BadVAddr, XContext, Context,
# EntryHi and Cause, find the PTE pair in a small table indexed by VPN2 bits 16:13, and
# write it with tlbwi.
main:
	dla	$2, refill
	dla	$3, exc_table
	sd	$2, 0($3)
	sd	$2, 8($3)		# same handler for both refill vectors
	dli	$2, 0xfffffff800000000	# XContext.PTEBase (bits 63:35)
	dmtc0	$2, $20
	lui	$2, 0x8080
	dmtc0	$2, $4
	li	$20, 8
	dla	$21, tlbidx
	sd	$20, 0($21)
	# PTE table: slot = VPN2 & 15
	dla	$22, ptes
	dla	$4, page0
	bal	elo_of
	nop
	sd	$2, 16 * 1($22)		# slot 1 even
	dla	$4, page1
	bal	elo_of
	nop
	sd	$2, 16 * 1 + 8($22)	# slot 1 odd
	sd	$2, 16 * 2($22)		# slot 2 even -> page1
	dla	$4, page0
	bal	elo_of
	nop
	sd	$2, 16 * 2 + 8($22)	# slot 2 odd -> page0
	sd	$2, 16 * 3($22)		# slot 3 -> page0 both
	sd	$2, 16 * 3 + 8($22)
	# UX/KX clear: address errors
	dli	$5, 0x0000000100002000	# xuseg, VPN2 slot 1
	lw	$6, 0($5)
	dli	$7, 0xc000000000004000	# xkseg, VPN2 slot 2
	lw	$6, 0($7)
	# UX and KX set
	li	$8, 0xa0		# KX | UX
	mtc0	$8, $12
	ehb
	lw	$6, 0($5)		# XTLB refill (xuseg)
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	lw	$6, 0x1000($5)
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	lw	$6, 0($7)		# XTLB refill (xkseg)
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	ld	$6, 0x1008($7)
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	dli	$9, 0x000003ffffff6000	# top of xuseg (SEGBITS 42), slot 3
	ld	$6, 0($9)
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	dli	$9, 0x0000040000000000	# beyond SEGBITS: address error
	ld	$6, 0($9)
	dli	$9, 0x4000000000000000	# xsseg with SX = 0: address error
	ld	$6, 0($9)
	li	$10, 0x00006000		# kuseg: XTLB vector too (UX)
	lw	$6, 0($10)
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	dli	$11, 0xffffffffe0002000	# kseg3: XTLB vector too (KX)
	lw	$6, 0($11)
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	# SX: xsseg maps too
	li	$8, 0xe0
	mtc0	$8, $12
	ehb
	dli	$9, 0x4000000000004000
	lw	$6, 0($9)
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $12
	ehb
	b	done
	nop

refill:
	mfc0	$26, $13
	ori	$26, $26, 0x7c00
	xori	$26, $26, 0x7c00
	sd	$26, 0($30)
	sd	$27, 8($30)		# which vector (0 or 8)
	dmfc0	$26, $8
	sd	$26, 16($30)
	dmfc0	$26, $20
	sd	$26, 24($30)
	dmfc0	$26, $4
	sd	$26, 32($30)
	dmfc0	$26, $10
	sd	$26, 40($30)
	daddiu	$30, $30, 48
	dmfc0	$26, $8
	dsrl	$26, $26, 13
	andi	$26, $26, 15
	dsll	$26, $26, 4
	dla	$27, ptes
	daddu	$27, $27, $26
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

	.data
	.align	12
page0:	.dword	0x0000000000000100, 0x0000000000000101
	.space	4096 - 16
page1:	.dword	0x0000000000000200, 0x0000000000000201
	.space	4096 - 16
ptes:	.space	256
tlbidx:	.dword	0
