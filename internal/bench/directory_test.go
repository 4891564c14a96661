package bench

import (
	"context"
	"testing"
)

// TestDirectorySmall imports 2 000 generated venues, which must all be
// valid, and searches them.
func TestDirectorySmall(t *testing.T) {
	for _, db := range databases() {
		t.Run(db.name, func(t *testing.T) {
			ctx := context.Background()
			env := openFresh(t, db.dsn(t))
			imp, err := MeasureImport(ctx, env.Store, GenerateVenues(2000, 1))
			if err != nil {
				t.Fatal(err)
			}
			if imp.Created != 2000 {
				t.Fatalf("import %+v", imp)
			}
			res, err := MeasureDirectory(ctx, env.Store, DirectorySearches(300, 2))
			if err != nil {
				t.Fatal(err)
			}
			if res.Venues != 2000 || res.Results == 0 {
				t.Fatalf("directory %+v", res)
			}
		})
	}
}

// BenchmarkDirectorySearch searches 20 000 venues spread over France with
// the mixed searches of DirectorySearches, one at a time; the import and
// the first search, which builds the in-memory directory, are not timed.
// Its figures are the latency of one search: -benchtime 20000x gives a
// stable p99.
func BenchmarkDirectorySearch(b *testing.B) {
	for _, db := range databases() {
		b.Run(db.name, func(b *testing.B) {
			ctx := context.Background()
			env := openFresh(b, db.dsn(b))
			if _, err := MeasureImport(ctx, env.Store, GenerateVenues(20_000, 1)); err != nil {
				b.Fatal(err)
			}
			searches := DirectorySearches(b.N, 2)
			b.ResetTimer()
			res, err := MeasureDirectory(ctx, env.Store, searches)
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(res.P50Ms, "p50-ms")
			b.ReportMetric(res.P95Ms, "p95-ms")
			b.ReportMetric(res.P99Ms, "p99-ms")
			b.ReportMetric(res.RebuildMs, "rebuild-ms")
			b.ReportMetric(res.Results, "results")
		})
	}
}

// BenchmarkImportVenues imports 20 000 new venues into a fresh store
// (create), then the same file again (unchanged), each one transaction.
func BenchmarkImportVenues(b *testing.B) {
	rows := GenerateVenues(20_000, 1)
	for _, db := range databases() {
		b.Run(db.name+"/create", func(b *testing.B) {
			ctx := context.Background()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				env, err := OpenFresh(ctx, db.dsn(b), nil)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				res, err := MeasureImport(ctx, env.Store, rows)
				b.StopTimer()
				if err != nil || res.Created != len(rows) {
					b.Fatalf("%+v %v", res, err)
				}
				if err := env.Close(); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/import")
		})
		b.Run(db.name+"/unchanged", func(b *testing.B) {
			ctx := context.Background()
			env := openFresh(b, db.dsn(b))
			if _, err := MeasureImport(ctx, env.Store, rows); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				res, err := MeasureImport(ctx, env.Store, rows)
				if err != nil || res.Unchanged != len(rows) {
					b.Fatalf("%+v %v", res, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/import")
		})
	}
}

// BenchmarkImportVenuesAsFound reads and imports a CSV file of 20 000
// venues where 2 % of the lines carry values valid under the standard
// that passnum once refused (a month closing, week numbers, a comment,
// school holidays, a fallback rule, the label 1.0.2 added) and 0.5 % a
// mistake: all or nothing without the mistakes, then the valid lines'
// import with them, each into a fresh store.
func BenchmarkImportVenuesAsFound(b *testing.B) {
	const n = 20_000
	for _, tc := range []struct {
		name       string
		bad        float64
		validLines bool
	}{
		{"all-or-nothing", 0, false},
		{"valid-lines", 0.005, true},
	} {
		file, found, bad, err := GenerateVenuesFile(n, 1, 0.02, tc.bad)
		if err != nil {
			b.Fatal(err)
		}
		for _, db := range databases() {
			b.Run(db.name+"/"+tc.name, func(b *testing.B) {
				ctx := context.Background()
				var read float64
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					env, err := OpenFresh(ctx, db.dsn(b), nil)
					if err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					res, err := MeasureFileImport(ctx, env.Store, file, tc.validLines)
					b.StopTimer()
					if err != nil || res.Created != n-bad || res.Skipped != bad {
						b.Fatalf("%+v %v (%d lines as found, %d bad)", res, err, found, bad)
					}
					read += res.ReadSeconds
					if err := env.Close(); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/import")
				b.ReportMetric(read*1000/float64(b.N), "read-ms")
				b.ReportMetric(float64(found), "lines-as-found")
				b.ReportMetric(float64(bad), "lines-skipped")
			})
		}
	}
}
