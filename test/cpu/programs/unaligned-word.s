# lwl, lwr, swl, swr at every byte offset: alone (merging into a register/memory
# pattern) and as the usual unaligned pair; the byte lanes differ between the byte
# orders, so both matter. lwl/lwr results are sign-extended 32-bit values.
main:
	dla	$20, src
	dla	$21, dst
	dli	$2, 0x1122334455667788	# register pattern
	dli	$3, 0xa0b0c0d0e0f01020	# store data
	li	$4, 0			# offset
1:	daddu	$5, $20, $4
	move	$6, $2
	lwl	$6, 0($5)
	move	$7, $2
	lwr	$7, 0($5)
	move	$8, $2
	lwl	$8, 0($5)		# unaligned word at $5 (big-endian pair order)
	lwr	$8, 3($5)
	move	$9, $2
	lwr	$9, 0($5)		# little-endian pair order
	lwl	$9, 3($5)
	sd	$6, 0($30)
	sd	$7, 8($30)
	sd	$8, 16($30)
	sd	$9, 24($30)
	daddiu	$30, $30, 32
	# stores: fill dst with a pattern, store, read back both words
	dli	$10, 0x5555555555555555
	sd	$10, 0($21)
	sd	$10, 8($21)
	daddu	$11, $21, $4
	swl	$3, 0($11)
	ld	$12, 0($21)
	sd	$10, 0($21)
	swr	$3, 0($11)
	ld	$13, 0($21)
	sd	$10, 0($21)
	swl	$3, 0($11)
	swr	$3, 3($11)
	ld	$14, 0($21)
	ld	$15, 8($21)
	sd	$10, 0($21)
	sd	$10, 8($21)
	swr	$3, 0($11)
	swl	$3, 3($11)
	ld	$16, 0($21)
	ld	$17, 8($21)
	sd	$12, 0($30)
	sd	$13, 8($30)
	sd	$14, 16($30)
	sd	$15, 24($30)
	sd	$16, 32($30)
	sd	$17, 40($30)
	daddiu	$30, $30, 48
	addiu	$4, $4, 1
	sltiu	$18, $4, 8
	bnez	$18, 1b
	nop
	# a negative word: lwl/lwr results are sign-extended
	dla	$5, neg
	move	$6, $0
	lwl	$6, 0($5)
	lwr	$6, 3($5)
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	move	$6, $0
	lwr	$6, 0($5)
	lwl	$6, 3($5)
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop

	.data
	.align	3
src:	.byte	0x81, 0x92, 0xa3, 0xb4, 0xc5, 0xd6, 0xe7, 0xf8
	.byte	0x09, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70
neg:	.byte	0x80, 0x81, 0x82, 0x83, 0x00, 0x00, 0x00, 0x00
dst:	.space	16
