# Reserved Instruction exceptions for encodings the 5KEc does not implement: unused
# major opcodes (MDMX, JALX without MIPS16, the R6 PC-relative opcode), unused SPECIAL,
# SPECIAL2, SPECIAL3 and REGIMM function codes, deret outside Debug Mode. The default
# handler records Cause/EPC and skips each. Also instructions that are valid no-ops
# here (ssnop, ehb, sync, pause-like hints, pref, synci, cache in kernel mode).
# Not here, QEMU 7.2 executing them as no-ops where the 5KEc raises Reserved
# Instruction (as we do): the MDMX opcode 0x1e and SPECIAL3 function 0x10 (DSP ASE).
main:
	.word	0x74000000		# JALX (no MIPS16/microMIPS)
	.word	0xec000000		# opcode 0x3b (R6 PC-relative)
	.word	0x00000028		# SPECIAL funct 0x28
	.word	0x00000029		# SPECIAL funct 0x29
	.word	0x00000039		# SPECIAL funct 0x39
	.word	0x0000003d		# SPECIAL funct 0x3d
	.word	0x70000010		# SPECIAL2 funct 0x10
	.word	0x7000003e		# SPECIAL2 funct 0x3e
	.word	0x7c00003e		# SPECIAL3 funct 0x3e
	.word	0x04040000		# REGIMM rt 0x04
	.word	0x04140000		# REGIMM rt 0x14
	.word	0x041e0000		# REGIMM rt 0x1e
	.word	0x4200001f		# deret (not in Debug Mode)
	.word	0x42000010		# COP0 CO funct 0x10
	# valid no-ops
	ssnop
	ehb
	sync
	sync	0x10
	pref	0, 0($30)
	pref	30, 8($30)
	synci	0($30)
	cache	0x14, 0($30)
	li	$2, 0x99
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop
