package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progress reports a long operation on stderr: on a terminal, one line
// rewritten in place (\r) at most ten times a second; otherwise (a log
// file, a pipe) one line at each further 10 %.
type progress struct {
	mu        sync.Mutex
	w         io.Writer
	tty       bool
	label     string
	lastDraw  time.Time
	lastDone  int
	lastTenth int
	width     int    // of the last line drawn on a terminal
	lastLine  string // drawn on a terminal
}

func (c *cli) progress(label string) *progress {
	return &progress{w: c.stderr, tty: isTerminal(c.stderr), label: label}
}

// isTerminal tells whether w is a terminal: a character device other than
// the null device. (The standard library cannot ask the terminal driver;
// this is close enough to choose between \r and plain lines.)
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(fi, null)
}

// update reports done out of total; it may be called from any goroutine.
func (p *progress) update(done, total int) {
	if total <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if done < p.lastDone { // the operation started over (a retried transaction)
		p.lastTenth = 0
	}
	p.lastDone = done
	line := fmt.Sprintf("%s : %s / %s (%d %%)", p.label, formatInt(done), formatInt(total), int(int64(done)*100/int64(total)))
	if p.tty {
		if now := time.Now(); line != p.lastLine && (done == total || now.Sub(p.lastDraw) >= 100*time.Millisecond) {
			p.lastLine = line
			p.lastDraw = now
			pad := max(p.width-len([]rune(line)), 0)
			fmt.Fprintf(p.w, "\r%s%*s", line, pad, "")
			p.width = len([]rune(line))
		}
		return
	}
	if tenth := int(int64(done) * 10 / int64(total)); tenth > p.lastTenth {
		p.lastTenth = tenth
		fmt.Fprintln(p.w, line)
	}
}

// end finishes the line drawn on a terminal.
func (p *progress) end() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.width > 0 {
		fmt.Fprintln(p.w)
		p.width = 0
	}
}
