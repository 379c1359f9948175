package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/roost-social/roost/store"
)

var mediaTests = []storeTest{
	{"CreateMedia", testCreateMedia},
	{"UpdateMedia", testUpdateMedia},
	{"PendingMedia", testPendingMedia},
	{"AttachMedia", testAttachMedia},
	{"InvalidMedia", testInvalidMedia},
	{"DeleteMedia", testDeleteMedia},
	{"UpdateStatusMedia", testUpdateStatusMedia},
	{"DeleteStatusDetachesMedia", testDeleteStatusDetachesMedia},
	{"UnattachedMedia", testUnattachedMedia},
	{"RemoteMedia", testRemoteMedia},
	{"HydrateMedia", testHydrateMedia},
	{"CachedFiles", testCachedFiles},
	{"AccountFiles", testAccountFiles},
	{"BlobKeys", testBlobKeys},
	{"PreviewCard", testPreviewCard},
}

// MustUpload stores a processed image upload of account, unattached, with
// files under media/<name>/.
func MustUpload(tb testing.TB, s store.Store, account *store.Account, name string) *store.Media {
	tb.Helper()
	m := &store.Media{
		AccountID:     account.ID,
		Type:          store.MediaImage,
		ContentType:   "image/png",
		FileKey:       "media/" + name + "/original.png",
		PreviewKey:    "media/" + name + "/small.png",
		FileSize:      1234,
		Description:   "picture " + name,
		Blurhash:      "LEHV6nWB2yk8pyo0adR*.7kCMdnj",
		Width:         640,
		Height:        480,
		PreviewWidth:  320,
		PreviewHeight: 240,
	}
	if err := s.CreateMedia(tb.Context(), m); err != nil {
		tb.Fatalf("create media %s: %v", name, err)
	}
	return m
}

// MustPostMedia creates a public local status of account carrying the
// uploads ids, in order.
func MustPostMedia(tb testing.TB, s store.Store, account *store.Account, text string, ids ...string) *store.Status {
	tb.Helper()
	return MustCreateStatus(tb, s, store.NewStatus{AccountID: account.ID, Text: text, Local: true, MediaIDs: ids})
}

// MediaIDs returns the IDs of attachments, in order.
func MediaIDs(list []*store.Media) []string {
	ids := make([]string, len(list))
	for i, m := range list {
		ids[i] = m.ID
	}
	return ids
}

// mustMedia re-reads an attachment.
func mustMedia(tb testing.TB, s store.Store, id string) *store.Media {
	tb.Helper()
	m, err := s.GetMedia(tb.Context(), id)
	if err != nil {
		tb.Fatalf("get media %s: %v", id, err)
	}
	return m
}

// sameMedia checks every field of an attachment but its times, which are
// compared as instants.
func sameMedia(tb testing.TB, got, want *store.Media, what string) {
	tb.Helper()
	if !got.CreatedAt.Equal(want.CreatedAt) {
		tb.Errorf("%s: CreatedAt = %v, want %v", what, got.CreatedAt, want.CreatedAt)
	}
	g, w := *got, *want
	g.CreatedAt, g.UpdatedAt, w.CreatedAt, w.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if g != w {
		tb.Errorf("%s = %+v\nwant %+v", what, g, w)
	}
}

// findStatus returns the status of list with id, nil when absent.
func findStatus(list []*store.Status, id string) *store.Status {
	for _, st := range list {
		if st.ID == id {
			return st
		}
	}
	return nil
}

// onlyMedia returns the IDs of the public statuses with media and of the
// account's statuses with media, newest first.
func onlyMedia(tb testing.TB, s store.Store, account *store.Account) (public, own []string) {
	tb.Helper()
	pub, err := s.PublicTimeline(tb.Context(), store.PublicFilter{OnlyMedia: true}, store.Page{})
	if err != nil {
		tb.Fatalf("public timeline, only media: %v", err)
	}
	acc, err := s.AccountStatuses(tb.Context(), "", account.ID, store.AccountStatusesFilter{OnlyMedia: true}, store.Page{})
	if err != nil {
		tb.Fatalf("statuses of %s, only media: %v", account.Username, err)
	}
	return StatusIDs(pub), StatusIDs(acc)
}

func testCreateMedia(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	m := &store.Media{
		AccountID:     alice.ID,
		Type:          store.MediaVideo,
		ContentType:   "video/mp4",
		FileKey:       "media/1/original.mp4",
		PreviewKey:    "media/1/small.jpg",
		FileSize:      1 << 20,
		Description:   "a cat falls off a table",
		Blurhash:      "LKO2?U%2Tw=w]~RBVZRi};RPxuwH",
		Width:         1920,
		Height:        1080,
		PreviewWidth:  400,
		PreviewHeight: 225,
		FocusX:        0.25,
		FocusY:        -0.5,
		Processing:    true,
		Error:         "not yet",
	}
	ok(t, s.CreateMedia(ctx, m), "create media")
	if !store.ValidID(m.ID) {
		t.Fatalf("media ID not assigned: %q", m.ID)
	}
	equal(t, m.StatusID, "", "StatusID of a new upload")
	utcMillis(t, m.CreatedAt, "CreatedAt")

	got := mustMedia(t, s, m.ID)
	sameMedia(t, got, m, "GetMedia")
	utcMillis(t, got.CreatedAt, "read CreatedAt")
	utcMillis(t, got.UpdatedAt, "read UpdatedAt")
	if got.Remote() {
		t.Error("an upload reports itself remote")
	}

	other := MustUpload(t, s, alice, "other")
	if other.ID == m.ID {
		t.Fatalf("two uploads share ID %s", m.ID)
	}
	equal(t, mustMedia(t, s, other.ID).Description, "picture other", "second upload's description")

	for _, id := range []string{store.NewID(time.Now()), "999", "garbage", ""} {
		_, err := s.GetMedia(ctx, id)
		isErr(t, err, store.ErrNotFound, fmt.Sprintf("GetMedia(%q)", id))
	}
}

