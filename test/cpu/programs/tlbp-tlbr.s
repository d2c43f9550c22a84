# tlbwi/tlbr/tlbp with mixed page sizes (4K, 16K, 64K, 1M, 4M, 16M, 64M, 256M): each
# entry is written with VPN2 and PFN bits below its page size set, then read back with
# tlbr (which bits survive is implementation dependent; QEMU keeps the VPN2 bits and
# clears the PFN ones), probed with tlbp at addresses inside and outside each page,
# with matching and non-matching ASIDs and global entries (G only when both EntryLo
# have it; tlbr returns G in both). Index.P on a miss, Index write mask.
main:
	dla	$20, cases
	li	$21, 0
1:	dsll	$22, $21, 5
	daddu	$22, $22, $20		# case: pagemask, entryhi, lo0, lo1
	move	$4, $21			# index
	ld	$8, 0($22)
	ld	$5, 8($22)
	ld	$6, 16($22)
	ld	$7, 24($22)
	bal	tlb_write
	nop
	addiu	$21, $21, 1
	sltiu	$2, $21, 10
	bnez	$2, 1b
	nop
	# read every entry back
	li	$21, 0
2:	mtc0	$21, $0
	ehb
	tlbr
	ehb
	mfc0	$2, $5
	dmfc0	$3, $10
	dmfc0	$4, $2
	dmfc0	$5, $3
	sd	$2, 0($30)
	sd	$3, 8($30)
	sd	$4, 16($30)
	sd	$5, 24($30)
	daddiu	$30, $30, 32
	addiu	$21, $21, 1
	sltiu	$2, $21, 12
	bnez	$2, 2b
	nop
	dmtc0	$0, $10			# tlbr loaded EntryHi (ASID): restore ASID 0
	mtc0	$0, $5
	# probes
	dla	$20, probes
3:	ld	$2, 0($20)
	beqz	$2, 4f
	nop
	li	$3, 0x15		# Index before the probe: P clear, bits kept on a miss?
	mtc0	$3, $0
	dmtc0	$2, $10
	ehb
	tlbp
	ehb
	mfc0	$3, $0
	sd	$3, 0($30)
	daddiu	$30, $30, 8
	daddiu	$20, $20, 8
	b	3b
	nop
4:	dmtc0	$0, $10
	ehb
	# Index write mask
	li	$2, -1
	mtc0	$2, $0
	mfc0	$3, $0
	sd	$3, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $0
	b	done
	nop

	.data
	.align	3
# PageMask, EntryHi, EntryLo0, EntryLo1
cases:	.dword	0x00000000, 0x0000000000012005, 0x0000000000004017, 0x0000000000004057	# 4K, ASID 5, global
	.dword	0x00006000, 0x0000000000107001, 0x0000000000008016, 0x0000000000008116	# 16K, VPN bits below
	.dword	0x0001e000, 0x000000000023e001, 0x00000000000101de, 0x000000000001041f	# 64K, one G only
	.dword	0x001fe000, 0x0000000001ffe002, 0x00000000004007de, 0x0000000000404016	# 1M
	.dword	0x007fe000, 0x0000000004fff002, 0x0000000001000016, 0x0000000001010016	# 4M
	.dword	0x01ffe000, 0x0000000008000003, 0x0000000002000017, 0x0000000002400017	# 16M, global
	.dword	0x07ffe000, 0x0000000030001003, 0x0000000004000016, 0x0000000005000016	# 64M
	.dword	0x1fffe000, 0x0000000040000004, 0x0000000000000016, 0x0000000000000000	# 256M
	.dword	0x00000000, 0xc000000000002004, 0x0000000000001016, 0x0000000000002016	# xkseg 4K
	.dword	0x00000000, 0x4000001000004000, 0x0000000000003016, 0x0000000000000000	# xsseg
probes:	.dword	0x0000000000012000	# entry 0 (global: any ASID)
	.dword	0x0000000000013007	# entry 0, odd page, other ASID
	.dword	0x0000000000104001	# entry 1 (16K pair at 0x100000), ASID 1
	.dword	0x0000000000107002	# entry 1, ASID 2: miss
	.dword	0x0000000000220001	# entry 2 (64K)
	.dword	0x0000000001f00002	# entry 3 (1M pair at 0x1e00000)
	.dword	0x0000000004800002	# entry 4 (4M pair at 0x4800000)
	.dword	0x0000000009fff009	# entry 5 (16M, global)
	.dword	0x0000000037ffe003	# entry 6 (64M pair at 0x30000000)
	.dword	0x000000005ffff004	# entry 7 (256M pair at 0x40000000)
	.dword	0x0000000060000004	# miss
	.dword	0xc000000000003004	# entry 8
	.dword	0x0000000000002004	# miss: region differs
	.dword	0x4000001000005000	# entry 9
	.dword	0
