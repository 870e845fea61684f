package bot_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/nongsan-bot/nongsan/bot"
	"github.com/nongsan-bot/nongsan/bot/bottest"
	"github.com/nongsan-bot/nongsan/bot/postgres"
	"github.com/nongsan-bot/nongsan/bot/postgres/pgtest"
	"github.com/nongsan-bot/nongsan/flows"
)

// cdn serves photos by path, like Zalo's CDN, and counts what it serves.
type cdn struct {
	*httptest.Server
	files map[string][]byte
	hits  atomic.Int64
	hold  chan struct{} // when set, each answer waits for it
}

func newCDN(t *testing.T, files map[string][]byte) *cdn {
	c := &cdn{files: files}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.hits.Add(1)
		if c.hold != nil {
			<-c.hold
		}
		data, ok := c.files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	}))
	t.Cleanup(c.Close)
	return c
}

// mediaServer is the HTTP surface with /media over a fresh database.
type mediaServer struct {
	db      *postgres.DB
	media   *bot.Media
	url     string
	metrics *bot.Metrics
}

func newMediaServer(t *testing.T, db *postgres.DB, cacheDir string) *mediaServer {
	t.Helper()
	metrics := bot.NewMetrics()
	m := &bot.Media{Store: db, CacheDir: cacheDir, Metrics: metrics}
	s := &bot.Server{Engine: &bot.Engine{Channels: bot.Channels{}}, Metrics: metrics, Media: m}
	srv := httptest.NewServer(s.Routes())
	t.Cleanup(srv.Close)
	return &mediaServer{db: db, media: m, url: srv.URL, metrics: metrics}
}

// publish stores a listing with photos given by URL (as Zalo gives them)
// and returns their ids.
func publish(t *testing.T, db *postgres.DB, urls ...string) []string {
	t.Helper()
	var tokens, ids []string
	for _, u := range urls {
		p := flows.PhotoRef{ID: flows.NewPhotoID(), Channel: flows.Zalo, Ref: u}
		tokens, ids = append(tokens, p.String()), append(ids, p.ID)
	}
	pgtest.MustPublish(t, db, flows.Zalo, tokens...)
	return ids
}

func get(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func TestAPublishedPhotoIsServedResizedAndFetchedOnce(t *testing.T) {
	c := newCDN(t, map[string][]byte{"/big.png": bottest.PhotoPNG(2000, 1000)})
	db := pgtest.MustOpen(t)
	s := newMediaServer(t, db, t.TempDir())
	id := publish(t, db, c.URL+"/big.png")[0]

	resp, body := get(t, s.url+"/media/"+id)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("answered %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	img, err := jpeg.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("not a JPEG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != bot.MaxPhotoSide || b.Dy() != bot.MaxPhotoSide/2 {
		t.Errorf("served %dx%d, want %dx%d", b.Dx(), b.Dy(), bot.MaxPhotoSide, bot.MaxPhotoSide/2)
	}
	etag := resp.Header.Get("ETag")
	if etag == "" || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age") {
		t.Errorf("headers %v", resp.Header)
	}

	// Asked again: from the disk cache, or not at all when the client has it.
	again, body2 := get(t, s.url+"/media/"+id)
	if again.StatusCode != http.StatusOK || !bytes.Equal(body, body2) || again.Header.Get("ETag") != etag {
		t.Errorf("second answer %d, same bytes %v", again.StatusCode, bytes.Equal(body, body2))
	}
	if resp, _ := get(t, s.url+"/media/"+id, "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("with its ETag: %d, want 304", resp.StatusCode)
	}
	// Another replica, with an empty disk cache, serves it from PostgreSQL.
	other := newMediaServer(t, db, t.TempDir())
	if resp, body3 := get(t, other.url+"/media/"+id); resp.StatusCode != http.StatusOK || !bytes.Equal(body, body3) {
		t.Errorf("another replica answered %d, same bytes %v", resp.StatusCode, bytes.Equal(body, body3))
	}
	if n := c.hits.Load(); n != 1 {
		t.Errorf("the original was fetched %d times, want once", n)
	}
	if n := testutil.ToFloat64(s.metrics.MediaFetches.WithLabelValues("zalo", "ok")); n != 1 {
		t.Errorf("fetches counted %v, want 1", n)
	}
}

func TestOnlyPublishedPhotosAreServed(t *testing.T) {
	c := newCDN(t, map[string][]byte{"/a.png": bottest.PhotoPNG(10, 10)})
	db := pgtest.MustOpen(t)
	s := newMediaServer(t, db, t.TempDir())
	publish(t, db, c.URL+"/a.png")
	// A draft's photo has an id too, but no listing yet.
	draft := flows.PhotoRef{ID: flows.NewPhotoID(), Channel: flows.Zalo, Ref: c.URL + "/a.png"}
	for _, path := range []string{
		"/media/" + draft.ID,
		"/media/" + flows.NewPhotoID(),
		"/media/" + strings.ToUpper(flows.NewPhotoID()),
		"/media/..%2F..%2Fetc%2Fpasswd",
		"/media/1",
		"/media/",
	} {
		if resp, _ := get(t, s.url+path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, resp.StatusCode)
		}
	}
	if n := c.hits.Load(); n != 0 {
		t.Errorf("fetched %d photos for ids that are not published", n)
	}
}

