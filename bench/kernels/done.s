# Common tail: power off (demo board) or, under QEMU Malta, spin at `done`.
done:
	lui	$t8, 0xbf10
	lui	$t9, 0x5a5a
	sw	$t9, 0($t8)
3:	b	3b
	nop