func testUpdateMedia(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	m := &store.Media{AccountID: alice.ID, Type: store.MediaImage, ContentType: "image/heic",
		FileKey: "media/2/upload.heic", FileSize: 999, Processing: true}
	ok(t, s.CreateMedia(ctx, m), "create media")

	// The owner describes it while it processes.
	described := *m
	described.Description = "a lighthouse"
	described.FocusX, described.FocusY = -1, 0.75
	described.FileKey = "ignored/by/update"
	ok(t, s.UpdateMedia(ctx, &described), "update media")
	got := mustMedia(t, s, m.ID)
	equal(t, got.Description, "a lighthouse", "description after update")
	equal(t, got.FocusX, -1.0, "focus x after update")
	equal(t, got.FileKey, m.FileKey, "UpdateMedia leaves the files alone")

	// Processing finishes with the copy it read before: the description
	// stays.
	m.ContentType = "image/jpeg"
	m.FileKey = "media/2/original.jpg"
	m.PreviewKey = "media/2/small.jpg"
	m.FileSize = 555
	m.Width, m.Height, m.PreviewWidth, m.PreviewHeight = 800, 600, 400, 300
	m.Blurhash = "L6PZfSi_.AyE_3t7t7R**0o#DgR4"
	m.Processing = false
	ok(t, s.FinishMedia(ctx, m), "finish media")
	got = mustMedia(t, s, m.ID)
	m.Description, m.FocusX, m.FocusY = "a lighthouse", -1, 0.75
	sameMedia(t, got, m, "finished media")
	if got.UpdatedAt.Before(got.CreatedAt) {
		t.Errorf("UpdatedAt %v before CreatedAt %v", got.UpdatedAt, got.CreatedAt)
	}
	isErr(t, s.FinishMedia(ctx, m), store.ErrNotFound, "FinishMedia of an upload no longer processing")

	// Owner and status are not UpdateMedia's to change.
	changed := *m
	changed.AccountID = bob.ID
	changed.StatusID = MustPost(t, s, alice, "unrelated").ID
	changed.Description = "still a lighthouse"
	ok(t, s.UpdateMedia(ctx, &changed), "update media with another owner")
	got = mustMedia(t, s, m.ID)
	equal(t, got.AccountID, alice.ID, "owner after update")
	equal(t, got.StatusID, "", "status after update")
	equal(t, got.Description, "still a lighthouse", "description after update")

	for _, id := range []string{store.NewID(time.Now()), "garbage"} {
		missing := *m
		missing.ID = id
		isErr(t, s.UpdateMedia(ctx, &missing), store.ErrNotFound, fmt.Sprintf("UpdateMedia(%q)", id))
		isErr(t, s.FinishMedia(ctx, &missing), store.ErrNotFound, fmt.Sprintf("FinishMedia(%q)", id))
	}
}

func testPendingMedia(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	list, err := s.PendingMedia(ctx)
	ok(t, err, "pending media of an empty store")
	equal(t, len(list), 0, "pending media of an empty store")

	pending := func(a *store.Account, created time.Time) *store.Media {
		m := &store.Media{AccountID: a.ID, Type: store.MediaImage, FileKey: "media/x/upload", Processing: true, CreatedAt: created}
		ok(t, s.CreateMedia(ctx, m), "create pending media")
		return m
	}
	now := time.Now()
	newer := pending(alice, now)
	MustUpload(t, s, alice, "done")
	older := pending(bob, now.Add(-time.Hour))
	failed := &store.Media{AccountID: alice.ID, Type: store.MediaImage, FileKey: "media/y/upload", Error: "cannot decode"}
	ok(t, s.CreateMedia(ctx, failed), "create failed media")

	list, err = s.PendingMedia(ctx)
	ok(t, err, "pending media")
	equalSlice(t, MediaIDs(list), []string{older.ID, newer.ID}, "pending media, oldest first")
	if len(list) > 0 {
		equal(t, list[0].AccountID, bob.ID, "owner of a pending upload")
		equal(t, list[0].Processing, true, "Processing of a pending upload")
	}

	newer.Processing = false
	ok(t, s.FinishMedia(ctx, newer), "finish processing")
	list, err = s.PendingMedia(ctx)
	ok(t, err, "pending media after processing")
	equalSlice(t, MediaIDs(list), []string{older.ID}, "pending media after processing")
}

func testAttachMedia(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	u1 := MustUpload(t, s, alice, "one")
	u2 := MustUpload(t, s, alice, "two")
	u3 := MustUpload(t, s, alice, "three")
	plain := MustPost(t, s, alice, "no media")
	if len(plain.Media) != 0 {
		t.Fatalf("a status without media has %d attachments", len(plain.Media))
	}

	st := MustPostMedia(t, s, alice, "three pictures", u3.ID, u1.ID, u2.ID)
	want := []string{u3.ID, u1.ID, u2.ID}
	equalSlice(t, MediaIDs(st.Media), want, "attachments of the created status")
	for _, m := range st.Media {
		equal(t, m.StatusID, st.ID, "StatusID of attachment "+m.ID)
		equal(t, m.AccountID, alice.ID, "owner of attachment "+m.ID)
	}
	if len(st.Media) == 3 {
		u3.StatusID = st.ID
		sameMedia(t, st.Media[0], u3, "first attachment")
	}
	equal(t, mustMedia(t, s, u1.ID).StatusID, st.ID, "StatusID read by GetMedia")

	// Every read carries the media, in order.
	equalSlice(t, MediaIDs(MustStatus(t, s, st.ID).Media), want, "attachments by ID")
	byURI, err := s.StatusByURI(ctx, st.URI)
	ok(t, err, "status by URI")
	equalSlice(t, MediaIDs(byURI.Media), want, "attachments by URI")
	list, err := s.StatusesByIDs(ctx, []string{plain.ID, st.ID})
	ok(t, err, "statuses by IDs")
	for _, got := range list {
		switch got.ID {
		case st.ID:
			equalSlice(t, MediaIDs(got.Media), want, "attachments by IDs")
		default:
			equal(t, len(got.Media), 0, "attachments of the plain status by IDs")
		}
	}

	pub, own := onlyMedia(t, s, alice)
	equalSlice(t, pub, []string{st.ID}, "public timeline, only media")
	equalSlice(t, own, []string{st.ID}, "account statuses, only media")
	local, err := s.PublicTimeline(ctx, store.PublicFilter{Local: true, OnlyMedia: true}, store.Page{})
	ok(t, err, "local timeline, only media")
	equalSlice(t, StatusIDs(local), []string{st.ID}, "local timeline, only media")
	all, err := s.AccountStatuses(ctx, "", alice.ID, store.AccountStatusesFilter{}, store.Page{})
	ok(t, err, "account statuses")
	equalSlice(t, StatusIDs(all), []string{st.ID, plain.ID}, "account statuses")
}

