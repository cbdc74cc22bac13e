package mpegts

import (
	"errors"
	"fmt"
	"time"

	"github.com/ziutek/dvb/ts/psi"
)

// ErrDescriptor is wrapped when a descriptor's length or contents do not
// fit: the loop of descriptors overruns its bytes, or a descriptor is too
// short for its tag's syntax.
var ErrDescriptor = errors.New("mpegts: bad descriptor")

// Descriptor tags this package decodes (ISO/IEC 13818-1 2.6, EN 300 468
// 6.1). They are ziutek/dvb's psi.DescriptorTag values, which name
// themselves.
const (
	TagISO639Language      = psi.ISO639LangTag
	TagNetworkName         = psi.NetworkNameTag
	TagServiceList         = psi.ServiceListTag
	TagService             = psi.ServiceTag
	TagShortEvent          = psi.ShortEventTag
	TagExtendedEvent       = psi.ExtendedEventTag
	TagComponent           = psi.ComponentTag
	TagStreamIdentifier    = psi.StreamIdentifierTag
	TagContent             = psi.ContentTag
	TagLocalTimeOffset     = psi.LocalTimeOffsetTag
	TagTerrestrialDelivery = psi.TerrestrialDeliverySystemTag
)

// Descriptor is one descriptor of a descriptor loop: a tag and its data.
// Data shares the memory of the section it came from.
type Descriptor struct {
	Tag  psi.DescriptorTag // descriptor_tag
	Data []byte            // the bytes after descriptor_length
}

// Descriptors is a descriptor loop.
type Descriptors []Descriptor

// Find returns the first descriptor with the given tag.
func (ds Descriptors) Find(tag psi.DescriptorTag) (Descriptor, bool) {
	for _, d := range ds {
		if d.Tag == tag {
			return d, true
		}
	}
	return Descriptor{}, false
}

// ParseDescriptors parses a descriptor loop that fills b exactly. A
// descriptor whose length overruns b is an error wrapping ErrDescriptor.
func ParseDescriptors(b []byte) (Descriptors, error) {
	var ds Descriptors
	for len(b) > 0 {
		if len(b) < 2 {
			return ds, fmt.Errorf("%w: 1 byte left in the loop, no room for a descriptor header", ErrDescriptor)
		}
		n := int(b[1])
		if len(b) < 2+n {
			return ds, fmt.Errorf("%w: tag 0x%02x length %d, only %d bytes left", ErrDescriptor, b[0], n, len(b)-2)
		}
		ds = append(ds, Descriptor{Tag: psi.DescriptorTag(b[0]), Data: b[2 : 2+n : 2+n]})
		b = b[2+n:]
	}
	return ds, nil
}

func (d Descriptor) want(tag psi.DescriptorTag, min int) error {
	if d.Tag != tag {
		return fmt.Errorf("%w: tag 0x%02x is not %s (0x%02x)", ErrDescriptor, byte(d.Tag), tag, byte(tag))
	}
	if len(d.Data) < min {
		return fmt.Errorf("%w: %s with %d bytes, want at least %d", ErrDescriptor, tag, len(d.Data), min)
	}
	return nil
}

// DecodeText decodes a string of DVB SI (EN 300 468 annex A): the
// character table named by its first byte (ISO 6937 by default, the
// ISO 8859 parts, UTF-8). It uses ziutek/dvb's psi.DecodeText.
func DecodeText(b []byte) string { return psi.DecodeText(b) }

// lenPrefixed splits b into the n bytes after its length byte and the rest.
func lenPrefixed(b []byte, what string) (field, rest []byte, err error) {
	if len(b) < 1 {
		return nil, nil, fmt.Errorf("%w: no length byte for the %s", ErrDescriptor, what)
	}
	n := int(b[0])
	if len(b) < 1+n {
		return nil, nil, fmt.Errorf("%w: %s of %d bytes, only %d left", ErrDescriptor, what, n, len(b)-1)
	}
	return b[1 : 1+n], b[1+n:], nil
}

// ServiceDescriptor is the service_descriptor (0x48) of an SDT: a
// service's type, provider and name.
type ServiceDescriptor struct {
	Type     psi.ServiceType // television, radio, data...
	Provider string          // service_provider_name, decoded
	Name     string          // service_name, decoded
}