func TestConcurrentFirstRequestsFetchOnce(t *testing.T) {
	c := newCDN(t, map[string][]byte{"/a.png": bottest.PhotoPNG(300, 200)})
	c.hold = make(chan struct{})
	db := pgtest.MustOpen(t)
	s := newMediaServer(t, db, "") // no disk cache: PostgreSQL only
	id := publish(t, db, c.URL+"/a.png")[0]
	var wg sync.WaitGroup
	codes := make([]int, 8)
	for i := range codes {
		wg.Go(func() {
			resp, err := http.Get(s.url + "/media/" + id)
			if err == nil {
				codes[i] = resp.StatusCode
				resp.Body.Close()
			}
		})
	}
	// Released only when every request is in load, one of them at the CDN:
	// without the singleflight each would fetch.
	deadline := time.Now().Add(10 * time.Second)
	for (c.hits.Load() == 0 || s.media.Loading() < int64(len(codes))) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond) // polling for the requests in flight
	}
	if n := s.media.Loading(); n != int64(len(codes)) {
		t.Errorf("%d requests in flight, want %d", n, len(codes))
	}
	close(c.hold)
	wg.Wait()
	for i, code := range codes {
		if code != http.StatusOK {
			t.Errorf("request %d: %d", i, code)
		}
	}
	if n := c.hits.Load(); n != 1 {
		t.Errorf("fetched %d times, want once", n)
	}
}

// setStatus sets the status of a photo's listing, as stopping to sell,
// the expiry, the last order or renewing do.
func setStatus(t *testing.T, db *postgres.DB, photoID, status string) {
	t.Helper()
	_, err := db.Pool.Exec(context.Background(), `UPDATE listings SET status = $2,
		sold_out_by = CASE WHEN $2 = 'sold_out' THEN 'farmer' END
		WHERE id = (SELECT listing_id FROM media WHERE id = $1)`, photoID, status)
	if err != nil {
		t.Fatal(err)
	}
}

