# add/addi/addu/addiu/dadd/daddi/daddu/daddiu/sub/subu/dsub/dsubu: carries, wraps and
# the integer overflow trap (the default handler records Cause/EPC/BadVAddr and skips
# the instruction, which must leave rd unchanged).
main:
	li	$2, 0x7fffffff
	li	$3, 1
	li	$4, -1
	li	$5, 0x80000000		# sign-extended: 0xffffffff80000000
	dli	$6, 0x7fffffffffffffff
	dli	$7, 0x8000000000000000
	li	$8, 0x1234
	# 32-bit: no overflow
	addu	$9, $2, $3		# wraps to 0xffffffff80000000
	sd	$9, 0($30)
	addiu	$9, $5, -1		# wraps to 0x7fffffff
	sd	$9, 8($30)
	add	$9, $4, $4
	sd	$9, 16($30)
	addi	$9, $2, -1
	sd	$9, 24($30)
	sub	$9, $5, $4
	sd	$9, 32($30)
	subu	$9, $5, $3
	sd	$9, 40($30)
	daddiu	$30, $30, 48
	# 32-bit overflow traps: rd keeps its old value
	li	$9, 0x5555
	add	$9, $2, $3
	sd	$9, 0($30)
	addi	$9, $2, 1
	sd	$9, 8($30)
	addi	$9, $5, -1
	sd	$9, 16($30)
	sub	$9, $5, $3
	sd	$9, 24($30)
	sub	$9, $2, $4
	sd	$9, 32($30)
	daddiu	$30, $30, 40
	# 64-bit
	daddu	$10, $6, $3
	sd	$10, 0($30)
	daddiu	$10, $7, -1
	sd	$10, 8($30)
	dadd	$10, $2, $2		# no 32-bit overflow check in dadd
	sd	$10, 16($30)
	daddi	$10, $6, -32768
	sd	$10, 24($30)
	dsub	$10, $7, $4
	sd	$10, 32($30)
	dsubu	$10, $7, $3
	sd	$10, 40($30)
	daddiu	$30, $30, 48
	li	$10, 0x6666
	dadd	$10, $6, $3		# overflow
	daddi	$10, $6, 1		# overflow
	daddi	$10, $7, -1		# overflow
	dsub	$10, $7, $3		# overflow
	dsub	$10, $6, $4		# overflow
	dsub	$10, $0, $7		# overflow: 0 - INT64_MIN
	sd	$10, 0($30)
	daddiu	$30, $30, 8
	# writes to $zero are dropped, even when they would trap
	addu	$0, $2, $3
	add	$0, $2, $3
	daddiu	$0, $0, 5
	sd	$0, 0($30)
	daddiu	$30, $30, 8
	# 32-bit ops on values with garbage upper halves (results are UNPREDICTABLE on
	# hardware; QEMU uses the low 32 bits, sign-extended)
	dli	$11, 0x123456789abcdef0
	addu	$12, $11, $3
	addiu	$13, $11, 0x10
	subu	$14, $11, $8
	b	done
	nop