// Service decodes a service_descriptor.
func (d Descriptor) Service() (ServiceDescriptor, error) {
	if err := d.want(TagService, 3); err != nil {
		return ServiceDescriptor{}, err
	}
	s := ServiceDescriptor{Type: psi.ServiceType(d.Data[0])}
	prov, rest, err := lenPrefixed(d.Data[1:], "service provider name")
	if err != nil {
		return ServiceDescriptor{}, err
	}
	name, _, err := lenPrefixed(rest, "service name")
	if err != nil {
		return ServiceDescriptor{}, err
	}
	s.Provider, s.Name = DecodeText(prov), DecodeText(name)
	return s, nil
}

// NetworkName decodes a network_name_descriptor (0x40).
func (d Descriptor) NetworkName() (string, error) {
	if err := d.want(TagNetworkName, 0); err != nil {
		return "", err
	}
	return DecodeText(d.Data), nil
}

// ServiceListEntry is one service of a service_list_descriptor.
type ServiceListEntry struct {
	ServiceID uint16          // service_id
	Type      psi.ServiceType // service_type
}

// ServiceList decodes a service_list_descriptor (0x41) of a NIT.
func (d Descriptor) ServiceList() ([]ServiceListEntry, error) {
	if err := d.want(TagServiceList, 0); err != nil {
		return nil, err
	}
	if len(d.Data)%3 != 0 {
		return nil, fmt.Errorf("%w: service_list_descriptor of %d bytes, not a multiple of 3", ErrDescriptor, len(d.Data))
	}
	out := make([]ServiceListEntry, 0, len(d.Data)/3)
	for b := d.Data; len(b) >= 3; b = b[3:] {
		out = append(out, ServiceListEntry{ServiceID: uint16(b[0])<<8 | uint16(b[1]), Type: psi.ServiceType(b[2])})
	}
	return out, nil
}

// ShortEvent is the short_event_descriptor (0x4D) of an EIT: an event's
// name and a short description, in a language.
type ShortEvent struct {
	Language string // ISO 639-2 code, such as "eng"
	Name     string // event_name, decoded
	Text     string // text, decoded
}

// ShortEvent decodes a short_event_descriptor.
func (d Descriptor) ShortEvent() (ShortEvent, error) {
	if err := d.want(TagShortEvent, 5); err != nil {
		return ShortEvent{}, err
	}
	e := ShortEvent{Language: string(d.Data[:3])}
	name, rest, err := lenPrefixed(d.Data[3:], "event name")
	if err != nil {
		return ShortEvent{}, err
	}
	text, _, err := lenPrefixed(rest, "event text")
	if err != nil {
		return ShortEvent{}, err
	}
	e.Name, e.Text = DecodeText(name), DecodeText(text)
	return e, nil
}

// ExtendedEventItem is one item of an extended_event_descriptor.
type ExtendedEventItem struct {
	Description string // item_description, decoded ("Director")
	Item        string // item, decoded
}

// ExtendedEvent is the extended_event_descriptor (0x4E) of an EIT: one
// part of an event's long description.
type ExtendedEvent struct {
	Number     uint8               // descriptor_number: this part
	LastNumber uint8               // last_descriptor_number
	Language   string              // ISO 639-2
	Items      []ExtendedEventItem // the described items
	Text       string              // text, decoded
}

// ExtendedEvent decodes an extended_event_descriptor.
func (d Descriptor) ExtendedEvent() (ExtendedEvent, error) {
	if err := d.want(TagExtendedEvent, 6); err != nil {
		return ExtendedEvent{}, err
	}
	e := ExtendedEvent{Number: d.Data[0] >> 4, LastNumber: d.Data[0] & 0x0F, Language: string(d.Data[1:4])}
	items, rest, err := lenPrefixed(d.Data[4:], "item loop")
	if err != nil {
		return ExtendedEvent{}, err
	}
	for len(items) > 0 {
		var desc, item []byte
		if desc, items, err = lenPrefixed(items, "item description"); err != nil {
			return ExtendedEvent{}, err
		}
		if item, items, err = lenPrefixed(items, "item"); err != nil {
			return ExtendedEvent{}, err
		}
		e.Items = append(e.Items, ExtendedEventItem{Description: DecodeText(desc), Item: DecodeText(item)})
	}
	text, _, err := lenPrefixed(rest, "text")
	if err != nil {
		return ExtendedEvent{}, err
	}
	e.Text = DecodeText(text)
	return e, nil
}

