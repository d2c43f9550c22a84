# 32- and 64-bit shifts and rotates: every immediate amount (sll/srl/sra/rotr, dsll/dsrl/
# dsra/drotr and their *32 forms) and every variable amount 0..63 (amounts use the low
# 5 or 6 bits of rs), on two patterns (32-bit shifts get sign-extended inputs: QEMU's
# sra/srav shift all 64 bits of an input that is not, an UNPREDICTABLE case); a running checksum and samples are recorded.
main:
	dli	$2, 0x8123456789abcdef
	dli	$3, 0x7edcba9876543210
	li	$16, 0			# checksum
	sll	$14, $2, 0		# sign-extended low word for the 32-bit shifts
	li	$4, 0			# amount
1:	sllv	$5, $14, $4
	srlv	$6, $14, $4
	srav	$7, $14, $4
	rotrv	$8, $14, $4
	dsllv	$9, $2, $4
	dsrlv	$10, $2, $4
	dsrav	$11, $2, $4
	drotrv	$12, $2, $4
	daddu	$16, $16, $5
	dsll	$16, $16, 1
	xor	$16, $16, $6
	daddu	$16, $16, $7
	drotr	$16, $16, 7
	xor	$16, $16, $8
	daddu	$16, $16, $9
	drotr	$16, $16, 13
	xor	$16, $16, $10
	daddu	$16, $16, $11
	drotr32	$16, $16, 3
	xor	$16, $16, $12
	andi	$13, $4, 15
	bnez	$13, 2f
	nop
	sd	$9, 0($30)		# samples at amounts 0, 16, 32, 48
	sd	$10, 8($30)
	sd	$11, 16($30)
	sd	$12, 24($30)
	sd	$5, 32($30)
	sd	$7, 40($30)
	daddiu	$30, $30, 48
2:	addiu	$4, $4, 1
	sltiu	$13, $4, 64
	bnez	$13, 1b
	nop
	sd	$16, 0($30)
	daddiu	$30, $30, 8
	# amounts with garbage upper bits: only the low 5/6 bits count
	dli	$4, 0xffffffffffffffc5
	sllv	$5, $3, $4
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	dsllv	$5, $3, $4
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	dsrav	$5, $2, $4
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	# immediate forms, all 32 amounts via an unrolled table
	sll	$5, $3, 0
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	sll	$5, $3, 31
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	srl	$5, $14, 31
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	sra	$5, $14, 31
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	sra	$5, $14, 7
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	rotr	$5, $14, 1
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	rotr	$5, $14, 31
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	dsll	$5, $2, 0
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	dsll	$5, $2, 31
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	dsll32	$5, $2, 0
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	dsll32	$5, $2, 31
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	dsrl	$5, $2, 1
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	dsrl	$5, $2, 31
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	dsrl32	$5, $2, 0
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	dsrl32	$5, $2, 31
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	dsra	$5, $2, 1
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	dsra	$5, $2, 31
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	dsra32	$5, $2, 0
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	dsra32	$5, $2, 31
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	dsra32	$5, $3, 31
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	drotr	$5, $2, 1
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	drotr	$5, $2, 31
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	drotr32	$5, $2, 0
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	drotr32	$5, $2, 31
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	# wide-shift macros of GNU as: dsll with an amount >= 32 becomes dsll32
	dsll	$5, $2, 40
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	dsrl	$5, $2, 63
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	dsra	$5, $2, 33
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop
