// Package bleve implements store.Index, full-text search over statuses, on
// Bleve (github.com/blevesearch/bleve/v2) in a directory of its own, by
// default ROOST_DATA_DIR/search.bleve.
//
// Text is cut into words at Unicode word boundaries and lowercased, with
// no stemming and no stop words: statuses come in every language, and a
// phrase search must find "to be or not to be". One process at a time may
// hold an index open; a second Open fails with ErrLocked after a second.
package bleve

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
	bolt "go.etcd.io/bbolt"

	"github.com/roost-social/roost/store"
)

// ErrLocked means another process (a running server, a deploy) holds the
// index open.
var ErrLocked = errors.New("search index is in use by another process")

// lockWait is how long Open waits for another process's lock.
const lockWait = "1s"

// Index is a store.Index in one Bleve directory. It is safe for concurrent
// use.
type Index struct {
	idx blevesearch.Index
}

var _ store.Index = (*Index)(nil)

// Field names of the indexed documents.
const (
	fieldText       = "text"
	fieldSID        = "sid" // the status ID as the document's ID is, for ID ranges
	fieldAccount    = "account"
	fieldVisibility = "visibility"
	fieldLanguage   = "language"
	fieldCreated    = "created"
	fieldMedia      = "has_media"
	fieldPoll       = "has_poll"
	fieldLink       = "has_link"
	fieldReply      = "is_reply"
	fieldSensitive  = "sensitive"

	textAnalyzer = "roost_text"
)

// document is what Bleve stores for one status.
type document struct {
	Text       string    `json:"text"`
	SID        string    `json:"sid"`
	Account    string    `json:"account"`
	Visibility string    `json:"visibility"`
	Language   string    `json:"language"`
	Created    time.Time `json:"created"`
	HasMedia   bool      `json:"has_media"`
	HasPoll    bool      `json:"has_poll"`
	HasLink    bool      `json:"has_link"`
	IsReply    bool      `json:"is_reply"`
	Sensitive  bool      `json:"sensitive"`
}

// Open opens the index at path, creating it when the directory does not
// exist. ErrLocked (wrapped) means another process has it open.
func Open(path string) (*Index, error) {
	cfg := map[string]any{"bolt_timeout": lockWait}
	var idx blevesearch.Index
	var err error
	if _, statErr := os.Stat(path); errors.Is(statErr, os.ErrNotExist) {
		var m *mapping.IndexMappingImpl
		if m, err = indexMapping(); err != nil {
			return nil, fmt.Errorf("open search index: %w", err)
		}
		idx, err = blevesearch.NewUsing(path, m, scorch.Name, scorch.Name, cfg)
	} else {
		idx, err = blevesearch.OpenUsing(path, cfg)
	}
	if errors.Is(err, bolt.ErrTimeout) {
		err = ErrLocked
	}
	if err != nil {
		return nil, fmt.Errorf("open search index %s: %w", path, err)
	}
	return &Index{idx: idx}, nil
}

func indexMapping() (*mapping.IndexMappingImpl, error) {
	m := blevesearch.NewIndexMapping()
	err := m.AddCustomAnalyzer(textAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []any{lowercase.Name},
	})
	if err != nil {
		return nil, err
	}
	text := blevesearch.NewTextFieldMapping()
	text.Analyzer = textAnalyzer
	text.Store = false
	text.IncludeInAll = false
	text.IncludeTermVectors = true // phrases need word positions
	text.DocValues = false

	kw := func(docValues bool) *mapping.FieldMapping {
		f := blevesearch.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = docValues
		return f
	}
	date := blevesearch.NewDateTimeFieldMapping()
	date.Store = false
	date.IncludeInAll = false
	date.DocValues = false
	flag := func() *mapping.FieldMapping {
		f := blevesearch.NewBooleanFieldMapping()
		f.Store = false
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}

	doc := blevesearch.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(fieldText, text)
	doc.AddFieldMappingsAt(fieldSID, kw(false))
	doc.AddFieldMappingsAt(fieldAccount, kw(false))
	doc.AddFieldMappingsAt(fieldVisibility, kw(false))
	doc.AddFieldMappingsAt(fieldLanguage, kw(false))
	doc.AddFieldMappingsAt(fieldCreated, date)
	for _, f := range []string{fieldMedia, fieldPoll, fieldLink, fieldReply, fieldSensitive} {
		doc.AddFieldMappingsAt(f, flag())
	}
	m.DefaultMapping = doc
	m.DefaultAnalyzer = textAnalyzer
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m, nil
}

// sortID pads a status ID to 20 digits so that string order is ID order.
// Documents are stored under it: sorting on the document ID is about twice
// as fast as on a field's doc values (36 against 16 ms for a word in half of
// 100,000 statuses).
func sortID(id string) string {
	if len(id) >= 20 {
		return id
	}
	return strings.Repeat("0", 20-len(id)) + id
}