// Component is the component_descriptor (0x50): one component (video,
// audio, subtitles) of a service or event.
type Component struct {
	StreamContentExt uint8  // stream_content_ext
	StreamContent    uint8  // stream_content: 1 video, 2 audio, 3 subtitles...
	Type             uint8  // component_type (EN 300 468 table 26)
	Tag              uint8  // component_tag, as in a stream_identifier_descriptor
	Language         string // ISO 639-2
	Text             string // text, decoded
}

// Component decodes a component_descriptor.
func (d Descriptor) Component() (Component, error) {
	if err := d.want(TagComponent, 6); err != nil {
		return Component{}, err
	}
	return Component{
		StreamContentExt: d.Data[0] >> 4,
		StreamContent:    d.Data[0] & 0x0F,
		Type:             d.Data[1],
		Tag:              d.Data[2],
		Language:         string(d.Data[3:6]),
		Text:             DecodeText(d.Data[6:]),
	}, nil
}

// ContentGenre is one classification of a content_descriptor: the
// content_nibble_level_1 and _2 (EN 300 468 table 29) and user bytes.
type ContentGenre struct {
	Level1 uint8 // content_nibble_level_1: 1 drama, 2 news, 4 sport...
	Level2 uint8 // content_nibble_level_2
	User   uint8 // user_byte
}

// Content decodes a content_descriptor (0x54): an event's genres.
func (d Descriptor) Content() ([]ContentGenre, error) {
	if err := d.want(TagContent, 0); err != nil {
		return nil, err
	}
	if len(d.Data)%2 != 0 {
		return nil, fmt.Errorf("%w: content_descriptor of %d bytes, not a multiple of 2", ErrDescriptor, len(d.Data))
	}
	out := make([]ContentGenre, 0, len(d.Data)/2)
	for b := d.Data; len(b) >= 2; b = b[2:] {
		out = append(out, ContentGenre{Level1: b[0] >> 4, Level2: b[0] & 0x0F, User: b[1]})
	}
	return out, nil
}

// StreamIdentifier decodes a stream_identifier_descriptor (0x52): the
// component_tag of an elementary stream in a PMT.
func (d Descriptor) StreamIdentifier() (uint8, error) {
	if err := d.want(TagStreamIdentifier, 1); err != nil {
		return 0, err
	}
	return d.Data[0], nil
}

// Language is one entry of an ISO_639_language_descriptor.
type Language struct {
	Code      string // ISO 639-2, such as "eng"
	AudioType uint8  // 0 undefined, 1 clean effects, 2 hearing impaired, 3 visual impaired commentary
}

// ISO639Language decodes an ISO_639_language_descriptor (0x0A) of a PMT.
func (d Descriptor) ISO639Language() ([]Language, error) {
	if err := d.want(TagISO639Language, 0); err != nil {
		return nil, err
	}
	if len(d.Data)%4 != 0 {
		return nil, fmt.Errorf("%w: ISO_639_language_descriptor of %d bytes, not a multiple of 4", ErrDescriptor, len(d.Data))
	}
	out := make([]Language, 0, len(d.Data)/4)
	for b := d.Data; len(b) >= 4; b = b[4:] {
		out = append(out, Language{Code: string(b[:3]), AudioType: b[3]})
	}
	return out, nil
}

// LocalTimeOffset is one entry of a local_time_offset_descriptor: the
// offset of local time from UTC in a country (and region), and when and to
// what it next changes.
type LocalTimeOffset struct {
	Country      string        // ISO 3166 alpha-3, such as "GBR"
	Region       uint8         // 6 bits, 0 for the whole country
	Offset       time.Duration // local time minus UTC
	TimeOfChange time.Time     // when Offset becomes NextOffset (UTC)
	NextOffset   time.Duration // the offset after TimeOfChange
}

