# MIPS64 Studio built-in demo guest.
#
# A bare-metal MIPS64 program for the demo board (and QEMU's Malta: same UART address).
# It relocates the exception vectors (EBase), prints a banner, takes a syscall, a TLB
# refill on a mapped user address and timer interrupts, then echoes what you type.
# Keys: 't' shows the timer tick count, 'q' powers the machine off (exit code 0).
#
# Assembled at build time by the project's own assembler (origin 0xffffffff80100000).

	.set	noreorder
	.set	noat

	UART	= 0xffffffffb80003f8	# 16550A, ISA port 0x3f8 in the Malta I/O window
	POWER	= 0xffffffffbf100000	# demo board power register
	TICK	= 2000000		# Count ticks between timer interrupts (10 ms at 200 MHz/2)

	.text
	.globl	start
start:
	# --- vectors: EBase = vectors (4 KiB aligned, inside this image)
	dla	$t0, vectors
	mtc0	$t0, $15, 1		# EBase
	mfc0	$t1, $12		# Status: clear BEV and ERL, kernel mode, interrupts off
	li	$t2, 0xffbffffa
	and	$t1, $t1, $t2
	mtc0	$t1, $12
	ehb

	dla	$sp, stack_top

	# --- UART: 8N1, FIFOs on, receive interrupt, OUT2
	dli	$s0, UART
	li	$t0, 0x83
	sb	$t0, 3($s0)		# LCR: DLAB
	li	$t0, 1
	sb	$t0, 0($s0)		# DLL: 115200 baud
	sb	$zero, 1($s0)		# DLM
	li	$t0, 3
	sb	$t0, 3($s0)		# LCR: 8N1
	li	$t0, 7
	sb	$t0, 2($s0)		# FCR: enable and clear FIFOs
	li	$t0, 8
	sb	$t0, 4($s0)		# MCR: OUT2
	li	$t0, 1
	sb	$t0, 1($s0)		# IER: received data available

	dla	$a0, banner
	jal	puts
	nop

	# --- a system call: the handler prints its number
	li	$v0, 42
	syscall
	dla	$a0, msg_back
	jal	puts
	nop

	# --- a TLB refill: user address 0x00400000 is not mapped yet
	li	$t0, 0x00400000
	lw	$a1, 0($t0)		# refill handler maps it onto `mapped_page`
	dla	$a0, msg_tlb
	jal	puts
	nop
	move	$a0, $a1
	jal	puthex
	nop
	dla	$a0, crlf
	jal	puts
	nop

	# --- timer interrupts on IP7, UART on IP2
	mfc0	$t0, $9			# Count
	li	$t1, TICK
	addu	$t0, $t0, $t1
	mtc0	$t0, $11		# Compare
	mfc0	$t1, $12
	ori	$t1, $t1, 0x8401	# IM7 | IM2 | IE
	mtc0	$t1, $12
	ehb

	dla	$a0, prompt
	jal	puts
	nop

idle:
	wait
	b	idle
	nop

# ---------------------------------------------------------------------------------
# puts(a0 = NUL-terminated string); clobbers t8, t9, a0
puts:
	dli	$t9, UART
1:	lbu	$t8, 0($a0)
	beqz	$t8, 3f
	nop
2:	lbu	$at, 5($t9)		# LSR
	andi	$at, $at, 0x20		# THRE
	beqz	$at, 2b
	nop
	sb	$t8, 0($t9)
	b	1b
	daddiu	$a0, $a0, 1
3:	jr	$ra
	nop

# putc(a0 = character); clobbers at, t9
putc:
	dli	$t9, UART
1:	lbu	$at, 5($t9)
	andi	$at, $at, 0x20
	beqz	$at, 1b
	nop
	jr	$ra
	sb	$a0, 0($t9)

# puthex(a0 = 32-bit value) as 0x%08x; clobbers t0-t3, a0, at, t9
puthex:
	move	$t3, $ra
	move	$t0, $a0
	li	$a0, '0'
	jal	putc
	nop
	li	$a0, 'x'
	jal	putc
	nop
	li	$t1, 28
1:	srlv	$t2, $t0, $t1
	andi	$t2, $t2, 15
	sltiu	$at, $t2, 10
	bnez	$at, 2f
	addiu	$a0, $t2, '0'
	addiu	$a0, $t2, 'a' - 10
2:	jal	putc
	nop
	bnez	$t1, 1b
	addiu	$t1, $t1, -4
	jr	$t3
	nop

# ---------------------------------------------------------------------------------
# Exception vectors (EBase). Handlers save the registers they use in `save`.
	.org	0x1000
vectors:
	# +0x000: TLB refill (32-bit address): map the faulting page pair onto mapped_page
	mfc0	$k0, $8			# BadVAddr
	dla	$k1, mapped_page
	dsll32	$k1, $k1, 3		# physical = kseg0 address & 0x1fffffff
	dsrl32	$k1, $k1, 3
	dsrl	$k1, $k1, 12		# PFN
	dsll	$k1, $k1, 6
	ori	$k1, $k1, 0x17		# C=2 (uncached), D, V, G
	mtc0	$k1, $2			# EntryLo0
	mtc0	$k1, $3			# EntryLo1 (same page)
	mtc0	$zero, $5		# PageMask: 4 KiB
	tlbwr
	eret
	nop

	.org	0x1180
	# +0x180: general exception vector
