# Address errors on data accesses: misaligned lh/lhu/lw/lwu/ld/ll/lld (AdEL) and
# sh/sw/sd (AdES) at every misaligned offset, checking BadVAddr; the faulting load
# leaves its destination unchanged and the store leaves memory unchanged. Also
# addresses outside every valid segment in kernel mode with UX/SX/KX clear, which (as
# in QEMU) also load Context/XContext/EntryHi with the address.
# Not here: a misaligned sc/scd. The architecture (and our CPU) raise AdES whatever
# LLbit is; QEMU 7.2 first compares the address with the last ll's and, when they
# differ, fails the sc silently without checking alignment.
main:
	dla	$20, buf
	li	$4, 1
1:	daddu	$5, $20, $4
	li	$6, 0x1111
	andi	$7, $4, 1
	beqz	$7, 2f
	nop
	lh	$6, 0($5)
	lhu	$6, 0($5)
	sh	$6, 0($5)
2:	andi	$7, $4, 3
	beqz	$7, 3f
	nop
	lw	$6, 0($5)
	lwu	$6, 0($5)
	ll	$6, 0($5)
	sw	$6, 0($5)
3:	ld	$6, 0($5)
	lld	$6, 0($5)
	sd	$6, 0($5)
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	addiu	$4, $4, 1
	sltiu	$7, $4, 8
	bnez	$7, 1b
	nop
	ld	$9, 0($20)
	sd	$9, 0($30)
	daddiu	$30, $30, 8
	ld	$9, 8($20)
	sd	$9, 0($30)
	daddiu	$30, $30, 8
	# segments that need UX/SX/KX (all clear here) and addresses beyond SEGBITS
	dli	$10, 0x0000000100000000	# xuseg, UX = 0
	lw	$11, 0($10)
	dli	$10, 0x4000000000000000	# xsseg, SX = 0
	lw	$11, 0($10)
	dli	$10, 0x9000000000100000	# xkphys, KX = 0
	lw	$11, 0($10)
	dli	$10, 0xc000000000000000	# xkseg, KX = 0
	sw	$11, 0($10)
	# now with KX = 1: xkphys works (cached, physical 0x100000 + buf offset), beyond PABITS faults
	li	$12, 0x80
	mtc0	$12, $12		# Status.KX
	ehb
	dla	$13, buf
	dsll	$13, $13, 35		# drop the kseg0 upper bits
	dsrl	$13, $13, 35
	dli	$14, 0x9800000000000000
	daddu	$13, $13, $14
	ld	$15, 0($13)
	sd	$15, 0($30)
	daddiu	$30, $30, 8
	dli	$10, 0x9800001000000000	# beyond PABITS (36)
	lw	$11, 0($10)
	dli	$10, 0xc000040000000000	# xkseg beyond SEGBITS (42)
	lw	$11, 0($10)
	dli	$10, 0x3fffffff00000000	# xuseg with UX = 0 still faults
	lw	$11, 0($10)
	mtc0	$0, $12
	ehb
	b	done
	nop

	.data
	.align	4
buf:	.dword	0x0123456789abcdef, 0xfedcba9876543210
	.space	16
