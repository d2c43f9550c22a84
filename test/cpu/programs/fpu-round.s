# diff: cpu 5KEf
# FPU rounding modes and exceptions on the 5KEf: the four rounding modes (set through
# FENR: QEMU's 5KEf model has no FCSR write mask, so ctc1 $31 changes nothing, which our
# FPU matches) applied to
# inexact additions, divisions, conversions (cvt.s.d, cvt.w.d via the current mode);
# FS (flush denormal results to zero); FR = 0 register pairs (ldc1/sdc1 on even
# registers, mfc1/mthc1/mfhc1 halves); enabled exceptions raise FPE with Cause set and
# the destination unchanged (the handler records FCSR and clears it); ctc1 to FCCR,
# FEXR, FENR and FCSR write masks; cfc1 of FIR.
main:
	lui	$2, 0x2400		# CU1 | FR
	mtc0	$2, $12
	ehb
	ctc1	$0, $28			# FENR: round to nearest, no enables, FS = 0
	ctc1	$0, $26			# FEXR: clear Cause and Flags
	dla	$2, handler
	dla	$3, exc_table
	sd	$2, 16($3)
	dla	$20, vals
	ldc1	$f0, 0($20)		# 1.0
	ldc1	$f2, 8($20)		# 3.0
	ldc1	$f4, 16($20)		# -1.0
	ldc1	$f6, 24($20)		# 1e-300
	ldc1	$f10, 32($20)		# 2^-1022 * 1.5 (small normal)
	li	$21, 0			# rounding mode
1:	ctc1	$21, $28			# FENR.RM
	div.d	$f8, $f0, $f2
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	div.d	$f8, $f4, $f2
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	cvt.s.d	$f8, $f8
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	mul.d	$f12, $f2, $f2
	div.d	$f12, $f12, $f2		# 3.0 again
	add.d	$f8, $f0, $f6		# 1 + tiny: inexact, rounding visible in RP/RM
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	sub.d	$f8, $f4, $f6
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	div.d	$f8, $f2, $f4
	cvt.w.d	$f8, $f8
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	ldc1	$f14, 40($20)		# 2.5
	cvt.w.d	$f8, $f14
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	neg.d	$f14, $f14
	cvt.l.d	$f8, $f14
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	mul.d	$f8, $f10, $f6		# underflow
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	addiu	$21, $21, 1
	sltiu	$6, $21, 4
	bnez	$6, 1b
	nop
	# FS: flush denormal results
	li	$7, 0x0004		# FENR.FS
	ctc1	$7, $28
	mul.d	$f8, $f10, $f6
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	# enabled exceptions: divide by zero, invalid, inexact
	li	$7, 0x0400		# FENR: enable Z
	ctc1	$7, $28
	dmtc1	$0, $f16
	mov.d	$f8, $f2
	div.d	$f8, $f0, $f16		# FPE; $f8 unchanged
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	li	$7, 0x0800		# FENR: enable V
	ctc1	$7, $28
	sub.d	$f16, $f16, $f16
	ldc1	$f18, 48($20)		# +inf
	sub.d	$f8, $f18, $f18		# FPE
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	li	$7, 0x0080		# FENR: enable I
	ctc1	$7, $28
	div.d	$f8, $f0, $f2		# FPE
	dmfc1	$2, $f8
	sd	$2, 0($30)
	cfc1	$3, $31
	sd	$3, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	ctc1	$0, $28
	ctc1	$0, $26
	# FCSR / FCCR / FEXR / FENR masks (ctc1 $31 changes nothing on QEMU's 5KEf)
	li	$7, -1
	ctc1	$7, $31
	cfc1	$8, $31
	sd	$8, 0($30)
	daddiu	$30, $30, 8
	ctc1	$7, $25
	cfc1	$8, $25
	sd	$8, 0($30)
	daddiu	$30, $30, 8
	cfc1	$8, $31
	sd	$8, 0($30)
	daddiu	$30, $30, 8
	ctc1	$0, $26
	li	$7, 0x0f83
	ctc1	$7, $28			# FENR
	cfc1	$8, $28
	sd	$8, 0($30)
	daddiu	$30, $30, 8
	cfc1	$8, $31
	sd	$8, 0($30)
	daddiu	$30, $30, 8
	ctc1	$0, $28
	li	$7, 0x0003f07c
	ctc1	$7, $26			# FEXR
	cfc1	$8, $26
	sd	$8, 0($30)
	daddiu	$30, $30, 8
	ctc1	$0, $26
	cfc1	$8, $0			# FIR
	sd	$8, 0($30)
	daddiu	$30, $30, 8
	# FR = 0: 32-bit registers, doubles in even/odd pairs
	lui	$2, 0x2000		# CU1 only
	mtc0	$2, $12
	ehb
	ldc1	$f20, 0($20)		# 1.0 into the pair f20/f21
	mfc1	$8, $f20
	sd	$8, 0($30)
	daddiu	$30, $30, 8
	mfc1	$8, $f21
	sd	$8, 0($30)
	daddiu	$30, $30, 8
	mfhc1	$8, $f20
	sd	$8, 0($30)
	daddiu	$30, $30, 8
	li	$9, 0x40080000
	mthc1	$9, $f20		# high half: 3.0
	ldc1	$f22, 8($20)
	add.d	$f24, $f20, $f22
	mfc1	$8, $f24
	sd	$8, 0($30)
	daddiu	$30, $30, 8
	mfc1	$8, $f25
	sd	$8, 0($30)
	daddiu	$30, $30, 8
	sdc1	$f24, 56($20)
	ld	$8, 56($20)
	sd	$8, 0($30)
	daddiu	$30, $30, 8
	lui	$2, 0x2400		# back to FR = 1 for the register comparison
	mtc0	$2, $12
	ehb
	b	done
	nop

handler:
	mfc0	$26, $13
	ori	$26, $26, 0x7c00
	xori	$26, $26, 0x7c00
	sd	$26, 0($30)
	cfc1	$26, $31
	sd	$26, 8($30)
	daddiu	$30, $30, 16
	ctc1	$0, $26
	dmfc0	$26, $14
	daddiu	$26, $26, 4
	dmtc0	$26, $14
	ehb
	eret

	.data
	.align	3
vals:	.dword	0x3ff0000000000000, 0x4008000000000000, 0xbff0000000000000, 0x01a56e1fc2f8f359
	.dword	0x0018000000000000, 0x4004000000000000, 0x7ff0000000000000, 0
