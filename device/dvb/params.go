package dvb

import (
	"fmt"
	"math"
	"strings"

	zdvb "github.com/ziutek/dvb"
)

// Params are the DVB-T/T2 frontend parameters of a tuning. The zero value
// asks for DVB-T in an 8 MHz channel with everything else detected by the
// demodulator (automatic), which is what most receivers want: set a field
// only to force it.
type Params struct {
	System       System           // DVB-T (zero) or DVB-T2
	BandwidthHz  uint32           // the channel bandwidth; 0: 8 MHz
	Modulation   Modulation       // the constellation; zero: automatic
	CodeRateHP   CodeRate         // the high-priority code rate; zero: automatic
	CodeRateLP   CodeRate         // the low-priority code rate; zero: automatic
	Transmission TransmissionMode // the number of carriers; zero: automatic
	Guard        GuardInterval    // the guard interval; zero: automatic
	Hierarchy    Hierarchy        // the hierarchy; zero: automatic
	Inversion    Inversion        // the spectral inversion; zero: automatic
}

// Bandwidth returns the bandwidth to tune: BandwidthHz, or 8 MHz when it is 0.
func (p Params) Bandwidth() uint32 {
	if p.BandwidthHz == 0 {
		return 8_000_000
	}
	return p.BandwidthHz
}

// String describes the parameters, such as "DVB-T 8MHz auto".
func (p Params) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %gMHz", p.System, float64(p.Bandwidth())/1e6)
	parts := []fmt.Stringer{p.Modulation, p.CodeRateHP, p.CodeRateLP, p.Transmission, p.Guard, p.Hierarchy, p.Inversion}
	names := []string{"", "HP ", "LP ", "", "guard ", "hierarchy ", "inversion "}
	auto := true
	for i, s := range parts {
		if v := s.String(); v != "auto" {
			fmt.Fprintf(&b, " %s%s", names[i], v)
			auto = false
		}
	}
	if auto {
		b.WriteString(" auto")
	}
	return b.String()
}

// FrequencyHz converts a frequency in MHz (as the article gives it:
// 505.833333) to whole Hz, or fails if it is not a frequency a DVB
// frontend can tune (0 to 4294 MHz).
func FrequencyHz(mhz float64) (uint32, error) {
	hz := math.Round(mhz * 1e6)
	if !(hz > 0 && hz <= math.MaxUint32) {
		return 0, fmt.Errorf("dvb: frequency %v MHz out of range", mhz)
	}
	return uint32(hz), nil
}

// System is the delivery system.
type System uint8

// The delivery systems.
const (
	DVBT  System = iota // DVB-T (the zero value)
	DVBT2               // DVB-T2
)

// String names the value, as Linux DVB tools write it.
func (s System) String() string {
	if s == DVBT2 {
		return "DVB-T2"
	}
	if s == DVBT {
		return "DVB-T"
	}
	return fmt.Sprintf("system(%d)", uint8(s))
}

func (s System) linux() zdvb.DeliverySystem {
	if s == DVBT2 {
		return zdvb.SysDVBT2
	}
	return zdvb.SysDVBT
}

// Modulation is the constellation.
type Modulation uint8

// The modulations; the zero value is automatic.
const (
	ModulationAuto Modulation = iota
	QPSK
	QAM16
	QAM64
	QAM256
)

var modulations = [...]struct {
	name string
	v    zdvb.Modulation
}{{"auto", zdvb.QAMAuto}, {"QPSK", zdvb.QPSK}, {"QAM16", zdvb.QAM16}, {"QAM64", zdvb.QAM64}, {"QAM256", zdvb.QAM256}}

// String names the value, as Linux DVB tools write it.
func (m Modulation) String() string {
	if int(m) < len(modulations) {
		return modulations[m].name
	}
	return fmt.Sprintf("modulation(%d)", uint8(m))
}

func (m Modulation) linux() zdvb.Modulation {
	if int(m) < len(modulations) {
		return modulations[m].v
	}
	return zdvb.QAMAuto
}

// CodeRate is a forward error correction code rate.
type CodeRate uint8

// The code rates; the zero value is automatic.
const (
	CodeRateAuto CodeRate = iota
	FEC12
	FEC23
	FEC34
	FEC35
	FEC45
	FEC56
	FEC78
	CodeRateNone
)

var codeRates = [...]struct {
	name string
	v    zdvb.CodeRate
}{{"auto", zdvb.FECAuto}, {"1/2", zdvb.FEC12}, {"2/3", zdvb.FEC23}, {"3/4", zdvb.FEC34},
	{"3/5", zdvb.FEC35}, {"4/5", zdvb.FEC45}, {"5/6", zdvb.FEC56}, {"7/8", zdvb.FEC78}, {"none", zdvb.FECNone}}

