// Command hello prints a greeting.
package main

import (
	"fmt"

	"example.com/mod/greet"
)

func main() { fmt.Println(greet.Hello("world")) }