general:
	dla	$k0, save
	sd	$ra, 0($k0)
	sd	$a0, 8($k0)
	sd	$t8, 16($k0)
	sd	$t9, 24($k0)
	sd	$at, 32($k0)
	sd	$t0, 40($k0)
	sd	$t1, 48($k0)
	sd	$t2, 56($k0)
	sd	$t3, 64($k0)
	mfc0	$k1, $13		# Cause
	andi	$k0, $k1, 0x7c
	beqz	$k0, interrupt
	nop
	li	$at, 8 << 2
	beq	$k0, $at, do_syscall
	nop
	# anything else: report and power off with code 1
	dla	$a0, msg_unexpected
	jal	puts
	nop
	mfc0	$a0, $13
	jal	puthex
	nop
	dli	$k0, POWER
	li	$k1, 0x5a5a0001
	sw	$k1, 0($k0)
1:	b	1b
	nop

do_syscall:
	dla	$a0, msg_syscall
	jal	puts
	nop
	move	$a0, $v0
	jal	puthex
	nop
	dla	$a0, crlf
	jal	puts
	nop
	dmfc0	$k0, $14		# EPC += 4
	daddiu	$k0, $k0, 4
	dmtc0	$k0, $14
	b	restore
	nop

interrupt:
	andi	$k0, $k1, 0x8000	# IP7: timer
	beqz	$k0, 1f
	nop
	dla	$k0, ticks
	ld	$at, 0($k0)
	daddiu	$at, $at, 1
	sd	$at, 0($k0)
	mfc0	$k0, $11		# Compare += TICK (acknowledges TI)
	li	$at, TICK
	addu	$k0, $k0, $at
	mtc0	$k0, $11
1:	andi	$k0, $k1, 0x0400	# IP2: UART
	beqz	$k0, restore
	nop
2:	dli	$t0, UART		# (reloaded: puthex clobbers t0)
	lbu	$k0, 5($t0)		# LSR: data ready?
	andi	$k0, $k0, 1
	beqz	$k0, restore
	nop
	lbu	$a0, 0($t0)
	li	$at, 'q'
	beq	$a0, $at, quit
	nop
	li	$at, 't'
	beq	$a0, $at, show_ticks
	nop
	li	$at, 3
	beq	$a0, $at, ctrl_c
	nop
	li	$at, 13
	beq	$a0, $at, newline
	nop
	jal	putc
	nop
	b	2b
	nop
newline:
	dla	$a0, crlf
	jal	puts
	nop
	b	2b
	nop
ctrl_c:
	dla	$a0, msg_ctrlc
	jal	puts
	nop
	b	2b
	nop
show_ticks:
	dla	$a0, msg_ticks
	jal	puts
	nop
	dla	$k0, ticks
	lw	$a0, 0($k0)
	jal	puthex
	nop
	dla	$a0, crlf
	jal	puts
	nop
	b	2b
	nop
quit:
	dla	$a0, msg_bye
	jal	puts
	nop
3:	lbu	$k0, 5($t0)		# wait until the transmitter is empty
	andi	$k0, $k0, 0x40
	beqz	$k0, 3b
	nop
	dli	$k0, POWER
	li	$k1, 0x5a5a0000
	sw	$k1, 0($k0)
4:	b	4b
	nop

restore:
	dla	$k0, save
	ld	$ra, 0($k0)
	ld	$a0, 8($k0)
	ld	$t8, 16($k0)
	ld	$t9, 24($k0)
	ld	$at, 32($k0)
	ld	$t0, 40($k0)
	ld	$t1, 48($k0)
	ld	$t2, 56($k0)
	ld	$t3, 64($k0)
	eret
	nop

# ---------------------------------------------------------------------------------
	.data
banner:		.asciz	"\r\nMIPS64 Studio demo guest (bare metal, MIPS64 Release 2)\r\n"
msg_syscall:	.asciz	"  syscall handled: v0 = "
msg_back:	.asciz	"  back from the exception handler\r\n"
msg_tlb:	.asciz	"  TLB refill handled, 0x00400000 reads "
prompt:		.asciz	"  timer running. Type something ('t' = ticks, 'q' = quit):\r\n"
msg_ticks:	.asciz	"\r\n  timer ticks: "
msg_ctrlc:	.asciz	"^C\r\n"
msg_bye:	.asciz	"\r\n  bye\r\n"
msg_unexpected:	.asciz	"\r\n  unexpected exception, Cause = "
crlf:		.asciz	"\r\n"
	.align	3
ticks:		.dword	0
save:		.space	128
	.align	12
mapped_page:	.word	0x600dcafe
		.space	4092
		.space	4096
stack_top:
