package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// readSecret prompts on w and reads one line from the terminal on stdin
// without echoing it. Echo is turned off with stty(1), which every Unix
// has: the standard library has no terminal control, and the project adds
// no dependency for one prompt. Where stty is missing, the error says to use
// PASSNUM_PASSWORD instead.
// errNoEcho reports that stty could not turn off the echo.
var errNoEcho = errors.New("cannot turn off the echo of the terminal")

func readSecret(ctx context.Context, w io.Writer, prompt string) (string, error) {
	stty := func(arg string) error {
		cmd := exec.Command("stty", arg)
		cmd.Stdin = os.Stdin
		return cmd.Run()
	}
	if err := stty("-echo"); err != nil {
		return "", errNoEcho
	}
	defer func() {
		stty("echo")
		fmt.Fprintln(w)
	}()
	fmt.Fprint(w, prompt)
	type result struct {
		line string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		done <- result{strings.TrimRight(line, "\r\n"), err}
	}()
	select {
	case r := <-done:
		if r.err != nil && r.line == "" {
			return "", fmt.Errorf("read password: %w", r.err)
		}
		return r.line, nil
	case <-ctx.Done(): // Ctrl-C: give the echo back before leaving
		return "", ctx.Err()
	}
}