func testInvalidMedia(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	taken := MustUpload(t, s, alice, "taken")
	first := MustPostMedia(t, s, alice, "first", taken.ID)
	processing := &store.Media{AccountID: alice.ID, Type: store.MediaVideo, FileKey: "media/p/upload.mov", Processing: true}
	ok(t, s.CreateMedia(ctx, processing), "create processing upload")
	failed := &store.Media{AccountID: alice.ID, Type: store.MediaImage, FileKey: "media/f/upload.png", Error: "cannot decode"}
	ok(t, s.CreateMedia(ctx, failed), "create failed upload")
	bobs := MustUpload(t, s, bob, "bobs")
	good := MustUpload(t, s, alice, "good")
	var five []string
	for i := range 5 {
		five = append(five, MustUpload(t, s, alice, fmt.Sprintf("five%d", i)).ID)
	}

	for _, c := range []struct {
		name string
		ids  []string
	}{
		{"someone else's upload", []string{good.ID, bobs.ID}},
		{"an upload still processing", []string{good.ID, processing.ID}},
		{"an upload that failed processing", []string{good.ID, failed.ID}},
		{"an upload attached to another status", []string{good.ID, taken.ID}},
		{"an unknown upload", []string{good.ID, store.NewID(time.Now())}},
		{"no media ID", []string{good.ID, "garbage"}},
		{"five uploads", five},
	} {
		_, err := s.CreateStatus(ctx, store.NewStatus{AccountID: alice.ID, Text: c.name,
			Content: "<p>" + c.name + "</p>", Visibility: store.VisibilityPublic, Local: true, MediaIDs: c.ids})
		isErr(t, err, store.ErrInvalidMedia, "attach "+c.name)

		// Nothing of the failed status stays.
		equal(t, MustAccount(t, s, alice.ID).StatusesCount, 1, "statuses count after attaching "+c.name)
		list, err := s.AccountStatuses(ctx, "", alice.ID, store.AccountStatusesFilter{}, store.Page{})
		ok(t, err, "account statuses")
		equalSlice(t, StatusIDs(list), []string{first.ID}, "statuses after attaching "+c.name)
		for _, id := range c.ids {
			if m, err := s.GetMedia(ctx, id); err == nil && m.ID != taken.ID && m.StatusID != "" {
				t.Errorf("attach %s: upload %s stayed attached to %s", c.name, id, m.StatusID)
			}
		}
	}
	equal(t, mustMedia(t, s, taken.ID).StatusID, first.ID, "status of the taken upload")
	equalSlice(t, MediaIDs(MustStatus(t, s, first.ID).Media), []string{taken.ID}, "attachments of the first status")

	// Bob cannot take alice's upload by editing his own status either.
	bobPost := MustPostMedia(t, s, bob, "bob's", bobs.ID)
	_, err := s.UpdateStatus(ctx, bobPost.ID, store.StatusUpdate{Content: "<p>edit</p>", Text: "edit", MediaIDs: []string{bobs.ID, good.ID}})
	isErr(t, err, store.ErrInvalidMedia, "edit attaching someone else's upload")
	got := MustStatus(t, s, bobPost.ID)
	equalSlice(t, MediaIDs(got.Media), []string{bobs.ID}, "attachments after a failed edit")
	equal(t, got.Text, "bob's", "text after a failed edit")
	equal(t, mustMedia(t, s, good.ID).StatusID, "", "status of the upload a failed edit named")

	// Four is fine.
	st := MustPostMedia(t, s, alice, "four", five[:4]...)
	equalSlice(t, MediaIDs(st.Media), five[:4], "four attachments")
}

func testDeleteMedia(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	attached := MustUpload(t, s, alice, "attached")
	free := MustUpload(t, s, alice, "free")
	st := MustPostMedia(t, s, alice, "with media", attached.ID)

	_, err := s.DeleteMedia(ctx, attached.ID)
	isErr(t, err, store.ErrConflict, "delete attached media")
	equal(t, mustMedia(t, s, attached.ID).StatusID, st.ID, "attached media after a refused delete")
	equalSlice(t, MediaIDs(MustStatus(t, s, st.ID).Media), []string{attached.ID}, "attachments after a refused delete")

	gone, err := s.DeleteMedia(ctx, free.ID)
	ok(t, err, "delete unattached media")
	sameMedia(t, gone, free, "the deleted upload")
	_, err = s.GetMedia(ctx, free.ID)
	isErr(t, err, store.ErrNotFound, "get deleted media")
	list, err := s.UnattachedMedia(ctx, time.Now().Add(24*time.Hour), 10)
	ok(t, err, "unattached media")
	equal(t, len(list), 0, "unattached media after delete")
}

