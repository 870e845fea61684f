package bot

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/rs/zerolog"

	"github.com/nongsan-bot/nongsan/flows"
)

// Caps are what a channel shows natively. The renderer makes up for the
// rest, so that flows never ask which channel they speak to.
type Caps struct {
	Buttons       bool // choices as buttons under a message (else a numbered list)
	Edits         bool // a sent message can be changed (else a short note follows)
	Albums        bool // several photos in one message (else one message each)
	AlbumCaptions bool // an album carries a caption (else the text follows it)
	DeepLinks     bool // a link opens the private chat with a payload (Adapter.DeepLink)
	MenuKeyboard  bool // a main menu that stays on screen (else a one-line hint)
	// PhotoURLs: photos are sent by URL only (Zalo), never by a reference
	// the platform keeps.
	PhotoURLs bool
	// PhotoUploads: images can be uploaded (a payment QR is drawn and sent
	// as a file). A channel with neither this nor PhotoURLs cannot show a
	// QR, and texts say so ({{if .NoQR}}).
	PhotoUploads bool
	// Documents: files can be sent (else the reply's Document.Link is shown).
	Documents bool
	// Limits, counted in UTF-16 code units (as Telegram does; never fewer
	// than characters, so safe for platforms that count characters).
	MaxText    int
	MaxCaption int
	// BotName is the name users must find the bot by to message it, where
	// it is not "Nông Sản Bot" and no button or link opens the chat (Zalo:
	// ZALO_BOT_NAME): texts say it with {{.BotName}}.
	BotName string
	// BotLink is an https address that opens the private chat with the
	// bot (Zalo: ZALO_BOT_LINK, e.g. https://zalo.me/…), where no button
	// or deep link does: texts that send users there give it with
	// {{.BotLink}}. "" where unknown.
	BotLink string
}

// Out is one platform message, rendered: localised, within the limits, and
// using only what the channel can show.
type Out struct {
	To      flows.ChatRef
	Text    string     // the text, or the caption of Photos or QR
	Buttons [][]Button // only on channels with Buttons
	// Photos are one photo, or an album on channels with Albums: each the
	// platform's own reference, or an http(s) URL to fetch it from.
	Photos []string
	QR     string // a payment payload to show as a scannable image
	// Document is a file to send, with Text as its caption (Caps.Documents).
	Document *flows.Document
	// Contact is the label of the platform's "share my phone number"
	// button, when asking for it.
	Contact string
	// Keyboard is the main menu to keep on screen (Caps.MenuKeyboard).
	Keyboard [][]string
	// ClearKeyboard removes a contact request's keyboard.
	ClearKeyboard bool
	// Edit is the message to change instead of sending a new one.
	Edit string
}

// Button is a rendered choice: it sends Data back, or opens URL.
type Button struct {
	Label string
	Data  string
	URL   string
}

// Adapter is a chat platform: it parses updates, sends rendered messages,
// and serves its own HTTP routes. It holds no business rules.
type Adapter interface {
	Name() flows.Channel
	Caps() Caps
	// Parse reads a webhook body. ok is false for updates the bot ignores;
	// err means the body is not an update at all.
	Parse(body []byte) (in flows.Input, ok bool, err error)
	// Post sends one message. Errors are *RetryAfterError,
	// *UndeliverableError or, for anything worth retrying, any other error.
	Post(ctx context.Context, o Out) (flows.Sent, error)
	// Ack acknowledges an input where the platform expects it (a pressed
	// button stops spinning).
	Ack(ctx context.Context, in flows.Input) error
	// Mount adds the channel's routes to mux; webhook makes the handler of
	// a webhook whose secret comes in header.
	Mount(mux *http.ServeMux, webhook func(header, secret string) http.Handler)
	// DeepLink is a link into the private chat carrying payload, for
	// channels with Caps.DeepLinks.
	DeepLink(payload string) string
}

