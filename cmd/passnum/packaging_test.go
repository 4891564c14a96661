package main

import (
	"bufio"
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v2"
)

// The Debian package (packaging/): what can be checked without root. The
// package itself is built, installed, run and purged by packaging/ci-check
// in .ci/run.

// repoRoot is the module's root, from this package's directory.
const repoRoot = "../.."

// nfpmConfig is what the tests read of packaging/nfpm.yaml.
type nfpmConfig struct {
	Name     string `yaml:"name"`
	Depends  []string
	Contents []struct {
		Src, Dst, Type string
		FileInfo       struct {
			Mode fs.FileMode `yaml:"mode"`
		} `yaml:"file_info"`
	}
	Scripts map[string]string
}

func readNFPM(t *testing.T) nfpmConfig {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "packaging/nfpm.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c nfpmConfig
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("packaging/nfpm.yaml: %v", err)
	}
	return c
}

// TestPackageConfig: the package installs the binary, the unit and the
// settings where the unit and the documentation say, from files that
// exist, with maintainer scripts that are valid shell.
func TestPackageConfig(t *testing.T) {
	c := readNFPM(t)
	if c.Name != "passnum" {
		t.Errorf("package name %q, want passnum", c.Name)
	}
	if !slices.Contains(c.Depends, "adduser") {
		t.Errorf("depends %v: postinst needs adduser", c.Depends)
	}
	type file struct {
		src, typ string
		mode     fs.FileMode
	}
	want := map[string]file{
		"/usr/bin/passnum":                        {src: "dist/passnum", mode: 0o755},
		"/usr/lib/systemd/system/passnum.service": {src: "packaging/passnum.service", mode: 0o644},
		"/etc/passnum":                            {typ: "dir", mode: 0o755},
		"/etc/passnum/passnum.env":                {src: "packaging/passnum.env", typ: "config|noreplace", mode: 0o640},
		"/usr/share/doc/passnum/README.md":        {src: "README.md", mode: 0o644},
		"/usr/share/doc/passnum/OPERATIONS.md":    {src: "docs/OPERATIONS.md", mode: 0o644},
	}
	seen := map[string]bool{}
	for _, f := range c.Contents {
		seen[f.Dst] = true
		w, ok := want[f.Dst]
		if !ok {
			t.Errorf("%s: installed, but not in this test's list", f.Dst)
			continue
		}
		if got := (file{f.Src, f.Type, f.FileInfo.Mode}); got != w {
			t.Errorf("%s: %+v, want %+v", f.Dst, got, w)
		}
		// dist/passnum is what build-deb builds just before; every other
		// source is in the repository.
		if f.Src != "" && !strings.HasPrefix(f.Src, "dist/") {
			if _, err := os.Stat(filepath.Join(repoRoot, f.Src)); err != nil {
				t.Errorf("%s: %v", f.Dst, err)
			}
		}
	}
	for dst := range want {
		if !seen[dst] {
			t.Errorf("%s is not in the package", dst)
		}
	}

	scripts := map[string]string{
		"postinstall": "packaging/scripts/postinst",
		"preremove":   "packaging/scripts/prerm",
		"postremove":  "packaging/scripts/postrm",
	}
	if !maps.Equal(c.Scripts, scripts) {
		t.Errorf("scripts %v, want %v", c.Scripts, scripts)
	}
	for _, path := range scripts {
		checkScript(t, filepath.Join(repoRoot, path))
	}
	postinst, _ := os.ReadFile(filepath.Join(repoRoot, scripts["postinstall"]))
	for _, want := range []string{
		"adduser --system",
		"install -d -o passnum -g passnum -m 0750 /var/lib/passnum",
		"chown root:passnum /etc/passnum/passnum.env",
		"chmod 0640 /etc/passnum/passnum.env",
	} {
		if !bytes.Contains(postinst, []byte(want)) {
			t.Errorf("postinst does not run %q", want)
		}
	}
}

