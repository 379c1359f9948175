package preview

import (
	"math"
	"math/rand/v2"
	"time"
)

// Delay returns how long to wait before fetching a card: a uniform random
// duration in [base, 2*base), so that the thousands of servers receiving a
// popular post do not all fetch its link in the same second. A base of zero
// or less gives zero.
func Delay(base time.Duration) time.Duration {
	if base <= 0 {
		return 0
	}
	if base > math.MaxInt64/2 {
		base = math.MaxInt64 / 2
	}
	return base + time.Duration(rand.Int64N(int64(base)))
}
