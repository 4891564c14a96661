package main

import (
	"bytes"
	"context"
	"runtime/debug"
	"strings"
	"testing"
)

func TestStamp(t *testing.T) {
	vcs := &debug.BuildInfo{
		Main: debug.Module{Path: "github.com/passnum/passnum", Version: "(devel)"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.time", Value: "2026-12-01T10:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	installed := &debug.BuildInfo{Main: debug.Module{Path: "github.com/passnum/passnum", Version: "v1.4.0"}}
	for _, tc := range []struct {
		name   string
		linked buildStamp
		info   *debug.BuildInfo
		want   []string
	}{
		{
			name:   "package build",
			linked: buildStamp{Version: "1.2.0", Commit: "fedcba9876543210fedcba9876543210fedcba98", Date: "2026-12-07T20:00:00Z"},
			info:   vcs,
			want: []string{
				"passnum 1.2.0",
				"commit : fedcba9876543210fedcba9876543210fedcba98",
				"construit le : 2026-12-07T20:00:00Z",
			},
		},
		{
			name:   "package build from a modified tree",
			linked: buildStamp{Version: "1.2.0", Commit: "fedcba9876543210fedcba9876543210fedcba98", Date: "2026-12-07T20:00:00Z", Modified: true},
			want: []string{
				"passnum 1.2.0",
				"commit : fedcba9876543210fedcba9876543210fedcba98 (avec des modifications non validées)",
				"construit le : 2026-12-07T20:00:00Z",
			},
		},
		{
			name: "go build in a git checkout",
			info: vcs,
			want: []string{
				"passnum version de développement",
				"commit : 0123456789abcdef0123456789abcdef01234567 (avec des modifications non validées)",
				"date du commit : 2026-12-01T10:00:00Z",
			},
		},
		{
			name:   "version linked, commit from git",
			linked: buildStamp{Version: "1.3.0"},
			info:   vcs,
			want: []string{
				"passnum 1.3.0",
				"commit : 0123456789abcdef0123456789abcdef01234567 (avec des modifications non validées)",
				"date du commit : 2026-12-01T10:00:00Z",
			},
		},
		{
			name: "go install of a version",
			info: installed,
			want: []string{"passnum v1.4.0", "commit : inconnu", "construit le : inconnu"},
		},
		{
			name: "nothing recorded",
			want: []string{"passnum version de développement", "commit : inconnu", "construit le : inconnu"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			stamp(tc.linked, tc.info).write(&out)
			if got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n"); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestVersionCommand: passnum version and passnum --version print the
// same stamp, with what the link set.
func TestVersionCommand(t *testing.T) {
	defer func(v, c, d, m string) { version, commit, buildDate, modified = v, c, d, m }(version, commit, buildDate, modified)
	version, commit, buildDate, modified = "2.0.1", "00112233445566778899aabbccddeeff00112233", "2026-12-07T21:30:00Z", ""
	want := "passnum 2.0.1\ncommit : 00112233445566778899aabbccddeeff00112233\nconstruit le : 2026-12-07T21:30:00Z\ngo : "
	for _, args := range [][]string{{"version"}, {"--version"}, {"--db", "ignored.db", "--version"}} {
		var out, errb bytes.Buffer
		code := run(context.Background(), args, &out, &errb)
		if code != 0 || errb.Len() != 0 || !strings.HasPrefix(out.String(), want) {
			t.Errorf("passnum %s: exit %d, stderr %q, stdout\n%s\nwant it to start with\n%s", strings.Join(args, " "), code, errb.String(), out.String(), want)
		}
	}
}
