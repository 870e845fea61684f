package flows

// FormSteps lists the rows of every form, actions included, for tests.
func FormSteps() []Step {
	var steps []Step
	for _, f := range newSell(Deps{}).form.Rows {
		steps = append(steps, f.Step)
	}
	for _, f := range newProfile(Deps{}).form.Rows {
		steps = append(steps, f.Step)
	}
	for _, f := range newOrder(Deps{}).form.Rows {
		steps = append(steps, f.Step)
	}
	for _, f := range newBroadcast(Deps{}).form.Rows {
		steps = append(steps, f.Step)
	}
	for _, f := range newFarmers(Deps{}).form.Rows {
		steps = append(steps, f.Step)
	}
	for _, f := range newBroadcastStop(Deps{}).form.Rows {
		steps = append(steps, f.Step)
	}
	return steps
}

// TypedAction reads a typed command, for tests.
func TypedAction(in Input) (kind, action, code string, ok bool) { return typedAction(in) }

// FollowBatch is how many follow notices one transaction hands over.
const FollowBatch = followBatch

// DigestShown is how many listings a follower's morning digest names.
const DigestShown = digestShown

// AreasIn reads areas as /dangky and "theo dõi na Chi Lăng" read them, for
// tests: their tags (none: every area) and what names no area.
func AreasIn(texts Texts, text string) (tags []string, unknown string) {
	return areasIn(&Conv{texts: texts}, text)
}
