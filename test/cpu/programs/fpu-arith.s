# diff: cpu 5KEf
# FPU arithmetic on the 5KEf (FR = 1): add, sub, mul, div, sqrt, abs, neg, mov,
# recip, rsqrt, madd, msub, nmadd, nmsub in single and double precision over pairs of
# special and ordinary values (zeros, infinities, quiet and signalling NaNs, denormals,
# the largest finite values); each result and FCSR (Cause and Flags) is recorded.
# FCSR is controlled through FENR/FEXR (ctc1 $28/$26): QEMU's 5KEf model has no FCSR
# write mask, so `ctc1 rt, $31` changes nothing there (our FPU matches that).
main:
	lui	$2, 0x2400		# CU1 | FR
	mtc0	$2, $12
	ehb
	ctc1	$0, $28			# FENR: round to nearest, no enables, FS = 0
	ctc1	$0, $26			# FEXR: clear Cause and Flags
	dla	$20, dvals
	dla	$21, svals
	li	$22, 0			# i
1:	li	$23, 0			# j
2:	dsll	$4, $22, 3
	daddu	$4, $4, $20
	ldc1	$f0, 0($4)
	dsll	$5, $23, 3
	daddu	$5, $5, $20
	ldc1	$f2, 0($5)
	dsll	$4, $22, 2
	daddu	$4, $4, $21
	lwc1	$f4, 0($4)
	dsll	$5, $23, 2
	daddu	$5, $5, $21
	lwc1	$f6, 0($5)
	bal	pair
	nop
	addiu	$23, $23, 3
	sltiu	$6, $23, 14
	bnez	$6, 2b
	nop
	addiu	$22, $22, 1
	sltiu	$6, $22, 14
	bnez	$6, 1b
	nop
	# one-operand operations over all values
	li	$22, 0
3:	dsll	$4, $22, 3
	daddu	$4, $4, $20
	ldc1	$f0, 0($4)
	dsll	$4, $22, 2
	daddu	$4, $4, $21
	lwc1	$f4, 0($4)
	sqrt.d	$f8, $f0
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	sqrt.s	$f8, $f4
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	abs.d	$f8, $f0
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	neg.s	$f8, $f4
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	mov.d	$f8, $f0
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	recip.d	$f8, $f0
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	rsqrt.s	$f8, $f4
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	addiu	$22, $22, 1
	sltiu	$6, $22, 14
	bnez	$6, 3b
	nop
	b	done
	nop

# pair: $f0/$f2 (double), $f4/$f6 (single) through the two-operand and fused operations
pair:	add.d	$f8, $f0, $f2
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	sub.d	$f8, $f0, $f2
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	mul.d	$f8, $f0, $f2
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	div.d	$f8, $f0, $f2
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	add.s	$f8, $f4, $f6
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	sub.s	$f8, $f4, $f6
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	mul.s	$f8, $f4, $f6
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	div.s	$f8, $f4, $f6
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	madd.d	$f8, $f2, $f0, $f2
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	nmsub.d	$f8, $f0, $f2, $f0
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	msub.s	$f8, $f6, $f4, $f6
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	nmadd.s	$f8, $f4, $f6, $f4
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	jr	$31
	nop

	.data
	.align	3
dvals:	.dword	0x3ff0000000000000, 0x4000000000000000, 0xbff8000000000000, 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 0x7ff4000000000000, 0x0000000000000001, 0x8000000000000000, 0x0000000000000000, 0x7fefffffffffffff, 0x3fb999999999999a, 0x000fffffffffffff, 0x4059000000000000
svals:	.word	0x3f800000, 0x40000000, 0xbfc00000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7fa00000, 0x00000001, 0x80000000, 0x00000000, 0x7f7fffff, 0x3dcccccd, 0x007fffff, 0x42c80000
