package pdf

import (
	"fmt"
	"io"
	"time"
)

// Note writes a plain document of one author: a title, then paragraphs.
// The demo joins one to an application, as a collectivité joins the
// deliberation of its assembly; anything that needs a letter without a
// form of its own may use it.
func Note(w io.Writer, author, title string, created time.Time, paragraphs ...string) error {
	if title == "" {
		return fmt.Errorf("pdf: note: no title")
	}
	d := newDoc(title, author, created)
	d.footer(title)
	d.AddPage()
	d.masthead(author, title)
	for _, p := range paragraphs {
		d.para(0, 5, p)
		d.Ln(3)
	}
	return d.write(w)
}
