# EBase relocation: the vectors are installed at a new base (0xffffffff80010000, then
# the kseg1 address 0xffffffffa0020000) and syscall, a TLB refill and an interrupt (with
# Cause.IV) are taken there (the PC trace shows the vector addresses); EBase reads
# (CPUNum = 0, bit 31 set); the base moves back to 0x80000000.
main:
	lui	$4, 0x8001		# 0xffffffff80010000
	bal	install_vectors
	nop
	lui	$2, 0x8001
	mtc0	$2, $15, 1
	ehb
	mfc0	$3, $15, 1
	sd	$3, 0($30)
	daddiu	$30, $30, 8
	syscall				# EBase + 0x180
	dla	$2, refill
	dla	$3, exc_table
	sd	$2, 0($3)
	li	$5, 0x8000
	lw	$6, 0($5)		# EBase + 0x000
	lui	$2, 0x0080		# Cause.IV
	mtc0	$2, $13
	li	$2, 0x0101		# IM0, IE
	mtc0	$2, $12
	li	$2, 0x00800100		# IV, IP0: software interrupt → EBase + 0x200
	mtc0	$2, $13
	ehb
	nop				# (the default handler clears Status.IE)
	mtc0	$0, $13
	mtc0	$0, $12
	# kseg1 base
	lui	$4, 0xa002		# 0xffffffffa0020000
	bal	install_vectors
	nop
	lui	$2, 0xa002
	mtc0	$2, $15, 1
	ehb
	mfc0	$3, $15, 1
	sd	$3, 0($30)
	daddiu	$30, $30, 8
	break	3			# EBase + 0x180 in kseg1
	lui	$2, 0x8000
	mtc0	$2, $15, 1
	ehb
	syscall				# back at 0x80000180
	b	done
	nop

refill:	dmfc0	$26, $8
	sd	$26, 0($30)
	daddiu	$30, $30, 8
	dmfc0	$26, $14
	daddiu	$26, $26, 4
	dmtc0	$26, $14
	eret
