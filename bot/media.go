package bot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // decoders of what platforms serve
	"image/jpeg"
	_ "image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"
	"golang.org/x/sync/singleflight"

	"github.com/nongsan-bot/nongsan/flows"
)

// Fetcher is a channel that downloads a photo it keeps for us by its
// reference (Telegram: getFile, then the file's download URL). Photos given
// by URL (Zalo) need none: they are fetched with a plain GET.
type Fetcher interface {
	Fetch(ctx context.Context, ref string) (io.ReadCloser, error)
}

// MediaStore keeps the photos of published listings (bot/postgres). Only
// the photos of listings on sale (or sold out) are served.
type MediaStore interface {
	// PhotoOnSale is flows.ErrNotFound for an id that is not the photo of
	// a listing on sale; it is asked on every request, and cheap.
	PhotoOnSale(ctx context.Context, id string) error
	// PublishedPhoto is flows.ErrNotFound for an id that is not the photo
	// of a listing on sale.
	PublishedPhoto(ctx context.Context, id string) (*flows.KeptPhoto, error)
	KeepPhoto(ctx context.Context, id string, data []byte, contentType string) error
	PhotosToKeep(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]flows.KeptPhoto, error)
	// PhotoArrived records a draft's photo, kept before its link expires.
	PhotoArrived(ctx context.Context, p flows.PhotoRef) error
	PhotoFailed(ctx context.Context, id string, now time.Time) error
}

// Media serves the photos of published listings at /media/{id}, to the
// channels that cannot show another platform's photo by reference, and
// keeps a resized copy of each: in PostgreSQL (shared by replicas, and
// there after the platform's link expires) and in a disk cache.
type Media struct {
	Store    MediaStore
	Fetchers map[flows.Channel]Fetcher
	Client   *http.Client // fetches photos given by URL
	CacheDir string       // "" for no disk cache
	CacheMax int64        // bytes the disk cache may hold; 0 for DefaultCacheMax
	// KeepOnArrival are the channels whose photo links expire (Zalo's CDN
	// URLs): their photos are kept from their arrival, not from their
	// listing's publication, as a draft may wait a day.
	KeepOnArrival map[flows.Channel]bool
	Metrics       *Metrics
	Log           zerolog.Logger

	first   singleflight.Group // one fetch per photo however many ask at once
	loading atomic.Int64       // requests in load, for tests

	pruneMu  sync.Mutex
	prunedAt time.Time
}

// DefaultCacheMax bounds the disk cache: some 5,000 photos. The oldest
// files go first when it is full (pruneCache); a photo pruned is served
// from PostgreSQL and cached again.
const DefaultCacheMax = 1 << 30

// cachePruneEvery: how often the keeper looks at the disk cache's size.
const cachePruneEvery = time.Minute

// Photo bounds: the long side of a kept photo, and what is read of an
// original.
const (
	MaxPhotoSide   = 1280
	maxPhotoBytes  = 20 << 20
	maxPhotoPixels = 60_000_000
	photoType      = "image/jpeg"
	fetchTimeout   = 30 * time.Second
)

// A photo file's header is read from at most headerBytes of it (a JPEG's
// EXIF, thumbnail included, comes before its size), within headerTimeout.
const (
	headerBytes   = 1 << 20
	headerTimeout = 5 * time.Second
)

// TooManyPixels is how many pixels a photo has when more than a copy of
// it can be made of (maxPhotoPixels), else 0: from its header, the first
// bytes of its download, from a channel that downloads photos (Fetchers).
// Asked when a photo sent as a file arrives, so that the farmer hears it
// then, not the post fail later.
func (m *Media) TooManyPixels(ctx context.Context, p flows.PhotoRef) (int, error) {
	if m == nil || m.Fetchers[p.Channel] == nil {
		return 0, nil
	}
	ctx, cancel := context.WithTimeout(ctx, headerTimeout)
	defer cancel()
	body, err := m.Fetchers[p.Channel].Fetch(ctx, p.Ref)
	if err != nil {
		return 0, fmt.Errorf("photo header: %w", err)
	}
	defer body.Close()
	cfg, _, err := image.DecodeConfig(io.LimitReader(body, headerBytes))
	if err != nil {
		return 0, fmt.Errorf("photo header: %w", err)
	}
	if n := cfg.Width * cfg.Height; n > maxPhotoPixels {
		return n, nil
	}
	return 0, nil
}

