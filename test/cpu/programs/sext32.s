# 32-bit results are sign-extended to 64 bits: lui, addiu, sll/sra/srl, lw vs lwu,
# mfhi/mflo after 32-bit multiplies; logical immediates zero-extend; 32-bit ALU ops on
# inputs that are not sign-extended (UNPREDICTABLE in the architecture) are limited to
# cases where QEMU, like us, uses the low word and sign-extends the result: QEMU's
# sra/srav shift all 64 bits and its `addu rd, rs, $0` is a plain move, so those are
# not tested with such inputs.
main:
	lui	$2, 0x8000
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	lui	$3, 0xffff
	sd	$3, 0($30)
	daddiu	$30, $30, 8
	lui	$4, 0x7fff
	ori	$4, $4, 0xffff
	sd	$4, 0($30)
	daddiu	$30, $30, 8
	ori	$5, $0, 0xffff		# zero-extended
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	addiu	$6, $0, -1
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	andi	$7, $6, 0x8000		# zero-extended
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	xori	$7, $6, 0x8001		# upper bits kept
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	sll	$8, $5, 16		# 0xffffffffffff0000
	sd	$8, 0($30)
	daddiu	$30, $30, 8
	dli	$9, 0x00000000ffffffff
	sll	$10, $9, 0		# sign-extends the low word
	sd	$10, 0($30)
	daddiu	$30, $30, 8
	srl	$10, $9, 1		# 0x7fffffff
	sd	$10, 0($30)
	daddiu	$30, $30, 8
	srl	$10, $9, 0
	sd	$10, 0($30)
	daddiu	$30, $30, 8
	dli	$11, 0x0000000080000000
	addu	$12, $11, $3
	sd	$12, 0($30)
	daddiu	$30, $30, 8
	addiu	$12, $11, 0
	sd	$12, 0($30)
	daddiu	$30, $30, 8
	subu	$12, $0, $11
	sd	$12, 0($30)
	daddiu	$30, $30, 8
	dli	$13, 0x5555555512345678
	sll	$14, $13, 4
	sd	$14, 0($30)
	daddiu	$30, $30, 8
	srl	$14, $13, 4
	sd	$14, 0($30)
	daddiu	$30, $30, 8
	rotr	$14, $13, 4
	sd	$14, 0($30)
	daddiu	$30, $30, 8
	# loads
	dla	$15, data
	lw	$16, 0($15)
	sd	$16, 0($30)
	daddiu	$30, $30, 8
	lwu	$16, 0($15)
	sd	$16, 0($30)
	daddiu	$30, $30, 8
	lw	$16, 4($15)
	sd	$16, 0($30)
	daddiu	$30, $30, 8
	lwu	$16, 4($15)
	sd	$16, 0($30)
	daddiu	$30, $30, 8
	lh	$16, 0($15)
	sd	$16, 0($30)
	daddiu	$30, $30, 8
	lhu	$16, 0($15)
	sd	$16, 0($30)
	daddiu	$30, $30, 8
	lb	$16, 3($15)
	sd	$16, 0($30)
	daddiu	$30, $30, 8
	lbu	$16, 3($15)
	sd	$16, 0($30)
	daddiu	$30, $30, 8
	# HI/LO after 32-bit multiply/divide are sign-extended
	li	$17, 0x40000000
	li	$18, 6
	mult	$17, $18
	mfhi	$19
	sd	$19, 0($30)
	daddiu	$30, $30, 8
	mflo	$19
	sd	$19, 0($30)
	daddiu	$30, $30, 8
	multu	$6, $6
	mfhi	$19
	sd	$19, 0($30)
	daddiu	$30, $30, 8
	mflo	$19
	sd	$19, 0($30)
	daddiu	$30, $30, 8
	mul	$19, $17, $18
	sd	$19, 0($30)
	daddiu	$30, $30, 8
	# logical ops are 64-bit
	dli	$20, 0xf0f0f0f00f0f0f0f
	and	$21, $20, $13
	sd	$21, 0($30)
	daddiu	$30, $30, 8
	or	$21, $20, $13
	sd	$21, 0($30)
	daddiu	$30, $30, 8
	xor	$21, $20, $13
	sd	$21, 0($30)
	daddiu	$30, $30, 8
	nor	$21, $20, $13
	sd	$21, 0($30)
	daddiu	$30, $30, 8
	ori	$21, $20, 0xffff
	sd	$21, 0($30)
	daddiu	$30, $30, 8
	andi	$21, $20, 0xffff
	sd	$21, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop

	.data
	.align	3
data:	.word	0x80000001, 0x7ffffff0
