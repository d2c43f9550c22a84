# clz, clo, dclz, dclo: a walking one/zero through every bit position (checksums) plus
# the all-zero/all-one cases.
main:
	li	$2, 0			# position
	li	$3, 1			# walking one (64-bit)
	li	$16, 0
1:	clz	$4, $3
	clo	$5, $3
	dclz	$6, $3
	dclo	$7, $3
	nor	$8, $3, $0		# walking zero
	clz	$9, $8
	clo	$10, $8
	dclz	$11, $8
	dclo	$12, $8
	dsll	$16, $16, 3
	daddu	$16, $16, $4
	daddu	$16, $16, $5
	dsll	$17, $6, 8
	daddu	$16, $16, $17
	xor	$16, $16, $7
	drotr	$16, $16, 11
	daddu	$16, $16, $9
	dsll	$17, $10, 16
	xor	$16, $16, $17
	daddu	$16, $16, $11
	dsll	$17, $12, 24
	daddu	$16, $16, $17
	sb	$4, 0($30)
	sb	$5, 1($30)
	sb	$6, 2($30)
	sb	$7, 3($30)
	sb	$9, 4($30)
	sb	$10, 5($30)
	sb	$11, 6($30)
	sb	$12, 7($30)
	daddiu	$30, $30, 8
	dsll	$3, $3, 1
	addiu	$2, $2, 1
	sltiu	$13, $2, 64
	bnez	$13, 1b
	nop
	sd	$16, 0($30)
	daddiu	$30, $30, 8
	clz	$4, $0
	sd	$4, 0($30)
	daddiu	$30, $30, 8
	dclz	$4, $0
	sd	$4, 0($30)
	daddiu	$30, $30, 8
	clo	$4, $0
	sd	$4, 0($30)
	daddiu	$30, $30, 8
	li	$5, -1
	clo	$4, $5
	sd	$4, 0($30)
	daddiu	$30, $30, 8
	dclo	$4, $5
	sd	$4, 0($30)
	daddiu	$30, $30, 8
	dclz	$4, $5
	sd	$4, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop
