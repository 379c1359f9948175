// Package static holds Roost's static files (images, styles), embedded in
// the binary.
package static

import (
	"embed"
	"io/fs"
)

//go:embed img
var files embed.FS

// FS is every static file, by path below static/ ("img/missing.png").
var FS fs.FS = files

// MissingPNG is the placeholder avatar and header of accounts without one.
var MissingPNG = mustRead("img/missing.png")

func mustRead(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return b
}