// Rendered is an adapter behind the renderer: the Channel the engine uses.
type Rendered struct {
	Adapter
	Texts flows.Texts
	// Menu is the main menu, for channels that keep it on screen.
	Menu [][]flows.Choice
	// MediaURL is where photos are served to other channels:
	// PUBLIC_BASE_URL + "/media/"; a photo's id follows.
	MediaURL string
	// QRURL is where payment QRs are drawn for channels that take photos
	// by URL only: PUBLIC_BASE_URL + QRPath; QRCodes mints their codes
	// (nil, or QRURL "": no QR by URL).
	QRURL   string
	QRCodes *QRCodes
	// PagesURL is where the web pages are (PUBLIC_BASE_URL): buttons
	// linking there are left out where the platform refuses them.
	PagesURL string
	// Photos records the platform's own reference for a photo the adapter
	// had to upload (Sent.Uploaded), so that later sends reuse it (nil:
	// each send uploads again). Failing to is only logged.
	Photos PhotoRefs
	Log    zerolog.Logger

	uploads uploads // the photos a send of this replica is uploading
}

// PhotoRefs keeps the photos' references (bot/postgres).
type PhotoRefs interface {
	// ReusePhoto makes the photo was, wherever it is kept (a listing, an
	// announcement, /media), the same photo by the reference now.
	ReusePhoto(ctx context.Context, was, now flows.PhotoRef) error
	// PhotoNow is the reference the photo goes by now: the one ReusePhoto
	// recorded, else its own.
	PhotoNow(ctx context.Context, p flows.PhotoRef) (string, error)
}

// Uploader is an adapter that uploads some photos it is given by its own
// reference (Telegram: a photo sent as a file, downloaded and uploaded as
// a photo); Uploads tells which. The renderer has each uploaded once.
type Uploader interface {
	Uploads(ref string) bool
}

var (
	_ Channel     = (*Rendered)(nil)
	_ AdminLister = (*Rendered)(nil)
	_ Typer       = (*Rendered)(nil)
)

// Render puts a renderer in front of an adapter.
func Render(a Adapter, texts flows.Texts) *Rendered {
	return &Rendered{Adapter: a, Texts: texts, Menu: flows.MainMenu()}
}

// KnowsAdmins tells whether the platform can say who administers a group.
func (r *Rendered) KnowsAdmins() bool {
	_, ok := r.Adapter.(AdminLister)
	return ok
}

// Admins asks the adapter when it can tell; otherwise nobody is.
func (r *Rendered) Admins(ctx context.Context, chatID string) ([]string, error) {
	if c, ok := r.Adapter.(AdminLister); ok {
		return c.Admins(ctx, chatID)
	}
	return nil, nil
}

// Pin pins a message where the adapter can; elsewhere ok is false.
func (r *Rendered) Pin(ctx context.Context, chat flows.ChatRef, messageID string) (ok bool, err error) {
	if p, can := r.Adapter.(Pinner); can {
		return true, p.Pin(ctx, chat, messageID)
	}
	return false, nil
}

// Parts is how many platform messages reply takes on this channel.
func (r *Rendered) Parts(reply flows.Reply) int {
	outs, _ := r.render(reply)
	return len(outs)
}

// Typing shows "typing…" where the adapter can; elsewhere it does nothing.
func (r *Rendered) Typing(ctx context.Context, chatID string) error {
	if t, ok := r.Adapter.(Typer); ok {
		return t.Typing(ctx, chatID)
	}
	return nil
}

