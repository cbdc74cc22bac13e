package axon

// ControlState is what TakeControl found on a component's control inbox.
type ControlState struct {
	// Finishing reports that the component has been told ProducerFinished:
	// in the messages just taken, or before (Core.Finishing).
	Finishing bool
	// Reason is the Reason of the first ProducerFinished taken that gave one.
	Reason error
	// Shutdown is the last Shutdown taken, or nil.
	Shutdown *Shutdown
	// Failure is the first *Failure taken (the failure of the component
	// whose signal is linked to this control), or nil.
	Failure *Failure
}

// TakeControl takes every message waiting on the component's control inbox
// and reports what they said. The runtime has already acted on each as it
// arrived (ProducerFinished sets Finishing, Shutdown cancels Main's
// context); taking them is what lets Wait sleep again. When each is not
// nil it is called with every message taken, in order, to pass them on or
// to read messages of the component's own (a Drain, a configuration).
//
// A component that takes its control messages must act on the Finishing
// reported here rather than on a later call to Core.Finishing alone: the
// runtime makes the message visible a moment before it sets that flag, and
// Wait does not wake for the flag, so a component that took the message,
// looked at the flag too early and then waited would sleep through it.
//
// Only the goroutine that receives for the component (normally Main) may
// call it.
func (c *Core) TakeControl(each func(msg any)) ControlState {
	st := TakeControlFrom(c.Control(), each)
	st.Finishing = st.Finishing || c.Finishing()
	return st
}

// TakeControlFrom is TakeControl for an inbox that holds control messages
// on another's behalf: a composite's box that it passes on, the control of
// a child that has finished. Finishing then reports only the messages
// taken. Only the goroutine that receives from in may call it.
func TakeControlFrom(in *Inbox[any], each func(msg any)) ControlState {
	var st ControlState
	for {
		m, ok := in.TryRecv()
		if !ok {
			break
		}
		switch v := m.(type) {
		case ProducerFinished:
			st.Finishing = true
			if st.Reason == nil {
				st.Reason = v.Reason
			}
		case Shutdown:
			st.Shutdown = &v
		case *Failure:
			if st.Failure == nil {
				st.Failure = v
			}
		}
		if each != nil {
			each(m)
		}
	}
	return st
}
