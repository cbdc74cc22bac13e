// Package natsplane puts chassis Backplanes on NATS, so that one Backplane
// spans processes and machines: publishers and subscribers in any process
// that names it see one stream of messages.
//
// Only the Backplane's construction changes; PublishTo and SubscribeTo do
// not:
//
//	srv, err := natsplane.StartServer(natsplane.ServerConfig{}) // or Dial a broker
//	...
//	chassis.NewBackplane[Reading]("READINGS",
//		chassis.WithTransport(natsplane.Dial(srv.ClientURL())),
//		chassis.WithCodec(framing.JSON[Reading]{}))
//	chassis.Pipeline(newSensor(), chassis.PublishTo[Reading]("READINGS"))
//	chassis.Pipeline(chassis.SubscribeTo[Reading]("READINGS"), newLogger())
//
// Another process makes the same Backplane with Dial(url) on the URL the
// first one prints, and its publishers and subscribers join in.
//
// # Transports
//
// Dial connects to a NATS server by URL ("nats://host:port", "tls://...",
// or a comma-separated list of a cluster's servers); credentials, TLS and
// other connection settings are nats.go's options, passed through with
// WithNATSOptions. StartServer runs a NATS server inside this process on
// 127.0.0.1, for tests, single-machine deployments and the examples: its
// ClientURL is what other processes dial. Given a token, a user and
// password or users' NKeys (ServerConfig), and TLS, it may listen beyond
// loopback; without authentication it refuses to (ErrUnauthenticated). A Backplane opens its own
// connection when it starts and closes it when it ends; a Server is stopped
// by whoever started it.
//
// # Messages
//
// A Backplane of []byte sends its messages as they are; any other type is
// encoded by the Backplane's codec (chassis.WithCodec; framing.Gob unless
// set). Each message is one NATS message on the subject
// DefaultSubjectPrefix+name, so its encoded size must fit the server's
// max_payload (1 MiB by default on a stand-alone server, DefaultMaxPayload on
// StartServer's).
//
// # Order, loss and reconnects
//
// NATS keeps the order of each connection's messages, so each process's
// messages (all of its publishers', in the order its Backplane took them)
// reach every subscriber in that order. Messages of different processes
// interleave differently at different subscribers: there is no order across
// processes. NATS (without JetStream, which this package does not use) keeps
// nothing: a message published while a process is disconnected from the
// server, or before its Backplane has started, does not reach it.
//
// Each Backplane's subscription holds messages for its subscribers while
// they are behind, up to WithPendingLimits; past that NATS drops new ones,
// and the Backplane counts them (Stats().Lost and its "lost" box, whose
// dropped count in axon's Snapshot is the number lost). A subscriber's
// policy (Block, DropOldest, Disconnect) applies as on a Backplane in one
// process, to what arrives from NATS.
//
// A lost connection is retried for ever, every DefaultReconnectWait; the
// subscription is made again on the new connection, and delivery goes on.
// Each disconnection is reported on the Backplane's "errors" box.
//
// # Shutdown
//
// A Backplane told ProducerFinished publishes what it has, drains its
// subscription (its own messages come back to its subscribers first),
// flushes and closes its connection. Shutdown closes the connection at once.
// A Backplane also ends, the ProducerFinished way, when every PublishTo of
// its own process that joined it has ended (unless made with
// chassis.KeepAlive): publishers in other processes do not count, neither
// keeping it up nor ending it, so a Backplane that only subscribes ends only
// when it is told to. See docs/multiprocess.md in the repository.
package natsplane
