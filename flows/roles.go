package flows

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/nongsan-bot/nongsan/flows/vn"
)

// Roles granted by invitation: /themmod (a global moderator picks the role
// and gets a one-time code, with a link where the channel has deep links);
// the invited person opens the link or types "nhận QT-7K2Q9M"; /xoamod
// takes a granted role back. Every step is authorised when carried out.
const (
	themmodRole   Step = "role"
	xoamodPick    Step = "pick"
	xoamodConfirm Step = "confirm"
)

// InviteFor is how long an invite code can be used.
const InviteFor = 48 * time.Hour

// inviteLimits are the caps on guessing codes.
var inviteLimits = InviteLimits{Window: InviteDay, Tries: InviteTriesPerDay}

// inviteCode reads an invite: "/start qt_7K2Q9M" from its link, or
// "nhận QT-7K2Q9M" (or the code alone) typed.
var invitePattern = regexp.MustCompile(`^(?:nhan )?(qt|ht)[ _-]?([0-9a-z]{6})$`)

func inviteCode(in Input) (string, bool) {
	text := vn.Fold(in.Text)
	switch {
	case in.Command == "start":
		text = vn.Fold(in.Arg)
	case in.Kind != KindText || in.Command != "":
		return "", false
	}
	m := invitePattern.FindStringSubmatch(strings.TrimSpace(text))
	if m == nil {
		return "", false
	}
	return strings.ToUpper(m[1]) + "-" + strings.ToUpper(m[2]), true
}

type roles struct{ deps Deps }

func (f *roles) moderator(ctx context.Context, c *Conv) (bool, error) {
	return onlyModerators(ctx, f.deps, c, "roles.refused")
}

func themmodFlow(d Deps) *Flow {
	f := &roles{deps: d}
	return &Flow{Name: "themmod", Start: f.startThemmod, Steps: map[Step]StepDef{
		themmodRole: {Prompt: f.askRole, Handle: f.onRole},
	}}
}

func (f *roles) startThemmod(ctx context.Context, c *Conv, _ Input) (Step, error) {
	if ok, err := f.moderator(ctx, c); !ok || err != nil {
		return Done, err
	}
	return themmodRole, nil
}

func (f *roles) askRole(c *Conv) {
	c.Ask(M("roles.pick_role"),
		[]Choice{{Label: M("roles.role_moderator"), Value: "role:" + RoleModerator, Words: []string{"quan tri", "quan tri vien", "moderator"}}},
		[]Choice{{Label: M("roles.role_helper"), Value: "role:" + RoleHelper, Words: []string{"ho tro", "nguoi ho tro", "helper"}}})
}

func (f *roles) onRole(ctx context.Context, c *Conv, in Input) (Step, error) {
	role, ok := strings.CutPrefix(in.Text, "role:")
	if in.Kind != KindChoice || !ok || (role != RoleModerator && role != RoleHelper) {
		return Unclear, nil
	}
	if ok, err := f.moderator(ctx, c); !ok || err != nil {
		return Done, err
	}
	inv := Invite{Role: role, CreatedBy: c.User.ID, Expires: c.Now.Add(InviteFor)}
	if err := f.deps.Invites.CreateInvite(ctx, &inv, updateSource(c.In)); err != nil {
		return "", err
	}
	c.Ask(M("roles.invite", "Code", inv.Code, "Role", c.T(M(roleMsgs[role])), // the role in words, not its button
		"Expires", c.F().At(inv.Expires)),
		[]Choice{{Label: M("roles.invite_link"), Do: &Action{Kind: ActInvite, Code: inv.Code}}})
	return Done, nil
}

// inviteFlow grants an invite's role to whoever uses its code first, and
// tells whoever made it.
func inviteFlow(d Deps) *Flow {
	f := &roles{deps: d}
	return &Flow{Name: "invite", Start: f.useInvite}
}

func (f *roles) useInvite(ctx context.Context, c *Conv, in Input) (Step, error) {
	code, _ := inviteCode(in)
	notices := func(inv Invite) []Reply {
		chat, lang, err := f.deps.UserChats.ChatOf(ctx, inv.CreatedBy)
		if err != nil {
			return nil // the granter is told when they can be; the role is granted anyway
		}
		return []Reply{{To: chat, Lang: lang, Text: M("roles.invite_used", "Name", c.User.Name, "Code", code,
			"Role", c.texts.Text(lang, M(roleMsgs[inv.Role])))}}
	}
	use := InviteUse{Code: code, User: c.User.ID, At: c.Now, Source: linkSource(c.In)}
	if c.User.Linked {
		use.Linked = ChatRef{Channel: c.User.Channel, ChatID: c.User.PlatformID}
	}
	inv, err := f.deps.Invites.UseInvite(ctx, use,
		inviteLimits, notices)
	var blocked *InviteBlockedError
	switch {
	case errors.As(err, &blocked):
		c.Say(M("roles.invite_blocked", "Hours", hoursUntil(c.Now, blocked.Next)))
	case errors.Is(err, ErrNotFound):
		c.Say(M("roles.invite_unknown", "Code", code))
	case errors.Is(err, ErrInviteUsed):
		c.Say(M("roles.invite_used_before", "Code", code))
	case errors.Is(err, ErrInviteExpired):
		c.Say(M("roles.invite_expired", "Code", code))
	case errors.Is(err, ErrInviteVoid):
		c.Say(M("roles.invite_void", "Code", code))
	case err != nil:
		return "", err
	default:
		granted := "roles.granted_" + inv.Role
		c.Say(M(granted))
	}
	return Done, nil
}

