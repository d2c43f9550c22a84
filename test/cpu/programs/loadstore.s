# Loads and stores of every size (lb, lbu, lh, lhu, lw, lwu, ld; sb, sh, sw, sd) at every
# aligned offset of a doubleword, with sign/zero extension, byte-order effects and
# negative displacements; stores of registers with garbage upper bits.
main:
	dla	$20, buf
	dli	$2, 0x8081828384858687
	sd	$2, 0($20)
	dli	$3, 0x0011223344556677
	sd	$3, 8($20)
	li	$16, 0
	li	$4, 0
1:	daddu	$5, $20, $4
	lb	$6, 0($5)
	lbu	$7, 0($5)
	dsll	$16, $16, 1
	daddu	$16, $16, $6
	daddu	$16, $16, $7
	andi	$8, $4, 1
	bnez	$8, 2f
	nop
	lh	$6, 0($5)
	lhu	$7, 0($5)
	xor	$16, $16, $6
	daddu	$16, $16, $7
	andi	$8, $4, 3
	bnez	$8, 2f
	nop
	lw	$6, 0($5)
	lwu	$7, 0($5)
	sd	$6, 0($30)
	sd	$7, 8($30)
	daddiu	$30, $30, 16
	andi	$8, $4, 7
	bnez	$8, 2f
	nop
	ld	$6, 0($5)
	sd	$6, 0($30)
	daddiu	$30, $30, 8
2:	addiu	$4, $4, 1
	sltiu	$8, $4, 16
	bnez	$8, 1b
	nop
	sd	$16, 0($30)
	daddiu	$30, $30, 8
	# stores of each size at each aligned offset
	dli	$9, 0xa1a2a3a4a5a6a7a8
	daddiu	$10, $20, 16
	sb	$9, 0($10)
	sb	$9, 3($10)
	sh	$9, 6($10)
	sh	$9, 10($10)
	sw	$9, 12($10)
	sd	$9, 16($10)
	sw	$9, 24($10)
	sh	$9, 30($10)
	sb	$9, 31($10)
	ld	$11, 0($10)
	sd	$11, 0($30)
	daddiu	$30, $30, 8
	ld	$11, 8($10)
	sd	$11, 0($30)
	daddiu	$30, $30, 8
	ld	$11, 16($10)
	sd	$11, 0($30)
	daddiu	$30, $30, 8
	ld	$11, 24($10)
	sd	$11, 0($30)
	daddiu	$30, $30, 8
	# negative displacement, base in the middle
	daddiu	$12, $20, 64
	sd	$2, -8($12)
	lw	$13, -4($12)
	sd	$13, 0($30)
	daddiu	$30, $30, 8
	lh	$13, -6($12)
	sd	$13, 0($30)
	daddiu	$30, $30, 8
	lbu	$13, -1($12)
	sd	$13, 0($30)
	daddiu	$30, $30, 8
	# load into $zero is discarded
	lw	$0, 0($20)
	sd	$0, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop

	.data
	.align	4
buf:	.space	128
