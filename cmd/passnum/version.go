package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// What the package build (packaging/build-deb) sets at link time:
//
//	go build -ldflags "-X main.version=1.2.0 -X main.commit=$(git rev-parse HEAD) \
//	    -X main.buildDate=2026-12-07T20:00:00Z -X main.modified=true"
//
// -X only sets strings, hence modified is "true" or empty.
var version, commit, buildDate, modified string

// buildStamp is what passnum version says of the binary.
type buildStamp struct {
	Version, Commit, Date string
	// DateIsCommit is true when Date is the commit's (recorded by the Go
	// toolchain) rather than the build's.
	DateIsCommit bool
	// Modified is true when the working tree had uncommitted changes.
	Modified bool
	Go       string // the toolchain and the platform: go1.26.8 linux/amd64
}

// stamp is the linked stamp, completed by what the Go toolchain recorded
// in info (nil when it recorded nothing): a plain go build in a git
// checkout records the commit and its date, go install …@v1.2.0 the
// module's version. What the link set wins: the package build knows its
// version, and may build from an export without .git.
func stamp(linked buildStamp, info *debug.BuildInfo) buildStamp {
	s := linked
	if info == nil {
		return s
	}
	if s.Version == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		s.Version = info.Main.Version
	}
	if s.Commit != "" {
		return s
	}
	for _, kv := range info.Settings {
		switch kv.Key {
		case "vcs.revision":
			s.Commit = kv.Value
		case "vcs.time":
			if s.Date == "" {
				s.Date, s.DateIsCommit = kv.Value, true
			}
		case "vcs.modified":
			s.Modified = kv.Value == "true"
		}
	}
	return s
}

// currentStamp is this binary's stamp.
func currentStamp() buildStamp {
	linked := buildStamp{Version: version, Commit: commit, Date: buildDate, Modified: modified == "true",
		Go: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		info = nil
	}
	return stamp(linked, info)
}

// write prints the stamp, one "name : value" line each after the first,
// so that a script can pick the commit out.
func (s buildStamp) write(w io.Writer) {
	v := s.Version
	if v == "" {
		v = "version de développement"
	}
	fmt.Fprintf(w, "passnum %s\n", v)
	c := s.Commit
	if c == "" {
		c = "inconnu"
	}
	if s.Modified {
		c += " (avec des modifications non validées)"
	}
	fmt.Fprintf(w, "commit : %s\n", c)
	switch {
	case s.Date == "":
		fmt.Fprintf(w, "construit le : inconnu\n")
	case s.DateIsCommit:
		fmt.Fprintf(w, "date du commit : %s\n", s.Date)
	default:
		fmt.Fprintf(w, "construit le : %s\n", s.Date)
	}
	if s.Go != "" {
		fmt.Fprintf(w, "go : %s\n", s.Go)
	}
}

func (c *cli) version(o *options) runFunc {
	o.usage("", "Affiche la version de passnum, son commit, la date de sa construction\n"+
		"(ou, sans elle, celle du commit) et la version de Go. passnum --version\n"+
		"fait de même.")
	return func(context.Context, store) error {
		currentStamp().write(c.stdout)
		return nil
	}
}
