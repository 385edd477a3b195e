package credentials

import (
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// route identifies which endpoint a request is for. The rate limit is kept per
// caller IP, route and task: a request for a cached credential ID counts
// against that task's bucket (the ID's task), one for an unknown ID — or
// with a wrong token — against the caller's shared one; and while the
// caller's shared bucket is empty, every request of the caller on the route
// is refused, known IDs included, so that a 429 tells a guesser nothing
// about which IDs exist. Keyed on the raw path instead (as ECS's agent
// does), every guessed ID would get a fresh bucket and the limit would not
// slow down guessing at all; keyed on the caller alone, every task of a
// process runtime (all calling from 127.0.0.1) would share one bucket and a
// busy task would starve the others.
type route uint8

const (
	routeOther route = iota
	routeV1
	routeV2
)

type limiterKey struct {
	ip    netip.Addr
	route route
	task  string // the requested ID's task ARN; "" for unknown IDs
}

type limiterEntry struct {
	lim      *rate.Limiter
	lastSeen time.Time
}

// limiters is a bounded map of token buckets. Entries idle for longer than
// idle are swept; when the map is full after a sweep an arbitrary entry is
// evicted (that caller merely gets a fresh burst), so memory stays bounded
// however many addresses call.
type limiters struct {
	rate      rate.Limit
	burst     int
	max       int
	idle      time.Duration
	mu        sync.Mutex
	m         map[limiterKey]*limiterEntry
	lastSweep time.Time
}

func newLimiters(r rate.Limit, burst, max int, idle time.Duration) *limiters {
	return &limiters{rate: r, burst: burst, max: max, idle: idle, m: make(map[limiterKey]*limiterEntry)}
}

// callerIP extracts the IP from RemoteAddr (host:port or bare IP) without
// allocating. Unparsable addresses share the zero Addr's bucket.
func callerIP(remoteAddr string) netip.Addr {
	if ap, err := netip.ParseAddrPort(remoteAddr); err == nil {
		return ap.Addr().Unmap()
	}
	if a, err := netip.ParseAddr(remoteAddr); err == nil {
		return a.Unmap()
	}
	return netip.Addr{}
}

// allow reports whether one more request from k is allowed at now.
func (l *limiters) allow(k limiterKey, now time.Time) bool {
	if l.rate == rate.Inf {
		return true
	}
	l.mu.Lock()
	e, ok := l.m[k]
	if !ok {
		if now.Sub(l.lastSweep) >= l.idle || len(l.m) >= l.max {
			l.sweep(now)
		}
		for len(l.m) >= l.max {
			for victim := range l.m {
				delete(l.m, victim)
				break
			}
		}
		e = &limiterEntry{lim: rate.NewLimiter(l.rate, l.burst)}
		l.m[k] = e
	}
	e.lastSeen = now
	l.mu.Unlock()
	// The bucket is consulted outside the table's lock (rate.Limiter has its
	// own), so callers on different keys do not wait for each other's
	// decisions. If a sweep or eviction drops e meanwhile, this one decision
	// is still e's, as if it came just before the drop.
	return e.lim.AllowN(now, 1)
}

// exhausted reports whether k's bucket is empty at now, without taking
// from it (a caller without a bucket yet has a full one).
func (l *limiters) exhausted(k limiterKey, now time.Time) bool {
	if l.rate == rate.Inf {
		return false
	}
	l.mu.Lock()
	e, ok := l.m[k]
	l.mu.Unlock()
	return ok && e.lim.TokensAt(now) < 1
}

func (l *limiters) sweep(now time.Time) {
	l.lastSweep = now
	for k, e := range l.m {
		if now.Sub(e.lastSeen) >= l.idle {
			delete(l.m, k)
		}
	}
}

func (l *limiters) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}
