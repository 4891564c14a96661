package bench

// Memory is the peak resident memory (VmHWM) of what served the
// redemptions.
type Memory struct {
	// Of says whose memory: MemoryOfServers (the `passnum serve`
	// processes of --servers, the largest of them) or MemoryOfBench (the
	// bench process, which also runs the load generator).
	Of string `json:"of"`
	// PeakBytes is -1 where unknown (outside Linux).
	PeakBytes int64 `json:"peak_bytes"`
	// PerServer is the peak of each server, in --servers mode.
	PerServer []int64 `json:"per_server,omitempty"`
	// SinceStart is true when the peak could not be reset before the
	// HTTP phase: in the bench process, it then also covers the setup and
	// the issuance.
	SinceStart bool `json:"since_start,omitempty"`
}

// Whose memory a Memory measures.
const (
	MemoryOfServers = "serve"
	MemoryOfBench   = "bench"
)