// checkScript: a maintainer script is executable POSIX shell that stops
// at the first error, and asks systemd nothing where it is not running
// (a container, a chroot), where systemctl would fail the installation.
func checkScript(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Error(err)
		return
	}
	if st, err := os.Stat(path); err == nil && st.Mode()&0o111 == 0 {
		t.Errorf("%s is not executable", path)
	}
	if !bytes.HasPrefix(b, []byte("#!/bin/sh\n")) || !bytes.Contains(b, []byte("\nset -e\n")) {
		t.Errorf("%s: want #!/bin/sh and set -e", path)
	}
	if out, err := exec.Command("sh", "-n", path).CombinedOutput(); err != nil {
		t.Errorf("sh -n %s: %v %s", path, err, out)
	}
	// Every systemctl is inside an if on /run/systemd/system.
	guard := 0
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "if [ -d /run/systemd/system ]"):
			guard++
		case guard > 0 && strings.HasPrefix(line, "if "):
			guard++
		case guard > 0 && line == "fi":
			guard--
		case strings.HasPrefix(line, "systemctl ") && guard == 0:
			t.Errorf("%s:%d: systemctl without the check that systemd runs", path, i+1)
		}
	}
}

// settingRE is a whole string literal that names a setting.
var settingRE = regexp.MustCompile(`^PASSNUM_[A-Z0-9_]*[A-Z0-9]$`)

// settingsRead returns the PASSNUM_ variables the code reads, each with a
// file that names it: every string literal of the module's Go files (tests
// apart) that is a variable's name. PASSNUM_TEST_… are the tests' own.
func settingsRead(t *testing.T) map[string]string {
	t.Helper()
	read := map[string]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "testdata", "e2e", "dist":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err == nil && settingRE.MatchString(s) && !strings.HasPrefix(s, "PASSNUM_TEST_") {
				rel, _ := filepath.Rel(repoRoot, path)
				read[s] = rel
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return read
}

// envFile returns the variables packaging/passnum.env documents (NAME=
// or #NAME=) and the values of those it sets.
func envFile(t *testing.T) (documented map[string]bool, set map[string]string) {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot, "packaging/passnum.env"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	documented, set = map[string]bool{}, map[string]string{}
	line := regexp.MustCompile(`^(#?)(PASSNUM_[A-Z0-9_]+)=(.*)$`)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		documented[m[2]] = true
		if m[1] == "" {
			set[m[2]] = m[3]
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return documented, set
}

// TestEnvFileListsEverySetting: /etc/passnum/passnum.env names every
// variable passnum reads, so that a new setting comes with its line there,
// and none that it does not read.
func TestEnvFileListsEverySetting(t *testing.T) {
	read := settingsRead(t)
	// The scan finds what it must, or it would pass on nothing.
	for _, name := range []string{envDB, envAddr, envSMTPHost, envPrivacyRetention, "PASSNUM_URL"} {
		if _, ok := read[name]; !ok {
			t.Fatalf("the scan of the code missed %s: %v", name, read)
		}
	}
	documented, set := envFile(t)
	for name, file := range read {
		if !documented[name] {
			t.Errorf("%s, read in %s, is not in packaging/passnum.env: add a line (commented, with its default or an example) and what it does", name, file)
		}
	}
	for name := range documented {
		if _, ok := read[name]; !ok {
			t.Errorf("packaging/passnum.env lists %s, which no code reads", name)
		}
	}
	// What the package sets: the database in the unit's StateDirectory
	// (the only place the service may write), and an address that only
	// the reverse proxy on the machine reaches.
	wantSet := map[string]string{envDB: "/var/lib/passnum/passnum.db", envAddr: "127.0.0.1:8080"}
	if !maps.Equal(set, wantSet) {
		t.Errorf("packaging/passnum.env sets %v, want %v", set, wantSet)
	}
}

// unitFile reads packaging/passnum.service: section → key → values (a key
// may be given more than once).
func unitFile(t *testing.T) map[string]map[string][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "packaging/passnum.service"))
	if err != nil {
		t.Fatal(err)
	}
	unit := map[string]map[string][]string{}
	section := ""
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
			unit[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("passnum.service:%d: %q", i+1, line)
			}
			unit[section][k] = append(unit[section][k], v)
		}
	}
	return unit
}

