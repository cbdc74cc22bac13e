package mpegts

// AlignStats counts what an Aligner did. Every byte it was given is in
// exactly one of Packets (times PacketSize), SkippedBytes and
// TruncatedBytes once it has been flushed.
type AlignStats struct {
	// Packets is the number of whole packets returned.
	Packets uint64
	// Resyncs counts the times the sync byte was lost after the stream had
	// been in sync (not the first search, at the start of a stream).
	Resyncs uint64
	// SkippedBytes counts the bytes dropped while looking for the sync
	// byte: garbage, and packets whose sync byte was corrupted.
	SkippedBytes uint64
	// TruncatedBytes counts the bytes of a last packet cut short by the end
	// of the stream (see Flush).
	TruncatedBytes uint64
}

// Aligner turns a byte stream, given in chunks of any size, into runs of
// whole aligned packets. It is how any source of transport stream bytes (a
// DVR device, a file, a pipe, a TCP connection) becomes Packets.
//
// At the start of a stream, and after the sync byte has been lost, the
// Aligner looks for a SyncByte followed by another one PacketSize bytes
// later, and skips (and counts) the bytes before it. In sync, it takes one
// packet after another for as long as each starts with SyncByte. A packet
// whose sync byte is corrupted is therefore skipped with the bytes around
// it up to the next confirmed packet; one that is otherwise damaged is
// passed on (its transport_error_indicator, set by the demodulator, says
// so).
//
// The zero Aligner is ready to use. An Aligner is not safe for concurrent
// use.
type Aligner struct {
	pend   []byte // bytes kept for the next call: less than two packets
	synced bool   // the last packet taken was in sync
	stats  AlignStats
}

// Align takes the next chunk of the stream and returns the whole packets
// now complete, in order. The result may share memory with chunk (no copy
// when the stream is in sync and no bytes are pending), so the caller hands
// chunk over: it must not change it afterwards. Bytes that do not yet make
// a whole packet are kept for the next call.
func (a *Aligner) Align(chunk []byte) Packets {
	b := chunk
	if len(a.pend) > 0 {
		b = make([]byte, 0, len(a.pend)+len(chunk))
		b = append(append(b, a.pend...), chunk...)
		a.pend = a.pend[:0]
	}
	r, w := 0, 0
	for {
		if a.synced {
			if len(b)-r < PacketSize {
				break
			}
			if b[r] == SyncByte {
				if w != r {
					copy(b[w:w+PacketSize], b[r:r+PacketSize])
				}
				w += PacketSize
				r += PacketSize
				continue
			}
			a.synced = false
			a.stats.Resyncs++
		}
		// Hunt for a sync byte confirmed by the next packet's.
		j := r
		for ; j+PacketSize < len(b); j++ {
			if b[j] == SyncByte && b[j+PacketSize] == SyncByte {
				break
			}
		}
		if j+PacketSize < len(b) {
			a.stats.SkippedBytes += uint64(j - r)
			r = j
			a.synced = true
			continue
		}
		// Not found yet: the last PacketSize bytes may still start a
		// packet that the next chunk confirms; everything before them
		// cannot.
		if k := len(b) - PacketSize; k > r {
			a.stats.SkippedBytes += uint64(k - r)
			r = k
		}
		break
	}
	a.pend = append(a.pend, b[r:]...)
	a.stats.Packets += uint64(w / PacketSize)
	return Packets(b[:w:w])
}

// Flush ends the stream: it returns the last packet if the bytes kept hold
// one that could not be confirmed by a following sync byte, and counts the
// rest as skipped (before a sync byte) or truncated (a packet cut short).
// The Aligner is then ready for a new stream, which starts unsynchronised.
func (a *Aligner) Flush() Packets {
	var out Packets
	p := a.pend
	if len(p) >= PacketSize && p[0] == SyncByte {
		out = Packets(append([]byte(nil), p[:PacketSize]...))
		a.stats.Packets++
		p = p[PacketSize:]
	}
	if len(p) > 0 {
		i := 0
		for i < len(p) && p[i] != SyncByte {
			i++
		}
		a.stats.SkippedBytes += uint64(i)
		a.stats.TruncatedBytes += uint64(len(p) - i)
	}
	a.pend = a.pend[:0]
	a.synced = false
	return out
}

// Reset forgets the bytes kept and the sync state, counting the bytes kept
// as skipped: the next chunk starts a new stream (after a retune, say).
func (a *Aligner) Reset() {
	a.stats.SkippedBytes += uint64(len(a.pend))
	a.pend = a.pend[:0]
	a.synced = false
}

// Pending returns the number of bytes kept for the next call.
func (a *Aligner) Pending() int { return len(a.pend) }

// Stats returns the counts so far.
func (a *Aligner) Stats() AlignStats { return a.stats }
