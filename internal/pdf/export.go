package pdf

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
)

// exportColumns are the columns of the operator's export of a batch
// (passnum.IssuanceService.ExportPasses), the printer's CSV.
var exportColumns = []string{"serie", "carnet", "programme", "valable_jusqu_au", "code", "qr", "etat"}

// ExportProgramme reads the programme of an exported batch: the third
// column of its first pass, so that callers can find the programme that
// ReadExport needs.
func ExportProgramme(export []byte) (int64, error) {
	lines := bytes.SplitN(export, []byte("\n"), 3)
	if len(lines) >= 2 {
		if fields := bytes.Split(lines[1], []byte(";")); len(fields) == len(exportColumns) {
			if id, err := strconv.ParseInt(string(fields[2]), 10, 64); err == nil {
				return id, nil
			}
		}
	}
	return 0, fmt.Errorf("pdf: no pass in the export")
}

// ReadExport turns the operator's export of a batch (the printer's CSV,
// ';'-separated) into carnet sheets for Carnets, the passes of each carnet
// in serial order. The programme names the carnets and their funders and
// dates their validity.
func ReadExport(r io.Reader, p *passnum.Programme) ([]CarnetSheet, error) {
	cr := csv.NewReader(r)
	cr.Comma = ';'
	cr.FieldsPerRecord = len(exportColumns)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("pdf: read the export's header: %w", err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff") // the export starts with a BOM, for spreadsheets
	}
	if strings.Join(header, ";") != strings.Join(exportColumns, ";") {
		return nil, fmt.Errorf("pdf: the export's columns are %v, want %v", header, exportColumns)
	}
	funders := make([]string, 0, len(p.Funders))
	for _, f := range p.Funders {
		if f.FunderName != "" {
			funders = append(funders, f.FunderName)
		}
	}
	var sheets []CarnetSheet
	index := map[int64]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("pdf: read the export: %w", err)
		}
		serial, err1 := strconv.ParseInt(rec[0], 10, 64) // FormatSerial: zero-padded decimal
		carnet, err2 := strconv.ParseInt(rec[1], 10, 64)
		if err1 != nil || err2 != nil {
			line, _ := cr.FieldPos(0)
			return nil, fmt.Errorf("pdf: line %d of the export: bad serial %q or carnet %q", line, rec[0], rec[1])
		}
		i, ok := index[carnet]
		if !ok {
			i = len(sheets)
			index[carnet] = i
			sheets = append(sheets, CarnetSheet{Number: carnet, Programme: p.Name, Funders: funders, FaceValueCents: p.FaceValueCents})
		}
		sheets[i].Passes = append(sheets[i].Passes, CarnetPass{Serial: serial, ShortCode: rec[4], QR: rec[5], ValidFrom: p.ValidFrom, ValidUntil: rec[3]})
	}
	return sheets, nil
}