// errNoFetch is a photo whose channel gives no way to download it.
var errNoFetch = errors.New("no way to fetch photos of this channel")

// serve answers GET /media/{id}: the kept photo, fetched and kept first if
// need be; 404 for anything but the photo of a listing on sale or sold out.
func (m *Media) serve() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if !flows.ValidPhotoID(id) {
			http.NotFound(w, r)
			return
		}
		width := 0
		if q := r.URL.Query().Get("w"); q != "" {
			var err error
			if width, err = strconv.Atoi(q); err != nil || !slices.Contains(PageWidths, width) {
				http.Error(w, "width not offered", http.StatusBadRequest)
				return
			}
		}
		data, err := m.photo(r.Context(), id, width)
		switch {
		case errors.Is(err, flows.ErrNotFound):
			http.NotFound(w, r)
			return
		case err != nil:
			m.Log.Warn().Err(err).Str("photo", id).Msg("photo not available")
			http.Error(w, "photo not available", http.StatusBadGateway)
			return
		}
		sum := sha256.Sum256(data)
		w.Header().Set("Content-Type", photoType)
		w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
		// A photo never changes under its id, but is taken down when its
		// listing ends: shared caches keep it an hour at most.
		w.Header().Set("Cache-Control", "public, max-age=3600")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
	})
}

// PageWidths are the widths web pages may ask a photo in (/media/{id}?w=):
// a few, so that each is cached once. 720 is a 360-px phone's column at
// twice its pixels, the commonest cheap Android screen.
var PageWidths = []int{320, 480, 720, 960}