// Send renders a reply into the channel's messages and sends them in order.
// The first message's ids make Sent.MessageIDs; a message of its own that
// carries the choices after photos is Sent.FooterID. When a message fails
// after others went, the error is a *PartialError saying what went; sent
// again with that as Reply.Done, the reply goes on from there.
func (r *Rendered) Send(ctx context.Context, reply flows.Reply) (flows.Sent, error) {
	if reply.Edit == nil { // an edit uploads nothing
		done, err := r.uploadOnce(ctx, &reply)
		if err != nil {
			return flows.Sent{}, err
		}
		defer done()
	}
	outs, footer := r.render(reply)
	var sent flows.Sent
	switch {
	case reply.Done != nil:
		sent = *reply.Done
	case reply.Edit != nil:
		sent = flows.Sent{MessageIDs: []string{reply.Edit.MessageID}, FooterID: reply.Edit.FooterID}
	}
	for i := sent.Parts; i < len(outs); i++ {
		s, err := r.post(ctx, outs[i])
		if err != nil {
			err = fmt.Errorf("%s message %d of %d: %w", r.Name(), i+1, len(outs), err)
			if sent.Parts > 0 {
				return sent, &PartialError{Sent: sent, Err: err}
			}
			return sent, err
		}
		sent.Parts = i + 1
		sent.NoPhotos = sent.NoPhotos || s.NoPhotos
		r.reuse(ctx, reply.Photos, s.Uploaded)
		switch {
		case reply.Edit != nil:
		case i == 0:
			sent.MessageIDs, sent.Link = s.MessageIDs, s.Link
		case i == footer:
			sent.FooterID = firstID(s.MessageIDs)
		}
	}
	return sent, nil
}

// post sends one message. One with a button linking to our web pages,
// which the platform refuses for good (Telegram takes no link to a local
// PUBLIC_BASE_URL), goes without that button. One showing a photo of
// another channel by our link, which the platform refuses for good (it
// could not fetch the link: PUBLIC_BASE_URL unreachable, the original
// gone), goes without its photos rather than not at all, and says so
// (Sent.NoPhotos); a photo alone is then left out.
func (r *Rendered) post(ctx context.Context, o Out) (flows.Sent, error) {
	s, err := r.Post(ctx, o)
	if _, moved := Moved(err); err == nil || !IsUndeliverable(err) || moved {
		return s, err // a chat that moved refuses everything: the engine follows it
	}
	if buttons, ok := r.withoutPageLinks(o.Buttons); ok {
		o.Buttons = buttons
		if s, err = r.Post(ctx, o); err == nil || !IsUndeliverable(err) {
			return s, err
		}
	}
	if o.Edit != "" || !r.linksMedia(o.Photos) {
		return s, err
	}
	o.Photos = nil
	if o.Text == "" && o.QR == "" {
		return flows.Sent{NoPhotos: true}, nil
	}
	s, err = r.Post(ctx, o)
	s.NoPhotos = true
	return s, err
}

// reuse records the references the platform gave photos of tokens (the
// reply's) that it had to upload, by their own channel's reference.
func (r *Rendered) reuse(ctx context.Context, tokens []string, uploaded map[string]string) {
	if r.Photos == nil || len(uploaded) == 0 {
		return
	}
	// The send went: its deadline may be near, the record is quick.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), reuseTimeout)
	defer cancel()
	for _, token := range tokens {
		p, err := flows.ParsePhotoRef(token)
		now, ok := uploaded[p.Ref]
		if err != nil || !ok || p.ID == "" || p.Channel != r.Name() {
			continue // without an id, it is kept nowhere but in the reply
		}
		if err := r.Photos.ReusePhoto(ctx, p, flows.PhotoRef{ID: p.ID, Channel: p.Channel, Ref: now}); err != nil {
			r.Log.Warn().Err(err).Str("photo", p.ID).Msg("reuse uploaded photo")
		}
	}
}

// reuseTimeout bounds recording an uploaded photo's new reference.
const reuseTimeout = 5 * time.Second

