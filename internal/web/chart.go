package web

import (
	"fmt"
	"html"
	"html/template"
	"strings"
	"unicode/utf8"

	"github.com/passnum/passnum"
)

// barChart draws a funnel as a horizontal bar chart in SVG: bars are SVG
// attributes, not inline styles, so the page's strict CSP holds. The chart
// is an image with a text alternative listing every figure; pages show the
// same figures in a table beside it for those who would rather read.
//
// It is drawn twice: labels beside the bars for wide screens, labels above
// them for phones, where a wide drawing shrunk to the screen would have
// 8-pixel text. The stylesheet shows one; the hidden one is out of the
// accessibility tree (display: none), so the alternative is read once.
func barChart(title string, steps []passnum.FunnelStep) template.HTML {
	return bars(title, steps, chartCount)
}

// euroChart draws amounts in cents as barChart draws counts of passes.
func euroChart(title string, steps []passnum.FunnelStep) template.HTML {
	return bars(title, steps, passnum.FrenchEuros)
}

// bars draws the chart, each figure written by value.
func bars(title string, steps []passnum.FunnelStep, value func(int64) string) template.HTML {
	var max int64
	for _, st := range steps {
		max = maxInt64(max, st.Count)
	}
	var alt []string
	for _, st := range steps {
		alt = append(alt, fmt.Sprintf("%s : %s", st.Label, value(st.Count)))
	}
	id := "chart-" + strings.ToLower(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, title))
	titleText := html.EscapeString(title) + ". " + html.EscapeString(strings.Join(alt, " ; ")) + "."
	barLength := func(n int64, full int) int {
		w := 0
		if max > 0 {
			w = int(float64(n) / float64(max) * float64(full))
		}
		if n > 0 && w < 2 {
			w = 2 // a non-zero figure stays visible
		}
		return w
	}
	var b strings.Builder

	// Wide: label, bar, figure on one line. The label column widens for
	// long labels ("Réseaux sociaux et communication"), which would be cut
	// at the drawing's left edge: about 8.5 units a character at 15 px.
	const (
		barWidth  = 300
		rowHeight = 34
	)
	labelWidth := 250
	for _, st := range steps {
		if w := 10 + utf8.RuneCountInString(st.Label)*17/2; w > labelWidth {
			labelWidth = w
		}
	}
	// Room right of the longest bar for its figure: "12 345 pass" fits in
	// 110 units, a sum in euros may need more.
	valueRoom := 110
	for _, st := range steps {
		if w := 16 + utf8.RuneCountInString(value(st.Count))*9; w > valueRoom {
			valueRoom = w
		}
	}
	width := labelWidth + barWidth + valueRoom
	fmt.Fprintf(&b, `<svg class="chart chart-wide" role="img" aria-labelledby="%s" viewBox="0 0 %d %d" width="100%%" preserveAspectRatio="xMinYMin meet">`, id, width, rowHeight*len(steps)+8)
	fmt.Fprintf(&b, `<title id="%s">%s</title>`, id, titleText)
	for i, st := range steps {
		y := i*rowHeight + 4
		w := barLength(st.Count, barWidth)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" class="chart-label">%s</text>`, labelWidth-10, y+21, html.EscapeString(st.Label))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="24" rx="2" class="chart-bar chart-%s"></rect>`, labelWidth, y+4, w, st.Key)
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="chart-value">%s</text>`, labelWidth+w+8, y+21, html.EscapeString(value(st.Count)))
	}
	b.WriteString(`</svg>`)

	// Narrow: the label above its bar, the whole width for the bars.
	const (
		narrowBar = 230 // leaves room for "12 345 pass" after the longest bar
		narrowRow = 50
	)
	narrowWidth := narrowBar + valueRoom
	fmt.Fprintf(&b, `<svg class="chart chart-narrow" role="img" aria-labelledby="%s-etroit" viewBox="0 0 %d %d" width="100%%" preserveAspectRatio="xMinYMin meet">`, id, narrowWidth, narrowRow*len(steps)+8)
	fmt.Fprintf(&b, `<title id="%s-etroit">%s</title>`, id, titleText)
	for i, st := range steps {
		y := i*narrowRow + 4
		w := barLength(st.Count, narrowBar)
		fmt.Fprintf(&b, `<text x="0" y="%d" class="chart-label">%s</text>`, y+16, html.EscapeString(st.Label))
		fmt.Fprintf(&b, `<rect x="0" y="%d" width="%d" height="20" rx="2" class="chart-bar chart-%s"></rect>`, y+22, w, st.Key)
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="chart-value">%s</text>`, w+8, y+38, html.EscapeString(value(st.Count)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// chartCount writes a figure of the charts with its unit: every chart
// counts passes, and a bare "2 500" beside amounts in euros reads as money.
func chartCount(n int64) string {
	return passnum.FrenchCount(n, "pass", "pass")
}

func maxInt64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}