func testUpdateStatusMedia(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	u1 := MustUpload(t, s, alice, "one")
	u2 := MustUpload(t, s, alice, "two")
	u3 := MustUpload(t, s, alice, "three")
	u4 := MustUpload(t, s, alice, "four")
	st := MustPostMedia(t, s, alice, "pictures", u1.ID, u2.ID, u3.ID)
	future := time.Now().Add(100 * 365 * 24 * time.Hour)

	// Reorder, drop u2, add u4.
	want := []string{u3.ID, u1.ID, u4.ID}
	edited, err := s.UpdateStatus(ctx, st.ID, store.StatusUpdate{Content: "<p>edited</p>", Text: "edited", MediaIDs: want})
	ok(t, err, "edit attachments")
	equalSlice(t, MediaIDs(edited.Media), want, "attachments after edit")
	equalSlice(t, MediaIDs(MustStatus(t, s, st.ID).Media), want, "attachments read after edit")
	for _, id := range want {
		equal(t, mustMedia(t, s, id).StatusID, st.ID, "status of kept upload "+id)
	}
	// The removed upload stays with the status, out of sight, for the
	// history: not unattached, not for another status, back on an edit.
	equal(t, mustMedia(t, s, u2.ID).StatusID, st.ID, "status of the removed upload")
	free, err := s.UnattachedMedia(ctx, future, 10)
	ok(t, err, "unattached media")
	equal(t, len(free), 0, "unattached media after edit")
	pub, own := onlyMedia(t, s, alice)
	equalSlice(t, pub, []string{st.ID}, "public timeline, only media, after edit")
	equalSlice(t, own, []string{st.ID}, "account statuses, only media, after edit")
	_, err = s.CreateStatus(ctx, store.NewStatus{AccountID: alice.ID, Text: "again", Local: true, MediaIDs: []string{u2.ID}})
	isErr(t, err, store.ErrInvalidMedia, "posting an upload an edit removed")
	back, err := s.UpdateStatus(ctx, st.ID, store.StatusUpdate{Content: "<p>back</p>", Text: "back", MediaIDs: []string{u2.ID, u1.ID}})
	ok(t, err, "edit bringing the removed upload back")
	equalSlice(t, MediaIDs(back.Media), []string{u2.ID, u1.ID}, "attachments after bringing one back")
	other := MustPostMedia(t, s, alice, "other", MustUpload(t, s, alice, "five").ID)

	// No media IDs: no attachments.
	edited, err = s.UpdateStatus(ctx, st.ID, store.StatusUpdate{Content: "<p>bare</p>", Text: "bare"})
	ok(t, err, "edit removing attachments")
	equal(t, len(edited.Media), 0, "attachments after removing all")
	equal(t, len(MustStatus(t, s, st.ID).Media), 0, "attachments read after removing all")
	free, err = s.UnattachedMedia(ctx, future, 10)
	ok(t, err, "unattached media")
	equal(t, len(free), 0, "unattached media after removing all")
	pub, own = onlyMedia(t, s, alice)
	equalSlice(t, pub, []string{other.ID}, "public timeline, only media, after removing all")
	equalSlice(t, own, []string{other.ID}, "account statuses, only media, after removing all")

	// Deleting the status lets them all go (detached, then swept).
	ok(t, s.DeleteStatus(ctx, st.ID), "delete the edited status")
	free, err = s.UnattachedMedia(ctx, future, 10)
	ok(t, err, "unattached media")
	sameSet(t, MediaIDs(free), []string{u1.ID, u2.ID, u3.ID, u4.ID}, "unattached media after deleting the status")
}

func testDeleteStatusDetachesMedia(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	u1 := MustUpload(t, s, alice, "one")
	u2 := MustUpload(t, s, alice, "two")
	st := MustPostMedia(t, s, alice, "to redraft", u1.ID, u2.ID)
	ok(t, s.DeleteStatus(ctx, st.ID), "delete status")

	for _, m := range []*store.Media{u1, u2} {
		got := mustMedia(t, s, m.ID)
		equal(t, got.StatusID, "", "status of upload "+m.ID+" after delete")
		equal(t, got.FileKey, m.FileKey, "file of upload "+m.ID+" after delete")
	}
	free, err := s.UnattachedMedia(ctx, time.Now().Add(time.Hour), 10)
	ok(t, err, "unattached media")
	sameSet(t, MediaIDs(free), []string{u1.ID, u2.ID}, "unattached media after delete")
	pub, own := onlyMedia(t, s, alice)
	equal(t, len(pub), 0, "public timeline, only media, after delete")
	equal(t, len(own), 0, "account statuses, only media, after delete")

	redraft := MustPostMedia(t, s, alice, "redrafted", u2.ID, u1.ID)
	equalSlice(t, MediaIDs(redraft.Media), []string{u2.ID, u1.ID}, "attachments of the redraft")
	free, err = s.UnattachedMedia(ctx, time.Now().Add(time.Hour), 10)
	ok(t, err, "unattached media")
	equal(t, len(free), 0, "unattached media after the redraft")
}

func testUnattachedMedia(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	now := time.Now().UTC().Truncate(time.Millisecond)
	upload := func(name string, age time.Duration) *store.Media {
		m := &store.Media{AccountID: alice.ID, Type: store.MediaImage, FileKey: "media/" + name + "/original.png", CreatedAt: now.Add(-age)}
		ok(t, s.CreateMedia(ctx, m), "create media "+name)
		return m
	}
	ancient := upload("ancient", 3*time.Hour)
	old := upload("old", 2*time.Hour)
	mid := upload("mid", time.Hour)
	fresh := upload("fresh", 0)
	MustPostMedia(t, s, alice, "keeps the ancient one", ancient.ID)
	equal(t, mustMedia(t, s, old.ID).CreatedAt.Equal(old.CreatedAt), true, "given CreatedAt kept")

	for _, c := range []struct {
		name   string
		before time.Time
		limit  int
		want   []string
	}{
		{"all", now.Add(time.Hour), 10, []string{old.ID, mid.ID, fresh.ID}},
		{"older than half an hour", now.Add(-30 * time.Minute), 10, []string{old.ID, mid.ID}},
		{"older than mid", mid.CreatedAt, 10, []string{old.ID}},
		{"older than four hours", now.Add(-4 * time.Hour), 10, nil},
	} {
		list, err := s.UnattachedMedia(ctx, c.before, c.limit)
		ok(t, err, "unattached media "+c.name)
		sameSet(t, MediaIDs(list), c.want, "unattached media "+c.name)
	}
	list, err := s.UnattachedMedia(ctx, now.Add(time.Hour), 2)
	ok(t, err, "unattached media, limit 2")
	equal(t, len(list), 2, "unattached media, limit 2")
	for _, m := range list {
		if m.ID == ancient.ID || m.StatusID != "" {
			t.Errorf("unattached media, limit 2, lists attached media %s", m.ID)
		}
	}
}

