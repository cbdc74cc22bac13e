// Package cli is the launch tool as a library: a program that offers
// components of its own gets, over its launch.Registry, the commands of
// `kamaelia launch` and `kamaelia compose`, with help on stdout through
// flag.FlagSet, --version, exit statuses (0 done, 2 a mistake in the
// command line, 1 a failure) and a clean stop on Ctrl-C.
//
//	func main() {
//		r := catalog.New(catalog.Stdio()) // the standard components
//		r.MustRegister(launch.Entry{Name: "Rotate", ...})
//		cli.Main("myprog", r)
//	}
//
// Then
//
//	myprog launch 'DataSource items={hello} ! Rotate ! ConsoleEchoer'
//	myprog launch --help Rotate
//	myprog launch --inspect 127.0.0.1:0 '...'
//	myprog compose
//
// Tool runs the same commands with streams of the caller's choosing;
// cmd/kamaelia mounts Tool.Launch and Tool.Compose among its other
// commands. examples/customlaunch is a whole program.
package cli
