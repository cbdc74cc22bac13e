package mpegts

import (
	"errors"
	"fmt"
	"time"
)

// ErrTime is wrapped when a DVB date or time is not valid BCD.
var ErrTime = errors.New("mpegts: bad DVB time")

// mjdEpoch is day 0 of the Modified Julian Date.
var mjdEpoch = time.Date(1858, time.November, 17, 0, 0, 0, 0, time.UTC)

// DecodeMJDUTC decodes the 40-bit UTC time of DVB SI (EN 300 468 annex
// C): 16 bits of Modified Julian Date, then hours, minutes and seconds in
// BCD. All bits set means "undefined" (an NVOD reference event) and gives
// the zero time with no error. b must hold 5 bytes.
func DecodeMJDUTC(b []byte) (time.Time, error) {
	if len(b) != 5 {
		return time.Time{}, fmt.Errorf("%w: %d bytes, want 5", ErrTime, len(b))
	}
	if b[0]&b[1]&b[2]&b[3]&b[4] == 0xFF {
		return time.Time{}, nil
	}
	h, m, s, err := decodeHMS(b[2:5])
	if err != nil {
		return time.Time{}, err
	}
	if h > 23 || m > 59 || s > 60 {
		return time.Time{}, fmt.Errorf("%w: %02d:%02d:%02d", ErrTime, h, m, s)
	}
	mjd := int(b[0])<<8 | int(b[1])
	return mjdEpoch.AddDate(0, 0, mjd).Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second), nil
}

// EncodeMJDUTC encodes t (in UTC) as DecodeMJDUTC reads it. Dates outside
// the 16-bit MJD range (1858-11-17 to 2038-04-22) wrap.
func EncodeMJDUTC(t time.Time) [5]byte {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	mjd := int(day.Sub(mjdEpoch) / (24 * time.Hour))
	return [5]byte{byte(mjd >> 8), byte(mjd), bcd(t.Hour()), bcd(t.Minute()), bcd(t.Second())}
}

// DecodeBCDDuration decodes a 24-bit duration of DVB SI: hours, minutes
// and seconds in BCD. b must hold 3 bytes.
func DecodeBCDDuration(b []byte) (time.Duration, error) {
	if len(b) != 3 {
		return 0, fmt.Errorf("%w: %d bytes, want 3", ErrTime, len(b))
	}
	h, m, s, err := decodeHMS(b)
	if err != nil {
		return 0, err
	}
	if m > 59 || s > 59 {
		return 0, fmt.Errorf("%w: duration %02d:%02d:%02d", ErrTime, h, m, s)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second, nil
}

// EncodeBCDDuration encodes d, rounded down to the second and at most 99
// hours 59 minutes 59 seconds, as DecodeBCDDuration reads it.
func EncodeBCDDuration(d time.Duration) [3]byte {
	d = min(max(d, 0), 99*time.Hour+59*time.Minute+59*time.Second)
	s := int(d / time.Second)
	return [3]byte{bcd(s / 3600), bcd(s / 60 % 60), bcd(s % 60)}
}

func decodeHMS(b []byte) (h, m, s int, err error) {
	var ok [3]bool
	h, ok[0] = unbcd(b[0])
	m, ok[1] = unbcd(b[1])
	s, ok[2] = unbcd(b[2])
	if !ok[0] || !ok[1] || !ok[2] {
		return 0, 0, 0, fmt.Errorf("%w: % x is not BCD", ErrTime, b)
	}
	return h, m, s, nil
}

func unbcd(x byte) (int, bool) {
	hi, lo := int(x>>4), int(x&0x0F)
	return hi*10 + lo, hi <= 9 && lo <= 9
}

func bcd(v int) byte { return byte(v/10%10<<4 | v%10) }
