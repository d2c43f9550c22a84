# wsbh, dsbh, dshd, seb, seh, and the idioms built from them (32/64-bit byte reversal).
main:
	dli	$2, 0x0123456789abcdef
	dli	$3, 0xfedcba9876543210
	li	$4, 0x80ff7f01
	wsbh	$5, $2
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	wsbh	$5, $3
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	wsbh	$5, $4
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	dsbh	$5, $2
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	dsbh	$5, $3
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	dshd	$5, $2
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	dshd	$5, $3
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	dsbh	$6, $2			# 64-bit byte reversal
	dshd	$6, $6
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	wsbh	$6, $2			# 32-bit byte reversal
	rotr	$6, $6, 16
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	seb	$7, $4
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	seb	$7, $2
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	seb	$7, $3
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	seh	$7, $4
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	seh	$7, $2
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	seh	$7, $3
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	li	$8, 0x7f80
	seb	$7, $8
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	seh	$7, $8
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop
