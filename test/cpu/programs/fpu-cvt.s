# diff: cpu 5KEf
# FPU conversions on the 5KEf (FR = 1): cvt between s, d, w and l, and round, trunc,
# ceil, floor to w and l, from ordinary values, halves (ties), values just beyond the
# integer ranges, infinities and NaNs (Invalid: the legacy result 0x7fff... for
# w/l), denormals and the extremes of each integer format; results and FCSR recorded.
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
	li	$22, 0
1:	dsll	$4, $22, 3
	daddu	$4, $4, $20
	ldc1	$f0, 0($4)
	dsll	$4, $22, 2
	daddu	$4, $4, $21
	lwc1	$f4, 0($4)
	cvt.s.d	$f8, $f0
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	cvt.w.d	$f8, $f0
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	cvt.l.d	$f8, $f0
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	round.w.d	$f8, $f0
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	round.l.d	$f8, $f0
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	trunc.w.d	$f8, $f0
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	trunc.l.d	$f8, $f0
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	ceil.w.d	$f8, $f0
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	ceil.l.d	$f8, $f0
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	floor.w.d	$f8, $f0
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	floor.l.d	$f8, $f0
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	cvt.d.s	$f8, $f4
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	cvt.w.s	$f8, $f4
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	cvt.l.s	$f8, $f4
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	round.w.s	$f8, $f4
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	round.l.s	$f8, $f4
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	trunc.w.s	$f8, $f4
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	trunc.l.s	$f8, $f4
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	ceil.w.s	$f8, $f4
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	ceil.l.s	$f8, $f4
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	floor.w.s	$f8, $f4
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	floor.l.s	$f8, $f4
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	addiu	$22, $22, 1
	sltiu	$6, $22, 15
	bnez	$6, 1b
	nop
	dla	$20, ivals
	li	$22, 0
2:	dsll	$4, $22, 2
	daddu	$4, $4, $20
	lwc1	$f0, 0($4)
	cvt.s.w	$f8, $f0
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	cvt.d.w	$f8, $f0
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	addiu	$22, $22, 1
	sltiu	$6, $22, 8
	bnez	$6, 2b
	nop
	dla	$20, lvals
	li	$22, 0
3:	dsll	$4, $22, 3
	daddu	$4, $4, $20
	ldc1	$f0, 0($4)
	cvt.s.l	$f8, $f0
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	cvt.d.l	$f8, $f0
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	addiu	$22, $22, 1
	sltiu	$6, $22, 8
	bnez	$6, 3b
	nop
	b	done
	nop

	.data
	.align	3
dvals:	.dword	0x3ff0000000000000, 0xbff8000000000000, 0x4004000000000000, 0xc004000000000000, 0x41e0000000000000, 0xc1e0000000200000, 0x43e0000000000000, 0x7ff0000000000000, 0x7ff8000000000000, 0x3fe0000000000000, 0xbfe0000000000000, 0x4330000000000001, 0x47efffffe0000000, 0x3810000000000000, 0x0000000000000001
lvals:	.dword	0, 1, -1, 0x7fffffffffffffff, 0x8000000000000000, 0x0020000000000001, 0x123456789abcdef0, 0x0000000100000001
svals:	.word	0x3f800000, 0xbfc00000, 0x40200000, 0xc0200000, 0x4f000000, 0xcf000001, 0x5f000000, 0x7f800000, 0x7fc00000, 0x3f000000, 0xbf000000, 0x4b000001, 0x7f7fffff, 0x00800000, 0x00000001
ivals:	.word	0, 1, -1, 0x7fffffff, 0x80000000, 0x12345678, 0x00ffffff, 0x01000001
