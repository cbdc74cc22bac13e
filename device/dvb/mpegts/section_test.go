package mpegts_test

import (
	"testing"

	"github.com/kamaelia-go/kamaelia/device/dvb/dvbtest"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/stretchr/testify/require"
	"github.com/ziutek/dvb/ts/psi"
)

func TestCRC32MPEG2KnownValues(t *testing.T) {
	// The check value of CRC-32/MPEG-2.
	require.Equal(t, uint32(0x0376E6E7), mpegts.CRC32([]byte("123456789")))
	require.Equal(t, uint32(0xFFFFFFFF), mpegts.CRC32(nil))
	// A section's CRC over all its bytes, CRC included, is 0.
	sec := dvbtest.PATSection(1, 0, dvbtest.Program{Number: 1, PMTPID: 0x100})[0]
	require.Equal(t, uint32(0), mpegts.CRC32(sec))
}

func TestCRC32AgreesWithZiutek(t *testing.T) {
	// ziutek/dvb's psi.Section checks the CRC that AppendCRC32 writes.
	body := []byte{0x00, 0xB0, 0x0D, 0x12, 0x34, 0xC1, 0x00, 0x00, 0x00, 0x01, 0xE1, 0x00}
	sec := mpegts.AppendCRC32(body)
	require.True(t, psi.Section(sec).CheckCRC())
	sec[5] ^= 0x02
	require.False(t, psi.Section(sec).CheckCRC())
}

func TestParseSectionLongForm(t *testing.T) {
	raw := dvbtest.PATSection(0x1004, 7, dvbtest.Program{Number: 1, PMTPID: 0x100})[0]
	s, err := mpegts.ParseSection(append(raw, 0xFF, 0xFF)) // trailing stuffing is ignored
	require.NoError(t, err)
	require.Equal(t, uint8(0), s.TableID)
	require.True(t, s.Syntax)
	require.Equal(t, uint16(0x1004), s.TableIDExt)
	require.Equal(t, uint8(7), s.Version)
	require.True(t, s.Current)
	require.Equal(t, raw, s.Raw)
	require.Equal(t, []byte{0x00, 0x01, 0xE1, 0x00}, s.Data)
}

func TestParseSectionErrors(t *testing.T) {
	raw := dvbtest.PATSection(0x1004, 7, dvbtest.Program{Number: 1, PMTPID: 0x100})[0]

	_, err := mpegts.ParseSection(raw[:2])
	require.ErrorIs(t, err, mpegts.ErrSectionTruncated)
	_, err = mpegts.ParseSection(raw[:len(raw)-1])
	require.ErrorIs(t, err, mpegts.ErrSectionTruncated)

	bad := append([]byte(nil), raw...)
	bad[9] ^= 1
	_, err = mpegts.ParseSection(bad)
	require.ErrorIs(t, err, mpegts.ErrCRC)

	long := []byte{0x00, 0xB3, 0xFE} // PAT with section_length 1022
	_, err = mpegts.ParseSection(append(long, make([]byte, 1022)...))
	require.ErrorIs(t, err, mpegts.ErrSectionTooLong)

	eit := []byte{0x4E, 0xFF, 0xFE} // EIT with section_length 4094
	_, err = mpegts.ParseSection(append(eit, make([]byte, 4094)...))
	require.ErrorIs(t, err, mpegts.ErrSectionTooLong)

	short := mpegts.AppendCRC32([]byte{0x00, 0xB0, 0x07, 0, 1, 0xC1, 0}) // long form, 8 bytes: no room
	_, err = mpegts.ParseSection(short)
	require.ErrorIs(t, err, mpegts.ErrSectionSyntax)

	backwards := mpegts.AppendCRC32([]byte{0x00, 0xB0, 0x09, 0, 1, 0xC1, 2, 1})
	_, err = mpegts.ParseSection(backwards)
	require.ErrorIs(t, err, mpegts.ErrSectionSyntax, "section_number after last_section_number")
}

func TestMaxSectionLength(t *testing.T) {
	require.Equal(t, 1021, mpegts.MaxSectionLength(mpegts.TableIDPAT))
	require.Equal(t, 1021, mpegts.MaxSectionLength(mpegts.TableIDSDTActual))
	require.Equal(t, 1021, mpegts.MaxSectionLength(mpegts.TableIDTOT))
	require.Equal(t, 4093, mpegts.MaxSectionLength(mpegts.TableIDEITActualPF))
	require.Equal(t, 4093, mpegts.MaxSectionLength(0x80))
}