func TestOnlyPhotosOfListingsOnSaleOrSoldOutAreServed(t *testing.T) {
	c := newCDN(t, map[string][]byte{"/a.png": bottest.PhotoPNG(40, 30)})
	db := pgtest.MustOpen(t)
	dir := t.TempDir()
	s := newMediaServer(t, db, dir)
	closed, expired, soldOut := publish(t, db, c.URL+"/a.png")[0], publish(t, db, c.URL+"/a.png")[0], publish(t, db, c.URL+"/a.png")[0]
	etags := map[string]string{}
	for _, id := range []string{closed, expired, soldOut} {
		resp, _ := get(t, s.url+"/media/"+id)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "public, max-age=3600" {
			t.Fatalf("on sale: %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
		etags[id] = resp.Header.Get("ETag")
	}
	setStatus(t, db, closed, "closed")
	setStatus(t, db, expired, "expired")
	setStatus(t, db, soldOut, "sold_out")
	for _, id := range []string{closed, expired} {
		if _, err := os.Stat(filepath.Join(dir, id+".jpg")); err != nil {
			t.Fatalf("not in the disk cache: %v", err)
		}
		if resp, _ := get(t, s.url+"/media/"+id); resp.StatusCode != http.StatusNotFound {
			t.Errorf("photo of an ended listing: %d, want 404", resp.StatusCode)
		}
		if resp, _ := get(t, s.url+"/media/"+id, "If-None-Match", etags[id]); resp.StatusCode != http.StatusNotFound {
			t.Errorf("photo of an ended listing with its ETag: %d, want 404", resp.StatusCode)
		}
	}
	if resp, _ := get(t, s.url+"/media/"+soldOut); resp.StatusCode != http.StatusOK {
		t.Errorf("photo of a sold-out listing: %d, want 200", resp.StatusCode)
	}
	// Past its last day, sold out or not, the photo goes (until the tick
	// ends the listing, and after).
	if _, err := db.Pool.Exec(context.Background(), `UPDATE listings SET expires_at = now() - interval '1 minute'
		WHERE id = (SELECT listing_id FROM media WHERE id = $1)`, soldOut); err != nil {
		t.Fatal(err)
	}
	if resp, _ := get(t, s.url+"/media/"+soldOut); resp.StatusCode != http.StatusNotFound {
		t.Errorf("photo of a sold-out listing past its last day: %d, want 404", resp.StatusCode)
	}
	// Renewed, the listing shows its photo again, from the disk cache.
	setStatus(t, db, expired, "active")
	if resp, _ := get(t, s.url+"/media/"+expired); resp.StatusCode != http.StatusOK {
		t.Errorf("photo of a renewed listing: %d, want 200", resp.StatusCode)
	}
	if n := c.hits.Load(); n != 3 {
		t.Errorf("fetched %d times, want 3", n)
	}

	// The keeper leaves the photos of an ended listing until it is renewed.
	later := publish(t, db, c.URL+"/a.png")[0]
	setStatus(t, db, later, "closed")
	if err := s.media.KeepPublished(context.Background(), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if n := c.hits.Load(); n != 3 {
		t.Errorf("the keeper fetched the photo of an ended listing")
	}
}

func TestTheKeeperBoundsTheDiskCacheOldestFirst(t *testing.T) {
	c := newCDN(t, map[string][]byte{"/a.png": bottest.PhotoPNG(40, 30)})
	db := pgtest.MustOpen(t)
	dir := t.TempDir()
	s := newMediaServer(t, db, dir)
	ids := publish(t, db, c.URL+"/a.png", c.URL+"/a.png", c.URL+"/a.png")
	var size int64
	for i, id := range ids {
		if resp, _ := get(t, s.url+"/media/"+id); resp.StatusCode != http.StatusOK {
			t.Fatalf("photo %d: %d", i, resp.StatusCode)
		}
		file := filepath.Join(dir, id+".jpg")
		at := time.Now().Add(time.Duration(i-10) * time.Minute) // ids[0] the oldest
		if err := os.Chtimes(file, at, at); err != nil {
			t.Fatal(err)
		}
		info, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		size = max(size, info.Size())
	}
	s.media.CacheMax = 2 * size
	if err := s.media.KeepPublished(context.Background(), time.Now()); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		_, err := os.Stat(filepath.Join(dir, id+".jpg"))
		if kept := err == nil; kept != (i > 0) {
			t.Errorf("photo %d in the disk cache: %v, want %v", i, kept, i > 0)
		}
	}
	// Pruned, it is served from PostgreSQL.
	if resp, _ := get(t, s.url+"/media/"+ids[0]); resp.StatusCode != http.StatusOK || c.hits.Load() != 3 {
		t.Errorf("pruned photo: %d, fetched %d times", resp.StatusCode, c.hits.Load())
	}
}

func TestTheKeeperKeepsPublishedPhotosAndCountsFailures(t *testing.T) {
	ctx := context.Background()
	c := newCDN(t, map[string][]byte{"/a.png": bottest.PhotoPNG(40, 30), "/text": []byte("not a photo")})
	db := pgtest.MustOpen(t)
	s := newMediaServer(t, db, t.TempDir())
	ids := publish(t, db, c.URL+"/a.png", c.URL+"/gone.png", c.URL+"/text")
	if err := s.media.KeepPublished(ctx, time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if p, err := db.PublishedPhoto(ctx, ids[0]); err != nil || p.Data == nil {
		t.Fatalf("not kept: %+v, %v", p, err)
	}
	for _, id := range ids[1:] {
		if p, err := db.PublishedPhoto(ctx, id); err != nil || p.Data != nil {
			t.Errorf("kept what could not be fetched: %+v, %v", p, err)
		}
	}
	if n := testutil.ToFloat64(s.metrics.MediaFetches.WithLabelValues("zalo", "failed")); n != 2 {
		t.Errorf("failures counted %v, want 2", n)
	}
	// The failures wait before their next try: nothing is claimed now.
	if left, err := db.PhotosToKeep(ctx, time.Now().Add(2*time.Second), 10, time.Minute); err != nil || len(left) != 0 {
		t.Errorf("tried again at once: %v, %v", left, err)
	}
	// The kept photo is served without fetching again; a failed one is a 502.
	hits := c.hits.Load()
	if resp, _ := get(t, s.url+"/media/"+ids[0]); resp.StatusCode != http.StatusOK || c.hits.Load() != hits {
		t.Errorf("kept photo: %d, fetched again %v", resp.StatusCode, c.hits.Load() != hits)
	}
	if resp, _ := get(t, s.url+"/media/"+ids[1]); resp.StatusCode != http.StatusBadGateway {
		t.Errorf("a photo its platform lost: %d, want 502", resp.StatusCode)
	}
}

func TestResizeKeepsSmallPhotosAndRefusesOthers(t *testing.T) {
	out, err := bot.Resize(bytes.NewReader(bottest.PhotoPNG(300, 200)), bot.MaxPhotoSide)
	if err != nil {
		t.Fatal(err)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(out))
	if err != nil || format != "jpeg" || cfg.Width != 300 || cfg.Height != 200 {
		t.Errorf("got %s %dx%d, %v", format, cfg.Width, cfg.Height, err)
	}
	if _, err := bot.Resize(strings.NewReader("<html>not a photo</html>"), bot.MaxPhotoSide); err == nil {
		t.Error("a web page taken for a photo")
	}
}

// Pages ask photos narrower, in a few widths only; each is cached and
// answers 304 to its ETag.
func TestAPhotoIsServedInThePagesWidths(t *testing.T) {
	c := newCDN(t, map[string][]byte{"/big.png": bottest.PhotoPNG(2000, 1000)})
	db := pgtest.MustOpen(t)
	dir := t.TempDir()
	s := newMediaServer(t, db, dir)
	id := publish(t, db, c.URL+"/big.png")[0]

	_, full := get(t, s.url+"/media/"+id)
	resp, body := get(t, s.url+"/media/"+id+"?w=480")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("answered %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	img, err := jpeg.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("not a JPEG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 480 || b.Dy() != 240 {
		t.Errorf("served %dx%d, want 480x240", b.Dx(), b.Dy())
	}
	etag := resp.Header.Get("ETag")
	if etag == "" || bytes.Equal(body, full) {
		t.Errorf("the narrow copy's ETag %q, same bytes as the photo: %v", etag, bytes.Equal(body, full))
	}
	if _, err := os.Stat(filepath.Join(dir, id+".w480.jpg")); err != nil {
		t.Errorf("the narrow copy is not in the disk cache: %v", err)
	}
	if resp, _ := get(t, s.url+"/media/"+id+"?w=480", "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("with its ETag: %d, want 304", resp.StatusCode)
	}
	// 720: a 360-px phone's column at twice its pixels.
	if resp, body := get(t, s.url+"/media/"+id+"?w=720"); resp.StatusCode != http.StatusOK {
		t.Errorf("width 720: %d, want 200", resp.StatusCode)
	} else if cfg, err := jpeg.DecodeConfig(bytes.NewReader(body)); err != nil || cfg.Width != 720 || cfg.Height != 360 {
		t.Errorf("width 720 served %dx%d (%v), want 720x360", cfg.Width, cfg.Height, err)
	}
	for _, w := range []string{"500", "0", "x", "-480"} {
		if resp, _ := get(t, s.url+"/media/"+id+"?w="+w); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("width %s: %d, want 400", w, resp.StatusCode)
		}
	}
	if n := c.hits.Load(); n != 1 {
		t.Errorf("the original was fetched %d times, want once", n)
	}
	// Taken down with its listing, narrow copies included.
	if _, err := db.Pool.Exec(context.Background(), `UPDATE listings SET status = 'closed'`); err != nil {
		t.Fatal(err)
	}
	if resp, _ := get(t, s.url+"/media/"+id+"?w=480"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a closed listing's narrow photo: %d, want 404", resp.StatusCode)
	}
}

// A small file of 16 bits per channel, which takes twice a photo's memory
// to decode, is refused rather than resized.
func TestASixteenBitImageIsRefused(t *testing.T) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewNRGBA64(image.Rect(0, 0, 64, 64))); err != nil {
		t.Fatal(err)
	}
	if _, err := bot.Resize(&buf, 1280); err == nil {
		t.Fatal("a 16-bit PNG was resized, want it refused")
	}
}

// A phone held sideways stores its photo sideways with an EXIF
// orientation: the copies made for Zalo, the web and big files stand it
// upright. The photo is stored 40×20, red on the left, blue on the right.
func TestResizeTurnsAPhotoUprightByItsEXIFOrientation(t *testing.T) {
	red, blue := color.RGBA{R: 255, A: 255}, color.RGBA{B: 255, A: 255}
	for _, tc := range []struct {
		name        string
		exif        []byte
		w, h        int
		first, last color.RGBA // of the left or top edge, and the right or bottom one
	}{
		{"no EXIF", nil, 40, 20, red, blue},
		{"1, upright", exifOrientation(binary.LittleEndian, 1), 40, 20, red, blue},
		{"3, upside down", exifOrientation(binary.BigEndian, 3), 40, 20, blue, red},
		{"6, a quarter right", exifOrientation(binary.LittleEndian, 6), 20, 40, red, blue}, // the left side on top
		{"8, a quarter left", exifOrientation(binary.BigEndian, 8), 20, 40, blue, red},     // the left side at the bottom
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, resize := range []func([]byte) ([]byte, error){
				func(b []byte) ([]byte, error) { return bot.Resize(bytes.NewReader(b), bot.MaxPhotoSide) },
				func(b []byte) ([]byte, error) { return bot.ResizeWidth(bytes.NewReader(b), 960) },
			} {
				out, err := resize(sidewaysJPEG(t, tc.exif))
				if err != nil {
					t.Fatal(err)
				}
				img, err := jpeg.Decode(bytes.NewReader(out))
				if err != nil {
					t.Fatal(err)
				}
				if b := img.Bounds(); b.Dx() != tc.w || b.Dy() != tc.h {
					t.Fatalf("%dx%d, want %dx%d", b.Dx(), b.Dy(), tc.w, tc.h)
				}
				first, last := img.At(2, 2), img.At(tc.w-3, tc.h-3)
				if !near(first, tc.first) || !near(last, tc.last) {
					t.Errorf("corners %v and %v, want %v and %v", first, last, tc.first, tc.last)
				}
			}
		})
	}
}

