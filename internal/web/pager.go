package web

import (
	"maps"
	"net/url"
	"strconv"
)

// pagerLinks returns the links to the pages before and after page pageNo
// of pages of a list: path, then query with the page's number ("page",
// left out for the first page); "" where there is none. A page number
// beyond the last links back to the last.
func pagerLinks(path string, query url.Values, pageNo, pages int) (prev, next string) {
	link := func(n int) string {
		q := maps.Clone(query)
		if q == nil {
			q = url.Values{}
		}
		if n > 1 {
			q.Set("page", strconv.Itoa(n))
		}
		return path + "?" + q.Encode()
	}
	if pageNo > 1 {
		prev = link(min(pageNo-1, pages))
	}
	if pageNo < pages {
		next = link(pageNo + 1)
	}
	return prev, next
}