// uploadOnce readies the photos of reply that the adapter would upload (a
// Telegram photo sent as a file) so that each is uploaded once: one whose
// upload is recorded goes by the reference it got (the reply may have been
// written before: a group post waiting in the outbox, a draft); one that
// a send of this replica is uploading is waited for, then goes so too;
// any other is this send's to upload, and done ends its turn once the
// send is over and its reference recorded. Replicas do not wait for each
// other: each may upload a photo once, at worst. A reference that cannot
// be looked up leaves the photo as it is (uploaded again).
func (r *Rendered) uploadOnce(ctx context.Context, reply *flows.Reply) (done func(), err error) {
	up, ok := r.Adapter.(Uploader)
	if !ok || r.Photos == nil || len(reply.Photos) == 0 {
		return func() {}, nil
	}
	photos := slices.Clone(reply.Photos) // the caller's reply stays as it was
	reply.Photos = photos
	var refs []flows.PhotoRef // of the photos the adapter would upload, by index
	var ids []string
	for _, token := range photos {
		p, err := flows.ParsePhotoRef(token)
		if err != nil || p.ID == "" || p.Channel != r.Name() || !up.Uploads(p.Ref) {
			refs = append(refs, flows.PhotoRef{})
			continue
		}
		refs, ids = append(refs, p), append(ids, p.ID)
	}
	// Claimed first, looked up after: a send that uploaded one of them
	// meanwhile has recorded what it got before it let go (Send's done).
	for {
		done, wait := r.uploads.claim(ids)
		if wait == nil {
			if r.uploaded(ctx, up, refs, photos) {
				return done, nil
			}
			done() // nothing left to upload: other sends need not wait for this one
			return func() {}, nil
		}
		select {
		case <-wait: // its upload is over: claim again
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for a photo's upload: %w", ctx.Err())
		}
	}
}

// uploaded has each photo of refs whose upload is recorded go by the
// reference it got, and tells whether any is left to upload.
func (r *Rendered) uploaded(ctx context.Context, up Uploader, refs []flows.PhotoRef, photos []string) (left bool) {
	for i, p := range refs {
		if p.ID == "" {
			continue
		}
		now, err := r.Photos.PhotoNow(ctx, p)
		switch {
		case err != nil:
			r.Log.Warn().Err(err).Str("photo", p.ID).Msg("uploaded photo's reference")
			left = true
		case now != p.Ref && !up.Uploads(now):
			photos[i] = flows.PhotoRef{ID: p.ID, Channel: p.Channel, Ref: now}.String()
			r.catchUp(ctx, p, now)
		default:
			left = true
		}
	}
	return left
}

// catchUp records again that photo p goes by now, for the listing or
// announcement whose reply still named it by its old reference: replies
// written from it later go by now, without a lookup.
func (r *Rendered) catchUp(ctx context.Context, p flows.PhotoRef, now string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), reuseTimeout)
	defer cancel()
	if err := r.Photos.ReusePhoto(ctx, p, flows.PhotoRef{ID: p.ID, Channel: p.Channel, Ref: now}); err != nil {
		r.Log.Warn().Err(err).Str("photo", p.ID).Msg("reuse uploaded photo")
	}
}

// uploads are the photos (by id) that sends of this replica are uploading,
// each with a channel closed when its send is over.
type uploads struct {
	mu   sync.Mutex
	busy map[string]chan struct{}
}

