package main

import (
	"io"
	"os"
	"path/filepath"

	"github.com/passnum/passnum"
)

// writeOut writes to the file out, atomically, or to stdout when out is
// "" or "-"; it tells whether it wrote a file.
func (c *cli) writeOut(out string, write func(io.Writer) error) (toFile bool, err error) {
	if out == "" || out == "-" {
		return false, write(c.stdout)
	}
	return true, writeAtomically(out, write)
}

// writeAtomically writes path through a temporary file renamed at the
// end, so that a failure never leaves a truncated file that could be
// taken for a whole one (by a printer, a bank, a publication script).
func writeAtomically(path string, write func(io.Writer) error) error {
	switch step, err := replaceFile(path, write); step {
	case "create":
		return passnum.Errorf(passnum.EINVALID, "output", "Impossible de créer le fichier : %v", err)
	case "rename":
		return passnum.Errorf(passnum.EINVALID, "output", "Impossible d'écrire %s : %v", path, err)
	default:
		return err
	}
}

// replaceFile writes a temporary file next to path, then renames it over
// path; it returns the step that failed, "create", "write" or "rename",
// and its error.
func replaceFile(path string, write func(io.Writer) error) (step string, err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return "create", err
	}
	defer os.Remove(f.Name()) // after a successful rename, there is nothing left to remove
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "write", err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return "rename", err
	}
	return "", nil
}
