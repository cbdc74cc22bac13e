// Package catalog is the standard catalogue of the launch language: the
// pure-Go components of kamaelia-go registered as launch entries, with
// their boxes, types and properties, for `kamaelia launch`, `kamaelia
// compose` and any program that offers them.
//
//	r := catalog.New(catalog.Stdio())
//	l, err := r.BuildString(`ReadFileAdaptor filename=in.txt ! ToString ! Upper ! ToBytes ! SimpleFileWriter filename=out.txt`)
//
// It has the console (ConsoleReader, ConsoleEchoer, DataSource), files
// (ReadFileAdaptor, SimpleFileWriter), transforms (ToString, ToBytes,
// Upper, Lower, Grep, LineSplit, Chunkifier, PassThrough, NullSink, Tee),
// timing (MessageRateLimit, Clock), processes (UnixProcess, Pipethrough),
// TCP (TCPClient, SingleServer, SimpleServer), Backplanes (Backplane,
// PublishTo, SubscribeTo), the web server, XML readers and the IRC
// logger. The media components, which need cgo, are in media/catalog.
//
// A program adds its own entries to the Registry New returns
// (launch.Registry.Register); Positive, NotNegative, Port, OneOf and
// Preroll are property checks entries share. Env says where the console
// components read and write, so that a program or a test runs them on
// streams of its own.
package catalog
