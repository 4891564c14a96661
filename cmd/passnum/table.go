package main

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// printList prints one row per item under the column titles, or the line
// none when there are no items; align is newTable's.
func printList[T any](w io.Writer, items []T, none, align string, titles []string, row func(T) []string) error {
	if len(items) == 0 {
		_, err := fmt.Fprintln(w, none)
		return err
	}
	t := newTable(align)
	t.add(titles...)
	for _, it := range items {
		t.add(row(it)...)
	}
	return t.write(w, "")
}

// allPages reads every page of a listing, 500 records at a time.
func allPages[T any](list func(offset, limit int) ([]T, int, error)) ([]T, error) {
	var all []T
	for {
		page, total, err := list(len(all), 500)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) == 0 || len(all) >= total {
			return all, nil
		}
	}
}

// table aligns columns: text on the left, amounts and counts on the right
// (text/tabwriter aligns every column the same way).
type table struct {
	rows  [][]string
	align string
}

// newTable returns a table whose columns are aligned as align says, a
// letter a column: l for text on the left, r for figures on the right.
func newTable(align string) *table { return &table{align: align} }

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) write(w io.Writer, indent string) error {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	for _, r := range t.rows {
		b.WriteString(indent)
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if i < len(t.align) && t.align[i] == 'r' {
				b.WriteString(pad + c)
			} else if i < len(r)-1 {
				b.WriteString(c + pad)
			} else {
				b.WriteString(c)
			}
		}
		b.WriteString("\n")
	}
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	_, err := fmt.Fprint(w, strings.Join(lines, "\n"))
	return err
}
