package store

import (
	"math/rand/v2"
	"strconv"
	"sync"
	"time"
)

// IDs are Mastodon-style: milliseconds since the Unix epoch in the high 48
// bits and a sequence in the low 16, written as a decimal string. They sort by
// creation time, and pagination (max_id, since_id, min_id) compares them as
// numbers.

var idGen = struct {
	sync.Mutex
	lastMS  int64
	seq     int64
	pastSeq int64
}{pastSeq: rand.Int64N(0x10000)}

// NewID returns a fresh ID for something created at t. IDs made by one
// process are unique and increase with t; two made in the same millisecond
// differ in their sequence.
func NewID(t time.Time) string {
	ms := t.UnixMilli()
	idGen.Lock()
	if ms < idGen.lastMS {
		// t lies in the past (a remote status with its published time, or
		// the clock went back): keep its time so the ID sorts by it, and
		// take the low bits from a sequence of its own, which starts at a
		// random place in each process. Many posts published in the same
		// second (remote times are often whole seconds) then still get
		// different IDs; a clash with an earlier process's IDs is rare, and
		// callers that insert such IDs treat ErrConflict by retrying.
		seq := idGen.pastSeq
		idGen.pastSeq++
		idGen.Unlock()
		return strconv.FormatInt(ms<<16|(seq&0xffff), 10)
	}
	if ms == idGen.lastMS {
		idGen.seq++
		if idGen.seq > 0xffff {
			ms++
			idGen.seq = 0
		}
	} else {
		idGen.seq = 0
	}
	idGen.lastMS = ms
	id := ms<<16 | idGen.seq
	idGen.Unlock()
	return strconv.FormatInt(id, 10)
}

// IDAt returns the smallest ID a thing made at t can have, for turning a time
// into a pagination bound.
func IDAt(t time.Time) string {
	return strconv.FormatInt(t.UnixMilli()<<16, 10)
}

// IDTime returns the creation time encoded in id, or the zero time for a
// string that is not an ID.
func IDTime(id string) time.Time {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}
	}
	return time.UnixMilli(n >> 16).UTC()
}

// ValidID reports whether s looks like an ID (a positive decimal number that
// fits in 63 bits); handlers use it to answer 404 without a query.
func ValidID(s string) bool {
	if s == "" || len(s) > 19 {
		return false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return err == nil && n > 0
}