func testRemoteMedia(t *testing.T, s store.Store) {
	ctx := t.Context()
	carol := MustCreateRemote(t, s, "carol", "remote.test")
	pic := &store.Media{Type: store.MediaImage, ContentType: "image/jpeg", RemoteURL: "https://remote.test/files/a.jpg",
		Description: "a heron", Blurhash: "LGF5]+Yk^6#M@-5c,1J5@[or[Q6.", Width: 1200, Height: 900}
	clip := &store.Media{Type: store.MediaVideo, ContentType: "video/mp4", RemoteURL: "https://remote.test/files/b.mp4",
		Description: "the heron flies", Width: 640, Height: 360}
	st := MustCreateStatus(t, s, store.NewStatus{AccountID: carol.ID, Text: "birds", Media: []*store.Media{pic, clip}})

	check := func(got *store.Status, what string) {
		t.Helper()
		if len(got.Media) != 2 {
			t.Errorf("%s: %d attachments, want 2", what, len(got.Media))
			return
		}
		for i, want := range []*store.Media{pic, clip} {
			m := got.Media[i]
			if !store.ValidID(m.ID) {
				t.Errorf("%s: attachment %d has ID %q", what, i, m.ID)
			}
			equal(t, m.RemoteURL, want.RemoteURL, what+": RemoteURL")
			equal(t, m.Remote(), true, what+": Remote")
			equal(t, m.Type, want.Type, what+": Type")
			equal(t, m.ContentType, want.ContentType, what+": ContentType")
			equal(t, m.Description, want.Description, what+": Description")
			equal(t, m.Blurhash, want.Blurhash, what+": Blurhash")
			equal(t, m.Width, want.Width, what+": Width")
			equal(t, m.Height, want.Height, what+": Height")
			equal(t, m.FileKey, "", what+": FileKey")
			equal(t, m.StatusID, got.ID, what+": StatusID")
			equal(t, m.AccountID, carol.ID, what+": AccountID")
		}
	}
	check(st, "created remote status")
	check(MustStatus(t, s, st.ID), "remote status by ID")
	byURI, err := s.StatusByURI(ctx, st.URI)
	ok(t, err, "status by URI")
	check(byURI, "remote status by URI")
	if len(st.Media) == 2 {
		got := mustMedia(t, s, st.Media[1].ID)
		equal(t, got.RemoteURL, clip.RemoteURL, "GetMedia of a remote attachment")
	}
	remote, err := s.PublicTimeline(ctx, store.PublicFilter{Remote: true, OnlyMedia: true}, store.Page{})
	ok(t, err, "remote timeline, only media")
	equalSlice(t, StatusIDs(remote), []string{st.ID}, "remote timeline, only media")
	_, own := onlyMedia(t, s, carol)
	equalSlice(t, own, []string{st.ID}, "account statuses, only media")

	// An Update replaces the attachments.
	audio := &store.Media{Type: store.MediaAudio, ContentType: "audio/ogg", RemoteURL: "https://remote.test/files/c.ogg",
		Description: "its call"}
	updated, err := s.UpdateStatus(ctx, st.ID, store.StatusUpdate{Content: "<p>birds!</p>", Media: []*store.Media{audio, pic}})
	ok(t, err, "update remote status")
	for _, got := range []*store.Status{updated, MustStatus(t, s, st.ID)} {
		var urls []string
		for _, m := range got.Media {
			urls = append(urls, m.RemoteURL)
			equal(t, m.StatusID, st.ID, "StatusID after update")
		}
		equalSlice(t, urls, []string{audio.RemoteURL, pic.RemoteURL}, "remote attachments after update")
	}

	updated, err = s.UpdateStatus(ctx, st.ID, store.StatusUpdate{Content: "<p>no birds</p>"})
	ok(t, err, "update remote status without media")
	equal(t, len(updated.Media), 0, "remote attachments after an update without media")
	remote, err = s.PublicTimeline(ctx, store.PublicFilter{Remote: true, OnlyMedia: true}, store.Page{})
	ok(t, err, "remote timeline, only media")
	equal(t, len(remote), 0, "remote timeline, only media, after removing the media")
}

