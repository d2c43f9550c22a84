# mult, multu, dmult, dmultu, mul (HI/LO results, sign handling) and div, divu, ddiv,
# ddivu including division by zero and INT_MIN / -1 (UNPREDICTABLE results in the
# architecture, no exception: both QEMU and we divide by 1 instead; HI/LO are checked).
main:
	dla	$20, operands
	li	$21, 0			# pair index
	li	$16, 0			# checksum
1:	ld	$2, 0($20)
	ld	$3, 8($20)
	sll	$4, $2, 0		# 32-bit forms take sign-extended words
	sll	$5, $3, 0
	mult	$4, $5
	mfhi	$6
	mflo	$7
	multu	$4, $5
	mfhi	$8
	mflo	$9
	dmult	$2, $3
	mfhi	$10
	mflo	$11
	dmultu	$2, $3
	mfhi	$12
	mflo	$13
	mul	$14, $4, $5
	sd	$6, 0($30)
	sd	$7, 8($30)
	sd	$8, 16($30)
	sd	$9, 24($30)
	sd	$10, 32($30)
	sd	$11, 40($30)
	sd	$12, 48($30)
	sd	$13, 56($30)
	sd	$14, 64($30)
	div	$0, $4, $5
	mfhi	$6
	mflo	$7
	divu	$0, $4, $5
	mfhi	$8
	mflo	$9
	ddiv	$0, $2, $3
	mfhi	$10
	mflo	$11
	ddivu	$0, $2, $3
	mfhi	$12
	mflo	$13
	sd	$6, 72($30)
	sd	$7, 80($30)
	sd	$8, 88($30)
	sd	$9, 96($30)
	sd	$10, 104($30)
	sd	$11, 112($30)
	sd	$12, 120($30)
	sd	$13, 128($30)
	daddiu	$30, $30, 136
	daddiu	$20, $20, 16
	addiu	$21, $21, 1
	sltiu	$22, $21, 16
	bnez	$22, 1b
	nop
	# mul clobbers HI/LO on some cores; mthi/mtlo round trip
	dli	$2, 0x1122334455667788
	mthi	$2
	dli	$3, 0x99aabbccddeeff00
	mtlo	$3
	mfhi	$4
	sd	$4, 0($30)
	daddiu	$30, $30, 8
	mflo	$4
	sd	$4, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop

	.data
	.align	3
operands:
	.dword	7, 3
	.dword	-7, 3
	.dword	7, -3
	.dword	-7, -3
	.dword	0x7fffffff, 0x7fffffff
	.dword	0xffffffff80000000, 0xffffffffffffffff	# INT_MIN / -1 (32-bit)
	.dword	0x8000000000000000, 0xffffffffffffffff	# INT64_MIN / -1
	.dword	12345, 0				# / 0
	.dword	-12345, 0
	.dword	0x8000000000000000, 0
	.dword	0xffffffffffffffff, 0xffffffffffffffff
	.dword	0x123456789abcdef0, 0x0fedcba987654321
	.dword	0xfedcba9876543210, 0x00000000ffffffff
	.dword	0x00000000ffffffff, 0x00000000fffffffe
	.dword	0x7fffffffffffffff, 2
	.dword	1, 0x8000000000000000