func toDocument(s store.IndexedStatus) document {
	return document{
		Text:       s.Text,
		SID:        sortID(s.ID),
		Account:    s.AccountID,
		Visibility: s.Visibility,
		Language:   strings.ToLower(s.Language),
		Created:    s.CreatedAt.UTC(),
		HasMedia:   s.HasMedia,
		HasPoll:    s.HasPoll,
		HasLink:    s.HasLink,
		IsReply:    s.IsReply,
		Sensitive:  s.Sensitive,
	}
}

// IndexStatus adds s, or replaces what was indexed under its ID.
func (x *Index) IndexStatus(ctx context.Context, s store.IndexedStatus) error {
	if !store.ValidID(s.ID) {
		return fmt.Errorf("index status %q: not an ID", s.ID)
	}
	if err := x.idx.Index(sortID(s.ID), toDocument(s)); err != nil {
		return fmt.Errorf("index status %s: %w", s.ID, err)
	}
	return nil
}

// IndexStatuses indexes many statuses in one batch, much faster than one
// IndexStatus each; a rebuild uses it.
func (x *Index) IndexStatuses(ctx context.Context, list []store.IndexedStatus) error {
	b := x.idx.NewBatch()
	for _, s := range list {
		if !store.ValidID(s.ID) {
			return fmt.Errorf("index status %q: not an ID", s.ID)
		}
		if err := b.Index(sortID(s.ID), toDocument(s)); err != nil {
			return fmt.Errorf("index status %s: %w", s.ID, err)
		}
	}
	if err := x.idx.Batch(b); err != nil {
		return fmt.Errorf("index statuses: %w", err)
	}
	return nil
}

// RemoveStatus drops a status from the index; an unknown ID is no error.
func (x *Index) RemoveStatus(ctx context.Context, id string) error {
	if err := x.idx.Delete(sortID(id)); err != nil {
		return fmt.Errorf("remove status %s from index: %w", id, err)
	}
	return nil
}

// Count returns how many statuses are indexed.
func (x *Index) Count() (uint64, error) {
	return x.idx.DocCount()
}

// SearchStatuses returns the IDs of the statuses matching q, newest first.
// An empty query (store.SearchQuery.Empty) finds nothing.
func (x *Index) SearchStatuses(ctx context.Context, q store.SearchQuery) ([]string, error) {
	if q.Empty() || q.Limit <= 0 {
		return nil, nil
	}
	req := blevesearch.NewSearchRequestOptions(buildQuery(q), q.Limit, max(q.Offset, 0), false)
	req.SortBy([]string{"-_id"})
	req.Score = "none"
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search statuses: %w", err)
	}
	ids := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		ids = append(ids, strings.TrimLeft(h.ID, "0"))
	}
	return ids, nil
}

func buildQuery(q store.SearchQuery) query.Query {
	var must []query.Query
	if t := strings.TrimSpace(q.Text); t != "" {
		m := blevesearch.NewMatchQuery(t)
		m.SetField(fieldText)
		m.SetOperator(query.MatchQueryOperatorAnd)
		must = append(must, m)
	}
	for _, p := range q.Phrases {
		must = append(must, phrase(p))
	}
	term := func(field, val string) {
		t := blevesearch.NewTermQuery(val)
		t.SetField(field)
		must = append(must, t)
	}
	if q.AccountID != "" {
		term(fieldAccount, q.AccountID)
	}
	if q.Language != "" {
		term(fieldLanguage, strings.ToLower(q.Language))
	}
	flag := func(on bool, field string) {
		if on {
			b := blevesearch.NewBoolFieldQuery(true)
			b.SetField(field)
			must = append(must, b)
		}
	}
	flag(q.HasMedia, fieldMedia)
	flag(q.HasPoll, fieldPoll)
	flag(q.HasLink, fieldLink)
	flag(q.IsReply, fieldReply)
	flag(q.Sensitive, fieldSensitive)
	if !q.After.IsZero() || !q.Before.IsZero() {
		yes, no := true, false
		d := blevesearch.NewDateRangeInclusiveQuery(q.After.UTC(), q.Before.UTC(), &yes, &no)
		d.SetField(fieldCreated)
		must = append(must, d)
	}
	if min, max := idBound(q.MinID), idBound(q.MaxID); min != "" || max != "" {
		no := false
		r := blevesearch.NewTermRangeInclusiveQuery(min, max, &no, &no)
		r.SetField(fieldSID)
		must = append(must, r)
	}
	if len(must) == 0 {
		must = append(must, blevesearch.NewMatchAllQuery())
	}
	if len(q.Exclude) == 0 {
		return blevesearch.NewConjunctionQuery(must...)
	}
	b := blevesearch.NewBooleanQuery()
	b.AddMust(must...)
	for _, e := range q.Exclude {
		b.AddMustNot(phrase(e))
	}
	return b
}

// phrase matches the words of p in that order (one word is a plain match).
func phrase(p string) query.Query {
	m := blevesearch.NewMatchPhraseQuery(p)
	m.SetField(fieldText)
	return m
}

// idBound is a pagination ID as a sortID, "" when there is none.
func idBound(id string) string {
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		return ""
	}
	return sortID(id)
}

// Close closes the index and releases its lock.
func (x *Index) Close() error {
	return x.idx.Close()
}
