# Coprocessor Unusable: on the 5KEc (no FPU, Status.CU1 not writable) every COP1,
# COP1X and MOVCI instruction raises CpU with Cause.CE = 1; lwc2/swc2/ldc2/sdc2 CE = 2; Cause.CE is left as it was by other exceptions (as QEMU
# does; the architecture leaves it UNPREDICTABLE). Status.CU1/CU2 writes are ignored.
# Not here: the COP2 major opcode (mfc2, ctc2, cop2 operations). With CU2 = 0 the
# architecture (and we) raise CpU with CE = 2; QEMU 7.2 raises Reserved Instruction.
main:
	lui	$2, 0x7000		# try CU0..CU2
	mtc0	$2, $12
	ehb
	mfc0	$3, $12
	sd	$3, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $12
	ehb
	mfc1	$4, $f0
	mtc1	$4, $f1
	add.s	$f0, $f1, $f2
	lwc1	$f0, 0($30)
	ldc1	$f0, 0($30)
	swc1	$f0, 0($30)
	cfc1	$4, $31
	bc1t	1f
	nop
1:	movf	$4, $5, $fcc0
	.word	0x4c000000		# COP1X lwxc1 $f0, $0($0)
	syscall				# CE keeps 1
	lwc2	$0, 0($30)
	swc2	$0, 0($30)
	ldc2	$0, 0($30)
	break				# CE keeps 2
	li	$2, 0x55
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop
