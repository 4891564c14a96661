// Command gen writes the data files of package geo from the npm package
// @etalab/decoupage-administratif. It is run by "go generate ./internal/geo"
// and never downloads anything: fetch the package first, for example
//
//	mkdir -p /tmp/geo && cd /tmp/geo
//	npm pack @etalab/decoupage-administratif@6.0.0
//	tar xzf etalab-decoupage-administratif-6.0.0.tgz
//
// which leaves it in /tmp/geo/package, the default of -pkg (under the
// system's temporary directory). Then, from the module root:
//
//	go generate ./internal/geo
//	go run ./internal/geo/internal/gen -pkg DIR -out internal/geo   # same, another directory
//
// It keeps the current communes ("commune-actuelle") of metropolitan France
// and of the five overseas départements, with their départements and
// régions, and writes into -out:
//
//   - communes.tsv.gz: one commune a line, sorted by INSEE code: INSEE code,
//     name, postal codes (sorted, separated by spaces), département, région,
//     population; gzip with a fixed header (no name, no time), so that the
//     same input gives the same bytes;
//   - departements.tsv: code, name, région, sorted by code;
//   - regions.tsv: code, name, sorted by code.
//
// Each file starts with a "#" line naming the source package and its
// version. The overseas collectivités (Saint-Pierre-et-Miquelon,
// Saint-Barthélemy, Saint-Martin, Wallis-et-Futuna, French Polynesia, New
// Caledonia, the TAAF, Clipperton) are left out: they are neither
// départements nor régions (the package gives them made-up codes such as
// 975), and passnum's territories know only the 101 départements.
package main

import (
	"bytes"
	"cmp"
	"compress/gzip"
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

// packageName is the npm package the data must come from.
const packageName = "@etalab/decoupage-administratif"

func main() {
	pkg := flag.String("pkg", filepath.Join(os.TempDir(), "geo", "package"),
		"directory of the unpacked npm package "+packageName+" (holding package.json and data/)")
	out := flag.String("out", ".", "directory to write communes.tsv.gz, departements.tsv and regions.tsv to")
	flag.Parse()
	if err := run(*pkg, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// The source records; fields the package has but geo does not need are
// ignored.
type (
	srcCommune struct {
		Code        string   `json:"code"`
		Name        string   `json:"nom"`
		Type        string   `json:"type"`
		Zone        string   `json:"zone"`
		Departement string   `json:"departement"`
		Region      string   `json:"region"`
		PostalCodes []string `json:"codesPostaux"`
		Population  *int     `json:"population"`
	}
	srcDepartement struct {
		Code   string `json:"code"`
		Name   string `json:"nom"`
		Region string `json:"region"`
		Zone   string `json:"zone"`
	}
	srcRegion struct {
		Code string `json:"code"`
		Name string `json:"nom"`
		Zone string `json:"zone"`
	}
)

// kept tells whether a zone of the package is kept: metropolitan France and
// the overseas départements, not the overseas collectivités ("com").
func kept(zone string) bool { return zone == "metro" || zone == "drom" }

var (
	inseePattern  = regexp.MustCompile(`^([013-9]\d|2[AB1-9])\d{3}$`)
	postalPattern = regexp.MustCompile(`^\d{5}$`)
)

// run reads the package in pkg and writes the three files into out.
func run(pkg, out string) error {
	var meta struct{ Name, Version string }
	if err := readJSON(filepath.Join(pkg, "package.json"), &meta); err != nil {
		return fmt.Errorf("%w (fetch the package with npm pack, see the doc of this command)", err)
	}
	if meta.Name != packageName || meta.Version == "" {
		return fmt.Errorf("%s: package %q version %q, want %s", pkg, meta.Name, meta.Version, packageName)
	}
	header := fmt.Sprintf("# %s@%s, written by internal/geo/internal/gen; columns: ", meta.Name, meta.Version)

	var (
		regions      []srcRegion
		departements []srcDepartement
		communes     []srcCommune
	)
	for name, v := range map[string]any{"regions.json": &regions, "departements.json": &departements, "communes.json": &communes} {
		if err := readJSON(filepath.Join(pkg, "data", name), v); err != nil {
			return err
		}
	}

	regionOK := map[string]bool{}
	var regionsTSV bytes.Buffer
	regionsTSV.WriteString(header + "code, name\n")
	regions = slices.DeleteFunc(regions, func(r srcRegion) bool { return !kept(r.Zone) })
	slices.SortFunc(regions, func(a, b srcRegion) int { return cmp.Compare(a.Code, b.Code) })
	for _, r := range regions {
		if r.Code == "" || regionOK[r.Code] || !clean(r.Name) {
			return fmt.Errorf("regions.json: bad or repeated région %+v", r)
		}
		regionOK[r.Code] = true
		fmt.Fprintf(&regionsTSV, "%s\t%s\n", r.Code, r.Name)
	}

	departementRegion := map[string]string{}
	var departementsTSV bytes.Buffer
	departementsTSV.WriteString(header + "code, name, région\n")
	departements = slices.DeleteFunc(departements, func(d srcDepartement) bool { return !kept(d.Zone) })
	slices.SortFunc(departements, func(a, b srcDepartement) int { return cmp.Compare(a.Code, b.Code) })
	for _, d := range departements {
		if d.Code == "" || departementRegion[d.Code] != "" || !clean(d.Name) || !regionOK[d.Region] {
			return fmt.Errorf("departements.json: bad or repeated département %+v", d)
		}
		departementRegion[d.Code] = d.Region
		fmt.Fprintf(&departementsTSV, "%s\t%s\t%s\n", d.Code, d.Name, d.Region)
	}

	communes = slices.DeleteFunc(communes, func(c srcCommune) bool {
		return c.Type != "commune-actuelle" || !kept(c.Zone)
	})
	slices.SortFunc(communes, func(a, b srcCommune) int { return cmp.Compare(a.Code, b.Code) })
	var communesTSV bytes.Buffer
	communesTSV.WriteString(header + "INSEE code, name, postal codes, département, région, population\n")
	for i, c := range communes {
		if err := checkCommune(c, departementRegion); err != nil {
			return fmt.Errorf("communes.json: commune %s: %w", c.Code, err)
		}
		if i > 0 && communes[i-1].Code == c.Code {
			return fmt.Errorf("communes.json: commune %s repeated", c.Code)
		}
		postal := slices.Clone(c.PostalCodes)
		slices.Sort(postal)
		postal = slices.Compact(postal)
		fmt.Fprintf(&communesTSV, "%s\t%s\t%s\t%s\t%s\t%d\n",
			c.Code, c.Name, strings.Join(postal, " "), c.Departement, c.Region, *c.Population)
	}
	if len(communes) == 0 {
		return errors.New("communes.json: no current commune")
	}

	gz, err := gzipped(communesTSV.Bytes())
	if err != nil {
		return err
	}
	for name, b := range map[string][]byte{
		"communes.tsv.gz":  gz,
		"departements.tsv": departementsTSV.Bytes(),
		"regions.tsv":      regionsTSV.Bytes(),
	} {
		if err := os.WriteFile(filepath.Join(out, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// checkCommune checks what geo relies on: the code's form, a name, at least
// one postal code, a population, and a département that exists, matches the
// code and lies in the commune's région.
func checkCommune(c srcCommune, departementRegion map[string]string) error {
	dep := c.Code
	if len(dep) == 5 {
		dep = dep[:2]
		if dep == "97" {
			dep = c.Code[:3]
		}
	}
	switch {
	case !inseePattern.MatchString(c.Code):
		return errors.New("bad INSEE code")
	case !clean(c.Name):
		return fmt.Errorf("bad name %q", c.Name)
	case len(c.PostalCodes) == 0:
		return errors.New("no postal code")
	case c.Population == nil || *c.Population < 0:
		return errors.New("no population")
	case c.Departement != dep:
		return fmt.Errorf("département %q does not match the code", c.Departement)
	case departementRegion[c.Departement] == "":
		return fmt.Errorf("unknown département %q", c.Departement)
	case departementRegion[c.Departement] != c.Region:
		return fmt.Errorf("région %q, but département %s is in région %s", c.Region, c.Departement, departementRegion[c.Departement])
	}
	for _, p := range c.PostalCodes {
		if !postalPattern.MatchString(p) {
			return fmt.Errorf("bad postal code %q", p)
		}
	}
	return nil
}

// clean tells whether a name can go into a TSV field as it is.
func clean(name string) bool {
	return name != "" && strings.TrimSpace(name) == name && !strings.ContainsAny(name, "\t\r\n")
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// gzipped compresses b with the zero gzip header (no name, modification
// time 0), so that the output depends on the input only.
func gzipped(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