// sidewaysJPEG is a 40×20 JPEG, its left half red and its right half
// blue, with exif (an APP1 segment) after its start marker.
func sidewaysJPEG(t *testing.T, exif []byte) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for y := range 20 {
		for x := range 40 {
			c := color.RGBA{R: 255, A: 255}
			if x >= 20 {
				c = color.RGBA{B: 255, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	return append(append(append([]byte{}, raw[:2]...), exif...), raw[2:]...)
}

// exifOrientation is an APP1 segment holding one IFD with the orientation
// tag, in byte order bo, as cameras write it.
func exifOrientation(bo binary.AppendByteOrder, o uint16) []byte {
	tiff := []byte("II")
	if bo == binary.AppendByteOrder(binary.BigEndian) {
		tiff = []byte("MM")
	}
	tiff = bo.AppendUint16(tiff, 42)
	tiff = bo.AppendUint32(tiff, 8)
	tiff = bo.AppendUint16(tiff, 1) // one entry
	tiff = bo.AppendUint16(tiff, 0x0112)
	tiff = bo.AppendUint16(tiff, 3) // SHORT
	tiff = bo.AppendUint32(tiff, 1)
	tiff = bo.AppendUint16(tiff, o)
	tiff = bo.AppendUint16(tiff, 0)
	tiff = bo.AppendUint32(tiff, 0) // no next IFD
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(payload)+2))
	return append(seg, payload...)
}

// near: JPEG shifts colours a little.
func near(c color.Color, want color.RGBA) bool {
	r, g, b, _ := c.RGBA()
	d := func(a uint32, w uint8) bool { return int(a>>8)-int(w) < 40 && int(w)-int(a>>8) < 40 }
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}

// The orientation reader takes any bytes: a photo from anyone.
func FuzzOrientation(f *testing.F) {
	f.Add(append([]byte{0xFF, 0xD8}, exifOrientation(binary.LittleEndian, 6)...))
	f.Add(append([]byte{0xFF, 0xD8}, exifOrientation(binary.BigEndian, 8)...))
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x02})
	f.Fuzz(func(t *testing.T, raw []byte) {
		if o := bot.Orientation(raw); o < 1 || o > 8 {
			t.Errorf("orientation %d", o)
		}
	})
}
