package mastodon

import (
	"errors"
	"time"
)

// Time is a datetime as Mastodon writes it: RFC 3339 in UTC with exactly
// three fractional digits, "2019-12-08T03:48:33.901Z". Use *Time for
// nullable datetimes.
type Time time.Time

// NewTime returns t as a Time.
func NewTime(t time.Time) Time { return Time(t) }

// timePtr converts a nullable time.
func timePtr(t *time.Time) *Time {
	if t == nil {
		return nil
	}
	v := Time(*t)
	return &v
}

// Time returns t as a time.Time.
func (t Time) Time() time.Time { return time.Time(t) }

const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// MarshalJSON writes t in UTC with milliseconds and Z. Years outside
// 0000–9999 have no RFC 3339 form and are an error.
func (t Time) MarshalJSON() ([]byte, error) {
	u := time.Time(t).UTC()
	if y := u.Year(); y < 0 || y > 9999 {
		return nil, errors.New("mastodon.Time: year outside of range [0,9999]")
	}
	b := make([]byte, 0, len(timeLayout)+2)
	b = append(b, '"')
	b = appendTime(b, u)
	return append(b, '"'), nil
}

// appendTime appends u (in UTC, year 0–9999) as timeLayout does; by hand,
// because statuses carry several datetimes and AppendFormat parses its
// layout on every call.
func appendTime(b []byte, u time.Time) []byte {
	year, month, day := u.Date()
	hour, min, sec := u.Clock()
	b = appendDate(b, year, int(month), day)
	b = append(b, 'T')
	b = append2(b, hour)
	b = append(b, ':')
	b = append2(b, min)
	b = append(b, ':')
	b = append2(b, sec)
	ms := u.Nanosecond() / 1e6
	return append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z')
}

// appendDate appends YYYY-MM-DD.
func appendDate(b []byte, year, month, day int) []byte {
	b = append(b, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-')
	b = append2(b, month)
	b = append(b, '-')
	return append2(b, day)
}

// append2 appends n (0–99) as two digits.
func append2(b []byte, n int) []byte { return append(b, byte('0'+n/10), byte('0'+n%10)) }

// UnmarshalJSON reads any RFC 3339 datetime, with or without fractions, as
// Mastodon and its fields' verified_at ("+00:00") write them.
func (t *Time) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var v time.Time
	if err := v.UnmarshalJSON(b); err != nil {
		return err
	}
	*t = Time(v)
	return nil
}

// Date is a calendar date as Mastodon writes Account.last_status_at,
// "2019-12-10", taken in UTC. Use *Date for nullable dates.
type Date time.Time

// Time returns d as a time.Time.
func (d Date) Time() time.Time { return time.Time(d) }

const dateLayout = "2006-01-02"

// MarshalJSON writes the UTC date of d.
func (d Date) MarshalJSON() ([]byte, error) {
	u := time.Time(d).UTC()
	if y := u.Year(); y < 0 || y > 9999 {
		return nil, errors.New("mastodon.Date: year outside of range [0,9999]")
	}
	b := make([]byte, 0, len(dateLayout)+2)
	b = append(b, '"')
	year, month, day := u.Date()
	b = appendDate(b, year, int(month), day)
	return append(b, '"'), nil
}

// UnmarshalJSON reads a date, or a full datetime as older Mastodon versions
// sent for last_status_at.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return errors.New("mastodon.Date: not a JSON string")
	}
	s := string(b[1 : len(b)-1])
	v, err := time.Parse(dateLayout, s)
	if err != nil {
		if v, err = time.Parse(time.RFC3339Nano, s); err != nil {
			return err
		}
	}
	*d = Date(v)
	return nil
}

// datePtr converts a nullable time to its date.
func datePtr(t *time.Time) *Date {
	if t == nil {
		return nil
	}
	v := Date(*t)
	return &v
}