// String names the value, as Linux DVB tools write it.
func (c CodeRate) String() string {
	if int(c) < len(codeRates) {
		return codeRates[c].name
	}
	return fmt.Sprintf("coderate(%d)", uint8(c))
}

func (c CodeRate) linux() zdvb.CodeRate {
	if int(c) < len(codeRates) {
		return codeRates[c].v
	}
	return zdvb.FECAuto
}

// TransmissionMode is the number of OFDM carriers.
type TransmissionMode uint8

// The transmission modes; the zero value is automatic.
const (
	TransmissionAuto TransmissionMode = iota
	Transmission1k
	Transmission2k
	Transmission4k
	Transmission8k
	Transmission16k
	Transmission32k
)

var transmissions = [...]struct {
	name string
	v    zdvb.TxMode
}{{"auto", zdvb.TxModeAuto}, {"1k", zdvb.TxMode1k}, {"2k", zdvb.TxMode2k}, {"4k", zdvb.TxMode4k},
	{"8k", zdvb.TxMode8k}, {"16k", zdvb.TxMode16k}, {"32k", zdvb.TxMode32k}}

// String names the value, as Linux DVB tools write it.
func (t TransmissionMode) String() string {
	if int(t) < len(transmissions) {
		return transmissions[t].name
	}
	return fmt.Sprintf("transmission(%d)", uint8(t))
}

func (t TransmissionMode) linux() zdvb.TxMode {
	if int(t) < len(transmissions) {
		return transmissions[t].v
	}
	return zdvb.TxModeAuto
}

// GuardInterval is the OFDM guard interval.
type GuardInterval uint8

// The guard intervals; the zero value is automatic.
const (
	GuardAuto GuardInterval = iota
	Guard1_32
	Guard1_16
	Guard1_8
	Guard1_4
	Guard1_128
	Guard19_128
	Guard19_256
)

var guards = [...]struct {
	name string
	v    zdvb.Guard
}{{"auto", zdvb.GuardAuto}, {"1/32", zdvb.Guard32}, {"1/16", zdvb.Guard16}, {"1/8", zdvb.Guard8},
	{"1/4", zdvb.Guard4}, {"1/128", zdvb.Guard128}, {"19/128", zdvb.GuardN128}, {"19/256", zdvb.GuardN256}}

// String names the value, as Linux DVB tools write it.
func (g GuardInterval) String() string {
	if int(g) < len(guards) {
		return guards[g].name
	}
	return fmt.Sprintf("guard(%d)", uint8(g))
}

func (g GuardInterval) linux() zdvb.Guard {
	if int(g) < len(guards) {
		return guards[g].v
	}
	return zdvb.GuardAuto
}

// Hierarchy is the hierarchical modulation.
type Hierarchy uint8

// The hierarchies; the zero value is automatic.
const (
	HierarchyAuto Hierarchy = iota
	HierarchyNone
	Hierarchy1
	Hierarchy2
	Hierarchy4
)

var hierarchies = [...]struct {
	name string
	v    zdvb.Hierarchy
}{{"auto", zdvb.HierarchyAuto}, {"none", zdvb.HierarchyNone}, {"1", zdvb.Hierarchy1}, {"2", zdvb.Hierarchy2}, {"4", zdvb.Hierarchy4}}

// String names the value, as Linux DVB tools write it.
func (h Hierarchy) String() string {
	if int(h) < len(hierarchies) {
		return hierarchies[h].name
	}
	return fmt.Sprintf("hierarchy(%d)", uint8(h))
}

func (h Hierarchy) linux() zdvb.Hierarchy {
	if int(h) < len(hierarchies) {
		return hierarchies[h].v
	}
	return zdvb.HierarchyAuto
}

// Inversion is the spectral inversion.
type Inversion uint8

// The inversions; the zero value is automatic.
const (
	InversionAuto Inversion = iota
	InversionOff
	InversionOn
)

// String names the value, as Linux DVB tools write it.
func (i Inversion) String() string {
	switch i {
	case InversionAuto:
		return "auto"
	case InversionOff:
		return "off"
	case InversionOn:
		return "on"
	}
	return fmt.Sprintf("inversion(%d)", uint8(i))
}

func (i Inversion) linux() zdvb.Inversion {
	switch i {
	case InversionOff:
		return zdvb.InversionOff
	case InversionOn:
		return zdvb.InversionOn
	}
	return zdvb.InversionAuto
}
