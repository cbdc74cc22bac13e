package irc

import "fmt"

// Parse reads a line as a server sends it; NickOf and Action read its parts.
func ExampleParse() {
	m, err := Parse(":alice!a@example.org PRIVMSG #kamaelia :\x01ACTION waves\x01\r\n")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(NickOf(m.Prefix), m.Command, m.Params[0])
	if text, ok := Action(m.Params[1]); ok {
		fmt.Println("action:", text)
	}
	// Output:
	// alice PRIVMSG #kamaelia
	// action: waves
}
