package bench

import "time"

// CPUUse is the CPU used while a measure ran, in percent of the whole
// machine (every core busy = 100). Process is this process — server,
// store and clients, and SQLite since it runs inside; Machine is every
// process, PostgreSQL's included. On a shared machine, Machine − Process
// shows what else competed for the cores. Both are -1 where unknown
// (outside Linux, or a measure shorter than a second).
type CPUUse struct {
	Process float64 `json:"process_percent"`
	Machine float64 `json:"machine_percent"`
}

// cpuSample is one reading of the CPU time of this process and of the
// machine.
type cpuSample struct {
	at          time.Time
	self        time.Duration
	busy, total time.Duration
	ok          bool
}

// since returns the CPU used from s to now.
func (s cpuSample) since(cpus int) CPUUse {
	now := sampleCPU()
	wall := now.at.Sub(s.at)
	// /proc/stat counts in hundredths of a second: too coarse for a
	// shorter measure.
	if !s.ok || !now.ok || now.total <= s.total || wall < time.Second {
		return CPUUse{Process: -1, Machine: -1}
	}
	return CPUUse{
		Process: 100 * float64(now.self-s.self) / float64(wall*time.Duration(cpus)),
		Machine: 100 * float64(now.busy-s.busy) / float64(now.total-s.total),
	}
}
