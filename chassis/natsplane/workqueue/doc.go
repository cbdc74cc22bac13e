// Package workqueue is a distributed job queue on NATS JetStream: one side
// publishes jobs, workers in any number of processes, on any number of
// machines, take them one at a time, do them, and acknowledge each only
// once it is done. It is how a capture machine hands work it cannot do
// itself (transcoding every programme of a multiplex) to others.
//
//	capture:  Publisher (or Queue.Publish)  --> stream JOBS (work-queue retention)
//	workers:  Worker (or Queue.Work) <-- durable pull consumer "workers", shared
//
// A Job is an ID, JSON metadata and its input, carried in the message
// (Payload) or named by a path on storage the workers share (Path). Each
// job is a JetStream message whose Nats-Msg-Id is the job's ID, so a job
// published twice within Config.Duplicates is stored once.
//
// # Delivery and commits
//
// A worker asks for one job per free slot, runs the caller's Handler on
// it, and acknowledges it (confirmed by the server) only after the Handler
// returned nil; while the Handler runs it tells the server every AckWait/3
// that the job is in progress. A worker that is killed, or cut off, stops
// saying so, and its job is handed to another worker after AckWait: no job
// is lost. A Handler that fails has its job handed out again after a
// delay, until Config.MaxDeliver attempts; then the job is given up
// (Result.Final).
//
// So a job can be done more than once: a worker killed after its Handler
// committed the job and before the acknowledgement reached the server
// leaves a job that is handed out again. A job is committed exactly once
// when the Handler's commit is idempotent by Job.ID: one atomic step that
// a later attempt finds done (CommitFile: a hard link into place, which
// fails when the ID's file exists). Handler says the contract.
//
// # Servers
//
// Open dials a NATS server with JetStream by URL: an external cluster
// ("nats://a:4222,nats://b:4222", with credentials through nats.Option),
// or one embedded in this process with natsplane.StartServer and
// ServerConfig.JetStreamDir, which keeps the queue in files there.
package workqueue