// photo is a published photo's kept copy (width 0) or a narrower copy of
// it, while its listing is on sale (the store says so on every request:
// the disk cache does not know): from the disk cache, else from the store,
// else fetched from its channel and kept.
func (m *Media) photo(ctx context.Context, id string, width int) ([]byte, error) {
	if err := m.Store.PhotoOnSale(ctx, id); err != nil {
		return nil, err
	}
	name := id
	if width > 0 {
		name = id + ".w" + strconv.Itoa(width)
	}
	if m.CacheDir != "" {
		if data, err := os.ReadFile(m.cached(name)); err == nil {
			return data, nil
		}
	}
	// Not the first asker's request: it may hang up while others wait.
	ctx = context.WithoutCancel(ctx)
	if width == 0 {
		return m.load(ctx, id)
	}
	v, err, _ := m.first.Do(name, func() (any, error) {
		full, err := m.photo(ctx, id, 0)
		if err != nil {
			return nil, err
		}
		data, err := ResizeWidth(bytes.NewReader(full), width)
		if err != nil {
			return nil, fmt.Errorf("photo %s at %d px: %w", id, width, err)
		}
		m.cache(name, data)
		return data, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

// load is a published photo's kept copy from the store, else fetched and
// kept; one at a time per photo, however many ask (requests, the keeper).
func (m *Media) load(ctx context.Context, id string) ([]byte, error) {
	m.loading.Add(1)
	defer m.loading.Add(-1)
	v, err, _ := m.first.Do(id, func() (any, error) {
		ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
		defer cancel()
		p, err := m.Store.PublishedPhoto(ctx, id)
		if err != nil {
			return nil, err
		}
		if p.Data != nil {
			m.cache(id, p.Data)
			return p.Data, nil
		}
		return m.keepNow(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

// keepNow fetches a photo from its channel, resizes it and keeps it.
func (m *Media) keepNow(ctx context.Context, p *flows.KeptPhoto) ([]byte, error) {
	data, err := m.fetch(ctx, p.PhotoRef)
	if err != nil {
		m.Metrics.MediaFetches.WithLabelValues(string(p.Channel), "failed").Inc()
		return nil, fmt.Errorf("fetch photo %s from %s: %w", p.ID, p.Channel, err)
	}
	m.Metrics.MediaFetches.WithLabelValues(string(p.Channel), "ok").Inc()
	if err := m.Store.KeepPhoto(ctx, p.ID, data, photoType); err != nil {
		return nil, err
	}
	m.cache(p.ID, data)
	return data, nil
}

// fetch downloads the original and resizes it.
func (m *Media) fetch(ctx context.Context, p flows.PhotoRef) ([]byte, error) {
	var body io.ReadCloser
	var err error
	switch f, ok := m.Fetchers[p.Channel]; {
	case ok:
		body, err = f.Fetch(ctx, p.Ref)
	case isURL(p.Ref):
		body, err = m.get(ctx, p.Ref)
	default:
		err = errNoFetch
	}
	if err != nil {
		return nil, err
	}
	defer body.Close()
	return Resize(io.LimitReader(body, maxPhotoBytes), MaxPhotoSide)
}

// get downloads a photo given by URL.
func (m *Media) get(ctx context.Context, url string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	client := m.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("GET photo: %s", resp.Status)
	}
	return resp.Body, nil
}

// Resize decodes a photo (JPEG, PNG, GIF or WebP) and encodes it as a JPEG
// whose long side is at most side: small enough for any platform to take,
// and free of the original's metadata (a phone's GPS position).
func Resize(r io.Reader, side int) ([]byte, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read photo: %w", err)
	}
	return scale(raw, func(w, h int) (int, int) {
		if long := max(w, h); long > side {
			return max(1, w*side/long), max(1, h*side/long)
		}
		return w, h
	})
}

// ResizeWidth is Resize bounding the width rather than the long side: a
// photo for a web page's column.
func ResizeWidth(r io.Reader, width int) ([]byte, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read photo: %w", err)
	}
	return scale(raw, func(w, h int) (int, int) {
		if w > width {
			return width, max(1, h*width/w)
		}
		return w, h
	})
}

// decoding bounds the photos decoded at once, each up to maxPhotoPixels
// times 4 bytes in memory.
var decoding = make(chan struct{}, 2)

// scale decodes a photo, scales it to the size fit gives for its own, and
// encodes it as a JPEG.
func scale(raw []byte, fit func(w, h int) (int, int)) ([]byte, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("not a photo: %w", err)
	}
	if cfg.Width*cfg.Height > maxPhotoPixels {
		return nil, fmt.Errorf("photo of %dx%d pixels is too large", cfg.Width, cfg.Height)
	}
	switch cfg.ColorModel {
	case color.RGBA64Model, color.NRGBA64Model, color.Gray16Model:
		// Twice the memory per pixel of any camera's photo: a small file
		// of this kind can take a gigabyte to decode.
		return nil, errors.New("a photo of 16 bits per channel is not taken")
	}
	// A decode takes a photo's whole size in memory: a few at a time.
	decoding <- struct{}{}
	defer func() { <-decoding }()
	src, _, err := image.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("decode photo: %w", err)
	}
	// A phone held sideways stores its photo sideways and says so in EXIF,
	// which the copy drops: it is turned upright, and fit for that shape.
	o := 1
	if format == "jpeg" {
		o = orientation(raw)
	}
	b := src.Bounds()
	uw, uh := b.Dx(), b.Dy() // its size upright
	if o >= 5 {
		uw, uh = uh, uw
	}
	w, h := fit(uw, uh)
	if o >= 5 {
		w, h = h, w // scaled as stored, then turned
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	// JPEG has no transparency: a transparent PNG shows on white.
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Over, nil)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, upright(dst, o), &jpeg.Options{Quality: 85}); err != nil {
		return nil, fmt.Errorf("encode photo: %w", err)
	}
	return out.Bytes(), nil
}

func (m *Media) cached(id string) string { return filepath.Join(m.CacheDir, id+".jpg") }

// cache writes a kept photo to the disk cache, whole or not at all (a
// reader never sees half a file). The cache is only a shortcut: failing to
// write it is logged, and the photo is served from PostgreSQL.
func (m *Media) cache(id string, data []byte) {
	if m.CacheDir == "" {
		return
	}
	err := WriteFile(m.CacheDir, id+".jpg", data)
	if err != nil {
		m.Log.Warn().Err(err).Msg("photo disk cache")
	}
}

// WriteFile writes dir/name whole or not at all: a reader never sees half
// a file.
func WriteFile(dir, name string, data []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, name+".*.tmp")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// keeperBatch and keeperLease bound the keeper's work: photos claimed at a
// time, and how long a claim holds off the other replicas.
const (
	keeperBatch = 8
	keeperLease = 2 * time.Minute
)

// KeepPublished fetches and keeps the published photos not kept yet, a
// batch at a time, so that each outlives its platform's link. A failure is
// retried later, less and less often.
func (m *Media) KeepPublished(ctx context.Context, now time.Time) error {
	m.pruneCache(now)
	photos, err := m.Store.PhotosToKeep(ctx, now, keeperBatch, keeperLease)
	if err != nil {
		return err
	}
	for _, p := range photos {
		var err error
		if p.Listing == 0 {
			_, err = m.keepNow(ctx, &p) // a draft's: nobody asks for it yet
		} else {
			_, err = m.load(ctx, p.ID) // kept meanwhile by a request: not fetched again
		}
		// Ended since it was claimed: kept if it is renewed.
		if err == nil || ctx.Err() != nil || errors.Is(err, flows.ErrNotFound) {
			continue
		}
		m.Log.Warn().Err(err).Str("photo", p.ID).Msg("keep photo")
		if err := m.Store.PhotoFailed(ctx, p.ID, now); err != nil {
			return err
		}
	}
	return nil
}

// pruneCache removes the oldest files of the disk cache (by when they were
// written) while it holds more than CacheMax, at most every
// cachePruneEvery. Files of ended listings are never served (the store
// is asked first) and go in their turn.
func (m *Media) pruneCache(now time.Time) {
	if m.CacheDir == "" {
		return
	}
	m.pruneMu.Lock()
	defer m.pruneMu.Unlock()
	if !m.prunedAt.IsZero() && now.Sub(m.prunedAt) < cachePruneEvery {
		return
	}
	m.prunedAt = now
	limit := m.CacheMax
	if limit <= 0 {
		limit = DefaultCacheMax
	}
	entries, err := os.ReadDir(m.CacheDir)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			m.Log.Warn().Err(err).Msg("prune photo disk cache")
		}
		return
	}
	type file struct {
		name string
		size int64
		at   time.Time
	}
	var files []file
	var total int64
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".jpg") {
			continue // a file being written, or not ours
		}
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		files = append(files, file{e.Name(), info.Size(), info.ModTime()})
		total += info.Size()
	}
	slices.SortFunc(files, func(a, b file) int { return a.at.Compare(b.at) })
	for _, f := range files {
		if total <= limit {
			break
		}
		if err := os.Remove(filepath.Join(m.CacheDir, f.name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			m.Log.Warn().Err(err).Msg("prune photo disk cache")
			return
		}
		total -= f.size
	}
}

// RunKeeper keeps published photos every interval until ctx ends, beside
// the relay; guarded like it.
func (e *Engine) RunKeeper(ctx context.Context, m *Media, interval time.Duration) {
	e.every(ctx, interval, "keep photos", func(now time.Time) error { return m.KeepPublished(ctx, now) })
}

// Arrived records a photo that has just come in, when its channel's links
// expire, so that the keeper fetches it while the draft is written.
func (m *Media) Arrived(ctx context.Context, p flows.PhotoRef) error {
	if m == nil || !m.KeepOnArrival[p.Channel] {
		return nil
	}
	return m.Store.PhotoArrived(ctx, p)
}