// claim makes the caller the one send uploading all of ids, and done ends
// that; or, when another send is uploading one of them, claims none and
// returns what to wait for before looking again. All or none: two sends of
// photos a and b wait for each other never.
func (u *uploads) claim(ids []string) (done func(), wait <-chan struct{}) {
	if len(ids) == 0 {
		return func() {}, nil
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, id := range ids {
		if ch, ok := u.busy[id]; ok {
			return nil, ch
		}
	}
	if u.busy == nil {
		u.busy = map[string]chan struct{}{}
	}
	over := make(chan struct{})
	for _, id := range ids {
		u.busy[id] = over
	}
	return func() {
		u.mu.Lock()
		defer u.mu.Unlock()
		for _, id := range ids {
			if u.busy[id] == over {
				delete(u.busy, id)
			}
		}
		close(over)
	}, nil
}

// withoutPageLinks are buttons without those linking to our web pages;
// false when there were none.
func (r *Rendered) withoutPageLinks(buttons [][]Button) ([][]Button, bool) {
	if r.PagesURL == "" {
		return buttons, false
	}
	var out [][]Button
	found := false
	for _, row := range buttons {
		var kept []Button
		for _, b := range row {
			if b.URL != "" && strings.HasPrefix(b.URL, r.PagesURL) {
				found = true
				continue
			}
			kept = append(kept, b)
		}
		if len(kept) > 0 {
			out = append(out, kept)
		}
	}
	return out, found
}

// linksMedia tells whether photos show one by our /media or /qr link.
func (r *Rendered) linksMedia(photos []string) bool {
	for _, p := range photos {
		if r.MediaURL != "" && strings.HasPrefix(p, r.MediaURL) || r.QRURL != "" && strings.HasPrefix(p, r.QRURL) {
			return true
		}
	}
	return false
}

// PartialError is a reply that stopped halfway: Sent went, Err stopped the
// rest. It unwraps to Err, so it is retried or dropped as Err is.
type PartialError struct {
	Sent flows.Sent
	Err  error
}

func (e *PartialError) Error() string {
	return fmt.Sprintf("sent %d message(s), then: %v", e.Sent.Parts, e.Err)
}

func (e *PartialError) Unwrap() error { return e.Err }

func firstID(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}

// render turns a reply into messages; footer is the index of the message of
// its own that carries the choices after photos, or -1.
func (r *Rendered) render(reply flows.Reply) (outs []Out, footer int) {
	caps := r.Caps()
	t := func(m flows.Msg) string { return r.Texts.Text(reply.Lang, r.withAdmins(withCaps(m, caps))) }
	if reply.Edit != nil {
		reply.Photos = r.photos(reply.Photos, caps)
		return r.renderEdit(reply, caps, t), -1
	}
	reply.Photos = r.photos(reply.Photos, caps)
	buttons, lines := r.choices(reply, caps, t)
	if reply.Menu && !caps.MenuKeyboard {
		lines = append(lines, t(flows.M("render.menu_hint")))
	}
	main := Out{To: reply.To, Photos: reply.Photos, QR: reply.QR}
	if reply.QR != "" && caps.PhotoURLs && r.QRURL != "" && r.QRCodes != nil && len(reply.Photos) == 0 {
		// The QR is a photo the platform fetches from us.
		main.Photos, main.QR = []string{r.QRURL + r.QRCodes.Code(reply.QR) + ".png"}, ""
	}
	text := t(typedText(reply, caps))
	footer = -1
	if d := reply.Document; d != nil && caps.Documents {
		// The file first, captioned; what does not fit follows it.
		main.Document = d
		main.Text, text = cut(text, caps.MaxCaption)
		if rest := joinText(text, strings.Join(lines, "\n")); rest != "" {
			return append([]Out{main}, r.carry(reply, caps, rest, buttons)...), -1
		}
		return []Out{r.finish(reply, caps, main, buttons)}, -1
	}
	if d := reply.Document; d != nil && !caps.Documents {
		text = joinText(text, t(d.Link)) // where to download it
	}
	switch {
	case len(reply.Photos) > 1 && caps.Albums:
		main.Photos = reply.Photos[:min(len(reply.Photos), 10)]
		rest := text
		if caps.AlbumCaptions {
			main.Text, rest = cut(text, caps.MaxCaption)
		}
		outs = append(outs, main)
		// An album carries no buttons: they follow with the footer.
		carrier := joinText(rest, footerText(reply, t))
		more := r.carry(reply, caps, joinText(carrier, strings.Join(lines, "\n")), buttons)
		if len(more) == 0 {
			return outs, -1
		}
		return append(outs, more...), len(outs) + len(more) - 1 // the last carries the buttons
	case len(reply.Photos) > 1:
		// One message per photo, the caption and the choices on the last.
		for _, p := range reply.Photos[:min(len(reply.Photos), 10)] {
			outs = append(outs, Out{To: reply.To, Photos: []string{p}})
		}
		main = outs[len(outs)-1]
		outs = outs[:len(outs)-1]
	}
	if len(main.Photos) > 0 || main.QR != "" {
		body := joinText(text, strings.Join(lines, "\n"))
		main.Text, body = cut(body, caps.MaxCaption)
		if body == "" {
			return append(outs, r.finish(reply, caps, main, buttons)), footer
		}
		outs = append(outs, main)
		carried := r.carry(reply, caps, body, buttons)
		if len(buttons) > 0 && len(carried) > 0 {
			footer = len(outs) + len(carried) - 1 // the caption overflowed: its buttons moved here
		}
		return append(outs, carried...), footer
	}
	return append(outs, r.carry(reply, caps, joinText(text, strings.Join(lines, "\n")), buttons)...), footer
}

// photos are how the channel shows stored photos (PhotoRef tokens): a
// photo from this channel by the platform's own reference, any other by
// its public URL. Channels that take URLs only get the URL of every photo,
// even their own: ours keeps working once the platform's (a Zalo CDN link)
// expires, and the server fetches the original while it is not kept yet.
// A photo without an id has no public URL: elsewhere than on its channel it
// is left out, rather than sent as a reference the platform refuses.
func (r *Rendered) photos(tokens []string, caps Caps) []string {
	var out []string
	for _, token := range tokens {
		p, err := flows.ParsePhotoRef(token)
		switch {
		case err != nil:
		case p.Channel == r.Name() && !caps.PhotoURLs:
			out = append(out, p.Ref)
		case p.ID != "" && r.MediaURL != "":
			out = append(out, r.MediaURL+p.ID)
		case p.Channel == r.Name() && isURL(p.Ref):
			out = append(out, p.Ref)
		}
	}
	return out
}

func isURL(s string) bool { return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") }

// carry splits text into messages under the limit; the last carries the
// buttons and keyboards. Without text or buttons there is nothing to carry.
func (r *Rendered) carry(reply flows.Reply, caps Caps, text string, buttons [][]Button) []Out {
	if text == "" && len(buttons) > 0 {
		text = r.Texts.Text(reply.Lang, withCaps(flows.M("render.choose"), caps)) // platforms refuse empty messages
	}
	outs := plain(reply.To, text, caps.MaxText)
	if len(outs) == 0 {
		return nil
	}
	outs[len(outs)-1] = r.finish(reply, caps, outs[len(outs)-1], buttons)
	return outs
}

// finish puts what goes under the last message: buttons, the contact
// request, or the main menu kept on screen.
func (r *Rendered) finish(reply flows.Reply, caps Caps, o Out, buttons [][]Button) Out {
	o.Buttons = buttons
	switch {
	case reply.AskContact && caps.Buttons:
		o.Contact = r.Texts.Text(reply.Lang, flows.M("contact.share"))
	case len(buttons) > 0:
	case caps.MenuKeyboard && (reply.Menu || reply.ClearKeyboard):
		// The menu replaces a contact request's keyboard, too.
		o.Keyboard = r.menu(reply.Lang)
	case reply.ClearKeyboard:
		o.ClearKeyboard = true
	}
	return o
}

func (r *Rendered) menu(lang string) [][]string {
	var rows [][]string
	for _, row := range r.Menu {
		var labels []string
		for _, c := range row {
			labels = append(labels, r.Texts.Text(lang, c.Label))
		}
		rows = append(rows, labels)
	}
	return rows
}

// choices renders a reply's choices as buttons, or, on channels without
// them, as lines: "1. label" with the number the router accepts, a link,
// or what to type in the private chat. Choices sent to another chat have
// no number there (nothing offered them in that chat): their typed form
// ("✅ Nhận đơn: nhắn NHẬN DH-7K2Q"), else they are listed, with where to
// find them.
func (r *Rendered) choices(reply flows.Reply, caps Caps, t func(flows.Msg) string) (buttons [][]Button, lines []string) {
	unnumbered := false
	for _, row := range reply.Choices {
		var bs []Button
		for _, c := range row {
			label := t(c.Label)
			switch {
			case c.Do != nil && !caps.DeepLinks:
				lines = append(lines, t(actionText(*c.Do)))
			case c.Do != nil && caps.Buttons:
				bs = append(bs, Button{Label: label, URL: r.DeepLink(c.Do.Payload())})
			case c.Do != nil:
				lines = append(lines, label+": "+r.DeepLink(c.Do.Payload()))
			case c.URL != "" && caps.Buttons:
				bs = append(bs, Button{Label: label, URL: c.URL})
			case c.URL != "":
				lines = append(lines, label+": "+c.URL)
			case caps.Buttons:
				bs = append(bs, Button{Label: label, Data: c.Value})
			case c.Number > 0:
				lines = append(lines, strconv.Itoa(c.Number)+". "+label)
			case c.Typed != nil:
				lines = append(lines, t(*c.Typed))
			default:
				lines, unnumbered = append(lines, "• "+label), true
			}
		}
		if len(bs) > 0 {
			buttons = append(buttons, bs)
		}
	}
	if unnumbered {
		lines = append(lines, t(flows.M("render.choices_later")))
	}
	return buttons, lines
}

// withCaps lets a text say what the channel offers: where it has no
// buttons, {{.Press}} is the verb for choosing from a numbered list rather
// than pressing a button (the texts resolve it), and {{if .NoButtons}} says
// what to type instead of naming a button; where it cannot show a payment
// QR, {{if .NoQR}} leaves out "scan this QR"; where users find the bot
// by another name, {{.BotName}} is it, and {{.BotLink}} opens the chat. Every text the renderer
// localises goes through it.
func withCaps(m flows.Msg, caps Caps) flows.Msg {
	noQR := !caps.PhotoUploads && !caps.PhotoURLs
	if caps.Buttons && !noQR && caps.BotName == "" && caps.BotLink == "" {
		return m
	}
	data := maps.Clone(m.Data)
	if data == nil {
		data = map[string]any{}
	}
	if !caps.Buttons {
		data["NoButtons"] = true
	}
	if noQR {
		data["NoQR"] = true
	}
	if caps.BotName != "" {
		data["BotName"] = caps.BotName
	}
	if caps.BotLink != "" {
		data["BotLink"] = caps.BotLink
	}
	m.Data = data
	return m
}

// withAdmins lets a text say, with {{if .NoAdmins}}, that the channel
// cannot tell who administers a group (Zalo), so that it sends nobody to
// a group command only a group admin could run there.
func (r *Rendered) withAdmins(m flows.Msg) flows.Msg {
	if r.KnowsAdmins() {
		return m
	}
	data := maps.Clone(m.Data)
	if data == nil {
		data = map[string]any{}
	}
	data["NoAdmins"] = true
	m.Data = data
	return m
}

// typedText is the reply's text, told with {{if .Typed}} when its choices
// print as what to type (choices has them as Choice.Typed lines, where they
// have no number): it then says what to send rather than what to choose.
func typedText(reply flows.Reply, caps Caps) flows.Msg {
	m := reply.Text
	if caps.Buttons {
		return m
	}
	for _, row := range reply.Choices {
		for _, c := range row {
			if c.Do == nil && c.URL == "" && c.Number == 0 && c.Typed != nil {
				data := maps.Clone(m.Data)
				if data == nil {
					data = map[string]any{}
				}
				data["Typed"] = true
				m.Data = data
				return m
			}
		}
	}
	return m
}

// actionText tells what to type in the private chat, where a deep link
// cannot take the user.
func actionText(a flows.Action) flows.Msg {
	switch a.Kind {
	case flows.ActOrder:
		if a.Quantity != "" { // the buyer said how much: say it again privately
			return flows.M("order_once.by_text", "Code", a.Code)
		}
		return flows.M("render.order_by_text", "Code", a.Code)
	case flows.ActListing:
		return flows.M("render.listing_by_text", "Code", a.Code)
	case flows.ActBroadcast:
		return flows.M("broadcast.by_text")
	case flows.ActInvite:
		return flows.M("roles.invite_by_text", "Code", a.Code)
	case flows.ActFollow:
		return flows.M("follow.by_text", "Code", a.Code, "Product", a.Product)
	}
	if a.Kind == flows.ActOpenChat && a.Code != "" { // a moderator's command typed in a group
		return flows.M("render.command_by_text", "Command", a.Code)
	}
	return flows.M("render.open_chat")
}

// renderEdit changes a message in place, or, where the channel cannot,
// sends the reply's short note.
func (r *Rendered) renderEdit(reply flows.Reply, caps Caps, t func(flows.Msg) string) []Out {
	e := reply.Edit
	if !caps.Edits {
		if e.Note == nil {
			return nil
		}
		return plain(reply.To, t(*e.Note), caps.MaxText)
	}
	buttons, _ := r.choices(reply, caps, t)
	var outs []Out
	if e.FooterID != "" && reply.Footer != nil {
		text, _ := cut(t(*reply.Footer), caps.MaxText)
		outs = append(outs, Out{To: reply.To, Edit: e.FooterID, Text: text, Buttons: buttons})
		buttons = nil
	}
	if e.MessageID != "" {
		limit := caps.MaxText
		if len(reply.Photos) > 0 {
			limit = caps.MaxCaption
		}
		text, _ := cut(t(reply.Text), limit)
		outs = append(outs, Out{To: reply.To, Edit: e.MessageID, Text: text, Photos: reply.Photos, Buttons: buttons})
	}
	return outs
}

// plain is text as messages under the limit.
func plain(to flows.ChatRef, text string, limit int) []Out {
	var outs []Out
	for _, part := range Split(text, limit) {
		outs = append(outs, Out{To: to, Text: part})
	}
	return outs
}

func footerText(reply flows.Reply, t func(flows.Msg) string) string {
	if reply.Footer == nil {
		return ""
	}
	return t(*reply.Footer)
}

// joinText puts b under a, with a blank line between when both are there.
func joinText(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n\n" + b
}

// cut returns the head of text that fits in limit (split at a boundary as
// Split does) and the rest.
func cut(text string, limit int) (head, rest string) {
	text = strings.TrimSpace(text) // as Split does, so that the head is a prefix
	parts := Split(text, limit)
	if len(parts) == 0 {
		return "", ""
	}
	return parts[0], strings.TrimSpace(strings.TrimPrefix(text, parts[0]))
}

// Split cuts text into parts of at most limit UTF-16 code units, at a line
// break if one falls in the second half of a part, else after a sentence,
// else at a space; a word longer than the limit is cut. limit <= 0 means
// no limit.
func Split(text string, limit int) []string {
	text = strings.TrimSpace(text)
	var parts []string
	for text != "" {
		if limit <= 0 || units(text) <= limit {
			return append(parts, text)
		}
		end := prefixWithin(text, limit)
		at := boundary(text[:end])
		parts = append(parts, strings.TrimSpace(text[:at]))
		text = strings.TrimSpace(text[at:])
	}
	return parts
}

// boundary is where to end a part taken from head: the last line break,
// else the last sentence end, else the last space, else all of head. A
// boundary in the first half is passed over for a later, weaker one.
func boundary(head string) int {
	half := len(head) / 2
	if i := strings.LastIndex(head, "\n"); i > half {
		return i + 1
	}
	for i := len(head) - 2; i > half; i-- {
		if strings.IndexByte(".!?", head[i]) >= 0 && head[i+1] == ' ' {
			return i + 1
		}
	}
	if i := strings.LastIndexAny(head, " \n"); i > 0 {
		return i + 1
	}
	return len(head)
}

// prefixWithin is the byte length of the longest prefix of s within limit
// UTF-16 code units, never splitting a character.
func prefixWithin(s string, limit int) int {
	n := 0
	for i, r := range s {
		n += utf16.RuneLen(r)
		if n > limit {
			return i
		}
	}
	return len(s)
}

func units(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
