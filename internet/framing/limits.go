package framing

// MaxFrameSize returns the largest message the framer frames:
// DefaultMaxFrameSize unless WithMaxFrameSize set another (with
// WithoutMaxFrameSize, a size larger than any message).
func (f *Framer) MaxFrameSize() int { return f.cfg.max }

// MaxFrameSize returns the largest message the de-framer accepts; see
// Framer.MaxFrameSize.
func (d *DeFramer) MaxFrameSize() int { return d.dec.max }

// MaxFrameSize returns the largest record the framer frames; see
// Framer.MaxFrameSize.
func (f *DelimFramer) MaxFrameSize() int { return f.cfg.max }

// MaxFrameSize returns the largest record the de-framer accepts; see
// Framer.MaxFrameSize.
func (d *DelimDeFramer) MaxFrameSize() int { return d.dec.max }

// MaxFrameSize returns the largest message the chunker frames; see
// Framer.MaxFrameSize.
func (c *DataChunker) MaxFrameSize() int { return c.cfg.max }

// MaxFrameSize returns the largest message the de-chunker accepts; see
// Framer.MaxFrameSize.
func (d *DataDeChunker) MaxFrameSize() int { return d.dec.max }
