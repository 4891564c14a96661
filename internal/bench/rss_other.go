//go:build !linux

package bench

// peakRSS is not implemented outside Linux: the memory is reported as
// unknown.
func peakRSS(int) int64 { return -1 }

func resetPeakRSS() bool { return false }
