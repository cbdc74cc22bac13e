package dirac_test

import (
	"encoding/binary"
	"fmt"

	"github.com/kamaelia-go/kamaelia/media/dirac"
)

// dataUnit is a data unit of kind code with n payload bytes, prev bytes
// after the one before it.
func dataUnit(code dirac.ParseCode, prev uint32, n int) []byte {
	u := make([]byte, dirac.HeaderSize+n)
	copy(u, dirac.Prefix)
	u[4] = byte(code)
	binary.BigEndian.PutUint32(u[5:9], uint32(len(u)))
	binary.BigEndian.PutUint32(u[9:13], prev)
	return u
}

// A Splitter given a stream in chunks of any size gives each picture as a
// packet, with the sequence header that came before it.
func Example() {
	seq := dataUnit(dirac.SequenceHeader, 0, 20)
	pic1 := dataUnit(0x0C, uint32(len(seq)), 100)
	pic2 := dataUnit(0x0C, uint32(len(pic1)), 50)
	stream := append(append(append([]byte{}, seq...), pic1...), pic2...)

	h, _ := dirac.ParseHeader(stream)
	fmt.Println("first unit:", h.Code)

	var s dirac.Splitter
	for len(stream) > 0 {
		n := min(40, len(stream))
		s.Write(stream[:n])
		stream = stream[n:]
		for {
			p, ok, err := s.Next()
			if err != nil {
				fmt.Println(err)
				return
			}
			if !ok {
				break
			}
			fmt.Printf("packet at %d: %d bytes, %v, sequence header %v\n", p.Offset, len(p.Data), p.Code, p.Sequence)
		}
	}
	// Output:
	// first unit: sequence header
	// packet at 0: 146 bytes, picture (parse code 0x0c), sequence header true
	// packet at 146: 63 bytes, picture (parse code 0x0c), sequence header false
}
