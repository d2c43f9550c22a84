# Translation through pages of every size from 4K to 256M: for each entry, values are
# written through kseg0 at the physical addresses of the even and odd pages (start and
# last doubleword), then read back through the mapping; the 256M pair maps physical 0,
# so the program image is readable through it. Accesses one byte past the odd page miss.
main:
	dla	$2, refill
	dla	$3, exc_table
	sd	$2, 0($3)
	dla	$20, sizes
	li	$21, 0
1:	dsll	$22, $21, 5
	daddu	$22, $22, $20
	ld	$8, 0($22)		# PageMask
	ld	$5, 8($22)		# VA of the pair
	ld	$23, 16($22)		# physical address of the even page
	ld	$24, 24($22)		# page size
	# EntryLo: PFN | C=3 | D | V
	dsrl	$6, $23, 12
	dsll	$6, $6, 6
	ori	$6, $6, 0x1e
	daddu	$7, $23, $24
	dsrl	$7, $7, 12
	dsll	$7, $7, 6
	ori	$7, $7, 0x1e
	daddiu	$4, $21, 16		# TLB index
	bal	tlb_write
	nop
	# write markers through kseg0 (physical < 512 MiB except the 256M odd page)
	lui	$9, 0x8000
	daddu	$10, $9, $23		# kseg0 address of the even page
	dsll	$11, $21, 8
	ori	$11, $11, 0x11
	sltiu	$12, $21, 7		# skip the 256M case (its pages hold the image / no RAM)
	beqz	$12, 2f
	nop
	sd	$11, 0($10)
	daddu	$13, $10, $24
	daddiu	$13, $13, -8
	sd	$11, 0($13)		# last doubleword of the even page
	daddiu	$11, $11, 1
	daddu	$13, $10, $24
	sd	$11, 0($13)		# first of the odd page
	daddu	$13, $13, $24
	sd	$11, -8($13)		# last of the odd page
	# read back through the mapping
	ld	$14, 0($5)
	sd	$14, 0($30)
	daddiu	$30, $30, 8
	daddu	$15, $5, $24
	ld	$14, -8($15)
	sd	$14, 0($30)
	daddiu	$30, $30, 8
	ld	$14, 0($15)
	sd	$14, 0($30)
	daddiu	$30, $30, 8
	daddu	$15, $15, $24
	ld	$14, -8($15)
	sd	$14, 0($30)
	daddiu	$30, $30, 8
2:	addiu	$21, $21, 1
	sltiu	$12, $21, 8
	bnez	$12, 1b
	nop
	# 256M: even page = physical 0..256M: read the image through it
	dla	$16, marker
	dsll	$16, $16, 35
	dsrl	$16, $16, 35		# physical address of marker
	lui	$17, 0x2000
	daddu	$17, $17, $16		# VA 0x20000000 + physical
	ld	$18, 0($17)
	sd	$18, 0($30)
	daddiu	$30, $30, 8
	sd	$18, 8($17)		# store through it too
	dla	$16, marker
	ld	$18, 8($16)
	sd	$18, 0($30)
	daddiu	$30, $30, 8
	# just past the 16K pair: refill
	ld	$5, 8 + 32 * 1($20)
	ld	$24, 24 + 32 * 1($20)
	dsll	$24, $24, 1
	daddu	$5, $5, $24
	ld	$14, 0($5)
	b	done
	nop

refill:	dmfc0	$26, $8
	sd	$26, 0($30)
	dmfc0	$26, $10
	sd	$26, 8($30)
	dmfc0	$26, $14
	daddiu	$26, $26, 4		# skip the access (not in a delay slot here)
	dmtc0	$26, $14
	daddiu	$30, $30, 16
	eret

	.data
	.align	3
# PageMask, VA of the pair, physical address of the even page, page size
sizes:	.dword	0x00000000, 0x00010000, 0x00800000, 0x1000
	.dword	0x00006000, 0x00020000, 0x00808000, 0x4000
	.dword	0x0001e000, 0x00040000, 0x00820000, 0x10000
	.dword	0x001fe000, 0x00200000, 0x00a00000, 0x100000
	.dword	0x007fe000, 0x00800000, 0x01800000, 0x400000
	.dword	0x01ffe000, 0x04000000, 0x02000000, 0x1000000
	.dword	0x07ffe000, 0x08000000, 0x04000000, 0x4000000
	.dword	0x1fffe000, 0x20000000, 0x00000000, 0x10000000
marker:	.dword	0x0123456789abcdef, 0
