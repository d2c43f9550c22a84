# xkphys (Status.KX = 1): the cache-attribute field (bits 61:59) selects nothing but
# caching, so 0x9000..., 0x9800..., 0xa800... and 0xb800... all reach the same physical
# memory as kseg0/kseg1; addresses at or beyond 2^PABITS and bits 58:36 non-zero are
# address errors; with KX = 0 xkphys is an address error in kernel mode too. Stores
# through one view are seen through the others.
main:
	li	$2, 0x80		# KX
	mtc0	$2, $12
	ehb
	dla	$20, buf
	dsll	$21, $20, 35
	dsrl	$21, $21, 35		# physical address
	dli	$3, 0x9000000000000000
	daddu	$4, $3, $21
	ld	$5, 0($4)
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	dli	$3, 0x9800000000000000
	daddu	$4, $3, $21
	li	$6, 0x1111
	sd	$6, 8($4)
	dli	$3, 0xa800000000000000
	daddu	$4, $3, $21
	ld	$5, 8($4)
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	dli	$3, 0xb800000000000000
	daddu	$4, $3, $21
	li	$6, 0x2222
	sw	$6, 16($4)
	lui	$7, 0xa000		# kseg1 view
	daddu	$7, $7, $21
	lw	$5, 16($7)
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	lw	$5, 16($20)		# kseg0 view
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	# out of range
	dli	$3, 0x9800001000000000	# physical 2^36
	lw	$5, 0($3)
	dli	$3, 0x9800800000000000	# bit 47 set
	lw	$5, 0($3)
	dli	$3, 0x9fffffff00000000
	lw	$5, 0($3)
	dli	$3, 0x980000000fffff00	# last bytes below 256 MiB: RAM end
	ld	$5, 0xf8($3)
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $12			# KX = 0: address error
	ehb
	dli	$3, 0x9800000000000000
	daddu	$4, $3, $21
	ld	$5, 0($4)
	b	done
	nop

	.data
	.align	4
buf:	.dword	0x0123456789abcdef, 0, 0, 0
