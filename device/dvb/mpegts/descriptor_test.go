package mpegts_test

import (
	"testing"

	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/stretchr/testify/require"
	"github.com/ziutek/dvb/ts/psi"
)

func desc(tag psi.DescriptorTag, data ...byte) mpegts.Descriptor {
	return mpegts.Descriptor{Tag: tag, Data: data}
}

func TestParseDescriptors(t *testing.T) {
	ds, err := mpegts.ParseDescriptors([]byte{0x40, 2, 'h', 'i', 0x52, 1, 7})
	require.NoError(t, err)
	require.Equal(t, mpegts.Descriptors{desc(mpegts.TagNetworkName, 'h', 'i'), desc(mpegts.TagStreamIdentifier, 7)}, ds)
	tag, err := ds[1].StreamIdentifier()
	require.NoError(t, err)
	require.Equal(t, uint8(7), tag)

	_, err = mpegts.ParseDescriptors([]byte{0x40, 5, 'h'})
	require.ErrorIs(t, err, mpegts.ErrDescriptor)
	_, err = mpegts.ParseDescriptors([]byte{0x40})
	require.ErrorIs(t, err, mpegts.ErrDescriptor)
	_, err = mpegts.ParseDescriptors(nil)
	require.NoError(t, err)
}

func TestServiceDescriptorMatchesZiutek(t *testing.T) {
	d := psi.MakeServiceDescriptor(psi.DigitalTelevisionService, "BBC", "BBC FOUR")
	ds, err := mpegts.ParseDescriptors(d)
	require.NoError(t, err)
	sd, err := ds[0].Service()
	require.NoError(t, err)
	require.Equal(t, mpegts.ServiceDescriptor{Type: psi.DigitalTelevisionService, Provider: "BBC", Name: "BBC FOUR"}, sd)

	_, err = desc(mpegts.TagService, 1, 5, 'a').Service()
	require.ErrorIs(t, err, mpegts.ErrDescriptor, "provider name overruns")
	_, err = desc(mpegts.TagService, 1, 0, 9, 'a').Service()
	require.ErrorIs(t, err, mpegts.ErrDescriptor, "service name overruns")
	// ziutek/dvb's own parser panics on this one (a length of 255 wraps its
	// byte arithmetic); ours reports it.
	_, err = desc(mpegts.TagService, 1, 255, 'a').Service()
	require.ErrorIs(t, err, mpegts.ErrDescriptor)
	_, err = desc(mpegts.TagShortEvent, 1, 0, 0).Service()
	require.ErrorIs(t, err, mpegts.ErrDescriptor, "wrong tag")
}

func TestEventDescriptors(t *testing.T) {
	se, err := desc(mpegts.TagShortEvent, 'e', 'n', 'g', 4, 'N', 'e', 'w', 's', 2, 'H', 'i').ShortEvent()
	require.NoError(t, err)
	require.Equal(t, mpegts.ShortEvent{Language: "eng", Name: "News", Text: "Hi"}, se)
	_, err = desc(mpegts.TagShortEvent, 'e', 'n', 'g', 4, 'N').ShortEvent()
	require.ErrorIs(t, err, mpegts.ErrDescriptor)

	ee, err := desc(mpegts.TagExtendedEvent, 0x12, 'e', 'n', 'g', 6, 2, 'D', 'r', 2, 'M', 'e', 3, 'A', 'b', 'c').ExtendedEvent()
	require.NoError(t, err)
	require.Equal(t, mpegts.ExtendedEvent{Number: 1, LastNumber: 2, Language: "eng",
		Items: []mpegts.ExtendedEventItem{{Description: "Dr", Item: "Me"}}, Text: "Abc"}, ee)
	_, err = desc(mpegts.TagExtendedEvent, 0x12, 'e', 'n', 'g', 6, 9, 'D').ExtendedEvent()
	require.ErrorIs(t, err, mpegts.ErrDescriptor)

	genres, err := desc(mpegts.TagContent, 0x23, 0x00, 0x40, 0x07).Content()
	require.NoError(t, err)
	require.Equal(t, []mpegts.ContentGenre{{Level1: 2, Level2: 3}, {Level1: 4, User: 7}}, genres)
	_, err = desc(mpegts.TagContent, 0x23).Content()
	require.ErrorIs(t, err, mpegts.ErrDescriptor)

	c, err := desc(mpegts.TagComponent, 0x01, 0x03, 0x05, 'e', 'n', 'g', 'W', 'i', 'd', 'e').Component()
	require.NoError(t, err)
	require.Equal(t, mpegts.Component{StreamContent: 1, Type: 3, Tag: 5, Language: "eng", Text: "Wide"}, c)
	_, err = desc(mpegts.TagComponent, 1, 3).Component()
	require.ErrorIs(t, err, mpegts.ErrDescriptor)
}

func TestListDescriptorsRejectPartialEntries(t *testing.T) {
	_, err := desc(mpegts.TagServiceList, 1, 2).ServiceList()
	require.ErrorIs(t, err, mpegts.ErrDescriptor)
	_, err = desc(mpegts.TagISO639Language, 'e', 'n', 'g').ISO639Language()
	require.ErrorIs(t, err, mpegts.ErrDescriptor)
	_, err = desc(mpegts.TagLocalTimeOffset, 1, 2, 3).LocalTimeOffset()
	require.ErrorIs(t, err, mpegts.ErrDescriptor)
	_, err = desc(mpegts.TagTerrestrialDelivery, 1, 2, 3).TerrestrialDelivery()
	require.ErrorIs(t, err, mpegts.ErrDescriptor)
	_, err = desc(mpegts.TagStreamIdentifier).StreamIdentifier()
	require.ErrorIs(t, err, mpegts.ErrDescriptor)
	name, err := desc(mpegts.TagNetworkName).NetworkName()
	require.NoError(t, err)
	require.Empty(t, name)
}

func TestDecodeText(t *testing.T) {
	require.Equal(t, "BBC ONE", mpegts.DecodeText([]byte("BBC ONE")))
	require.Equal(t, "Café", mpegts.DecodeText(append([]byte{0x15}, "Café"...)), "0x15 selects UTF-8")
	require.Equal(t, "Ωmega", mpegts.DecodeText([]byte{0x03, 0xD9, 'm', 'e', 'g', 'a'}), "0x03 selects ISO 8859-7")
	require.Empty(t, mpegts.DecodeText(nil))
}
