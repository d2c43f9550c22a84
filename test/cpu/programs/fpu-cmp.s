# diff: cpu 5KEf
# FPU compares on the 5KEf: all 16 c.cond.d and c.cond.s conditions over pairs of
# ordinary values, signed zeros, infinities, quiet and signalling NaNs (the signalling
# conditions set Invalid for quiet NaNs too), into condition codes 0-7 (FCCR read with
# cfc1 $25 and FCSR); then bc1t/bc1f/bc1tl/bc1fl on several codes and movt/movf,
# movt.d/movf.s, movz.d/movn.s.
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
1:	li	$23, 0
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
	c.f.d	$fcc0, $f0, $f2
	c.un.d	$fcc1, $f0, $f2
	c.eq.d	$fcc2, $f0, $f2
	c.ueq.d	$fcc3, $f0, $f2
	c.olt.d	$fcc4, $f0, $f2
	c.ult.d	$fcc5, $f0, $f2
	c.ole.d	$fcc6, $f0, $f2
	c.ule.d	$fcc7, $f0, $f2
	c.f.d	$fcc0, $f0, $f2
	c.un.d	$fcc1, $f0, $f2
	c.eq.d	$fcc2, $f0, $f2
	c.ueq.d	$fcc3, $f0, $f2
	c.olt.d	$fcc4, $f0, $f2
	c.ult.d	$fcc5, $f0, $f2
	c.ole.d	$fcc6, $f0, $f2
	c.ule.d	$fcc7, $f0, $f2
	cfc1	$2, $25
	sb	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	c.f.s	$fcc0, $f4, $f6
	c.un.s	$fcc1, $f4, $f6
	c.eq.s	$fcc2, $f4, $f6
	c.ueq.s	$fcc3, $f4, $f6
	c.olt.s	$fcc4, $f4, $f6
	c.ult.s	$fcc5, $f4, $f6
	c.ole.s	$fcc6, $f4, $f6
	c.ule.s	$fcc7, $f4, $f6
	cfc1	$2, $25
	sb	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	c.sf.d	$fcc0, $f0, $f2
	c.ngle.d	$fcc1, $f0, $f2
	c.seq.d	$fcc2, $f0, $f2
	c.ngl.d	$fcc3, $f0, $f2
	c.lt.d	$fcc4, $f0, $f2
	c.nge.d	$fcc5, $f0, $f2
	c.le.d	$fcc6, $f0, $f2
	c.ngt.d	$fcc7, $f0, $f2
	cfc1	$2, $25
	sb	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	c.sf.s	$fcc0, $f4, $f6
	c.ngle.s	$fcc1, $f4, $f6
	c.seq.s	$fcc2, $f4, $f6
	c.ngl.s	$fcc3, $f4, $f6
	c.lt.s	$fcc4, $f4, $f6
	c.nge.s	$fcc5, $f4, $f6
	c.le.s	$fcc6, $f4, $f6
	c.ngt.s	$fcc7, $f4, $f6
	cfc1	$2, $25
	sb	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	addiu	$23, $23, 1
	sltiu	$6, $23, 7
	bnez	$6, 2b
	nop
	addiu	$22, $22, 1
	sltiu	$6, $22, 7
	bnez	$6, 1b
	nop
	# branches on condition codes
	li	$7, 0x55
	ctc1	$7, $25			# FCCR: cc 0, 2, 4, 6 set
	li	$8, 0
	bc1t	$fcc0, 4f
	addiu	$8, $8, 1
	ori	$8, $8, 0x100
4:	bc1f	$fcc1, 5f
	addiu	$8, $8, 2
	ori	$8, $8, 0x200
5:	bc1tl	$fcc3, 6f
	addiu	$8, $8, 4		# annulled
	ori	$8, $8, 0x400
6:	bc1fl	$fcc2, 7f
	addiu	$8, $8, 8		# annulled
	ori	$8, $8, 0x800
7:	sd	$8, 0($30)
	daddiu	$30, $30, 8
	li	$9, 1
	li	$10, 2
	move	$11, $9
	movt	$11, $10, $fcc4
	sd	$11, 0($30)
	daddiu	$30, $30, 8
	move	$11, $9
	movf	$11, $10, $fcc4
	sd	$11, 0($30)
	daddiu	$30, $30, 8
	mov.d	$f10, $f0
	movt.d	$f10, $f2, $fcc6
	dmfc1	$2, $f10
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mov.s	$f12, $f4
	movf.s	$f12, $f6, $fcc6
	mfc1	$2, $f12
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mov.d	$f14, $f0
	movz.d	$f14, $f2, $0
	dmfc1	$2, $f14
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	mov.s	$f16, $f4
	movn.s	$f16, $f6, $0
	mfc1	$2, $f16
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop

	.data
	.align	3
dvals:	.dword	0x3ff0000000000000, 0x4000000000000000, 0x7ff8000000000000, 0x7ff4000000000000, 0x8000000000000000, 0x0000000000000000, 0xfff0000000000000
svals:	.word	0x3f800000, 0x40000000, 0x7fc00000, 0x7fa00000, 0x80000000, 0x00000000, 0xff800000
