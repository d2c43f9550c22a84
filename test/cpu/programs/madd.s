# madd, maddu, msub, msubu accumulate a 64-bit product into HI:LO (sign-extended 32-bit
# halves); carries across the halves and wraparound.
main:
	dla	$20, operands
	li	$21, 0
	mthi	$0
	mtlo	$0
1:	lw	$2, 0($20)
	lw	$3, 4($20)
	madd	$2, $3
	mfhi	$4
	mflo	$5
	maddu	$2, $3
	mfhi	$6
	mflo	$7
	msub	$3, $2
	mfhi	$8
	mflo	$9
	msubu	$2, $2
	mfhi	$10
	mflo	$11
	sd	$4, 0($30)
	sd	$5, 8($30)
	sd	$6, 16($30)
	sd	$7, 24($30)
	sd	$8, 32($30)
	sd	$9, 40($30)
	sd	$10, 48($30)
	sd	$11, 56($30)
	daddiu	$30, $30, 64
	daddiu	$20, $20, 8
	addiu	$21, $21, 1
	sltiu	$22, $21, 8
	bnez	$22, 1b
	nop
	# accumulate from a preset HI:LO with carries out of LO
	li	$2, 0x7fffffff
	mthi	$2
	li	$3, -1
	mtlo	$3
	li	$4, 1
	maddu	$4, $4
	mfhi	$5
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	mflo	$5
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	msubu	$4, $4
	mfhi	$5
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	mflo	$5
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	madd	$3, $3
	mfhi	$5
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	mflo	$5
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop

	.data
	.align	3
operands:
	.word	3, 5
	.word	-3, 5
	.word	0x7fffffff, 0x7fffffff
	.word	0x80000000, 0x80000000
	.word	0x80000000, 0x7fffffff
	.word	0xffffffff, 0xffffffff
	.word	0x12345678, 0x9abcdef0
	.word	0, 0x55555555