func testHydrateMedia(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	carol := MustCreateRemote(t, s, "carol", "remote.test")
	MustFollow(t, s, bob, alice)
	MustFollow(t, s, bob, carol)

	want := map[string][]string{} // status ID -> media IDs
	var a []*store.Media
	for i := range 3 {
		a = append(a, MustUpload(t, s, alice, fmt.Sprintf("a%d", i)))
	}
	b := MustUpload(t, s, bob, "b")
	s1 := MustPostMedia(t, s, alice, "two", a[1].ID, a[0].ID)
	want[s1.ID] = []string{a[1].ID, a[0].ID}
	s2 := MustPost(t, s, alice, "none")
	want[s2.ID] = nil
	s3 := MustPostMedia(t, s, alice, "one", a[2].ID)
	want[s3.ID] = []string{a[2].ID}
	s4 := MustPostMedia(t, s, bob, "bob's", b.ID)
	want[s4.ID] = []string{b.ID}
	s5 := MustCreateStatus(t, s, store.NewStatus{AccountID: carol.ID, Text: "remote", Media: []*store.Media{
		{Type: store.MediaImage, RemoteURL: "https://remote.test/files/1.png"},
		{Type: store.MediaImage, RemoteURL: "https://remote.test/files/2.png"},
	}})
	want[s5.ID] = MediaIDs(s5.Media)
	equal(t, len(s5.Media), 2, "remote attachments")

	check := func(list []*store.Status, what string) {
		t.Helper()
		for _, st := range list {
			w, known := want[st.ID]
			if !known {
				continue
			}
			equalSlice(t, MediaIDs(st.Media), w, fmt.Sprintf("%s: attachments of %q", what, st.Text))
			for _, m := range st.Media {
				equal(t, m.StatusID, st.ID, what+": StatusID")
			}
		}
	}
	home, err := s.HomeTimeline(ctx, bob.ID, store.Page{})
	ok(t, err, "home timeline")
	equalSlice(t, StatusIDs(home), []string{s5.ID, s4.ID, s3.ID, s2.ID, s1.ID}, "home timeline")
	check(home, "home timeline")
	pub, err := s.PublicTimeline(ctx, store.PublicFilter{}, store.Page{})
	ok(t, err, "public timeline")
	equal(t, len(pub), 5, "public timeline length")
	check(pub, "public timeline")
	list, err := s.StatusesByIDs(ctx, []string{s3.ID, s5.ID, s1.ID, s2.ID})
	ok(t, err, "statuses by IDs")
	check(list, "statuses by IDs")
	pubMedia, err := s.PublicTimeline(ctx, store.PublicFilter{OnlyMedia: true}, store.Page{})
	ok(t, err, "public timeline, only media")
	equalSlice(t, StatusIDs(pubMedia), []string{s5.ID, s4.ID, s3.ID, s1.ID}, "public timeline, only media")

	// A boost carries the boosted status's media on Reblog, none itself.
	boost, err := s.Reblog(ctx, bob.ID, s1.ID, store.VisibilityPublic)
	ok(t, err, "boost")
	equal(t, len(boost.Media), 0, "attachments of the boost itself")
	if boost.Reblog == nil {
		t.Fatal("boost without Reblog")
	}
	equalSlice(t, MediaIDs(boost.Reblog.Media), want[s1.ID], "attachments of the boosted status")
	remoteBoost, err := s.Reblog(ctx, bob.ID, s5.ID, store.VisibilityPublic)
	ok(t, err, "boost of the remote status")
	own, err := s.AccountStatuses(ctx, "", bob.ID, store.AccountStatusesFilter{}, store.Page{})
	ok(t, err, "bob's statuses")
	equalSlice(t, StatusIDs(own), []string{remoteBoost.ID, boost.ID, s4.ID}, "bob's statuses")
	for _, st := range own {
		switch st.ID {
		case boost.ID, remoteBoost.ID:
			if st.Reblog == nil {
				t.Errorf("boost %s without Reblog", st.ID)
				continue
			}
			equal(t, len(st.Media), 0, "attachments of a boost in a timeline")
			equalSlice(t, MediaIDs(st.Reblog.Media), want[st.Reblog.ID], "attachments of a boosted status in a timeline")
		default:
			check([]*store.Status{st}, "bob's statuses")
		}
	}
}

func testCachedFiles(t *testing.T, s store.Store) {
	ctx := t.Context()
	size, err := s.CachedSize(ctx)
	ok(t, err, "size of an empty cache")
	equal(t, size, int64(0), "size of an empty cache")
	_, err = s.CachedFile(ctx, "https://remote.test/nothing.png")
	isErr(t, err, store.ErrNotFound, "cached file of an unknown URL")

	base := time.Now().UTC().Truncate(time.Millisecond).Add(-time.Hour)
	put := func(url, key string, size int64, fetched time.Time) *store.CachedFile {
		f := &store.CachedFile{URL: url, Key: key, ContentType: "image/png", Size: size, FetchedAt: fetched}
		ok(t, s.PutCachedFile(ctx, f), "put cached file "+url)
		return f
	}
	a := put("https://remote.test/a.png", "cache/a.png", 100, base.Add(2*time.Minute))
	b := put("https://remote.test/b.png", "cache/b.png", 20, base)
	c := put("https://other.test/c.png?x=1", "cache/c.png", 3, base.Add(time.Minute))

	got, err := s.CachedFile(ctx, a.URL)
	ok(t, err, "cached file")
	if got.URL != a.URL || got.Key != a.Key || got.ContentType != a.ContentType ||
		got.Size != a.Size || !got.FetchedAt.Equal(a.FetchedAt) {
		t.Errorf("cached file = %+v, want %+v", got, a)
	}
	size, err = s.CachedSize(ctx)
	ok(t, err, "cached size")
	equal(t, size, int64(123), "cached size")

	list, err := s.CachedFiles(ctx, base.Add(time.Hour), 10)
	ok(t, err, "cached files")
	equalSlice(t, cachedURLs(list), []string{b.URL, c.URL, a.URL}, "cached files, oldest first")
	list, err = s.CachedFiles(ctx, base.Add(2*time.Minute), 10)
	ok(t, err, "cached files before a")
	equalSlice(t, cachedURLs(list), []string{b.URL, c.URL}, "cached files fetched before a")
	list, err = s.CachedFiles(ctx, base.Add(time.Hour), 2)
	ok(t, err, "cached files, limit 2")
	equalSlice(t, cachedURLs(list), []string{b.URL, c.URL}, "cached files, limit 2")
	if len(list) > 0 {
		equal(t, list[0].Key, b.Key, "key of a listed cache entry")
		equal(t, list[0].Size, b.Size, "size of a listed cache entry")
		equal(t, list[0].FetchedAt.Equal(b.FetchedAt), true, "fetch time of a listed cache entry")
	}

	// Fetching b again replaces its entry.
	put(b.URL, "cache/b2.webp", 50, base.Add(3*time.Minute))
	got, err = s.CachedFile(ctx, b.URL)
	ok(t, err, "replaced cached file")
	equal(t, got.Key, "cache/b2.webp", "key of the replaced entry")
	equal(t, got.Size, int64(50), "size of the replaced entry")
	size, err = s.CachedSize(ctx)
	ok(t, err, "cached size after replace")
	equal(t, size, int64(153), "cached size after replace")
	list, err = s.CachedFiles(ctx, base.Add(time.Hour), 10)
	ok(t, err, "cached files after replace")
	equalSlice(t, cachedURLs(list), []string{c.URL, a.URL, b.URL}, "cached files after replace")

	ok(t, s.DeleteCachedFile(ctx, c.URL), "delete cached file")
	_, err = s.CachedFile(ctx, c.URL)
	isErr(t, err, store.ErrNotFound, "deleted cached file")
	size, err = s.CachedSize(ctx)
	ok(t, err, "cached size after delete")
	equal(t, size, int64(150), "cached size after delete")
	list, err = s.CachedFiles(ctx, base.Add(time.Hour), 10)
	ok(t, err, "cached files after delete")
	equalSlice(t, cachedURLs(list), []string{a.URL, b.URL}, "cached files after delete")
}

