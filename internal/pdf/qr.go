package pdf

import (
	"fmt"
	"strconv"

	"rsc.io/qr"
)

// QR codes are drawn as vector rectangles, not images: no PNG to encode
// and decode, sharp at any printer resolution, and a few hundred bytes per
// code once the page is compressed. Dark modules are merged first into
// horizontal runs, then runs of the same columns in consecutive rows into
// one rectangle: a signed payload's 850 dark modules, on average, take
// 379 rectangles (441 runs).

// qrLevel is the error correction of the printed codes: M (15 % of the
// code may be lost) keeps a signed payload of about 150 characters at
// version 6 (41 × 41 modules), modules of 0.84 mm on a coupon: easy for a
// phone or a scanner.
const qrLevel = qr.M

// qrQuiet is the margin of light modules the QR standard asks for around
// a code (4 modules).
const qrQuiet = 4

// qrRect is a rectangle of dark modules, in modules from the top left.
type qrRect struct{ x, y, w, h int }

// qrCode is an encoded payload ready to draw.
type qrCode struct {
	side  int // modules on a side, without the quiet zone
	rects []qrRect
}

// encodeQR encodes payload and merges its dark modules into rectangles.
func encodeQR(payload string) (qrCode, error) {
	c, err := qr.Encode(payload, qrLevel)
	if err != nil {
		return qrCode{}, fmt.Errorf("QR code of %q: %w", payload, err)
	}
	return qrCode{side: c.Size, rects: mergeModules(c)}, nil
}

// mergeModules covers exactly the dark modules of c with disjoint
// rectangles.
func mergeModules(c *qr.Code) []qrRect {
	rects := make([]qrRect, 0, c.Size*c.Size/8)
	// open[i] indexes in rects the rectangle that ended on the previous
	// row with the i-th run of that row, in column order.
	var open, next []int
	for y := 0; y < c.Size; y++ {
		next = next[:0]
		k := 0 // walks open, whose runs are in column order too
		row := c.Bitmap[y*c.Stride:]
		for x := 0; x < c.Size; {
			if row[x>>3]&(0x80>>(x&7)) == 0 {
				x++
				continue
			}
			x0 := x
			for x < c.Size && row[x>>3]&(0x80>>(x&7)) != 0 {
				x++
			}
			w := x - x0
			for k < len(open) && rects[open[k]].x < x0 {
				k++
			}
			if k < len(open) && rects[open[k]].x == x0 && rects[open[k]].w == w {
				rects[open[k]].h++
				next = append(next, open[k])
				k++
				continue
			}
			rects = append(rects, qrRect{x: x0, y: y, w: w, h: 1})
			next = append(next, len(rects)-1)
		}
		open, next = next, open
	}
	return rects
}

// drawQR draws q with its top left corner (quiet zone excluded) at (x, y)
// in millimetres, each module m millimetres wide, in black whatever the
// current fill colour. The rectangles are written in module units under
// one transformation, as a single path filled once.
func (d *doc) drawQR(q qrCode, x, y, m float64) {
	const k = 72 / 25.4 // points per millimetre
	b := make([]byte, 0, 32+len(q.rects)*16)
	b = append(b, "q 0 g "...)
	b = strconv.AppendFloat(b, m*k, 'f', 4, 64)
	b = append(b, " 0 0 "...)
	b = strconv.AppendFloat(b, -m*k, 'f', 4, 64)
	b = append(b, ' ')
	b = strconv.AppendFloat(b, x*k, 'f', 3, 64)
	b = append(b, ' ')
	b = strconv.AppendFloat(b, (pageH-y)*k, 'f', 3, 64)
	b = append(b, " cm\n"...)
	for _, r := range q.rects {
		b = strconv.AppendInt(b, int64(r.x), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(r.y), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(r.w), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(r.h), 10)
		b = append(b, " re\n"...)
	}
	b = append(b, "f Q"...)
	d.RawWriteStr(string(b))
}
