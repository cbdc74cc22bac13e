package main

import "fmt"

// PIDs are given as a list, in decimal or hex; 0x2000 means the whole
// multiplex.
func Example() {
	pids, err := parsePIDs("0x200, 0x201,18")
	fmt.Println(pids, err)
	_, err = parsePIDs("0x2001")
	fmt.Println(err)
	// Output:
	// [512 513 18] <nil>
	// bad PID "0x2001": want 0 to 0x1fff, or 0x2000 for all
}
