# ldl, ldr, sdl, sdr at every byte offset: alone (merging into a register/memory
# pattern) and as the usual unaligned pair, in both byte orders.
main:
	dla	$20, src
	dla	$21, dst
	dli	$2, 0x1122334455667788	# register pattern
	dli	$3, 0xa0b0c0d0e0f01020	# store data
	li	$4, 0			# offset
1:	daddu	$5, $20, $4
	move	$6, $2
	ldl	$6, 0($5)
	move	$7, $2
	ldr	$7, 0($5)
	move	$8, $2
	ldl	$8, 0($5)
	ldr	$8, 7($5)
	move	$9, $2
	ldr	$9, 0($5)
	ldl	$9, 7($5)
	sd	$6, 0($30)
	sd	$7, 8($30)
	sd	$8, 16($30)
	sd	$9, 24($30)
	daddiu	$30, $30, 32
	dli	$10, 0x5555555555555555
	sd	$10, 0($21)
	sd	$10, 8($21)
	daddu	$11, $21, $4
	sdl	$3, 0($11)
	ld	$12, 0($21)
	sd	$10, 0($21)
	sdr	$3, 0($11)
	ld	$13, 0($21)
	sd	$10, 0($21)
	sdl	$3, 0($11)
	sdr	$3, 7($11)
	ld	$14, 0($21)
	ld	$15, 8($21)
	sd	$10, 0($21)
	sd	$10, 8($21)
	sdr	$3, 0($11)
	sdl	$3, 7($11)
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
	# $zero as the destination
	ldl	$0, 0($20)
	sd	$0, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop

	.data
	.align	3
src:	.byte	0x81, 0x92, 0xa3, 0xb4, 0xc5, 0xd6, 0xe7, 0xf8
	.byte	0x09, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70
dst:	.space	16
