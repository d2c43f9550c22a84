# A small program in the style of compiled code: CRC-32 (bitwise, reflected polynomial
# 0xedb88320) over a 256-byte buffer filled by a linear congruential generator, with a
# call/return, loads of every width, shifts, xor and conditional moves; the result and
# the buffer checksum are recorded. Exercises long straight-line traces.
main:
	dla	$4, buf
	li	$5, 256
	li	$6, 12345		# LCG state
1:	li	$7, 1103515245
	mul	$6, $6, $7
	addiu	$6, $6, 12345
	srl	$8, $6, 16
	sb	$8, 0($4)
	daddiu	$4, $4, 1
	addiu	$5, $5, -1
	bnez	$5, 1b
	nop
	dla	$4, buf
	li	$5, 256
	jal	crc32
	nop
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	dla	$4, buf
	li	$5, 32
	li	$2, 0
2:	ld	$9, 0($4)
	dsrl32	$10, $9, 0
	xor	$2, $2, $10
	drotr	$2, $2, 7
	daddu	$2, $2, $9
	daddiu	$4, $4, 8
	addiu	$5, $5, -1
	bgtz	$5, 2b
	nop
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop

# crc32($4 = buffer, $5 = length) -> $2
crc32:	li	$2, -1
	lui	$11, 0xedb8
	ori	$11, $11, 0x8320
3:	lbu	$9, 0($4)
	xor	$2, $2, $9
	li	$10, 8
4:	andi	$12, $2, 1
	srl	$2, $2, 1
	move	$13, $0
	movn	$13, $11, $12
	xor	$2, $2, $13
	addiu	$10, $10, -1
	bnez	$10, 4b
	nop
	daddiu	$4, $4, 1
	addiu	$5, $5, -1
	bnez	$5, 3b
	nop
	jr	$31
	nor	$2, $2, $0

	.data
	.align	3
buf:	.space	256
