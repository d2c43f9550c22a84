# ASIDs: the same virtual page mapped by two non-global entries with different ASIDs to
# different physical pages, and a global entry that matches every ASID; switching
# EntryHi.ASID selects the mapping without any TLB write; a store under one ASID is not
# visible through the other; an unmatched ASID refills.
main:
	dla	$4, pa
	bal	elo_of
	nop
	move	$6, $2
	move	$7, $0
	li	$4, 2
	li	$5, 0x00030011		# VA 0x30000, ASID 0x11
	li	$8, 0
	bal	tlb_write
	nop
	dla	$4, pb
	bal	elo_of
	nop
	move	$6, $2
	li	$4, 3
	li	$5, 0x00030022		# same VA, ASID 0x22
	bal	tlb_write
	nop
	dla	$4, pc
	bal	elo_of
	nop
	ori	$6, $2, 1		# global
	ori	$7, $2, 1
	li	$4, 4
	li	$5, 0x00050033		# VA 0x50000, global
	bal	tlb_write
	nop
	li	$10, 0x30000
	li	$11, 0x50000
	li	$2, 0x11
	dmtc0	$2, $10
	ehb
	ld	$12, 0($10)
	sd	$12, 0($30)
	daddiu	$30, $30, 8
	ld	$12, 0($11)
	sd	$12, 0($30)
	daddiu	$30, $30, 8
	li	$13, 0x1111
	sd	$13, 8($10)
	li	$2, 0x22
	dmtc0	$2, $10
	ehb
	ld	$12, 0($10)
	sd	$12, 0($30)
	daddiu	$30, $30, 8
	ld	$12, 8($10)		# not the 0x1111 stored under ASID 0x11
	sd	$12, 0($30)
	daddiu	$30, $30, 8
	ld	$12, 0($11)		# global
	sd	$12, 0($30)
	daddiu	$30, $30, 8
	li	$13, 0x2222
	sd	$13, 8($11)
	li	$2, 0x11
	dmtc0	$2, $10
	ehb
	ld	$12, 8($10)
	sd	$12, 0($30)
	daddiu	$30, $30, 8
	ld	$12, 8($11)
	sd	$12, 0($30)
	daddiu	$30, $30, 8
	li	$2, 0x44		# no entry for this ASID: TLB refill (the handler skips)
	dla	$3, refill
	dla	$4, exc_table
	sd	$3, 0($4)
	dmtc0	$2, $10
	ehb
	ld	$12, 0($10)
	sd	$12, 0($30)
	daddiu	$30, $30, 8
	ld	$12, 0($11)		# global still matches
	sd	$12, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$0, $10
	ehb
	b	done
	nop

refill:	dmfc0	$26, $10		# EntryHi: VPN2 of the miss, current ASID
	sd	$26, 0($30)
	daddiu	$30, $30, 8
	dmfc0	$26, $14
	daddiu	$26, $26, 4
	dmtc0	$26, $14
	eret

	.data
	.align	12
pa:	.dword	0xaaaa0000, 0
	.space	4096 - 16
pb:	.dword	0xbbbb0000, 0
	.space	4096 - 16
pc:	.dword	0xcccc0000, 0
	.space	4096 - 16
