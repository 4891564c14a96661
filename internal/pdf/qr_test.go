package pdf

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"rsc.io/qr"
)

// paint returns the module grid the rectangles cover, failing if two
// rectangles overlap or one leaves the code.
func paint(t *testing.T, side int, rects []qrRect) [][]bool {
	t.Helper()
	g := make([][]bool, side)
	for i := range g {
		g[i] = make([]bool, side)
	}
	for _, r := range rects {
		if r.x < 0 || r.y < 0 || r.w < 1 || r.h < 1 || r.x+r.w > side || r.y+r.h > side {
			t.Fatalf("rectangle %+v outside a %d-module code", r, side)
		}
		for y := r.y; y < r.y+r.h; y++ {
			for x := r.x; x < r.x+r.w; x++ {
				if g[y][x] {
					t.Fatalf("module (%d,%d) painted twice", x, y)
				}
				g[y][x] = true
			}
		}
	}
	return g
}

// sameAsEncoder checks that g is the module matrix rsc.io/qr encodes for
// payload.
func sameAsEncoder(t *testing.T, payload string, g [][]bool) {
	t.Helper()
	c, err := qr.Encode(payload, qrLevel)
	if err != nil {
		t.Fatal(err)
	}
	if len(g) != c.Size {
		t.Fatalf("%d modules a side, want %d", len(g), c.Size)
	}
	for y := range c.Size {
		for x := range c.Size {
			if g[y][x] != c.Black(x, y) {
				t.Fatalf("%q: module (%d,%d) dark=%v, encoder says %v", payload, x, y, g[y][x], c.Black(x, y))
			}
		}
	}
}

func TestMergeModules(t *testing.T) {
	payloads := []string{"1", "HELLO WORLD", "PN1:K2027:4000000001:3:20271231:0123456789ABC:" + strings.Repeat("AB2C", 26)}
	for _, s := range sheets(t, 2, 10) {
		for _, p := range s.Passes {
			payloads = append(payloads, p.QR)
		}
	}
	for _, p := range payloads {
		q, err := encodeQR(p)
		if err != nil {
			t.Fatal(err)
		}
		sameAsEncoder(t, p, paint(t, q.side, q.rects))
		dark := 0
		c, _ := qr.Encode(p, qrLevel)
		for y := range c.Size {
			for x := range c.Size {
				if c.Black(x, y) {
					dark++
				}
			}
		}
		if len(q.rects)*2 > dark {
			t.Errorf("%q: %d rectangles for %d dark modules: merging does not pay", p, len(q.rects), dark)
		}
	}
}

// TestCarnetQRDrawn reads back, from the page's content stream, the QR code
// a coupon draws and compares it with the encoder's matrix.
func TestCarnetQRDrawn(t *testing.T) {
	ss := sheets(t, 1, 1)
	opts := carnetOptions
	opts.NoLetter = true
	var buf bytes.Buffer
	if err := Carnets(&buf, ss, opts); err != nil {
		t.Fatal(err)
	}
	var block string
	for _, s := range streams(t, buf.Bytes()) {
		if i := strings.Index(s, "q 0 g "); i >= 0 {
			block = s[i:]
			block = block[:strings.Index(block, "f Q")]
		}
	}
	if block == "" {
		t.Fatal("no QR code drawn")
	}
	lines := strings.Split(strings.TrimSpace(block), "\n")
	var sx, b1, c1, sy, ex, ey float64
	if _, err := fmt.Sscanf(lines[0], "q 0 g %f %f %f %f %f %f cm", &sx, &b1, &c1, &sy, &ex, &ey); err != nil {
		t.Fatalf("transformation %q: %v", lines[0], err)
	}
	if sx <= 0 || sy != -sx || b1 != 0 || c1 != 0 {
		t.Errorf("transformation %q: want square modules, y downwards", lines[0])
	}
	var rects []qrRect
	side := 0
	for _, l := range lines[1:] {
		var r qrRect
		if _, err := fmt.Sscanf(l, "%d %d %d %d re", &r.x, &r.y, &r.w, &r.h); err != nil {
			t.Fatalf("rectangle %q: %v", l, err)
		}
		rects = append(rects, r)
		side = max(side, r.x+r.w, r.y+r.h)
	}
	sameAsEncoder(t, ss[0].Passes[0].QR, paint(t, side, rects))
	// The code and its quiet zone fit the coupon, left of its text.
	const k = 72 / 25.4
	m := sx / k
	if got := m * float64(side+2*qrQuiet); got > qrBox+0.01 || got < qrBox-2*m {
		t.Errorf("code with quiet zone %.1f mm wide, want %.0f mm", got, qrBox)
	}
	if m < 0.5 {
		t.Errorf("modules of %.2f mm: too small for phones", m)
	}
}

// BenchmarkCarnets prints carnets of ten passes with their letters and
// reports the passes printed per second.
func BenchmarkCarnets(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("passes=%d", n), func(b *testing.B) {
			ss := sheets(b, n/10, 10)
			var buf bytes.Buffer
			b.ResetTimer()
			for range b.N {
				buf.Reset()
				if err := Carnets(&buf, ss, carnetOptions); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "passes/s")
			b.ReportMetric(float64(buf.Len())/float64(n), "bytes/pass")
			keep(b, "bench.pdf", buf.Bytes())
		})
	}
}

func BenchmarkEncodeQR(b *testing.B) {
	p := sheets(b, 1, 1)[0].Passes[0].QR
	for range b.N {
		if _, err := encodeQR(p); err != nil {
			b.Fatal(err)
		}
	}
}
