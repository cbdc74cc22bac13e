package whiteboard

import (
	"errors"

	"github.com/kamaelia-go/kamaelia/axon"
)

func isFinished(err error) bool { return errors.Is(err, axon.ErrFinished) }
