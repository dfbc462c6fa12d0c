"""The Sessions page: your own sessions (this browser marked, others ended), and an administrator
ending another user's; a viewer sees only their own."""

from dashboard import data_access
from dashboard.auth import demo_accounts
from tests.helpers.markdown import shown


def another_session(user: str) -> str:
    """Sign `user` in elsewhere (another browser): its cookie value."""
    auth = data_access.authenticator()
    password = next(a.password for a in demo_accounts() if a.name == user)
    return auth.complete(auth.issue_ticket(auth.sign_in(user, password, source="192.0.2.44")))[1]


def end_buttons(at):
    return [b for b in at.button if b.key and b.key.startswith("end_session_")]


def test_you_see_your_sessions_and_end_another_one(console):
    at = console.open("sessions", user="admin")
    elsewhere = another_session("admin")
    at.run()
    assert not at.exception and [s.value for s in at.subheader][:1] == ["Your sessions"]
    texts = [shown(m.value) for m in at.markdown]
    assert sum("192.0.2.44" in t for t in texts) == 1  # the other browser, by its address
    assert any("This browser" in t for t in texts)
    assert [b.label for b in at.button if b.key == "sessions_sign_out"]  # this browser: Sign out
    (end,) = end_buttons(at)  # one End button: the other session, not this one
    end.click().run()
    assert not at.exception
    auth = data_access.authenticator()
    assert auth.resolve(elsewhere) is None
    assert len(auth.active_sessions("admin")) == 1
    (line,) = [e for e in console.store().audit.query(action="session_ended")]
    assert (line.actor, line.details["user"]) == ("admin", "admin")


def test_an_admin_ends_another_users_session(console):
    viewer_cookie = another_session("viewer")
    at = console.open("sessions", user="admin")
    assert "Everybody's sessions" in [s.value for s in at.subheader]
    assert at.selectbox(key="sessions_user").value == "viewer"
    (end,) = [b for b in end_buttons(at)]
    end.click().run()
    assert not at.exception
    assert data_access.authenticator().resolve(viewer_cookie) is None
    assert any("Nobody else is signed in." in c.value for c in at.caption)


def test_a_viewer_sees_only_their_own_sessions(console):
    another_session("admin")
    at = console.open("sessions", user="viewer")
    assert not at.exception and not at.error
    assert [s.value for s in at.subheader] == ["Your sessions"]
    assert not end_buttons(at)  # only this browser's session: its Sign out button
    assert not any("192.0.2.44" in shown(m.value) for m in at.markdown)


def test_the_page_speaks_turkish(console):
    at = console.open("sessions", user="viewer", lang="tr")
    assert [s.value for s in at.subheader] == ["Oturumlarınız"] and at.title[0].value == "Oturumlar"
