package sqlstore

import "fmt"

// wrapf says where err came from, as "what: err", where what names the
// record or the step at fault; nil stays nil. The wrapped error stays
// reachable by errors.Is and errors.As, so a passnum.Error keeps its code,
// reason, message and field for the API and the pages, which show its
// message and never the wrapped text; and the driver's error stays
// visible to the detection of conflicts to retry and of a full disk.
// Record numbers only: no e-mail, name, code or secret, since the
// wrapped text of internal errors is logged.
func wrapf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), err)
}