type xoamodDraft struct {
	UserID int64  `json:"user_id"`
	Role   string `json:"role"`
	Name   string `json:"name"`
	// List is where the moderator is in the list to pick from.
	List peopleList `json:"list,omitzero"`
}

// xoamodFlow lists the granted roles, a page at a time or those matching a
// name or phone number typed; the one picked is taken back once confirmed,
// and its holder told. MODERATORS' moderators are not listed: only the
// server's configuration changes them.
func xoamodFlow(d Deps) *Flow {
	f := &roles{deps: d}
	return &Flow{Name: "xoamod", Start: f.startXoamod, Steps: map[Step]StepDef{
		xoamodPick:    {Prompt: f.askRevoke, Handle: f.onRevokePick},
		xoamodConfirm: {Prompt: f.askRevokeConfirm, Handle: f.onRevokeConfirm},
	}}
}

func (f *roles) startXoamod(ctx context.Context, c *Conv, _ Input) (Step, error) {
	if ok, err := f.moderator(ctx, c); !ok || err != nil {
		return Done, err
	}
	_, n, err := f.deps.Invites.GrantedRoles(ctx, PeopleQuery{})
	if err != nil {
		return "", err
	}
	if n.All == 0 {
		c.Say(M("roles.none_granted"))
		return Done, nil
	}
	return xoamodPick, nil
}

func (f *roles) askRevoke(c *Conv) {
	var d xoamodDraft
	if err := c.Draft(&d); err != nil {
		c.Fail(err)
		return
	}
	granted, n, err := f.deps.Invites.GrantedRoles(c.Context(), d.List.query())
	if err != nil {
		c.Fail(err)
		return
	}
	people := make([]Choice, len(granted))
	for i, g := range granted {
		people[i] = Choice{Label: M("roles.granted_item", "Name", g.Name, "Role", c.T(M("roles.role_"+g.Role))),
			Value: "rv:" + g.Role + ":" + strconv.FormatInt(g.UserID, 10)} // no name: callback data holds 64 bytes
	}
	rows, data := d.List.show(people, n)
	c.Ask(M("roles.revoke_pick", data...), rows...)
}

func (f *roles) onRevokePick(ctx context.Context, c *Conv, in Input) (Step, error) {
	var d xoamodDraft
	if err := c.Draft(&d); err != nil {
		return "", err
	}
	if d.List.take(in) { // another page, or a search
		if err := c.SetDraft(d); err != nil {
			return "", err
		}
		f.askRevoke(c) // the same step: the router asks nothing again
		return xoamodPick, nil
	}
	rest, ok := strings.CutPrefix(in.Text, "rv:")
	role, id, _ := strings.Cut(rest, ":")
	user, err := strconv.ParseInt(id, 10, 64)
	if in.Kind != KindChoice || !ok || err != nil {
		return Unclear, nil
	}
	g, err := f.deps.Invites.GrantedRole(ctx, user, role)
	if errors.Is(err, ErrNotFound) {
		c.Say(M("roles.revoke_gone"))
		return Done, nil
	}
	if err != nil {
		return "", err
	}
	return xoamodConfirm, c.SetDraft(xoamodDraft{UserID: user, Role: role, Name: g.Name})
}

func (f *roles) askRevokeConfirm(c *Conv) {
	var d xoamodDraft
	if err := c.Draft(&d); err != nil {
		c.Fail(err)
		return
	}
	c.Ask(M("roles.revoke_confirm", "Name", d.Name, "Role", c.T(M("roles.role_"+d.Role))),
		[]Choice{{Label: M("roles.do_revoke"), Value: "rv:yes", Words: []string{"dong y", "ok", "co"}}},
		[]Choice{{Label: M("moderation.keep"), Value: "rv:no", Words: []string{"khong"}}})
}

func (f *roles) onRevokeConfirm(ctx context.Context, c *Conv, in Input) (Step, error) {
	if in.Kind != KindChoice || (in.Text != "rv:yes" && in.Text != "rv:no") {
		return Unclear, nil
	}
	if in.Text == "rv:no" {
		c.Say(M("cancel.done"))
		return Done, nil
	}
	if ok, err := f.moderator(ctx, c); !ok || err != nil {
		return Done, err
	}
	var d xoamodDraft
	if err := c.Draft(&d); err != nil {
		return "", err
	}
	var notices []Reply
	chat, lang, err := f.deps.UserChats.ChatOf(ctx, d.UserID)
	switch {
	case err == nil:
		notices = append(notices, Reply{To: chat, Lang: lang, Text: M("roles.revoked_user",
			"Role", c.texts.Text(lang, M("roles.role_"+d.Role)))})
	case !errors.Is(err, ErrNotFound):
		return "", err
	}
	err = f.deps.Invites.Revoke(ctx, d.UserID, d.Role, updateSource(c.In), notices...)
	if errors.Is(err, ErrStale) {
		c.Say(M("roles.not_granted", "Name", d.Name))
		return Done, nil
	}
	if err != nil {
		return "", err
	}
	c.Say(M("roles.revoked", "Name", d.Name, "Role", c.T(M("roles.role_"+d.Role))))
	if d.Role == RoleModerator {
		if still, err := f.deps.Roles.IsModerator(ctx, d.UserID); err == nil && still {
			c.Say(M("roles.still_configured", "Name", d.Name))
		}
	}
	return Done, nil
}
