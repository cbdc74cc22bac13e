package greet_test

import (
	"fmt"

	"example.com/mod/greet"
)

func ExampleHello() {
	fmt.Println(greet.Hello("go"))
	// Output: HELLO, GO
}