func cachedURLs(list []*store.CachedFile) []string {
	urls := make([]string, len(list))
	for i, f := range list {
		urls[i] = f.URL
	}
	return urls
}

// sameCard checks every field of a card, times as instants.
func sameCard(tb testing.TB, got, want *store.PreviewCard, what string) {
	tb.Helper()
	if got == nil {
		tb.Errorf("%s: no card", what)
		return
	}
	if !got.FetchedAt.Equal(want.FetchedAt) {
		tb.Errorf("%s: FetchedAt = %v, want %v", what, got.FetchedAt, want.FetchedAt)
	}
	if (got.PublishedAt == nil) != (want.PublishedAt == nil) ||
		got.PublishedAt != nil && !got.PublishedAt.Equal(*want.PublishedAt) {
		tb.Errorf("%s: PublishedAt = %v, want %v", what, got.PublishedAt, want.PublishedAt)
	}
	g, w := *got, *want
	g.FetchedAt, g.PublishedAt, w.FetchedAt, w.PublishedAt = time.Time{}, nil, time.Time{}, nil
	if g != w {
		tb.Errorf("%s = %+v\nwant %+v", what, g, w)
	}
}

func testPreviewCard(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	MustFollow(t, s, bob, alice)
	st := MustPost(t, s, alice, "look https://news.test/story")
	plain := MustPost(t, s, alice, "no link")
	if st.Card != nil {
		t.Fatalf("a new status has card %+v", st.Card)
	}
	_, err := s.PreviewCard(ctx, "https://news.test/story")
	isErr(t, err, store.ErrNotFound, "preview card of an unknown URL")

	published := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	card := &store.PreviewCard{
		URL:          "https://news.test/story",
		Title:        "A story",
		Description:  "What happened",
		Type:         "photo",
		AuthorName:   "Ann Author",
		AuthorURL:    "https://news.test/ann",
		ProviderName: "News",
		ProviderURL:  "https://news.test/",
		ImageURL:     "https://news.test/story.jpg",
		Width:        1200,
		Height:       630,
		Blurhash:     "LEHV6nWB2yk8pyo0adR*.7kCMdnj",
		Language:     "en",
		PublishedAt:  &published,
		FetchedAt:    time.Now().UTC().Truncate(time.Millisecond).Add(-time.Minute),
	}
	ok(t, s.SetStatusCard(ctx, st.ID, card), "set status card")
	got, err := s.PreviewCard(ctx, card.URL)
	ok(t, err, "preview card")
	sameCard(t, got, card, "PreviewCard")
	sameCard(t, MustStatus(t, s, st.ID).Card, card, "card by ID")
	home, err := s.HomeTimeline(ctx, bob.ID, store.Page{})
	ok(t, err, "home timeline")
	if h := findStatus(home, st.ID); h == nil {
		t.Error("the status with a card is missing in the home timeline")
	} else {
		sameCard(t, h.Card, card, "card in the home timeline")
	}
	if p := findStatus(home, plain.ID); p == nil || p.Card != nil {
		t.Errorf("the status without a card in the home timeline: %+v", p)
	}
	boost, err := s.Reblog(ctx, bob.ID, st.ID, store.VisibilityPublic)
	ok(t, err, "boost")
	if boost.Reblog == nil {
		t.Fatal("boost without Reblog")
	}
	sameCard(t, boost.Reblog.Card, card, "card of a boosted status")

	// Another status linking the same URL shares (and refreshes) the card.
	again := MustPost(t, s, bob, "also https://news.test/story")
	fresh := &store.PreviewCard{URL: card.URL, Title: "A story, updated", Type: "link",
		FetchedAt: time.Now().UTC().Truncate(time.Millisecond)}
	ok(t, s.SetStatusCard(ctx, again.ID, fresh), "set the card of another status")
	got, err = s.PreviewCard(ctx, card.URL)
	ok(t, err, "preview card after refresh")
	sameCard(t, got, fresh, "refreshed card")
	sameCard(t, MustStatus(t, s, again.ID).Card, fresh, "card of the second status")
	sameCard(t, MustStatus(t, s, st.ID).Card, fresh, "card of the first status after refresh")
	pub, err := s.PublicTimeline(ctx, store.PublicFilter{}, store.Page{})
	ok(t, err, "public timeline")
	for _, id := range []string{st.ID, again.ID} {
		if p := findStatus(pub, id); p == nil {
			t.Errorf("status %s missing in the public timeline", id)
		} else {
			sameCard(t, p.Card, fresh, "card in the public timeline")
		}
	}

	// A status of its own link gets its own card; the others keep theirs.
	other := &store.PreviewCard{URL: "https://blog.test/post", Title: "A post", Type: "link"}
	ok(t, s.SetStatusCard(ctx, again.ID, other), "replace a status's card")
	equal(t, MustStatus(t, s, again.ID).Card.URL, other.URL, "card URL after replacing")
	equal(t, MustStatus(t, s, st.ID).Card.URL, card.URL, "card URL of the other status")

	missing := &store.PreviewCard{URL: "https://nowhere.test/", Title: "lost", Type: "link"}
	for _, id := range []string{store.NewID(time.Now()), "garbage"} {
		isErr(t, s.SetStatusCard(ctx, id, missing), store.ErrNotFound, fmt.Sprintf("SetStatusCard(%q)", id))
	}
	_, err = s.PreviewCard(ctx, missing.URL)
	isErr(t, err, store.ErrNotFound, "card of a failed SetStatusCard")
	if slices.ContainsFunc(pub, func(p *store.Status) bool { return p.ID == plain.ID && p.Card != nil }) {
		t.Error("the status without a link got a card")
	}
}

