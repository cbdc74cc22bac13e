package dvb_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/device/dvb"
	"github.com/kamaelia-go/kamaelia/device/dvb/dvbtest"
	"github.com/stretchr/testify/require"
)

func TestTunerReportsTheLockAndTheSignal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fe := dvbtest.NewFrontend(5, dvb.HasSignal|dvb.HasCarrier|dvb.HasViterbi)
		tu := dvb.NewTuner(505.833333, dvb.Params{}, dvbtest.NewDevice(fe, nil, 0), dvb.WithLockPoll(50*time.Millisecond))
		start := time.Now()
		h := axontest.NewHandle(t, axontest.NewScheduler(t), tu)
		st := get[dvb.TunerStatus](t, h, "outbox")
		require.Equal(t, 250*time.Millisecond, time.Since(start), "locked at the sixth poll, 50ms apart")
		require.True(t, st.Locked())
		require.Equal(t, "fake0", st.Adapter)
		require.Equal(t, uint32(505_833_333), st.FrequencyHz)
		require.Equal(t, dvb.Locked, st.Signal.Status)
		require.Equal(t, uint16(0xC000), st.Signal.Strength)
		require.Equal(t, []dvbtest.Tuning{{FrequencyHz: 505_833_333}}, fe.Tunings())

		require.NoError(t, h.Finish(axontest.Context(t)))
		require.Equal(t, axon.ProducerFinished{}, signalOf(t, h))
		require.True(t, fe.Closed())
	})
}

func TestTunerReportsEverySoOftenAndRetunes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fe := dvbtest.NewFrontend(0, 0)
		tu := dvb.NewTuner(474, dvb.Params{}, dvbtest.NewDevice(fe, nil, 0), dvb.WithStatusEvery(time.Second))
		start := time.Now()
		h := axontest.NewHandle(t, axontest.NewScheduler(t), tu)
		for i := range 3 {
			st := get[dvb.TunerStatus](t, h, "outbox")
			require.Equal(t, time.Duration(i)*time.Second, time.Since(start), "report %d", i)
			require.Equal(t, uint32(474_000_000), st.FrequencyHz)
		}
		advance(300 * time.Millisecond) // the retune comes between two reports
		p := dvb.Params{System: dvb.DVBT2, BandwidthHz: 8_000_000}
		require.NoError(t, h.Put(axontest.Context(t), "inbox", dvb.Retune{FrequencyMHz: 490, Params: &p}))
		st := get[dvb.TunerStatus](t, h, "outbox")
		require.Equal(t, 2300*time.Millisecond, time.Since(start), "a retune reports at once")
		require.Equal(t, uint32(490_000_000), st.FrequencyHz)
		require.Equal(t, p, st.Params)
		st = get[dvb.TunerStatus](t, h, "outbox")
		require.Equal(t, 3300*time.Millisecond, time.Since(start), "and the schedule starts again from it")
		require.Equal(t, []dvbtest.Tuning{{FrequencyHz: 474_000_000}, {FrequencyHz: 490_000_000, Params: p}}, fe.Tunings())
		require.NoError(t, h.Put(axontest.Context(t), "control", axon.Shutdown{}))
		require.Equal(t, axon.Shutdown{}, signalOf(t, h))
		require.True(t, fe.Closed())
	})
}

func TestTunerLockTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fe := dvbtest.NewFrontend(-1, dvb.HasSignal)
		tu := dvb.NewTuner(474, dvb.Params{}, dvbtest.NewDevice(fe, nil, 0), dvb.WithLockTimeout(3*time.Second))
		start := time.Now()
		h := axontest.NewHandle(t, axontest.NewScheduler(t), tu)
		err := failure(t, h)
		require.Equal(t, 3*time.Second, time.Since(start))
		require.EqualError(t, err, "dvb: fake0: no lock on 474 MHz within 3s: has signal; missing carrier viterbi sync lock")
		_, err = h.Get(axontest.Context(t), "outbox")
		require.ErrorIs(t, err, axon.ErrFinished, "no status without a lock")
		require.True(t, fe.Closed())
	})
}

func TestTunerShutdownWhileWaitingForTheLock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fe := dvbtest.NewFrontend(-1, 0)
		tu := dvb.NewTuner(474, dvb.Params{}, dvbtest.NewDevice(fe, nil, 0), dvb.WithLockTimeout(time.Hour))
		start := time.Now()
		h := axontest.NewHandle(t, axontest.NewScheduler(t), tu)
		advance(time.Second)
		require.Equal(t, 11, fe.Polls())
		require.NoError(t, h.Put(axontest.Context(t), "control", axon.Shutdown{}))
		require.Equal(t, axon.Shutdown{}, signalOf(t, h))
		require.Equal(t, time.Second, time.Since(start), "it stops at once, not at the next poll")
		require.True(t, fe.Closed())
	})
}

func TestTunerFailsWhenTheFrontendCannotTune(t *testing.T) {
	fe := dvbtest.NewFrontend(0, 0)
	fe.FailTune(errFake)
	h := axontest.NewHandle(t, axontest.NewScheduler(t), dvb.NewTuner(474, dvb.Params{Modulation: dvb.QAM16}, dvbtest.NewDevice(fe, nil, 0)))
	require.EqualError(t, failure(t, h), "dvb: fake0: tuning 474 MHz (DVB-T 8MHz QAM16): fake failure")
}

// advance moves a synctest bubble's fake clock on by d, then waits until
// every goroutine of the bubble is blocked again: what was due by then has
// happened. (Only inside synctest.Test: no real time passes.)
func advance(d time.Duration) {
	t := time.NewTimer(d)
	<-t.C
	synctest.Wait()
}

var errFake = fakeError("fake failure")

type fakeError string

func (e fakeError) Error() string { return string(e) }