// LocalTimeOffset decodes a local_time_offset_descriptor (0x58) of a TOT.
func (d Descriptor) LocalTimeOffset() ([]LocalTimeOffset, error) {
	if err := d.want(TagLocalTimeOffset, 0); err != nil {
		return nil, err
	}
	if len(d.Data)%13 != 0 {
		return nil, fmt.Errorf("%w: local_time_offset_descriptor of %d bytes, not a multiple of 13", ErrDescriptor, len(d.Data))
	}
	var out []LocalTimeOffset
	for b := d.Data; len(b) >= 13; b = b[13:] {
		lto := LocalTimeOffset{Country: string(b[:3]), Region: b[3] >> 2}
		off, err := decodeHHMM(b[4:6])
		if err != nil {
			return nil, err
		}
		if lto.TimeOfChange, err = DecodeMJDUTC(b[6:11]); err != nil {
			return nil, err
		}
		next, err := decodeHHMM(b[11:13])
		if err != nil {
			return nil, err
		}
		if b[3]&1 != 0 { // local_time_offset_polarity: west of Greenwich
			off, next = -off, -next
		}
		lto.Offset, lto.NextOffset = off, next
		out = append(out, lto)
	}
	return out, nil
}

func decodeHHMM(b []byte) (time.Duration, error) {
	h, ok1 := unbcd(b[0])
	m, ok2 := unbcd(b[1])
	if !ok1 || !ok2 || m > 59 {
		return 0, fmt.Errorf("%w: offset % x is not BCD hours and minutes", ErrTime, b)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

// TerrestrialDelivery is the terrestrial_delivery_system_descriptor
// (0x5A) of a NIT: how a DVB-T multiplex is transmitted. The coded fields
// are as broadcast (EN 300 468 6.2.13.4); the methods name them.
type TerrestrialDelivery struct {
	// FrequencyHz is the centre frequency.
	FrequencyHz uint64
	// Bandwidth is 0 for 8 MHz, 1 for 7, 2 for 6, 3 for 5.
	Bandwidth uint8
	// Priority is true for the high-priority stream (or no hierarchy).
	Priority bool
	// TimeSlicing and MPEFEC are the DVB-H indicators as broadcast (true:
	// not used).
	TimeSlicing, MPEFEC bool
	// Constellation is 0 QPSK, 1 16-QAM, 2 64-QAM.
	Constellation uint8
	// Hierarchy is 0 none (non-native), 1 to 3 alpha 1, 2, 4; +4 native.
	Hierarchy uint8
	// CodeRateHP and CodeRateLP are 0 1/2, 1 2/3, 2 3/4, 3 5/6, 4 7/8.
	CodeRateHP, CodeRateLP uint8
	// Guard is 0 1/32, 1 1/16, 2 1/8, 3 1/4.
	Guard uint8
	// TransmissionMode is 0 2k, 1 8k, 2 4k.
	TransmissionMode uint8
	// OtherFrequency is set when the multiplex is on other frequencies too.
	OtherFrequency bool
}

// BandwidthHz returns the channel bandwidth, or 0 for a reserved value.
func (t TerrestrialDelivery) BandwidthHz() uint32 {
	switch t.Bandwidth {
	case 0, 1, 2, 3:
		return uint32(8-t.Bandwidth) * 1_000_000
	}
	return 0
}

// TerrestrialDelivery decodes a terrestrial_delivery_system_descriptor.
func (d Descriptor) TerrestrialDelivery() (TerrestrialDelivery, error) {
	if err := d.want(TagTerrestrialDelivery, 11); err != nil {
		return TerrestrialDelivery{}, err
	}
	b := d.Data
	f := uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
	return TerrestrialDelivery{
		FrequencyHz:      f * 10,
		Bandwidth:        b[4] >> 5,
		Priority:         b[4]&0x10 != 0,
		TimeSlicing:      b[4]&0x08 != 0,
		MPEFEC:           b[4]&0x04 != 0,
		Constellation:    b[5] >> 6,
		Hierarchy:        b[5] >> 3 & 0x07,
		CodeRateHP:       b[5] & 0x07,
		CodeRateLP:       b[6] >> 5,
		Guard:            b[6] >> 3 & 0x03,
		TransmissionMode: b[6] >> 1 & 0x03,
		OtherFrequency:   b[6]&0x01 != 0,
	}, nil
}
