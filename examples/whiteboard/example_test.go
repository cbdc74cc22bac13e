package main

import "fmt"

// The commands people type, and what everyone hears back.
func Example() {
	for _, line := range []string{"line 10 10 90 40 #FF8800", "clear", "scribble"} {
		e, err := parseCommand(line)
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println(format(e))
	}
	// Output:
	// line 10 10 90 40 #ff8800
	// clear
	// error: unknown command "scribble": want line, clear or save
}
