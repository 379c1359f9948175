//go:build !race

package federation_test

// raceDetector is set when the tests run under the race detector, which
// makes every request about ten times dearer: load tests send fewer.
const raceDetector = false
