// Package templates holds Roost's HTML templates, embedded in the binary and
// parsed once at start-up so that a broken template fails at once.
package templates

import (
	"embed"
	"html/template"
)

//go:embed *.html
var files embed.FS

// Parse parses every template; each is addressed by its file name.
func Parse() (*template.Template, error) {
	return template.New("").ParseFS(files, "*.html")
}
