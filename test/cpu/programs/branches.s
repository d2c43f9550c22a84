# Every conditional branch (beq, bne, blez, bgtz, bltz, bgez, bltzal, bgezal and the
# b/bal aliases) taken and not taken against a table of values, with work in every
# delay slot (which always executes); branch to a branch's delay slot neighbour.
main:
	dla	$20, values
	li	$21, 0
	li	$16, 0
1:	dsll	$2, $21, 3
	daddu	$2, $2, $20
	ld	$2, 0($2)
	ld	$3, 8($20)		# compare against values[1]
	li	$4, 0
	beq	$2, $3, 2f
	addiu	$4, $4, 1		# delay slot
	ori	$4, $4, 0x10
2:	bne	$2, $3, 3f
	addiu	$4, $4, 1
	ori	$4, $4, 0x20
3:	blez	$2, 4f
	addiu	$4, $4, 1
	ori	$4, $4, 0x40
4:	bgtz	$2, 5f
	addiu	$4, $4, 1
	ori	$4, $4, 0x80
5:	bltz	$2, 6f
	addiu	$4, $4, 1
	ori	$4, $4, 0x100
6:	bgez	$2, 7f
	addiu	$4, $4, 1
	ori	$4, $4, 0x200
7:	move	$31, $0
	bltzal	$2, 8f
	addiu	$4, $4, 1
	ori	$4, $4, 0x400
8:	dla	$5, 8b
	dsubu	$5, $31, $5		# link offset relative to label 8 (0 when not linked... always linked)
	daddu	$16, $16, $5
	move	$31, $0
	bgezal	$2, 9f
	addiu	$4, $4, 1
	ori	$4, $4, 0x800
9:	dla	$5, 9b
	dsubu	$5, $31, $5
	daddu	$16, $16, $5
	sd	$4, 0($30)
	daddiu	$30, $30, 8
	addiu	$21, $21, 1
	sltiu	$6, $21, 8
	bnez	$6, 1b
	nop
	sd	$16, 0($30)
	daddiu	$30, $30, 8
	# b / bal, and beq $0,$0 with a backward target
	li	$7, 0
	b	10f
	addiu	$7, $7, 1
	addiu	$7, $7, 0x100		# skipped
10:	bal	11f
	addiu	$7, $7, 2
	addiu	$7, $7, 0x200		# skipped
11:	dla	$8, 10b
	dsubu	$8, $31, $8
	sd	$8, 0($30)
	daddiu	$30, $30, 8
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	li	$9, 3
12:	addiu	$9, $9, -1
	bne	$9, $0, 12b
	addiu	$7, $7, 4		# runs on every iteration
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	# a branch whose delay slot writes the branch's own source register
	li	$10, 1
	beq	$10, $10, 13f
	li	$10, 2
	li	$10, 3
13:	sd	$10, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop

	.data
	.align	3
values:	.dword	0, 5, -5, 0x7fffffffffffffff, 0x8000000000000000, 0x0000000100000000
	.dword	0xffffffff00000000, 0x00000000ffffffff