// TestUnitHardening: the unit runs serve as passnum with the package's
// settings, in a sandbox where it can only do what it needs (serve HTTP,
// write /var/lib/passnum, reach PostgreSQL, SMTP and the OpenID Connect
// provider). systemd-analyze verify checks the syntax in .ci/run.
func TestUnitHardening(t *testing.T) {
	svc := unitFile(t)["Service"]
	if svc == nil {
		t.Fatal("passnum.service has no [Service]")
	}
	for _, tc := range []struct{ key, want string }{
		{"User", "passnum"},
		{"Group", "passnum"},
		{"EnvironmentFile", "/etc/passnum/passnum.env"},
		{"ExecStart", "/usr/bin/passnum serve"},
		{"WorkingDirectory", "/var/lib/passnum"},
		{"StateDirectory", "passnum"},
		{"StateDirectoryMode", "0750"},
		{"UMask", "0027"},
		{"ProtectSystem", "strict"},
		{"ProtectHome", "yes"},
		{"PrivateTmp", "yes"},
		{"PrivateDevices", "yes"},
		{"NoNewPrivileges", "yes"},
		{"CapabilityBoundingSet", ""},
		{"AmbientCapabilities", ""},
		{"RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6"},
		{"SystemCallFilter", "@system-service ~@privileged"},
		{"SystemCallArchitectures", "native"},
		{"LockPersonality", "yes"},
		{"MemoryDenyWriteExecute", "yes"},
		{"RestrictNamespaces", "yes"},
		{"RestrictRealtime", "yes"},
		{"RestrictSUIDSGID", "yes"},
		{"ProtectKernelTunables", "yes"},
		{"ProtectKernelModules", "yes"},
		{"ProtectKernelLogs", "yes"},
		{"ProtectControlGroups", "yes"},
		{"ProtectClock", "yes"},
		{"ProtectHostname", "yes"},
		{"ProtectProc", "invisible"},
		{"ProcSubset", "pid"},
	} {
		if got := strings.Join(svc[tc.key], " "); got != tc.want || len(svc[tc.key]) == 0 {
			t.Errorf("%s=%q, want %q", tc.key, got, tc.want)
		}
	}
	// A static user owns the data across restarts and upgrades, and
	// operators run commands as it.
	if v, ok := svc["DynamicUser"]; ok {
		t.Errorf("DynamicUser=%v: the package makes a passnum user", v)
	}
	// What the unit names is what the package installs, and a command.
	c := readNFPM(t)
	dsts := map[string]bool{}
	for _, f := range c.Contents {
		dsts[f.Dst] = true
	}
	argv := strings.Fields(svc["ExecStart"][0])
	for _, path := range []string{argv[0], svc["EnvironmentFile"][0], "/usr/lib/systemd/system/passnum.service"} {
		if !dsts[path] {
			t.Errorf("%s is not in the package", path)
		}
	}
	if _, ok := find(newCLI(nil, nil).commands(), argv[1]); !ok {
		t.Errorf("ExecStart runs passnum %s, which is no command", argv[1])
	}
}

// TestServeAddrFromEnvironment: PASSNUM_ADDR, which the package sets, is
// serve's address when --addr is not given.
func TestServeAddrFromEnvironment(t *testing.T) {
	t.Setenv(envAddr, "256.0.0.1:8080")
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"serve", "--db", filepath.Join(t.TempDir(), "x.db")}, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "Impossible d'écouter sur 256.0.0.1:8080") {
		t.Errorf("serve with %s=256.0.0.1:8080: exit %d, stderr %q", envAddr, code, errb.String())
	}
}