func testAccountFiles(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := MustCreateLocal(t, s, "alice")
	bob := MustCreateLocal(t, s, "bob")
	MustUpload(t, s, alice, "a1")
	MustPostMedia(t, s, alice, "posted", MustUpload(t, s, alice, "a2").ID)
	MustUpload(t, s, bob, "b1")
	avatar := "accounts/" + alice.ID + "/avatar.png"
	_, err := s.UpdateProfile(ctx, alice.ID, store.ProfileUpdate{Avatar: &avatar})
	ok(t, err, "set avatar")
	files, err := s.AccountFiles(ctx, alice.ID)
	ok(t, err, "account files")
	slices.Sort(files)
	equalSlice(t, files, []string{avatar, "media/a1/original.png", "media/a1/small.png",
		"media/a2/original.png", "media/a2/small.png"}, "alice's files")
}

// blobKeys returns what BlobKeys reports, as a sorted set.
func blobKeys(tb testing.TB, s store.Store) []string {
	tb.Helper()
	seen := map[string]bool{}
	ok(tb, s.BlobKeys(tb.Context(), func(key string) error {
		seen[key] = true
		return nil
	}), "blob keys")
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func testBlobKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	equalSlice(t, blobKeys(t, s), nil, "blob keys of an empty store")

	alice := MustCreateLocal(t, s, "alice")
	carol := MustCreateRemote(t, s, "carol", "remote.test")
	MustUpload(t, s, alice, "free")
	first := MustUpload(t, s, alice, "first")
	second := MustUpload(t, s, alice, "second")
	st := MustPostMedia(t, s, alice, "pictures", first.ID)
	// The edit takes first off the status; whether the upload then goes
	// (the upload sweep deletes it) or stays with the status out of sight,
	// the edit history still shows its files.
	_, err := s.UpdateStatus(ctx, st.ID, store.StatusUpdate{Content: "<p>other</p>", Text: "other", MediaIDs: []string{second.ID}})
	ok(t, err, "edit attachments")
	if _, err = s.DeleteMedia(ctx, first.ID); err != nil && !errors.Is(err, store.ErrConflict) {
		t.Fatalf("delete the upload the edit removed: %v", err)
	}

	avatar := "accounts/" + alice.ID + "/avatar-x.png"
	header := "accounts/" + alice.ID + "/header-x.png"
	_, err = s.UpdateProfile(ctx, alice.ID, store.ProfileUpdate{Avatar: &avatar, Header: &header})
	ok(t, err, "set avatar and header")
	// A remote account's avatar is an address, not a key.
	carol.AvatarURL = "https://remote.test/avatar.png"
	carol.HeaderURL = "https://remote.test/header.png"
	ok(t, s.UpsertRemoteAccount(ctx, carol), "set a remote avatar")
	equal(t, MustAccount(t, s, carol.ID).AvatarURL, carol.AvatarURL, "remote avatar")
	// Remote attachments have no files until the cache fetches them.
	MustCreateStatus(t, s, store.NewStatus{AccountID: carol.ID, Text: "remote", Media: []*store.Media{
		{Type: store.MediaImage, ContentType: "image/png", RemoteURL: "https://remote.test/files/a.png"}}})
	ok(t, s.PutCachedFile(ctx, &store.CachedFile{URL: "https://remote.test/files/a.png", Key: "cache/ab/a.png",
		ContentType: "image/png", Size: 10}), "put cached file")
	// An audio upload without a preview has no second key.
	audio := &store.Media{AccountID: alice.ID, Type: store.MediaAudio, ContentType: "audio/ogg",
		FileKey: "media/audio/original.ogg", FileSize: 99}
	ok(t, s.CreateMedia(ctx, audio), "create audio upload")

	equalSlice(t, blobKeys(t, s), []string{
		avatar, header, "cache/ab/a.png",
		"media/audio/original.ogg",
		"media/first/original.png", "media/first/small.png",
		"media/free/original.png", "media/free/small.png",
		"media/second/original.png", "media/second/small.png",
	}, "blob keys")

	// More rows than a store may read at a time (SQLite reads 500).
	before := len(blobKeys(t, s))
	for i := range 520 {
		ok(t, s.CreateMedia(ctx, &store.Media{AccountID: alice.ID, Type: store.MediaAudio,
			FileKey: fmt.Sprintf("media/many/%d.ogg", i)}), "create upload")
	}
	equal(t, len(blobKeys(t, s)), before+520, "blob keys with many uploads")

	stop := errors.New("enough")
	calls := 0
	err = s.BlobKeys(ctx, func(string) error { calls++; return stop })
	isErr(t, err, stop, "BlobKeys with fn failing")
	equal(t, calls, 1, "calls of fn after it failed")
}
